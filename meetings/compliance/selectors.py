"""达标 (compliance): how a period is judged against the frequency rules, for every organization at once.

Compliance is three queries whatever the number of organizations: the organizations, the rules
(a small table) and one aggregate of held meetings per organization, type and month. Everything
else is arithmetic on those rows.

How a period P is judged, for one organization and one meeting type:
- Each sub-period u of P (its months, its quarters, or P itself) takes the rule in force on u's
  first day for the organization's kind and the type. When that rule's period kind is u's kind and
  its minimum is above 0, u is a *unit*: held in u against the minimum. Rules for periods longer
  than P are not judged in P (a yearly 组织生活会 is not "missing" in March).
- A unit is 达标 when enough meetings were held in it, 未达标 when it has ended without, and
  进行中 while it runs (or has not begun).
- An organization founded after a unit ended is not judged for it.
- A cell (organization × type) is 达标 when all its units are, 未达标 when any is, otherwise 进行中.
  An organization is compliant when all its cells are; a 党支部 also needs each of its 党小组 to be
  (党小组会 are counted per group).
- Each higher organization gets the share of the 党支部 below it that are compliant.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from branches.models import Organization, OrgKind, OrgStatus
from meetings.models import (
    TYPES_FOR_KIND,
    FrequencyRule,
    MeetingCredit,
    MeetingStatus,
    MeetingType,
)
from partybuild.periods import Period, PeriodKind

MET, FAILED, DUE, NONE = "met", "failed", "due", "none"


STATE_LABELS = {MET: "达标", FAILED: "未达标", DUE: "进行中", NONE: "无要求"}


def combine_states(states: list[str]) -> str:
    """Several verdicts as one: 未达标 if any failed, 达标 if every judged one is met, 无要求 if none
    is judged, otherwise 进行中."""
    judged = [s for s in states if s != NONE]
    if not judged:
        return NONE
    if FAILED in judged:
        return FAILED
    if all(s == MET for s in judged):
        return MET
    return DUE


@dataclass(frozen=True)
class RuleVersion:
    period_kind: str
    min_count: int
    effective_from: datetime.date


class RuleBook:
    """Every frequency rule, versioned by date: one query."""

    def __init__(self) -> None:
        self._versions: dict[tuple[str, str], list[RuleVersion]] = defaultdict(list)
        for row in FrequencyRule.objects.order_by("effective_from").values(
            "meeting_type", "org_kind", "period_kind", "min_count", "effective_from"
        ):
            self._versions[(row["org_kind"], row["meeting_type"])].append(
                RuleVersion(row["period_kind"], row["min_count"], row["effective_from"])
            )

    def in_force(self, org_kind: str, meeting_type: str, day: datetime.date) -> RuleVersion | None:
        found = None
        for version in self._versions.get((org_kind, meeting_type), ()):
            if version.effective_from <= day:
                found = version
            else:
                break
        return found

    def units(self, org_kind: str, meeting_type: str, period: Period) -> list[tuple[Period, int]]:
        """The sub-periods of ``period`` judged for this kind and type, each with its minimum."""
        result = []
        for kind in PeriodKind:
            for unit in period.subperiods(kind):
                rule = self.in_force(org_kind, meeting_type, unit.start)
                if rule is not None and rule.period_kind == kind and rule.min_count > 0:
                    result.append((unit, rule.min_count))
        return result

    def describe(self, org_kind: str, meeting_type: str, day: datetime.date) -> str:
        rule = self.in_force(org_kind, meeting_type, day)
        if rule is None or rule.min_count == 0:
            return "无硬性要求"
        return f"每{PeriodKind(rule.period_kind).label}至少{rule.min_count}次"


@dataclass(slots=True)
class Unit:
    period: Period
    required: int
    held: int
    state: str


@dataclass
class Cell:
    meeting_type: str
    held: int = 0
    units: list[Unit] = field(default_factory=list)
    state: str = NONE  # combine_states of the units, set once they are all in

    @property
    def required(self) -> int:
        return sum(u.required for u in self.units)

    @property
    def label(self) -> str:
        return MeetingType(self.meeting_type).label


@dataclass
class OrgRow:
    pk: int
    name: str
    short_name: str
    kind: str
    path: str
    depth: int
    cells: dict[str, Cell]
    state: str = NONE  # its own cells (and, for a 党支部, its groups')
    branches_total: int = 0  # 党支部 at or below it
    branches_met: int = 0
    branches_failed: int = 0
    dissolved_on: datetime.date | None = None  # dissolved since the period began

    @property
    def kind_label(self) -> str:
        return OrgKind(self.kind).label

    @property
    def share_met(self) -> float | None:
        return self.branches_met / self.branches_total if self.branches_total else None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class ComplianceReport:
    period: Period
    today: datetime.date
    rows: list[OrgRow]
    types: list[str]  # the columns: every type some row holds, in MeetingType order

    def row(self, pk: int) -> OrgRow | None:
        return next((r for r in self.rows if r.pk == pk), None)

    @property
    def type_labels(self) -> list[tuple[str, str]]:
        return [(t, MeetingType(t).label) for t in self.types]


def held_by_month(orgs: QuerySet[Organization], period: Period) -> dict[tuple[int, str], list[int]]:
    """Held meetings per (organization, counted type) in ``period``: a count for each month of its
    year (index 1-12; 0 outside the period). One aggregate query, one row per organization and
    type, a column per month (conditional counts): far fewer rows to read than one per month."""
    months = [m.index for m in period.subperiods(PeriodKind.MONTH)]
    columns = {f"m{m}": Count("id", filter=Q(meeting__held_on__month=m)) for m in months}
    rows = (
        MeetingCredit.objects.filter(
            meeting__status=MeetingStatus.HELD,
            meeting__held_on__gte=period.start,
            meeting__held_on__lte=period.end,
            meeting__organization__in=orgs.values("pk"),
        )
        .values_list("meeting__organization_id", "meeting_type")
        .annotate(**columns)
        .order_by()
    )
    result: dict[tuple[int, str], list[int]] = {}
    for org_pk, meeting_type, *counts in rows:
        by_month = [0] * 13
        for month, n in zip(months, counts, strict=True):
            by_month[month] = n
        result[(org_pk, meeting_type)] = by_month
    return result


def compliance(orgs: QuerySet[Organization], period: Period, *, today: datetime.date | None = None) -> ComplianceReport:
    """Compliance of the organizations in ``orgs`` that existed in ``period``: three queries.

    An organization dissolved since is still judged for the periods it lived through (a report on
    last year does not change when a branch is dissolved this year); a unit it did not live
    through to the end (founded after it ended, dissolved before it ended) is not judged."""
    today = today or timezone.localdate()
    existed = orgs.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=period.end)).filter(
        Q(status=OrgStatus.ACTIVE) | Q(dissolved_on__gte=period.start)
    )
    org_rows = list(
        existed.order_by("path").values("pk", "name", "short_name", "kind", "path", "depth", "founded_on", "dissolved_on")
    )
    book = RuleBook()
    held = held_by_month(existed, period)
    no_meetings = [0] * 13
    # Per (kind, type): each judged unit with its minimum, last day and months (a slice of the
    # month array: a unit's months are contiguous), computed once.
    units_cache: dict[tuple[str, str], list[tuple[Period, int, datetime.date, int, int]]] = {}
    rows: list[OrgRow] = []
    shown_types: set[str] = set()
    for o in org_rows:
        cells: dict[str, Cell] = {}
        founded, dissolved = o["founded_on"], o["dissolved_on"]
        for meeting_type in TYPES_FOR_KIND.get(o["kind"], ()):
            key = (o["kind"], meeting_type)
            units = units_cache.get(key)
            if units is None:
                units = units_cache[key] = [
                    (unit, required, unit.end, unit.first_month, unit.first_month + unit.kind.months)
                    for unit, required in book.units(o["kind"], meeting_type, period)
                ]
            by_month = held.get((o["pk"], meeting_type), no_meetings)
            cell = Cell(meeting_type, held=sum(by_month))
            unit_states = []
            for unit, required, unit_end, first, after in units:
                if (founded and founded > unit_end) or (dissolved and dissolved <= unit_end):
                    continue
                count = sum(by_month[first:after])
                state = MET if count >= required else (FAILED if unit_end < today else DUE)
                cell.units.append(Unit(unit, required, count, state))
                unit_states.append(state)
            cell.state = combine_states(unit_states)
            if cell.units or cell.held:
                shown_types.add(meeting_type)
            cells[meeting_type] = cell
        rows.append(
            OrgRow(
                pk=o["pk"],
                name=o["name"],
                short_name=o["short_name"],
                kind=o["kind"],
                path=o["path"],
                depth=o["depth"],
                cells=cells,
                state=combine_states([c.state for c in cells.values()]),
                dissolved_on=dissolved,
            )
        )
    _roll_up(rows)
    types = [t for t in MeetingType.values if t in shown_types]
    return ComplianceReport(period=period, today=today, rows=rows, types=types)


def _roll_up(rows: list[OrgRow]) -> None:
    """A 党支部's state takes in its groups'; every organization counts the 党支部 below it."""
    step = Organization.steplen
    by_path = {r.path: r for r in rows}
    for row in rows:
        if row.kind == OrgKind.GROUP:
            parent = by_path.get(row.path[:-step])
            if parent is not None:
                parent.state = combine_states([parent.state, row.state])
    for row in rows:
        if row.kind != OrgKind.BRANCH or row.state == NONE:
            continue  # a 党支部 with nothing judged in the period (e.g. dissolved early) is not counted
        for end in range(step, len(row.path) + 1, step):
            above = by_path.get(row.path[:end])
            if above is None:
                continue
            above.branches_total += 1
            if row.state == MET:
                above.branches_met += 1
            elif row.state == FAILED:
                above.branches_failed += 1
