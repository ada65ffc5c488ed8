"""The attendance table of the meeting form: who is on the roll, and each one's status.

A new meeting's roll is ``selectors.roll_members(organization, type)``. A meeting whose attendance
is recorded keeps its roll: a correction covers the members it was recorded with, whatever the type
or today's roster (as ``services.meeting_update`` checks it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from branches.models import Organization, OrgKind
from meetings.models import ALSO_COUNTS_AS, TYPES_FOR_KIND, Attendance, AttendanceStatus, MeetingType
from meetings.selectors import has_vote, roll_members
from members.roster.choices import ENDED_STATES
from members.roster.models import Member


@dataclass
class RollRow:
    """One line of the attendance table."""

    member: Member
    status: str
    reason: str
    voting: bool

    @property
    def left_roster(self) -> bool:
        """On a recorded roll, a member who has left the roster since (转出, 出党, 去世)."""
        return self.member.state in ENDED_STATES


@dataclass
class Roll:
    org: Organization | None
    meeting_type: str
    rows: list[RollRow]
    problem: str = ""  # why there is no table (no organization or type yet, or a type the org does not hold)
    extra_choices: tuple[tuple[str, str], ...] = ()  # what this meeting may also count for
    spans_branches: bool = False  # the roll covers several 党支部 (a 党委's or 党总支's meeting)
    recorded: bool = False  # the members the meeting was recorded with (a correction), not today's roll

    @property
    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in AttendanceStatus}
        for row in self.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        return counts

    @property
    def voting(self) -> int:
        return sum(1 for r in self.rows if r.voting)

    @property
    def voting_present(self) -> int:
        return sum(1 for r in self.rows if r.voting and r.status == AttendanceStatus.PRESENT)

    @property
    def quorum_needed(self) -> int:
        return self.voting // 2 + 1

    @property
    def is_general_meeting(self) -> bool:
        return self.meeting_type == MeetingType.GENERAL_MEETING

    @property
    def type_label(self) -> str:
        return MeetingType(self.meeting_type).label if self.meeting_type in MeetingType.values else ""


def build_roll(
    org: Organization | None,
    meeting_type: str,
    *,
    source: Mapping[str, Any] | None = None,
    recorded: Sequence[Attendance] = (),
) -> Roll:
    """The attendance table for ``org`` and ``meeting_type``: each member's status as typed
    (``source``, the submitted form), else as recorded, else present.

    A meeting whose attendance is recorded keeps its roll: a correction covers the members it was
    recorded with, whatever the type or today's roster (as services.meeting_update checks it).
    Otherwise the roll is ``roll_members(org, meeting_type)``."""
    if org is None or meeting_type not in MeetingType.values:
        return Roll(org, meeting_type, [], problem="请先选择党组织和会议类型，再登记出勤。")
    allowed = TYPES_FOR_KIND.get(org.kind, ())
    if meeting_type not in allowed:
        names = "、".join(MeetingType(t).label for t in allowed) or "无"
        problem = f"{org.short_name}（{OrgKind(org.kind).label}）不召开{MeetingType(meeting_type).label}；可登记：{names}。"
        return Roll(org, meeting_type, [], problem=problem)
    extras = tuple((t, MeetingType(t).label) for t in ALSO_COUNTS_AS.get(meeting_type, ()) if t in allowed)
    source = source or {}
    existing = {a.member_id: (a.status, a.reason) for a in recorded}
    if recorded:
        members = sorted((a.member for a in recorded), key=lambda m: (m.name, m.pk))
    else:
        members = list(roll_members(org, meeting_type))
    valid = {s.value for s in AttendanceStatus}
    rows = []
    for member in members:
        key = f"att-{member.pk}"
        if key in source and source.get(key) in valid:
            status, reason = str(source.get(key)), str(source.get(f"reason-{member.pk}") or "")
        elif member.pk in existing:
            status, reason = existing[member.pk]
        else:
            status, reason = AttendanceStatus.PRESENT.value, ""
        rows.append(RollRow(member, status, reason, has_vote(member)))
    spans = len({r.member.branch_id for r in rows}) > 1
    return Roll(org, meeting_type, rows, extra_choices=extras, spans_branches=spans, recorded=bool(recorded))
