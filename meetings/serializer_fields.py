"""Serializer fields shared by the meetings and compliance API.

``NamedChoiceField``: each choice set is one named OpenAPI enum component (``MeetingStatusEnum``,
``AttendanceStatusEnum``...), so that ``status`` on a meeting, an attendance row and an
organization, or ``state`` on a member and a compliance cell, do not collide in the schema.

``WritableOrganizationField`` and ``ScopedMemberField``: ids in a request body, looked up through
``partybuild.accounts.access``; one outside the user's scope gets the same answer as one that does
not exist.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import TextChoices
from django.http import Http404
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from branches.filters import MAX_ID
from branches.models import Organization
from meetings.compliance.selectors import STATE_LABELS
from meetings.models import AttendanceStatus, MeetingStatus, MeetingType
from members.roster.models import Member
from partybuild.accounts import access


class NamedChoiceField(serializers.ChoiceField):
    """A choice among ``choices`` (a TextChoices class), documented as the OpenAPI enum ``enum_name``."""

    def __init__(self, choices: type[TextChoices] | list[tuple[str, str]], *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        pairs = choices.choices if isinstance(choices, type) else choices
        super().__init__(choices=pairs, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    """Every ``NamedChoiceField`` becomes a reference to its one enum component."""

    target_class = NamedChoiceField
    match_subclasses = True

    def get_name(self) -> str:
        return self.target.enum_name

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        choices = self.target.choices
        schema = build_basic_type(OpenApiTypes.STR)
        schema["enum"] = list(choices)
        schema["description"] = "\n".join(f"* `{value}` - {label}" for value, label in choices.items())
        return schema


def meeting_type_field(**kwargs: Any) -> NamedChoiceField:
    kwargs.setdefault("error_messages", {"invalid_choice": "“{input}”不是有效的会议类型。"})
    return NamedChoiceField(MeetingType, enum_name="MeetingTypeEnum", **kwargs)


def meeting_status_field(**kwargs: Any) -> NamedChoiceField:
    kwargs.setdefault("error_messages", {"invalid_choice": "“{input}”不是有效的会议状态（planned 计划 / held 已召开）。"})
    return NamedChoiceField(MeetingStatus, enum_name="MeetingStatusEnum", **kwargs)


def attendance_status_field(**kwargs: Any) -> NamedChoiceField:
    kwargs.setdefault("error_messages", {"invalid_choice": "出勤只能是 present（出席）、leave（请假）或 absent（缺席）。"})
    return NamedChoiceField(AttendanceStatus, enum_name="AttendanceStatusEnum", **kwargs)


def compliance_state_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(list(STATE_LABELS.items()), enum_name="ComplianceStateEnum", **kwargs)


class WritableOrganizationField(serializers.IntegerField):
    """An organization id in a request body, looked up through ``access.get_org_for_user(write=True)``.
    One outside the user's scope gets the same answer as one that does not exist."""

    default_error_messages = {
        "required": "请选择党组织。",
        "null": "请选择党组织。",
        "invalid": "党组织ID应为整数。",
        "min_value": "所选党组织不存在。",
        "max_value": "所选党组织不存在。",
        "does_not_exist": "所选党组织不存在。",
        "read_only": "您没有在该党组织登记会议的权限。",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Organization:  # type: ignore[override]
        pk = super().run_validation(data)  # an integer within the bounds
        try:
            return access.get_org_for_user(self.context["request"].user, pk, write=True)
        except Http404:
            raise serializers.ValidationError(self.error_messages["does_not_exist"], code="does_not_exist") from None
        except PermissionDenied:
            raise serializers.ValidationError(self.error_messages["read_only"], code="read_only") from None

    def to_representation(self, value: Any) -> int:
        return value.pk if isinstance(value, Organization) else int(value)


class ScopedMemberField(serializers.PrimaryKeyRelatedField):
    """A member id (主持人, 记录人, 授课人), limited to the members the user manages: one outside
    the scope gets the same answer as one that does not exist. Whether the member belongs to the
    meeting's organization is the service's to say."""

    default_error_messages = {
        "does_not_exist": "所选党员不存在。",
        "incorrect_type": "党员ID应为整数。",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Member.objects.all())
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        if request is None:
            return Member.objects.none()
        return access.managed_members(request.user).select_related("branch")
