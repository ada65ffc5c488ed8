"""What the compliance pages show, shaped from ``selectors.compliance()`` reports.

Arithmetic on reports and on rows already read: nothing here queries the database, so a page's
query count is the views' alone. The verdicts themselves (held against required, 达标 / 未达标 /
进行中) are the selector's; this module only picks, groups and lays them out:

- ``requirements``: what a month, quarter or year asks of one organization itself (its monthly
  rules for a month, its quarterly rules for a quarter, ...), for the secretary's month page.
- ``month_weeks``: the calendar grid of a month, Monday first, with its meetings on their days.
- ``matrix_rows``: the organizations × types matrix, collapsed below a depth when the subtree is
  too large to read on one page.
- ``monthly_branch_shares``: the share of compliant 党支部 in each month of a quarter or year,
  from the one report of that quarter or year (not one report per month).
"""

from __future__ import annotations

import calendar
import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils import timezone

from branches.models import Organization, OrgKind
from meetings.compliance.selectors import MET, NONE, STATE_LABELS, Cell, ComplianceReport, OrgRow, Unit, combine_states
from meetings.models import Meeting, MeetingType
from partybuild.periods import Period, PeriodKind

WEEKDAY_LABELS = ("一", "二", "三", "四", "五", "六", "日")


def percent(share: float | None) -> str:
    """A share as users read it: 50%, 66.7%; — when there is nothing to divide."""
    if share is None:
        return "—"
    return f"{share * 100:.1f}".rstrip("0").rstrip(".") + "%"


@dataclass(frozen=True)
class Requirement:
    """One type one organization must hold in a period, and how far it has got."""

    org_pk: int
    org_name: str
    is_group: bool
    meeting_type: str
    held: int
    required: int
    state: str
    rule: str  # 每月至少1次

    @property
    def label(self) -> str:
        return MeetingType(self.meeting_type).label

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def still_due(self) -> bool:
        return self.state != MET


def _unit_of(cell: Cell, period: Period) -> Unit | None:
    return next((u for u in cell.units if u.period == period), None)


def requirements(report: ComplianceReport) -> list[Requirement]:
    """What the report's period itself requires, organization by organization in tree order (a
    党支部, then its 党小组): a month report gives the monthly rules, a quarter report the
    quarterly ones, a year report the yearly ones. A quarter's monthly rules are not repeated in
    the quarter: they are the months' business."""
    found: list[Requirement] = []
    kind = report.period.kind
    for row in report.rows:
        for meeting_type, cell in row.cells.items():
            unit = _unit_of(cell, report.period)
            if unit is None:
                continue
            found.append(
                Requirement(
                    org_pk=row.pk,
                    org_name=row.short_name or row.name,
                    is_group=row.kind == OrgKind.GROUP,
                    meeting_type=meeting_type,
                    held=unit.held,
                    required=unit.required,
                    state=unit.state,
                    rule=f"每{kind.label}至少{unit.required}次",
                )
            )
    return found


@dataclass
class CalendarDay:
    date: datetime.date
    in_month: bool
    is_today: bool
    meetings: list[Meeting] = field(default_factory=list)


def meeting_day(meeting: Meeting) -> datetime.date | None:
    """The local date a meeting sits on: when it was held, or when it is planned."""
    if meeting.is_held:
        return meeting.held_on
    return timezone.localdate(meeting.planned_at) if meeting.planned_at else None


def month_weeks(month: Period, meetings: Iterable[Meeting], today: datetime.date) -> list[list[CalendarDay]]:
    """The weeks (Monday to Sunday) that cover ``month``, each day with its meetings in time order."""
    by_day: dict[datetime.date, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        day = meeting_day(meeting)
        if day is not None:
            by_day[day].append(meeting)
    for listed in by_day.values():
        listed.sort(key=lambda m: (m.when or timezone.now(), m.pk))
    grid = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(month.year, month.index)
    return [
        [
            CalendarDay(date=day, in_month=day.month == month.index, is_today=day == today, meetings=by_day.get(day, []))
            for day in week
        ]
        for week in grid
    ]


def _short_label(period: Period) -> str:
    if period.kind == PeriodKind.MONTH:
        return f"{period.index}月"
    if period.kind == PeriodKind.QUARTER:
        return f"第{period.index}季度"
    return f"{period.year}年"


def unit_breakdown(cell: Cell) -> str:
    """How a cell's verdict was reached, unit by unit (7月 2/1 达标；8月 0/1 未达标；...): four
    meetings in a quarter fail a monthly rule when one month had none."""
    if not cell.units:
        return STATE_LABELS[NONE]
    return "；".join(f"{_short_label(u.period)} {u.held}/{u.required} {STATE_LABELS[u.state]}" for u in cell.units)


@dataclass(frozen=True)
class MatrixCell:
    held: int
    required: int
    state: str
    url: str
    detail: str  # unit by unit, for the cell's tooltip

    @property
    def text(self) -> str:
        return f"{self.held}/{self.required}" if self.state != NONE else f"{self.held}/—"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class MatrixRow:
    org: OrgRow
    level: int  # 0 for the top of the subtree shown, 1 below it, ...
    cells: list[MatrixCell | None]  # aligned with the report's types; None: the kind does not hold it
    hidden_below: int = 0  # organizations under this one left out of the page (collapsed)

    @property
    def shows_branch_share(self) -> bool:
        return self.org.kind in (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH)

    @property
    def share_percent(self) -> str:
        return percent(self.org.share_met)


def tree_levels(rows: list[OrgRow]) -> list[int]:
    """Each row's level below the top of its part of the report (the report may hold several
    subtrees, e.g. a user with roles in two places): rows come in tree (path) order."""
    levels: list[int] = []
    top: OrgRow | None = None
    for row in rows:
        if top is None or not row.path.startswith(top.path):
            top = row
        levels.append(row.depth - top.depth)
    return levels


def collapse_level(levels: list[int], max_rows: int) -> int | None:
    """The deepest level down to which the rows fit in ``max_rows``; None when all of them fit.
    Never less than 1: the top and the organizations right under it are always shown (a page of
    the top alone, pointing to itself, would be no use); when they do not fit, the page
    paginates them."""
    if len(levels) <= max_rows:
        return None
    per_level = Counter(levels)
    shown, cut = 0, 0
    for level in sorted(per_level):
        if level > 1 and shown + per_level[level] > max_rows:
            break
        shown += per_level[level]
        cut = level
    return cut


def matrix_rows(report: ComplianceReport, list_url: str, *, max_rows: int) -> tuple[list[MatrixRow], int | None]:
    """The rows of the matrix and the level below which they were collapsed (None: all shown).

    A staff member of a 工委 sees thousands of organizations; a table of thousands of rows is
    neither fast to draw nor possible to read. So when the subtree has more than ``max_rows``
    organizations, only its upper levels are shown, each with the count of the organizations
    under it and a link to the matrix of its own subtree; a 党委's 达标支部 share still counts
    every 党支部 below it, and the Excel export still holds every row."""
    levels = tree_levels(report.rows)
    cut = collapse_level(levels, max_rows)
    period = str(report.period)
    shown: list[MatrixRow] = []
    anchor: MatrixRow | None = None
    for row, level in zip(report.rows, levels, strict=True):
        if cut is not None and level > cut:
            if anchor is not None:
                anchor.hidden_below += 1
            continue
        cells: list[MatrixCell | None] = []
        for meeting_type in report.types:
            cell = row.cells.get(meeting_type)
            if cell is None:
                cells.append(None)
                continue
            query = urlencode({"org": row.pk, "exact": 1, "type": meeting_type, "period": period})
            cells.append(
                MatrixCell(
                    held=cell.held,
                    required=cell.required,
                    state=cell.state,
                    url=f"{list_url}?{query}",
                    detail=unit_breakdown(cell),
                )
            )
        anchor = MatrixRow(org=row, level=level, cells=cells)
        shown.append(anchor)
    return shown, (cut if len(shown) < len(report.rows) else None)


@dataclass(frozen=True)
class MonthShare:
    month: Period
    met: int
    total: int
    started: bool  # a month that has not begun has no verdict yet

    @property
    def share(self) -> float | None:
        return self.met / self.total if self.total and self.started else None

    @property
    def percent(self) -> str:
        return percent(self.share)


def monthly_branch_shares(report: ComplianceReport, today: datetime.date) -> list[MonthShare]:
    """For each month of the report's period, the 党支部 in the report that were compliant in that
    month, out of those that existed by its end: the same figures as a report of that month alone
    (a month's verdict on a 党支部 is its monthly units and its 党小组's; a quarterly or yearly
    rule is not judged in a month), read from the one report of the whole period. A 党支部 with
    no unit judged in a month (founded after it, dissolved before its end, or no monthly rule) is
    not counted in that month, as a report of the month alone would not count it."""
    step = Organization.steplen
    months = report.period.subperiods(PeriodKind.MONTH)
    indices = [m.index for m in months]
    # Per 党支部, per month (by its number): the verdicts of its monthly units and its groups'.
    states: dict[int, dict[int, list[str]]] = {}
    branch_of_path: dict[str, int] = {}
    for row in report.rows:
        if row.kind == OrgKind.BRANCH:
            branch_pk = row.pk
            branch_of_path[row.path] = row.pk
        elif row.kind == OrgKind.GROUP and row.path[:-step] in branch_of_path:
            branch_pk = branch_of_path[row.path[:-step]]  # a 党小组's units count for its 党支部
        else:
            continue
        per_month = states.get(branch_pk)
        if per_month is None:
            per_month = states[branch_pk] = {i: [] for i in indices}
        for cell in row.cells.values():
            for unit in cell.units:
                if unit.period.kind == PeriodKind.MONTH:
                    per_month[unit.period.index].append(unit.state)
    shares = []
    for month in months:
        met, total = 0, 0
        for per_month in states.values():
            state = combine_states(per_month[month.index])
            if state == NONE:
                continue
            total += 1
            met += state == MET
        shares.append(MonthShare(month=month, met=met, total=total, started=month.start <= today))
    return shares
