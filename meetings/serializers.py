"""Serializers for the meeting API (compliance: ``compliance_serializers``; shared fields:
``serializer_fields``).

Reading: ``MeetingSerializer`` (a list row) and ``MeetingDetailSerializer`` (with the minutes, the
attendance, the counted types, the quorum and the attachments). Counts of attendance on a page and
the rows of a meeting come from what the viewset prefetched, so a page costs the same few queries
whatever its length.

Writing: the serializers check types, choices and that the people and the organization named are
within the user's scope; every rule about meetings (which organization holds which type, what a
meeting may also count for, the roll, reasons for leave, held times) lives in
``meetings.services`` and comes back as a 400 with the service's field keys and Chinese messages.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from branches.filters import MAX_ID
from branches.serializer_fields import WritableOrganizationField
from meetings.models import AttachmentKind, AttendanceStatus, Meeting, MeetingAttachment, MeetingStatus, MeetingType
from meetings.selectors import Quorum, has_vote, quorum_of
from meetings.serializer_fields import (
    ScopedMemberField,
    attendance_status_field,
    meeting_status_field,
    meeting_type_field,
)
from meetings.services import MEETING_FIELDS
from members.roster.models import Member
from partybuild.api.fields import NamedChoiceField

# --- reading ---------------------------------------------------------------------------------


class AttendanceCountsSerializer(serializers.Serializer):
    present = serializers.IntegerField(help_text="出席人数")
    leave = serializers.IntegerField(help_text="请假人数")
    absent = serializers.IntegerField(help_text="缺席人数")


class AttendanceRowSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="党员ID")
    member_name = serializers.CharField(help_text="党员姓名")
    status = attendance_status_field(help_text="出勤")
    status_display = serializers.CharField(help_text="出勤（中文）")
    reason = serializers.CharField(help_text="请假原因", allow_blank=True)
    voting = serializers.BooleanField(help_text="有表决权（正式党员且未停止党籍）")


class QuorumSerializer(serializers.Serializer):
    voting = serializers.IntegerField(help_text="有表决权的党员人数")
    present = serializers.IntegerField(help_text="其中到会人数")
    needed = serializers.IntegerField(help_text="过半数所需到会人数")
    reached = serializers.BooleanField(help_text="到会是否超过半数")
    message = serializers.CharField(help_text="说明")


class AttachmentSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(AttachmentKind, enum_name="AttachmentKindEnum", help_text="类别")
    kind_display = serializers.CharField(source="get_kind_display", help_text="类别（中文）")
    url = serializers.SerializerMethodField(help_text="下载地址（按会议的访问范围提供）")

    class Meta:
        model = MeetingAttachment
        fields = ["id", "kind", "kind_display", "original_name", "content_type", "size", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, obj: MeetingAttachment) -> str:
        return reverse("meetings:attachment_download", args=[obj.meeting_id, obj.pk])


def attendance_rows(meeting: Meeting) -> list[dict[str, Any]]:
    """The recorded attendance of a meeting, from its prefetched rows (with their members)."""
    labels = dict(AttendanceStatus.choices)
    return [
        {
            "member": row.member_id,
            "member_name": row.member.name,
            "status": row.status,
            "status_display": labels[row.status],
            "reason": row.reason,
            "voting": row.voting,
        }
        for row in meeting.attendance.all()
    ]


def prefilled_rows(roll: list[Member]) -> list[dict[str, Any]]:
    """Everyone on the roll, 出席: what a secretary starts from before marking who was away."""
    label = AttendanceStatus.PRESENT.label
    return [
        {
            "member": m.pk,
            "member_name": m.name,
            "status": AttendanceStatus.PRESENT.value,
            "status_display": label,
            "reason": "",
            "voting": has_vote(m),
        }
        for m in roll
    ]


def quorum_for(meeting: Meeting, rows: list[dict[str, Any]]) -> Quorum | None:
    """The quorum of a held 党员大会 (by the voting roll as it was recorded), else None."""
    if meeting.meeting_type != MeetingType.GENERAL_MEETING or meeting.status != MeetingStatus.HELD or not rows:
        return None
    return quorum_of([(r["status"], r["voting"]) for r in rows])


def _person_name(member: Member | None) -> str | None:
    return member.name if member is not None else None


class MeetingSerializer(serializers.ModelSerializer):
    """A meeting as a row of the list. ``attendance_counts`` comes from the context (one query a page)."""

    organization_name = serializers.CharField(source="organization.name", read_only=True, help_text="党组织名称")
    meeting_type = meeting_type_field(read_only=True, help_text="会议类型")
    meeting_type_display = serializers.CharField(source="get_meeting_type_display", read_only=True, help_text="会议类型（中文）")
    counted_types = serializers.SerializerMethodField(help_text="计入的会议类型：本类型及标明同时计入的类型")
    status = meeting_status_field(read_only=True, help_text="状态")
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text="状态（中文）")
    host_name = serializers.SerializerMethodField(help_text="主持人姓名")
    recorder_name = serializers.SerializerMethodField(help_text="记录人姓名")
    lecturer_display = serializers.SerializerMethodField(help_text="授课人：本组织党员的姓名，或外单位授课人")
    attendance_counts = serializers.SerializerMethodField(help_text="出勤人数")

    class Meta:
        model = Meeting
        fields = [
            "id",
            "organization",
            "organization_name",
            "meeting_type",
            "meeting_type_display",
            "counted_types",
            "topic",
            "status",
            "status_display",
            "planned_at",
            "held_at",
            "held_on",
            "place",
            "host",
            "host_name",
            "recorder",
            "recorder_name",
            "lecturer",
            "lecturer_name",
            "lecturer_display",
            "decides",
            "cancel_reason",
            "attendance_counts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=meeting_type_field()))
    def get_counted_types(self, obj: Meeting) -> list[str]:
        types = {c.meeting_type for c in obj.credits.all()}
        return [t for t in MeetingType.values if t in types]

    def get_host_name(self, obj: Meeting) -> str | None:
        return _person_name(obj.host)

    def get_recorder_name(self, obj: Meeting) -> str | None:
        return _person_name(obj.recorder)

    def get_lecturer_display(self, obj: Meeting) -> str:
        return obj.lecturer.name if obj.lecturer is not None else obj.lecturer_name

    @extend_schema_field(AttendanceCountsSerializer)
    def get_attendance_counts(self, obj: Meeting) -> dict[str, int]:
        # A page of the list brings the counts of all its meetings (one query); a single meeting
        # counts its prefetched rows.
        page_counts: dict[int, dict[str, int]] | None = self.context.get("attendance_counts")
        counts = page_counts.get(obj.pk, {}) if page_counts is not None else Counter(r.status for r in obj.attendance.all())
        return {s.value: counts.get(s.value, 0) for s in AttendanceStatus}


class MeetingDetailSerializer(MeetingSerializer):
    """A meeting with its record: minutes, resolutions, attendance, quorum and attachments (all from
    the prefetched relations)."""

    attendance = serializers.SerializerMethodField(help_text="出勤登记（每名应到党员一行）")
    quorum = serializers.SerializerMethodField(help_text="已召开的党员大会：有表决权党员的到会情况；其他会议为空")
    attachments = AttachmentSerializer(many=True, read_only=True, help_text="会议照片、签到表等附件")
    created_by_name = serializers.SerializerMethodField(help_text="登记人")

    class Meta(MeetingSerializer.Meta):
        fields = [
            *MeetingSerializer.Meta.fields,
            "minutes",
            "resolutions",
            "attendance",
            "quorum",
            "attachments",
            "created_by_name",
        ]
        read_only_fields = fields

    @extend_schema_field(AttendanceRowSerializer(many=True))
    def get_attendance(self, obj: Meeting) -> Any:
        return AttendanceRowSerializer(attendance_rows(obj), many=True).data

    @extend_schema_field(QuorumSerializer(allow_null=True))
    def get_quorum(self, obj: Meeting) -> Any:
        quorum = quorum_for(obj, attendance_rows(obj))
        return None if quorum is None else QuorumSerializer(quorum_data(quorum)).data

    def get_created_by_name(self, obj: Meeting) -> str | None:
        return str(obj.created_by) if obj.created_by is not None else None


def quorum_data(quorum: Quorum) -> dict[str, Any]:
    return {
        "voting": quorum.voting,
        "present": quorum.present,
        "needed": quorum.needed,
        "reached": quorum.reached,
        "message": quorum.message,
    }


class MeetingRecordResultSerializer(MeetingDetailSerializer):
    """What a create or an update answers: the meeting, and what the record should say but does not
    block (the quorum of a 党员大会 that votes)."""

    warnings = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="提示（如党员大会到会人数未过半数）"
    )

    class Meta(MeetingDetailSerializer.Meta):
        fields = [*MeetingDetailSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


class AttendanceSheetSerializer(serializers.Serializer):
    """A meeting's attendance: the recorded rows, or, before any is recorded, its roll pre-filled
    as 出席."""

    meeting = serializers.IntegerField(help_text="会议ID")
    meeting_status = meeting_status_field(help_text="会议状态")
    recorded = serializers.BooleanField(help_text="是否已登记出勤；未登记时 rows 为应到名单，预填为出席")
    rows = AttendanceRowSerializer(many=True, help_text="出勤")
    counts = AttendanceCountsSerializer(help_text="出勤人数")
    quorum = QuorumSerializer(allow_null=True, help_text="已召开的党员大会：有表决权党员的到会情况；其他会议为空")
    warnings = serializers.ListField(child=serializers.CharField(), required=False, help_text="修改后给出的提示")


# --- writing ---------------------------------------------------------------------------------


class AttendanceItemSerializer(serializers.Serializer):
    member = serializers.IntegerField(
        label="党员ID",
        min_value=1,
        max_value=MAX_ID,
        error_messages={"invalid": "党员ID应为整数。", "min_value": "党员ID无效。", "max_value": "党员ID无效。"},
    )
    status = attendance_status_field(label="出勤", help_text="present 出席、leave 请假、absent 缺席")
    reason = serializers.CharField(label="请假原因", max_length=200, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Within a PATCH, DRF treats every nested field as optional; a row still needs both.
        missing = {name: [self.fields[name].error_messages["required"]] for name in ("member", "status") if name not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class AttendanceListField(serializers.ListField):
    """A list of {member, status, reason}; each member at most once."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", AttendanceItemSerializer())
        kwargs.setdefault("write_only", True)
        kwargs.setdefault("label", "出勤")
        kwargs.setdefault(
            "help_text", "每名应到党员一行：{member, status, reason}；须列出全部应到党员。只有已召开的会议登记出勤。"
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> dict[int, tuple[str, str]]:  # type: ignore[override]
        rows = super().to_internal_value(data)
        seen = Counter(row["member"] for row in rows)
        repeated = sorted(pk for pk, n in seen.items() if n > 1)
        if repeated:
            raise serializers.ValidationError(f"同一党员只能登记一次（重复的党员ID：{'、'.join(map(str, repeated))}）。")
        return {row["member"]: (row["status"], row.get("reason", "")) for row in rows}


def _no_attendance_unless_held(attrs: dict[str, Any], status: str) -> None:
    # The service refuses attendance on a planned meeting ("会议召开后才能登记出勤。"); the API
    # says it in its own words, naming the status to send, as its tests pin. (A cancelled status
    # is the service's to refuse.)
    if attrs.get("attendance") is not None and status == MeetingStatus.PLANNED:
        raise serializers.ValidationError({"attendance": ["只有已召开的会议才能登记出勤；请把状态改为已召开（held）。"]})


_MEETING_WRITE_FIELDS = ["meeting_type", "extra_types", *MEETING_FIELDS, "attendance"]


class MeetingUpdateSerializer(serializers.ModelSerializer):
    """What a PATCH may change. The organization of a meeting is not changed: cancel it and record
    it again. Leaving ``extra_types`` out keeps them; leaving ``attendance`` out keeps it."""

    meeting_type = meeting_type_field(label="会议类型")
    extra_types = serializers.ListField(
        child=meeting_type_field(),
        label="同时计入",
        required=False,
        write_only=True,
        help_text="本次会议同时计入的其他类型（如组织生活会同时开展民主评议党员）",
    )
    status = meeting_status_field(label="状态", help_text="planned 计划、held 已召开；取消会议请用 cancel")
    host = ScopedMemberField(label="主持人")
    recorder = ScopedMemberField(label="记录人")
    lecturer = ScopedMemberField(label="授课人", help_text="党课授课人（本组织党员）；外单位授课人填 lecturer_name")
    attendance = AttendanceListField(required=False)

    class Meta:
        model = Meeting
        fields = _MEETING_WRITE_FIELDS

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance: Meeting | None = self.instance
        status = attrs.get("status", instance.status if instance is not None else MeetingStatus.HELD)
        _no_attendance_unless_held(attrs, status)
        return attrs


class MeetingCreateSerializer(MeetingUpdateSerializer):
    """What a POST records: a held meeting with its attendance, or a planned one."""

    organization = WritableOrganizationField(
        label="党组织",
        help_text="党组织ID（党小组会填党小组）；须在您的管理范围内",
        error_messages={"read_only": "您没有在该党组织登记会议的权限。"},
    )
    status = meeting_status_field(
        label="状态", default=MeetingStatus.HELD, help_text="planned 计划、held 已召开（默认）；取消会议请用 cancel"
    )

    class Meta(MeetingUpdateSerializer.Meta):
        fields = ["organization", *_MEETING_WRITE_FIELDS]


class MeetingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(label="取消原因", max_length=200, allow_blank=True, default="")


class AttendanceWriteSerializer(serializers.Serializer):
    attendance = AttendanceListField()
