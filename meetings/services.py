"""Writes to organizational life. The HTML views, the API and the admin all call these.

A meeting is recorded once with its attendance: one transaction, every rule checked before
anything is written, errors in Chinese by field. Meetings are never deleted: they are cancelled
with a reason; attachments are hidden, never removed from disk.
"""

from __future__ import annotations

import datetime
import mimetypes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branches.models import Organization, OrgKind, OrgStatus
from meetings.models import (
    ALSO_COUNTS_AS,
    TYPES_FOR_KIND,
    AttachmentKind,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingAttachment,
    MeetingCredit,
    MeetingStatus,
    MeetingType,
)
from meetings.selectors import bump_life_version, has_vote, quorum_of, roll_members
from members.roster.choices import ON_ROSTER_STATES
from members.roster.models import Member
from partybuild.accounts.models import User

# What the attachments may be: photos and scans, at most 10 MB each.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".pdf": "application/pdf"}
# The first bytes of each allowed type: a renamed .exe is not a photo.
_MAGIC = {"image/jpeg": (b"\xff\xd8\xff",), "image/png": (b"\x89PNG\r\n\x1a\n",), "application/pdf": (b"%PDF-",)}
# A held time may be a few minutes ahead of the server's clock (a phone's clock, a slow form).
FUTURE_GRACE = datetime.timedelta(minutes=10)

MEETING_FIELDS = (
    "topic",
    "status",
    "planned_at",
    "held_at",
    "place",
    "host",
    "recorder",
    "lecturer",
    "lecturer_name",
    "minutes",
    "resolutions",
    "decides",
)

AttendanceInput = Mapping[int, tuple[str, str]]  # member pk → (status, reason)


@dataclass
class RecordResult:
    meeting: Meeting
    warnings: list[str]


def _member_scope_path(org: Organization) -> str:
    """Hosts, recorders and lecturers come from the organization's subtree (for a 党小组, its
    党支部's)."""
    if org.kind == OrgKind.GROUP:
        return org.path[: -Organization.steplen]
    return org.path


def _check(
    meeting: Meeting,
    extra_types: Iterable[str],
    attendance: AttendanceInput | None,
    roll: list[Member],
    unchanged_people: frozenset[str] = frozenset(),
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    org = meeting.organization
    if org.status != OrgStatus.ACTIVE:
        add("organization", "该党组织已撤销，不能再登记会议。")
    allowed = TYPES_FOR_KIND.get(org.kind, ())
    if meeting.meeting_type not in allowed:
        names = "、".join(MeetingType(t).label for t in allowed) or "无"
        add("meeting_type", f"{OrgKind(org.kind).label}不召开{MeetingType(meeting.meeting_type).label}（可登记：{names}）。")
    extras = list(extra_types)
    for extra in extras:
        if extra == meeting.meeting_type:
            continue
        if extra not in ALSO_COUNTS_AS.get(meeting.meeting_type, ()) or extra not in allowed:
            add(
                "extra_types",
                f"{MeetingType(meeting.meeting_type).label}不能同时计为{MeetingType(extra).label}。",
            )
    if not meeting.topic.strip():
        add("topic", "请填写会议主题。")
    now = timezone.now()
    if meeting.status == MeetingStatus.HELD:
        if meeting.held_at is None:
            add("held_at", "已召开的会议须填写召开时间。")
        elif meeting.held_at > now + FUTURE_GRACE:
            add("held_at", "召开时间不能晚于现在；尚未召开的会议请登记为“计划”。")
        elif meeting.held_at.year < 2000:
            add("held_at", "召开时间不合理。")
    elif meeting.status == MeetingStatus.PLANNED:
        if meeting.planned_at is None:
            add("planned_at", "计划中的会议须填写计划时间。")
    else:
        add("status", "取消会议请使用“取消会议”，并填写原因。")
    counts_as = {meeting.meeting_type, *extras}
    if MeetingType.LECTURE in counts_as and not meeting.lecturer_id and not meeting.lecturer_name.strip():
        add("lecturer", "党课须填写授课人（本组织党员或外单位授课人姓名）。")
    prefix = _member_scope_path(org)
    for name in ("host", "recorder", "lecturer"):
        person: Member | None = getattr(meeting, name)
        if person is None or name in unchanged_people:
            continue  # who hosted a meeting stays its host after they leave the roster
        if person.state not in ON_ROSTER_STATES or not person.branch.path.startswith(prefix):
            add(name, f"{person.name}不是本组织的在册党员。")
    if meeting.status == MeetingStatus.PLANNED and attendance is not None:
        # Refused, even empty, rather than dropped: a caller who sends attendance meant it held.
        add("attendance", "会议召开后才能登记出勤。")
    if meeting.status == MeetingStatus.HELD and attendance is not None:
        roll_ids = {m.pk for m in roll}
        unknown = [pk for pk in attendance if pk not in roll_ids]
        if unknown:
            add("attendance", f"有{len(unknown)}名党员不在本次会议的应到名单中。")
        missing = [m.name for m in roll if m.pk not in attendance]
        if missing:
            shown = "、".join(missing[:5]) + ("等" if len(missing) > 5 else "")
            add("attendance", f"请登记全部应到党员的出勤，缺少：{shown}（共{len(missing)}名）。")
        valid = {s.value for s in AttendanceStatus}
        by_pk = {m.pk: m for m in roll}
        for pk, (status, reason) in attendance.items():
            if status not in valid:
                add("attendance", "出勤只能是出席、请假或缺席。")
                break
            if status == AttendanceStatus.LEAVE and not (reason or "").strip() and pk in by_pk:
                add("attendance", f"{by_pk[pk].name}请假，请填写请假原因。")
            if len((reason or "").strip()) > 200 and pk in by_pk:
                add("attendance", f"{by_pk[pk].name}的请假原因不能超过200字。")
    return errors


def _warnings(meeting: Meeting) -> list[str]:
    """What the record should say but does not block: quorum of a 党员大会 that votes."""
    warnings = []
    if meeting.status == MeetingStatus.HELD and meeting.decides and meeting.meeting_type == MeetingType.GENERAL_MEETING:
        quorum = quorum_of(list(meeting.attendance.values_list("status", "voting")))
        if not quorum.reached:
            warnings.append(quorum.message)
    return warnings


def _write_credits(meeting: Meeting, extra_types: Iterable[str]) -> None:
    wanted = {meeting.meeting_type, *extra_types}
    current = set(meeting.credits.values_list("meeting_type", flat=True))
    if current - wanted:
        meeting.credits.filter(meeting_type__in=current - wanted).delete()  # derived rows, rebuilt from the meeting
    MeetingCredit.objects.bulk_create([MeetingCredit(meeting=meeting, meeting_type=t) for t in sorted(wanted - current)])


def _write_attendance(meeting: Meeting, attendance: AttendanceInput, roll: list[Member], actor: User) -> None:
    by_pk = {m.pk: m for m in roll}
    existing = {a.member_id: a for a in meeting.attendance.all()}
    to_create, to_update = [], []
    for pk, (status, reason) in attendance.items():
        reason = (reason or "").strip() if status == AttendanceStatus.LEAVE else ""
        row = existing.get(pk)
        if row is None:
            to_create.append(Attendance(meeting=meeting, member_id=pk, status=status, reason=reason, voting=has_vote(by_pk[pk])))
        elif (row.status, row.reason) != (status, reason):
            row.status, row.reason = status, reason
            to_update.append(row)
    if to_create:
        bulk_create_with_history(to_create, Attendance, default_user=actor, default_change_reason="登记出勤")
    if to_update:
        bulk_update_with_history(
            to_update, Attendance, ["status", "reason"], default_user=actor, default_change_reason="更正出勤"
        )


def _roll_of(meeting: Meeting, *, creating: bool) -> list[Member]:
    """Who the attendance covers: for a meeting already recorded, the members it was recorded
    with (a correction months later must not need the members who joined since, nor lose those
    who left); otherwise today's roll of the organization for that type."""
    if not creating:
        recorded = list(Member.objects.filter(attendance__meeting=meeting).select_related("branch").order_by("name", "pk"))
        if recorded:
            return recorded
    return list(roll_members(meeting.organization, meeting.meeting_type))


def _save(
    meeting: Meeting,
    *,
    actor: User,
    extra_types: Iterable[str],
    attendance: AttendanceInput | None,
    creating: bool,
    unchanged_people: frozenset[str] = frozenset(),
) -> RecordResult:
    extra_types = [t for t in dict.fromkeys(extra_types) if t != meeting.meeting_type]
    roll = _roll_of(meeting, creating=creating)
    errors = _check(meeting, extra_types, attendance, roll, unchanged_people)
    if errors:
        raise ValidationError(errors)
    meeting.held_on = timezone.localdate(meeting.held_at) if meeting.status == MeetingStatus.HELD and meeting.held_at else None
    if creating:
        meeting.created_by = actor
    meeting._change_reason = "登记会议" if creating else "修改会议"  # type: ignore[attr-defined]
    meeting.full_clean(exclude=["host", "recorder", "lecturer", "organization", "created_by"])
    meeting.save()
    transaction.on_commit(bump_life_version)  # figures cached from compliance
    _write_credits(meeting, extra_types)
    if meeting.status == MeetingStatus.HELD and attendance is not None:
        _write_attendance(meeting, attendance, roll, actor)
    return RecordResult(meeting, _warnings(meeting))


def meeting_record(
    *,
    actor: User,
    organization: Organization,
    meeting_type: str,
    extra_types: Iterable[str] = (),
    attendance: AttendanceInput | None = None,
    **fields: Any,
) -> RecordResult:
    """Record a meeting (held, with its attendance, or planned)."""
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    meeting = Meeting(organization=organization, meeting_type=meeting_type, **fields)
    with transaction.atomic():
        return _save(meeting, actor=actor, extra_types=extra_types, attendance=attendance, creating=True)


def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    extra_types: Iterable[str] | None = None,
    attendance: AttendanceInput | None = None,
    **fields: Any,
) -> RecordResult:
    """Change a planned or held meeting: mark a planned one held, correct a record, add the
    attendance. A cancelled meeting stays as it is. ``extra_types`` None keeps them."""
    unknown = set(fields) - set(MEETING_FIELDS) - {"meeting_type"}
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().select_related("organization").get(pk=meeting.pk)
        if locked.status == MeetingStatus.CANCELLED:
            raise ValidationError({"status": "该会议已取消，不能再修改。"})
        if locked.status == MeetingStatus.HELD and fields.get("status", MeetingStatus.HELD) != MeetingStatus.HELD:
            # It happened: correct its record, or cancel it with a reason; it cannot become a plan.
            raise ValidationError({"status": "已召开的会议不能改回计划；如登记有误，请修改记录或取消会议。"})
        if extra_types is None:
            extra_types = [t for t in locked.credits.values_list("meeting_type", flat=True) if t != locked.meeting_type]
        before = {name: getattr(locked, f"{name}_id") for name in ("host", "recorder", "lecturer")}
        for name, value in fields.items():
            setattr(locked, name, value)
        unchanged = frozenset(name for name, pk in before.items() if pk is not None and getattr(locked, f"{name}_id") == pk)
        result = _save(
            locked, actor=actor, extra_types=extra_types, attendance=attendance, creating=False, unchanged_people=unchanged
        )
    meeting.refresh_from_db()
    return result


def meeting_cancel(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a meeting with a reason: it stops counting, and stays on record."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"cancel_reason": "请填写取消原因。"})
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status == MeetingStatus.CANCELLED:
            raise ValidationError({"status": "该会议已经取消。"})
        locked.status = MeetingStatus.CANCELLED
        locked.cancel_reason = reason[:200]
        locked.held_on = None
        locked._change_reason = f"取消会议：{reason}"  # type: ignore[attr-defined]
        locked.save(update_fields=["status", "cancel_reason", "held_on", "updated_at"])
        transaction.on_commit(bump_life_version)
    meeting.refresh_from_db()
    return meeting


def attachment_add(*, actor: User, meeting: Meeting, upload: UploadedFile, kind: str = AttachmentKind.PHOTO) -> MeetingAttachment:
    """Attach a photo (JPEG, PNG) or a scan (PDF) of at most 10 MB."""
    name = Path(upload.name or "").name[:200]
    suffix = Path(name).suffix.lower()
    content_type = ATTACHMENT_TYPES.get(suffix)
    if content_type is None:
        raise ValidationError({"file": "只能上传 JPG、PNG 照片或 PDF 扫描件。"})
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": "文件是空的。"})
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": f"文件不能超过10MB（当前{upload.size / 1024 / 1024:.1f}MB）。"})
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in _MAGIC[content_type]):
        raise ValidationError({"file": "文件内容与扩展名不符，请上传真实的照片或PDF扫描件。"})
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": "请选择附件类别。"})
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"file": "该会议已取消，不能再上传附件。"})
    attachment = MeetingAttachment(
        meeting=meeting,
        kind=kind,
        original_name=name,
        content_type=content_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
        size=upload.size,
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


def attachment_remove(*, actor: User, attachment: MeetingAttachment) -> MeetingAttachment:
    """Hide an attachment; the file stays for the record."""
    if attachment.removed_at is None:
        attachment.removed_at = timezone.now()
        attachment.removed_by = actor
        attachment.save(update_fields=["removed_at", "removed_by"])
    return attachment


__all__ = [
    "ATTACHMENT_MAX_BYTES",
    "RecordResult",
    "attachment_add",
    "attachment_remove",
    "meeting_cancel",
    "meeting_record",
    "meeting_update",
]
