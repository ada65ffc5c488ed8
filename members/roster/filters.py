"""Filters for the member API."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from branches.filters import IntegerFilter, OrgIdFilter, scoped_org
from branches.models import OrgKind
from members.roster.choices import Education, MemberState, MemberType
from members.roster.models import Member
from partybuild.periods import add_years

# The Party was founded in 1921; a year past 2100 is a typing error, not a filter.
JOINED_YEAR_MIN, JOINED_YEAR_MAX = 1921, 2100


AGE_MIN, AGE_MAX = 0, 150


def _age_filter(method: str, label: str) -> IntegerFilter:
    return IntegerFilter(
        method=method, label=label, min_value=AGE_MIN, max_value=AGE_MAX, message=f"年龄应在{AGE_MIN}至{AGE_MAX}岁之间。"
    )


class MemberFilter(django_filters.FilterSet):
    org = OrgIdFilter(method="filter_org", label="所在党组织（含下级）ID")
    member_type = django_filters.ChoiceFilter(choices=MemberType.choices, label="人员类别")
    state = django_filters.ChoiceFilter(choices=MemberState.choices, label="党员状态")
    education = django_filters.ChoiceFilter(choices=Education.choices, label="学历")
    joined_year = IntegerFilter(
        field_name="joined_on",
        lookup_expr="year",
        label=f"入党年份（{JOINED_YEAR_MIN}-{JOINED_YEAR_MAX}）",
        min_value=JOINED_YEAR_MIN,
        max_value=JOINED_YEAR_MAX,
        message=f"入党年份应在{JOINED_YEAR_MIN}至{JOINED_YEAR_MAX}之间。",
    )
    joined_month = IntegerFilter(
        field_name="joined_on",
        lookup_expr="month",
        label="入党月份（1-12）：政治生日在该月的党员",
        min_value=1,
        max_value=12,
        message="入党月份应在1至12之间。",
    )
    age_min = _age_filter("filter_age_min", "年龄不小于（周岁）")
    age_max = _age_filter("filter_age_max", "年龄不大于（周岁）")

    class Meta:
        model = Member
        fields = ["org", "member_type", "state", "education", "joined_year", "joined_month", "age_min", "age_max"]

    def filter_org(self, queryset: QuerySet[Member], name: str, value: int) -> QuerySet[Member]:
        org = scoped_org(self.request, value)
        if org is None:
            return queryset.none()
        if org.kind == OrgKind.GROUP:
            # Members belong to a 党支部; a 党小组 holds those assigned to it.
            return queryset.filter(group=org)
        return queryset.filter(branch__path__startswith=org.path)

    def filter_age_min(self, queryset: QuerySet[Member], name: str, value: int) -> QuerySet[Member]:
        # Aged at least N today: born on or before today N years ago.
        return queryset.filter(birth_date__lte=add_years(timezone.localdate(), -value))

    def filter_age_max(self, queryset: QuerySet[Member], name: str, value: int) -> QuerySet[Member]:
        # Aged at most N today: born after today N+1 years ago.
        earliest = add_years(timezone.localdate(), -(value + 1)) + datetime.timedelta(days=1)
        return queryset.filter(birth_date__gte=earliest)
