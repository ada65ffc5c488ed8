"""Serializer fields of the meetings and compliance API.

The choice sets of meetings as named OpenAPI enums (``partybuild.api.fields.NamedChoiceField``),
and ``ScopedMemberField``: a member id in a request body, looked up through
``partybuild.accounts.access``; one outside the user's scope gets the same answer as one that does
not exist.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from meetings.compliance.selectors import STATE_LABELS
from meetings.models import AttendanceStatus, MeetingStatus, MeetingType
from members.roster.models import Member
from members.roster.selectors import managed_members
from partybuild.api.fields import NamedChoiceField


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
        return managed_members(request.user).select_related("branch")
