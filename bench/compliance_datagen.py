"""One year of organizational life on top of the benchmark roster, for bench/compliance.py.

The tree, the members, the 班子 positions and the users come from bench/datagen.py (``load``).
This module then, deterministically (seeded):

- gives a few 党支部 a life inside the year: about 1% founded during it, 0.5% dissolved during
  it, 0.3% dissolved the year before (never judged);
- adds two rule changes in the year, so that periods are judged by different versions: 党支部
  专题学习研讨 monthly from 1 July (it was quarterly), 党小组会 twice a month from 15 August (a
  mid-quarter change: September is the first month judged by it);
- records the meetings the rules in force ask for, as the branches of a city would: each
  organization has a diligence (about a third hold everything, the rest 75-95% of what is due),
  a quarter of the units get one meeting more than required, 组织生活会 and 民主评议党员 are
  often one meeting counted for both, a 主题党日 often includes the quarter's 党课 (both through
  a second ``MeetingCredit`` row, as the service writes it), 2% more meetings are cancelled and
  0.5% stay planned; a few meetings fall at 23:59 Beijing time on the last day of a quarter, and
  a few just outside the year (31 December 23:59 before it, 1 January 00:05 after it: already
  the 31st in UTC); 党委 also hold 党委会 and 党课, which no rule counts;
- and records the attendance of every meeting for its whole roll, as ``roll_members`` gives it
  (the 班子 for a 委员会, the group for a 党小组会, the subtree otherwise): 88% 出席, 7% 请假 with a
  reason, 5% 缺席, with the ``voting`` snapshot.

Rows go in with PostgreSQL ``COPY`` (``members.imports.bulk._copy``, the CSV form the roster
import uses). Attendance is millions of rows: its indexes and constraints are dropped for the
load and rebuilt afterwards (as pg_restore does), rather than maintaining five indexes and two
foreign keys row by row. The roster part depends on the day it runs (ages
and dates relative to today, as bench/datagen.py makes them); the meetings only on the seed.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from bench import datagen
from branches.models import Organization, OrgKind, OrgStatus, Position
from meetings.compliance.selectors import RuleBook
from meetings.models import (
    COMMITTEE_TYPES,
    TYPES_FOR_KIND,
    Attendance,
    AttendanceStatus,
    FrequencyRule,
    Meeting,
    MeetingCredit,
    MeetingStatus,
    MeetingType,
)
from members.imports.bulk import _copy
from members.roster.choices import ON_ROSTER_STATES, MemberState, MemberType
from members.roster.models import Member
from partybuild.periods import Period, PeriodKind

SEED = 20250101
SHANGHAI = ZoneInfo("Asia/Shanghai")
ATTENDANCE_CHUNK = 500_000
LEAVE_REASONS = ["因公出差", "病假", "参加培训", "外出执行任务", "家中有事"]
TOPICS = {
    MeetingType.GENERAL_MEETING: "支部党员大会：通报支部工作，讨论{month}月重点任务",
    MeetingType.COMMITTEE_MEETING: "支委会：研究{month}月支部工作安排",
    MeetingType.GROUP_MEETING: "党小组会：学习交流{month}月学习内容",
    MeetingType.LECTURE: "党课：学习贯彻党的创新理论",
    MeetingType.THEME_DAY: "{month}月主题党日活动",
    MeetingType.STUDY: "专题学习研讨：{month}月专题",
    MeetingType.LIFE_MEETING: "年度组织生活会",
    MeetingType.MEMBER_REVIEW: "民主评议党员",
    MeetingType.DEMOCRATIC_LIFE: "领导班子民主生活会",
}
MINUTES = "会议按议程进行，与会党员围绕主题逐一发言，形成会议记录。"


def generator_version() -> str:
    """Changes whenever this module or the roster generator changes: the data is then reloaded."""
    digest = hashlib.sha256()
    for name in ("datagen.py", "compliance_datagen.py"):
        digest.update((Path(__file__).resolve().parent / name).read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class LoadStats:
    meetings: int = 0
    held: int = 0
    cancelled: int = 0
    planned: int = 0
    credits: int = 0
    attendance: int = 0
    double_credited: int = 0
    outside_year: int = 0
    at_quarter_end_2359: int = 0
    founded_in_year: int = 0
    dissolved_in_year: int = 0
    dissolved_before: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class _Org:
    pk: int
    kind: str
    path: str
    founded_on: datetime.date | None
    dissolved_on: datetime.date | None


@dataclass
class _Planned:
    org: _Org
    meeting_type: str
    day: datetime.date
    extras: list[str] = field(default_factory=list)
    status: str = MeetingStatus.HELD
    at_2359: bool = False


def load(*, orgs: int, members: int, year: int, progress: Callable[[str], None] = print) -> LoadStats:
    """Fill an empty database: the roster (bench/datagen.py), then a year of meetings."""
    import time

    stats = LoadStats()
    started = time.perf_counter()
    datagen.load(orgs=orgs, members=members, progress=progress)
    stats.seconds["roster"] = time.perf_counter() - started
    rng = random.Random(SEED)
    with transaction.atomic():
        _vary_lifetimes(rng, year, stats)
        _add_rule_changes(year)
        started = time.perf_counter()
        planned = _plan(rng, year, stats)
        stats.seconds["plan"] = time.perf_counter() - started
        _write(rng, planned, year, stats, progress)
    return stats


# --- the organizations' lives and the rules ----------------------------------------------------


def _vary_lifetimes(rng: random.Random, year: int, stats: LoadStats) -> None:
    """Some childless 党支部 founded or dissolved in the year, a few dissolved the year before."""
    branches = list(Organization.objects.filter(kind=OrgKind.BRANCH, numchild=0).order_by("path"))
    picked = rng.sample(branches, k=max(3, len(branches) * 18 // 1000))
    n_founded = max(1, len(branches) // 100)
    n_dissolved = max(1, len(branches) // 200)
    founded, dissolved, gone = picked[:n_founded], picked[n_founded : n_founded + n_dissolved], picked[n_founded + n_dissolved :]
    for org in founded:
        org.founded_on = datetime.date(year, rng.randint(2, 11), rng.randint(1, 28))
        org.term_start = org.founded_on
        org.term_end = org.founded_on.replace(year=org.founded_on.year + (org.term_years or 3))
    for org in dissolved:
        org.status = OrgStatus.DISSOLVED
        org.dissolved_on = datetime.date(year, rng.randint(2, 12), rng.randint(1, 28))
    for org in gone:
        org.status = OrgStatus.DISSOLVED
        org.dissolved_on = datetime.date(year - 1, rng.randint(1, 12), rng.randint(1, 28))
    Organization.objects.bulk_update(picked, ["founded_on", "term_start", "term_end", "status", "dissolved_on"])
    stats.founded_in_year, stats.dissolved_in_year, stats.dissolved_before = len(founded), len(dissolved), len(gone)


def _add_rule_changes(year: int) -> None:
    FrequencyRule.objects.create(
        meeting_type=MeetingType.STUDY,
        org_kind=OrgKind.BRANCH,
        period_kind=PeriodKind.MONTH.value,
        min_count=1,
        effective_from=datetime.date(year, 7, 1),
        note="基准数据：下半年起专题学习研讨每月1次",
    )
    FrequencyRule.objects.create(
        meeting_type=MeetingType.GROUP_MEETING,
        org_kind=OrgKind.GROUP,
        period_kind=PeriodKind.MONTH.value,
        min_count=2,
        effective_from=datetime.date(year, 8, 15),
        note="基准数据：党小组会每月2次（8月15日起，自9月起考核）",
    )


# --- what each organization holds ---------------------------------------------------------------


def _alive(org: _Org, start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """The days of [start, end] the organization existed on, or None."""
    if org.founded_on and org.founded_on > start:
        start = org.founded_on
    if org.dissolved_on and org.dissolved_on - datetime.timedelta(days=1) < end:
        end = org.dissolved_on - datetime.timedelta(days=1)
    return (start, end) if start <= end else None


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _plan(rng: random.Random, year: int, stats: LoadStats) -> list[_Planned]:
    book = RuleBook()
    whole = Period.of_year(year)
    units = {(kind, t): book.units(kind, t, whole) for kind, types in TYPES_FOR_KIND.items() for t in types}
    rows = Organization.objects.exclude(dissolved_on__lt=datetime.date(year, 1, 1)).order_by("path")
    planned: list[_Planned] = []
    for o in rows.values("pk", "kind", "path", "founded_on", "dissolved_on"):
        org = _Org(o["pk"], o["kind"], o["path"], o["founded_on"], o["dissolved_on"])
        diligence = 0.995 if rng.random() < 0.35 else rng.uniform(0.75, 0.95)
        mine: list[_Planned] = []
        for meeting_type in TYPES_FOR_KIND[org.kind]:
            for unit, required in units[(org.kind, meeting_type)]:
                alive = _alive(org, unit.start, unit.end)
                if alive is None:
                    continue
                n = required if rng.random() < diligence else required - 1
                if rng.random() < 0.25:
                    n += 1
                for _ in range(n):
                    mine.append(_Planned(org, meeting_type, _day(rng, *alive)))
                if unit.kind == PeriodKind.QUARTER and n and rng.random() < 0.03 and alive[1] == unit.end:
                    mine[-1].day, mine[-1].at_2359 = unit.end, True  # 23:59 Beijing on the quarter's last day
        if org.kind == OrgKind.COMMITTEE:  # 党委会 and 党课 without a minimum: held, never judged
            alive = _alive(org, whole.start, whole.end)
            if alive:
                extra = [MeetingType.COMMITTEE_MEETING] * rng.randint(8, 12) + [MeetingType.LECTURE] * rng.randint(1, 2)
                mine += [_Planned(org, t, _day(rng, *alive)) for t in extra]
        _merge(rng, mine, stats)
        planned += mine
        if org.kind == OrgKind.BRANCH and rng.random() < 0.02:  # just outside the year, both sides
            before = datetime.date(year - 1, 12, 31)
            after = datetime.date(year + 1, 1, 1)
            for day in (before, after):
                if _alive(org, day, day) is not None:
                    planned.append(_Planned(org, MeetingType.THEME_DAY, day))
                    stats.outside_year += 1
    extra: list[_Planned] = []
    for p in planned:
        if rng.random() < 0.02:
            extra.append(_Planned(p.org, p.meeting_type, p.day, status=MeetingStatus.CANCELLED))
        elif rng.random() < 0.005:
            extra.append(_Planned(p.org, p.meeting_type, p.day, status=MeetingStatus.PLANNED))
    planned += extra
    return planned


def _merge(rng: random.Random, mine: list[_Planned], stats: LoadStats) -> None:
    """One meeting counted for two types, as branches do: a 组织生活会 that is also the
    民主评议党员, a 主题党日 that is also the quarter's 党课."""
    by_type: dict[str, list[_Planned]] = defaultdict(list)
    for p in mine:
        by_type[p.meeting_type].append(p)
    drop: set[int] = set()
    lives, reviews = by_type.get(MeetingType.LIFE_MEETING, []), by_type.get(MeetingType.MEMBER_REVIEW, [])
    if lives and reviews and rng.random() < 0.4:
        lives[0].extras.append(MeetingType.MEMBER_REVIEW)
        drop.add(id(reviews[0]))
        stats.double_credited += 1
    themes = by_type.get(MeetingType.THEME_DAY, [])
    for lecture in by_type.get(MeetingType.LECTURE, []):
        if rng.random() >= 0.25:
            continue
        quarter = (lecture.day.month - 1) // 3
        host = next(
            (t for t in themes if not t.extras and (t.day.month - 1) // 3 == quarter and t.day.year == lecture.day.year), None
        )
        if host is not None:
            host.extras.append(MeetingType.LECTURE)
            drop.add(id(lecture))
            stats.double_credited += 1
    mine[:] = [p for p in mine if id(p) not in drop]


# --- rolls ---------------------------------------------------------------------------------------


class _Rolls:
    """Who is expected at each meeting, as ``meetings.selectors.roll_members`` decides it."""

    def __init__(self) -> None:
        self.by_branch: dict[int, list[tuple[int, bool]]] = defaultdict(list)
        self.by_group: dict[int, list[tuple[int, bool]]] = defaultdict(list)
        members = Member.objects.filter(state__in=ON_ROSTER_STATES).order_by("pk")
        self.voting: dict[int, bool] = {}
        for pk, branch_id, group_id, member_type, state in members.values_list(
            "pk", "branch_id", "group_id", "member_type", "state"
        ):
            entry = (pk, member_type == MemberType.FULL and state != MemberState.SUSPENDED)
            self.by_branch[branch_id].append(entry)
            if group_id:
                self.by_group[group_id].append(entry)
            self.voting[pk] = entry[1]
        self.holders: dict[int, list[tuple[int, bool]]] = defaultdict(list)
        for org_id, member_id in Position.objects.filter(ended_on__isnull=True).values_list("organization_id", "member_id"):
            if member_id in self.voting:
                self.holders[org_id].append((member_id, self.voting[member_id]))
        step = Organization.steplen
        self.branches_below: dict[str, list[int]] = defaultdict(list)
        for pk, path in Organization.objects.filter(kind=OrgKind.BRANCH).values_list("pk", "path"):
            for end in range(step, len(path) + 1, step):
                self.branches_below[path[:end]].append(pk)
        self._subtree: dict[str, list[tuple[int, bool]]] = {}

    def of(self, org: _Org, meeting_type: str) -> list[tuple[int, bool]]:
        if meeting_type in COMMITTEE_TYPES and self.holders.get(org.pk):
            return self.holders[org.pk]
        if org.kind == OrgKind.GROUP:
            return self.by_group.get(org.pk, [])
        if org.kind == OrgKind.BRANCH:
            return self.by_branch.get(org.pk, [])
        roll = self._subtree.get(org.path)
        if roll is None:
            roll = self._subtree[org.path] = [m for b in self.branches_below.get(org.path, []) for m in self.by_branch.get(b, [])]
        return roll


# --- writing -------------------------------------------------------------------------------------


def _moment(rng: random.Random, p: _Planned) -> datetime.datetime:
    if p.at_2359:
        return datetime.datetime.combine(p.day, datetime.time(23, 59), SHANGHAI)
    if p.day.month == 1 and p.day.day == 1:
        return datetime.datetime.combine(p.day, datetime.time(0, 5), SHANGHAI)  # still the 31st in UTC
    if p.day.month == 12 and p.day.day == 31:
        return datetime.datetime.combine(p.day, datetime.time(23, 59), SHANGHAI)
    minute = rng.randrange(8 * 60 + 30, 17 * 60 + 30, 5)
    return datetime.datetime.combine(p.day, datetime.time(minute // 60, minute % 60), SHANGHAI)


def _write(rng: random.Random, planned: list[_Planned], year: int, stats: LoadStats, progress: Callable[[str], None]) -> None:
    import time

    started = time.perf_counter()
    rolls = _Rolls()
    admin_id = get_user_model().objects.get(username=datagen.ADMIN_USERNAME).pk
    now = timezone.now()
    meeting_fields = [f for f in Meeting._meta.concrete_fields]
    credit_fields = [f for f in MeetingCredit._meta.concrete_fields]
    attendance_fields = [f for f in Attendance._meta.concrete_fields]
    meetings: list[list[object]] = []
    credits: list[tuple[int, int, str]] = []
    held: list[tuple[int, list[tuple[int, bool]]]] = []
    planned.sort(key=lambda p: (p.day, p.org.path, p.meeting_type))
    for pk, p in enumerate(planned, start=1):
        moment = _moment(rng, p)
        roll = rolls.of(p.org, p.meeting_type)
        holders = rolls.holders.get(p.org.pk) or roll
        host = holders[0][0] if holders else None
        recorder = holders[min(1, len(holders) - 1)][0] if holders else None
        counts_as = [p.meeting_type, *p.extras]
        lecturer, lecturer_name = None, ""
        if MeetingType.LECTURE in counts_as:
            if host is not None and rng.random() < 0.7:
                lecturer = host
            else:
                lecturer_name = "市委党校教授"
        is_held = p.status == MeetingStatus.HELD
        values = {
            "id": pk,
            "organization_id": p.org.pk,
            "meeting_type": p.meeting_type,
            "topic": TOPICS[p.meeting_type].format(month=p.day.month),
            "status": p.status,
            "planned_at": moment - datetime.timedelta(days=7) if is_held else moment,
            "held_at": moment if is_held else None,
            "held_on": p.day if is_held else None,
            "place": "党员活动室",
            "host_id": host,
            "recorder_id": recorder,
            "lecturer_id": lecturer,
            "lecturer_name": lecturer_name,
            "minutes": MINUTES if is_held else "",
            "resolutions": "",
            "decides": p.meeting_type == MeetingType.GENERAL_MEETING and rng.random() < 0.3,
            "cancel_reason": "因工作安排调整取消" if p.status == MeetingStatus.CANCELLED else "",
            "created_by_id": admin_id,
            "created_at": min(now, moment + datetime.timedelta(hours=3)) if is_held else moment - datetime.timedelta(days=7),
            "updated_at": min(now, moment + datetime.timedelta(hours=3)) if is_held else moment - datetime.timedelta(days=7),
        }
        meetings.append([values[f.attname] for f in meeting_fields])
        for t in counts_as:
            credits.append((len(credits) + 1, pk, t))
        if is_held:
            held.append((pk, roll))
            stats.held += 1
            if p.at_2359:
                stats.at_quarter_end_2359 += 1
        elif p.status == MeetingStatus.CANCELLED:
            stats.cancelled += 1
        else:
            stats.planned += 1
    stats.meetings, stats.credits = len(meetings), len(credits)
    progress(f"  会议 {len(meetings):,} 条（已召开 {stats.held:,}），计入类型 {len(credits):,} 条")
    _copy(Meeting, meeting_fields, meetings)
    _copy(MeetingCredit, credit_fields, credits)
    del meetings, credits
    stats.seconds["meetings"] = time.perf_counter() - started
    started = time.perf_counter()
    with _indexes_dropped(Attendance._meta.db_table):
        stats.attendance = _write_attendance(rng, held, attendance_fields, progress)
        stats.seconds["attendance_copy"] = time.perf_counter() - started
        started = time.perf_counter()
        progress("  重建出勤表的索引和约束")
    stats.seconds["attendance_indexes"] = time.perf_counter() - started
    for model in (Meeting, MeetingCredit, Attendance):
        with connection.cursor() as cur:
            table = model._meta.db_table
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def _write_attendance(
    rng: random.Random, held: list[tuple[int, list[tuple[int, bool]]]], fields: list, progress: Callable[[str], None]
) -> int:
    statuses = [AttendanceStatus.PRESENT.value, AttendanceStatus.LEAVE.value, AttendanceStatus.ABSENT.value]
    cum_weights = [88, 95, 100]
    total = 0

    def rows() -> Iterator[tuple[int, int, int, str, str, bool]]:
        nonlocal total
        for meeting_pk, roll in held:
            drawn = rng.choices(statuses, cum_weights=cum_weights, k=len(roll))
            for (member_pk, voting), status in zip(roll, drawn, strict=True):
                total += 1
                reason = rng.choice(LEAVE_REASONS) if status == "leave" else ""
                yield (total, meeting_pk, member_pk, status, reason, voting)

    for chunk in _chunks(rows(), ATTENDANCE_CHUNK):
        _copy(Attendance, fields, chunk)
        progress(f"  出勤 {total:,}")
    return total


def _chunks(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _indexes_dropped:
    """Drop a table's indexes and constraints (other tables' foreign keys to it stay) and put
    them back, from their own definitions, on exit."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.constraints: list[tuple[str, str, str]] = []
        self.indexes: list[tuple[str, str]] = []

    def __enter__(self) -> _indexes_dropped:
        with connection.cursor() as cur:
            # Check the deferred foreign keys of the rows written so far (the meetings) now: a
            # table with pending trigger events cannot be altered.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute(
                "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype IN ('p', 'u', 'f') ORDER BY CASE contype WHEN 'f' THEN 0 WHEN 'u' THEN 1 ELSE 2 END",
                [self.table],
            )
            self.constraints = cur.fetchall()
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [self.table, self.table],
            )
            self.indexes = cur.fetchall()
            for name, _ in self.indexes:
                cur.execute(f'DROP INDEX "{name}"')
            for name, _, _ in self.constraints:
                cur.execute(f'ALTER TABLE "{self.table}" DROP CONSTRAINT "{name}"')
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            return  # the transaction rolls back: the drops with it
        with connection.cursor() as cur:
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for name, _, definition in reversed(self.constraints):  # primary key, unique, then foreign keys
                cur.execute(f'ALTER TABLE "{self.table}" ADD CONSTRAINT "{name}" {definition}')
            for _, definition in self.indexes:
                cur.execute(definition)


def summary(year: int) -> dict[str, int]:
    """What the database holds, for the report (also on a reused database)."""
    counts = dict(Meeting.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {
        "organizations": Organization.objects.count(),
        "members": Member.objects.count(),
        "meetings": sum(counts.values()),
        "held": counts.get(MeetingStatus.HELD, 0),
        "cancelled": counts.get(MeetingStatus.CANCELLED, 0),
        "planned": counts.get(MeetingStatus.PLANNED, 0),
        "held_in_year": Meeting.objects.filter(status=MeetingStatus.HELD, held_on__year=year).count(),
        "credits": MeetingCredit.objects.count(),
        "attendance": Attendance.objects.count(),
    }
