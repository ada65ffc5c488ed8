"""Filters for the organization API. Lookups by organization pk go through the user's scope, so
a pk outside it matches nothing (as if it did not exist)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from branches.models import Organization, OrgCategory, OrgKind, OrgStatus, TermStatus
from branches.selectors import visible_orgs


def scoped_org(request: object, pk: int | None) -> Organization | None:
    """The organization with ``pk`` if the requesting user may see it, else None."""
    if pk is None or request is None:
        return None
    return visible_orgs(request.user).filter(pk=pk).only("pk", "path", "depth", "kind").first()  # type: ignore[attr-defined]


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an id, a year, an age); django-filter's NumberFilter takes decimals.

    Pass ``min_value``/``max_value`` with ``message``: a value outside them is a 400 with that
    message (unbounded, a huge number overflows the database driver: a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, message: str = "", **kwargs: Any) -> None:
        if message:
            kwargs["error_messages"] = {"min_value": message, "max_value": message, **kwargs.get("error_messages", {})}
        super().__init__(*args, **kwargs)


# Primary keys are 64-bit (BigAutoField).
MAX_ID = 2**63 - 1


class OrgIdFilter(IntegerFilter):
    """An organization id: a positive 64-bit integer, else 400."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("message", "党组织ID无效。")
        super().__init__(*args, **kwargs)


class OrganizationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices, label="类型")
    category = django_filters.ChoiceFilter(choices=OrgCategory.choices, label="单位类别")
    term_status = django_filters.ChoiceFilter(choices=TermStatus.choices, label="换届状态")
    status = django_filters.ChoiceFilter(choices=OrgStatus.choices, label="状态")
    within = OrgIdFilter(method="filter_within", label="在该党组织（含）之下（党组织ID）")
    parent = OrgIdFilter(method="filter_parent", label="直接上级党组织ID")

    class Meta:
        model = Organization
        fields = ["kind", "category", "term_status", "status", "within", "parent"]

    def filter_within(self, queryset: QuerySet[Organization], name: str, value: int) -> QuerySet[Organization]:
        org = scoped_org(self.request, value)
        if org is None:
            return queryset.none()
        return queryset.filter(path__startswith=org.path)

    def filter_parent(self, queryset: QuerySet[Organization], name: str, value: int) -> QuerySet[Organization]:
        org = scoped_org(self.request, value)
        if org is None:
            return queryset.none()
        return queryset.filter(path__startswith=org.path, depth=org.depth + 1)
