"""Filters for the meeting API. The organization filter goes through the user's scope, so an id
outside it matches nothing (as if it did not exist)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from branches.filters import OrgIdFilter, scoped_org
from meetings.models import Meeting, MeetingCredit, MeetingStatus, MeetingType
from meetings.selectors import in_period_q
from partybuild.periods import Period
from partybuild.web.forms import PeriodField


@extend_schema_field(OpenApiTypes.STR)
class PeriodFilter(django_filters.Filter):
    field_class = PeriodField


class MeetingFilter(django_filters.FilterSet):
    org = OrgIdFilter(method="filter_org", label="党组织（含下级）ID")
    type = django_filters.ChoiceFilter(
        choices=MeetingType.choices, method="filter_type", label="计入的会议类型（含标明同时计入该类型的会议）"
    )
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices, label="状态")
    period = PeriodFilter(method="filter_period", label="期间：2026-10（月）、2026Q3（季度）或 2026（年）")

    class Meta:
        model = Meeting
        fields = ["org", "type", "status", "period"]

    def filter_org(self, queryset: QuerySet[Meeting], name: str, value: int) -> QuerySet[Meeting]:
        org = scoped_org(self.request, value)
        if org is None:
            return queryset.none()
        return queryset.filter(organization__path__startswith=org.path)

    def filter_type(self, queryset: QuerySet[Meeting], name: str, value: str) -> QuerySet[Meeting]:
        return queryset.filter(Exists(MeetingCredit.objects.filter(meeting=OuterRef("pk"), meeting_type=value)))

    def filter_period(self, queryset: QuerySet[Meeting], name: str, value: Period | None) -> QuerySet[Meeting]:
        return queryset if value is None else queryset.filter(in_period_q(value))
