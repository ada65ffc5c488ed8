"""Serializers for the organization API.

Reading: ``OrganizationSerializer``; its ``member_count`` and ``parent`` come from the serializer
context (``member_counts``, ``parent_ids``), computed once per page by the viewset so that a list
costs the same few queries whatever its length.

Writing: the serializers below only check types and choices; every rule about the tree and terms
lives in ``branches.services`` and comes back as a 400 with the service's field keys.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from branches.models import Organization, OrgStatus
from branches.selectors import subtree_member_counts, visible_orgs, writable_orgs
from branches.services import ORG_EDITABLE_FIELDS


class ScopedOrganizationField(serializers.PrimaryKeyRelatedField):
    """An organization pk in a request body, limited to the organizations the user may change.

    A pk outside the scope gets the same answer as one that does not exist. A dissolved
    organization is refused here; whether the kind fits is the service's (or model's) to say."""

    default_error_messages = {
        "required": "请选择党组织。",
        "does_not_exist": "所选党组织不存在。",
        "incorrect_type": "党组织ID应为整数。",
        "dissolved": "所选党组织已撤销。",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Organization.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Organization]:
        request = self.context.get("request")
        if request is None:
            return Organization.objects.none()
        return writable_orgs(request.user)

    def to_internal_value(self, data: Any) -> Organization:
        org = super().to_internal_value(data)
        if org.status != OrgStatus.ACTIVE:
            self.fail("dissolved")
        return org


def organization_context(request: Any, orgs: list[Organization]) -> dict[str, Any]:
    """Serializer context for a page of organizations: two queries whatever the page size."""
    counts = subtree_member_counts(orgs)
    step = Organization.steplen
    parent_paths = {o.path[:-step] for o in orgs if o.depth > 1}
    parent_ids: dict[str, int] = {}
    if parent_paths:
        # Only parents the user may see: a parent outside the scope is not revealed.
        parent_ids = dict(visible_orgs(request.user).filter(path__in=parent_paths).values_list("path", "pk"))
    return {"request": request, "member_counts": counts, "parent_ids": parent_ids}


class OrganizationSerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField(help_text="上级党组织ID；不在您的范围内时为空")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text="类型名称")
    category_display = serializers.CharField(source="get_category_display", read_only=True, help_text="单位类别名称")
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text="状态名称")
    term_status_display = serializers.CharField(source="get_term_status_display", read_only=True, help_text="换届状态名称")
    effective_term_end = serializers.DateField(read_only=True, help_text="实际届满日期（经批准延期的，为延期后日期）")
    has_children = serializers.SerializerMethodField(help_text="是否设有下级党组织")
    member_count = serializers.SerializerMethodField(help_text="本组织及全部下级组织在册党员人数")

    class Meta:
        model = Organization
        fields = [
            "id",
            "parent",
            "depth",
            "has_children",
            "name",
            "short_name",
            "code",
            "kind",
            "kind_display",
            "category",
            "category_display",
            "founded_on",
            "contact_phone",
            "address",
            "status",
            "status_display",
            "dissolved_on",
            "dissolve_reason",
            "term_start",
            "term_years",
            "term_end",
            "term_extended_until",
            "term_adjust_note",
            "effective_term_end",
            "term_status",
            "term_status_display",
            "member_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_parent(self, obj: Organization) -> int | None:
        if obj.depth <= 1:
            return None
        return self.context.get("parent_ids", {}).get(obj.path[: -Organization.steplen])

    def get_has_children(self, obj: Organization) -> bool:
        return obj.numchild > 0

    def get_member_count(self, obj: Organization) -> int:
        return self.context.get("member_counts", {}).get(obj.pk, 0)


class OrganizationUpdateSerializer(serializers.ModelSerializer):
    """The fields a PATCH may change. The place in the tree changes only through ``move``."""

    # Plain integer: its range (1-10) is the model's rule, reported with the model's message.
    term_years = serializers.IntegerField(label="每届年限", required=False, allow_null=True)

    class Meta:
        model = Organization
        fields = list(ORG_EDITABLE_FIELDS)
        # Uniqueness of 党组织编码 is checked by the service's full_clean, with the model's message.
        extra_kwargs = {"code": {"validators": []}}


class OrganizationCreateSerializer(OrganizationUpdateSerializer):
    parent = ScopedOrganizationField(
        label="上级党组织", required=False, allow_null=True, help_text="上级党组织ID；只有系统管理员可以不填（新建最高一级党委）"
    )

    class Meta(OrganizationUpdateSerializer.Meta):
        fields = ["parent", *ORG_EDITABLE_FIELDS]


class OrganizationMoveSerializer(serializers.Serializer):
    parent = ScopedOrganizationField(label="新的上级党组织", help_text="党组织ID")


class OrganizationDissolveSerializer(serializers.Serializer):
    on = serializers.DateField(label="撤销日期", help_text="如 2026-10-01")
    reason = serializers.CharField(label="撤销原因", max_length=200, allow_blank=True, default="")
