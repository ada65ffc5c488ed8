"""Helpers for recording meetings in tests: through the service, as the users would."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from branches.models import Organization
from meetings.models import AttendanceStatus, Meeting, MeetingStatus
from meetings.selectors import roll_members
from meetings.services import meeting_record

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """A moment in Beijing time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def hold(
    org: Organization,
    meeting_type: str,
    when: datetime.datetime,
    *,
    actor: Any = None,
    extra_types: Iterable[str] = (),
    absent: Iterable[int] = (),
    leave: dict[int, str] | None = None,
    **fields: Any,
) -> Meeting:
    """Record a held meeting with everyone on the roll present except those named."""
    absent = set(absent)
    leave = leave or {}
    attendance = {}
    for member in roll_members(org, meeting_type):
        if member.pk in absent:
            attendance[member.pk] = (AttendanceStatus.ABSENT, "")
        elif member.pk in leave:
            attendance[member.pk] = (AttendanceStatus.LEAVE, leave[member.pk])
        else:
            attendance[member.pk] = (AttendanceStatus.PRESENT, "")
    fields.setdefault("topic", "学习贯彻会议精神")
    if "lecture" in {meeting_type, *extra_types}:
        fields.setdefault("lecturer_name", "市委党校王教授")
    return meeting_record(
        actor=actor,
        organization=org,
        meeting_type=meeting_type,
        extra_types=extra_types,
        attendance=attendance,
        status=MeetingStatus.HELD,
        held_at=when,
        **fields,
    ).meeting
