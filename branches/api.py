from rest_framework import viewsets

from .models import Organization


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):  # replaced by the API work
    queryset = Organization.objects.none()
