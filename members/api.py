from rest_framework import viewsets

from .models import Member


class MemberViewSet(viewsets.ReadOnlyModelViewSet):  # replaced by the API work
    queryset = Member.objects.none()
