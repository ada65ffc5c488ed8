"""Reads over meetings: the meetings a user sees, meetings in a period, the roll and quorum of a
meeting, leaders' dual organizational life, a member's attendance, members without organizational
life. 达标 (compliance) is in ``meetings/compliance/selectors.py``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from branches.models import Organization, OrgKind, Position
from meetings.models import (
    COMMITTEE_TYPES,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingAttachment,
    MeetingStatus,
)
from members.management_rules.models import ManagementRuleKey
from members.management_rules.selectors import ManagementRules, management_rules
from members.roster.choices import ON_ROSTER_STATES, MemberState, MemberType
from members.roster.models import Member
from partybuild import cache_versions
from partybuild.accounts import access
from partybuild.accounts.access import AnyUser
from partybuild.periods import Period

# --- access: the meetings a user sees (access.py decides) ----------------------------------------


def visible_meetings(user: AnyUser) -> QuerySet[Meeting]:
    """Meetings of the organizations in the user's scope (a member with no other role sees their
    own attendance on their record, not the meetings themselves)."""
    return access.filter_in_scope(user, Meeting.objects.all(), org_path="organization__path")


def get_meeting_for_user(user: AnyUser, pk: int | str, *, write: bool = False) -> Meeting:
    """The meeting, or 404 if it is missing or its organization is outside the scope."""
    return access.get_in_scope(
        user,
        Meeting.objects.select_related("organization"),
        pk,
        org_path="organization__path",
        missing="会议不存在",
        read_only="您没有修改该会议的权限",
        write=write,
    )


def get_attachment_for_user(user: AnyUser, meeting_pk: int | str, pk: int | str) -> MeetingAttachment:
    """An attachment that is not removed, of a meeting the user sees; 404 otherwise."""
    meeting = get_meeting_for_user(user, meeting_pk)
    try:
        return MeetingAttachment.objects.get(pk=int(pk), meeting=meeting, removed_at__isnull=True)
    except (MeetingAttachment.DoesNotExist, TypeError, ValueError):
        raise Http404("附件不存在") from None


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def in_period_q(period: Period) -> Q:
    """Meetings whose own day falls in ``period``, in Beijing time: a held meeting by the date it
    was held; a planned or cancelled one by its planned time (or, cancelled after being recorded
    as held without a plan, its held time). The one definition the pages and the API share."""
    start, end = _local_midnight(period.start), _local_midnight(period.end + datetime.timedelta(days=1))
    return (
        Q(held_on__gte=period.start, held_on__lte=period.end)
        | Q(held_on__isnull=True, planned_at__gte=start, planned_at__lt=end)
        | Q(held_on__isnull=True, planned_at__isnull=True, held_at__gte=start, held_at__lt=end)
    )


# Changes with every meeting recorded, edited or cancelled and every rule change (after commit):
# figures cached from compliance put it in their key.
LIFE_VERSION_KEY = "meetings:life-version"


def life_version() -> int:
    return cache_versions.current(LIFE_VERSION_KEY)


def bump_life_version() -> None:
    cache_versions.bump(LIFE_VERSION_KEY)


def roll_members(org: Organization, meeting_type: str) -> QuerySet[Member]:
    """Who is expected at a meeting: the 班子成员 for a committee meeting (when the organization has
    any), the group's members for a 党小组会, otherwise every member on the roster at or below the
    organization. Members who have left the roster are never on a roll."""
    on_roster = Member.objects.filter(state__in=ON_ROSTER_STATES)
    if meeting_type in COMMITTEE_TYPES:
        holders = Position.objects.filter(organization=org, ended_on__isnull=True).values("member_id")
        committee = on_roster.filter(pk__in=holders)
        if committee.exists():
            return committee.select_related("branch").order_by("name", "pk")
    if org.kind == OrgKind.GROUP:
        return on_roster.filter(group=org).select_related("branch").order_by("name", "pk")
    if org.kind == OrgKind.BRANCH:
        return on_roster.filter(branch=org).select_related("branch").order_by("name", "pk")
    return on_roster.filter(branch__path__startswith=org.path).select_related("branch").order_by("branch__path", "name", "pk")


def has_vote(member: Member) -> bool:
    """正式党员 not 停止党籍 have a vote (预备党员 do not)."""
    return member.member_type == MemberType.FULL and member.state != MemberState.SUSPENDED


@dataclass
class Quorum:
    voting: int
    present: int

    @property
    def needed(self) -> int:
        return self.voting // 2 + 1

    @property
    def reached(self) -> bool:
        return self.present * 2 > self.voting

    @property
    def message(self) -> str:
        if self.reached:
            return f"有表决权的党员{self.voting}名，到会{self.present}名，超过半数，表决有效。"
        return f"有表决权的党员{self.voting}名，到会{self.present}名，未超过半数（至少需要{self.needed}名），不能进行表决。"


def quorum_of(attendance: list[tuple[str, bool]]) -> Quorum:
    """``attendance`` as (status, has a vote) pairs."""
    voting = sum(1 for _, votes in attendance if votes)
    present = sum(1 for status, votes in attendance if votes and status == AttendanceStatus.PRESENT)
    return Quorum(voting=voting, present=present)


def leaders_without_dual_life(members: QuerySet[Member], month: Period) -> QuerySet[Member]:
    """党员领导干部 on the roster who attended none of their own branch's (or group's) held meetings
    in ``month``. One query."""
    attended = Attendance.objects.filter(
        member=OuterRef("pk"),
        status=AttendanceStatus.PRESENT,
        meeting__status=MeetingStatus.HELD,
        meeting__held_on__gte=month.start,
        meeting__held_on__lte=month.end,
    ).filter(Q(meeting__organization_id=OuterRef("branch_id")) | Q(meeting__organization_id=OuterRef("group_id")))
    return (
        members.filter(is_leader=True, state__in=ON_ROSTER_STATES)
        .filter(~Exists(attended))
        .select_related("branch")
        .order_by("branch__path", "name", "pk")
    )


def member_attendance(member: Member, *, limit: int | None = None) -> QuerySet[Attendance]:
    """A member's attendance record, newest first, with the meeting and its organization."""
    qs = (
        Attendance.objects.filter(member=member, meeting__status=MeetingStatus.HELD)
        .select_related("meeting", "meeting__organization")
        .order_by("-meeting__held_on", "-meeting_id")
    )
    return qs[:limit] if limit else qs


def attendance_summary(member: Member, period: Period) -> dict[str, Any]:
    """Counts of 出席 / 请假 / 缺席 for a member in a period: one query."""
    rows = (
        Attendance.objects.filter(
            member=member,
            meeting__status=MeetingStatus.HELD,
            meeting__held_on__gte=period.start,
            meeting__held_on__lte=period.end,
        )
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {r["status"]: r["n"] for r in rows}
    return {s.value: counts.get(s.value, 0) for s in AttendanceStatus}


# Who is reminded: members who live their organizational life in their branch. 流动党员 attend it
# where they work (they still pay dues to their home branch: members.dues.selectors.arrears counts them),
# 失联党员 are marked as lost already, and 停止党籍 suspends a member's rights and duties: none of
# them is counted.
LIFE_STATES = (MemberState.NORMAL,)


@dataclass(frozen=True)
class Absence:
    member: Member
    last_attended: datetime.date | None
    months_without: int
    flag_months: int  # the rule in force when it was counted

    @property
    def level(self) -> str:
        return "flag" if self.months_without >= self.flag_months else "warn"


def _first_of_next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _in_branch_since() -> Subquery:
    """When the member (the outer row) came to their current 党支部, from their history: the date
    of the first version in that 党支部 after the last version elsewhere (a transfer accepted, or a
    correction of the roster). NULL for a member who has always been there. Versions are taken in
    the order they were written (``history_id``), which a clock set back cannot reorder."""
    historical = Member.history.model
    last_elsewhere = (
        historical.objects.filter(id=OuterRef("id"))
        .exclude(branch_id=OuterRef("branch_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    return Subquery(
        historical.objects.filter(id=OuterRef("pk"), branch_id=OuterRef("branch_id"))
        .filter(history_id__gt=Subquery(last_elsewhere))
        .order_by("history_id")
        .values("history_date")[:1]
    )


def members_without_life(
    members: QuerySet[Member],
    *,
    today: datetime.date | None = None,
    at_least: int | None = None,
    rules: ManagementRules | None = None,
) -> list[Absence]:
    """Members who attended no organizational life for ``at_least`` whole months up to last month
    (default: the warning months of the management rules, members.management_rules): 自行脱党 counts 6
    consecutive months without organizational life (党章 第九条); the portal warns and flags at the
    months of the management rules (3 and 6 by default) and changes nothing. Only 正常 members are
    counted (``LIFE_STATES``, see above).

    A member's own attendance (出席) at any held meeting counts, whatever the organization: the
    meetings of a branch they have since left too. Months are counted from the latest of: the month
    after the last meeting attended; the month the member came to their current 党支部 (from their
    history: a transfer accepted); the month they joined the party; and the month of the first
    meeting their 党支部 recorded in the portal (before that the portal cannot know). A 党支部 that
    has recorded no meeting is not judged. One query, with the rules (one more unless given)."""
    today = today or timezone.localdate()
    rules = rules if rules is not None else management_rules()
    if at_least is None:
        at_least = rules.value(ManagementRuleKey.LIFE_ABSENCE_WARN)
    flag_months = rules.value(ManagementRuleKey.LIFE_ABSENCE_FLAG)
    this_month = today.replace(day=1)
    attended = Attendance.objects.filter(
        member=OuterRef("pk"), status=AttendanceStatus.PRESENT, meeting__status=MeetingStatus.HELD
    )
    first_recorded = Meeting.objects.filter(organization_id=OuterRef("branch_id"), status=MeetingStatus.HELD)
    rows = (
        members.filter(state__in=LIFE_STATES)
        .annotate(
            last_attended=Subquery(attended.order_by("-meeting__held_on").values("meeting__held_on")[:1]),
            first_recorded=Subquery(first_recorded.order_by("held_on").values("held_on")[:1]),
            in_branch_since=_in_branch_since(),
        )
        .filter(first_recorded__isnull=False)
        .select_related("branch")
        .order_by("branch__path", "name", "pk")
    )
    found = []
    for member in rows:
        start = max(member.joined_on, member.first_recorded).replace(day=1)
        if member.in_branch_since is not None:
            start = max(start, timezone.localdate(member.in_branch_since).replace(day=1))
        if member.last_attended is not None:
            start = max(start, _first_of_next_month(member.last_attended))
        months = (this_month.year - start.year) * 12 + this_month.month - start.month
        if months >= at_least:
            found.append(Absence(member, member.last_attended, months, flag_months))
    found.sort(key=lambda a: -a.months_without)
    return found
