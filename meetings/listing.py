"""The meeting list and its Excel twin: which meetings a filter selects, and what each row shows.

The list is also where the compliance matrix drills down to, so the filter "held, counted as type
T, in period P, organization O (exactly, or its subtree)" selects exactly the meetings
``selectors.held_by_month`` counted for that cell: status 已召开, a ``MeetingCredit`` of type T, the
local date ``held_on`` within P.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from branches.models import Organization
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingCredit, MeetingStatus, MeetingType
from meetings.selectors import in_period_q, visible_meetings
from partybuild.accounts.models import User
from partybuild.periods import Period
from partybuild.xlsx import SheetWriter

# The status filter. The list is the book of meetings held, so "held" is what it shows unless
# asked otherwise: the same meetings the compliance matrix counts.
STATUS_ALL = "all"
STATUS_DEFAULT = MeetingStatus.HELD.value
STATUS_CHOICES: list[tuple[str, str]] = [
    (MeetingStatus.HELD.value, "已召开"),
    (MeetingStatus.PLANNED.value, "计划"),
    (MeetingStatus.CANCELLED.value, "已取消"),
    (STATUS_ALL, "全部状态"),
]

# sort key → order_by (ascending); a trailing pk keeps pages stable.
SORTS: dict[str, tuple[str, ...]] = {
    "date": ("moment", "pk"),
    "org": ("organization__path", "moment", "pk"),
}
DEFAULT_SORT = "-date"

_TYPE_LABELS: dict[str, str] = dict(MeetingType.choices)
_TYPE_ORDER = {t: i for i, t in enumerate(MeetingType.values)}
_STATUS_LABELS: dict[str, str] = dict(MeetingStatus.choices)


@dataclass
class MeetingFilters:
    org: Organization | None = None
    exact: bool = False  # the organization itself, not its subtree
    meeting_type: str = ""  # a counted type (the meeting's own or one it also counts for)
    status: str = STATUS_DEFAULT
    period: Period | None = None
    q: str = ""
    sort: str = DEFAULT_SORT


def meeting_list_queryset(user: User, filters: MeetingFilters) -> QuerySet[Meeting]:
    """The meetings the user may see, filtered and sorted, with the organization joined in."""
    qs = visible_meetings(user).select_related("organization").annotate(moment=Coalesce("held_at", "planned_at"))
    if filters.status != STATUS_ALL:
        qs = qs.filter(status=filters.status)
    if filters.org is not None:
        if filters.exact:
            qs = qs.filter(organization=filters.org)
        else:
            qs = qs.filter(organization__path__startswith=filters.org.path)
    if filters.meeting_type:
        credited = MeetingCredit.objects.filter(meeting=OuterRef("pk"), meeting_type=filters.meeting_type)
        qs = qs.filter(Exists(credited))
    if filters.period is not None:
        if filters.status == MeetingStatus.HELD:
            qs = qs.filter(held_on__gte=filters.period.start, held_on__lte=filters.period.end)
        else:
            qs = qs.filter(in_period_q(filters.period))
    if filters.q:
        qs = qs.filter(topic__icontains=filters.q)
    key = filters.sort.lstrip("-")
    order = SORTS.get(key, SORTS["date"])
    if filters.sort.startswith("-"):
        return qs.order_by(*[F(f).desc(nulls_last=True) for f in order])
    return qs.order_by(*[F(f).asc(nulls_last=True) for f in order])


@dataclass
class RowFacts:
    """What a row shows beyond the meeting's own columns."""

    roll: int = 0
    present: int = 0
    leave: int = 0
    absent: int = 0
    also: tuple[str, ...] = ()  # the labels of the extra types it counts for


def _facts(own_types: dict[int, str]) -> dict[int, RowFacts]:
    """Attendance counts and extra counted types of the meetings (pk → own type): two queries."""
    facts = {pk: RowFacts() for pk in own_types}
    if not own_types:
        return facts
    ids = list(own_types)
    counts = Attendance.objects.filter(meeting_id__in=ids).values("meeting_id", "status").annotate(n=Count("id")).order_by()
    for row in counts:
        f = facts[row["meeting_id"]]
        f.roll += row["n"]
        if row["status"] == AttendanceStatus.PRESENT:
            f.present += row["n"]
        elif row["status"] == AttendanceStatus.LEAVE:
            f.leave += row["n"]
        elif row["status"] == AttendanceStatus.ABSENT:
            f.absent += row["n"]
    extras: dict[int, list[str]] = defaultdict(list)
    for meeting_id, meeting_type in MeetingCredit.objects.filter(meeting_id__in=ids).values_list("meeting_id", "meeting_type"):
        if meeting_type != own_types[meeting_id]:
            extras[meeting_id].append(meeting_type)
    for pk, types in extras.items():
        facts[pk].also = tuple(_TYPE_LABELS[t] for t in sorted(types, key=_TYPE_ORDER.__getitem__))
    return facts


def row_facts(meetings: Iterable[Meeting]) -> dict[int, RowFacts]:
    """What the rows of a page show beyond the meetings' columns: two queries."""
    return _facts({m.pk: m.meeting_type for m in meetings})


# --- the Excel export ----------------------------------------------------------------------------

EXPORT_HEADERS = (
    "序号",
    "党组织",
    "会议类型",
    "同时计为",
    "主题",
    "状态",
    "时间",
    "地点",
    "主持人",
    "记录人",
    "授课人",
    "应到",
    "出席",
    "请假",
    "缺席",
    "有表决事项",
    "会议决议",
    "取消原因",
)
EXPORT_WIDTHS = {1: 22, 2: 14, 3: 16, 4: 36, 6: 17, 7: 16, 16: 40, 17: 20}
EXPORT_CHUNK = 2000


def _export_chunk(rows: list[dict[str, Any]]) -> Iterator[list[Any]]:
    facts = _facts({r["pk"]: r["meeting_type"] for r in rows})
    for r in rows:
        f = facts[r["pk"]]
        moment = r["moment"]
        held = r["status"] == MeetingStatus.HELD
        yield [
            r["number"],
            r["organization__name"],
            _TYPE_LABELS.get(r["meeting_type"], r["meeting_type"]),
            "、".join(f.also),
            r["topic"],
            _STATUS_LABELS.get(r["status"], r["status"]),
            f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "",
            r["place"],
            r["host__name"] or "",
            r["recorder__name"] or "",
            r["lecturer__name"] or r["lecturer_name"] or "",
            f.roll if held else "",
            f.present if held else "",
            f.leave if held else "",
            f.absent if held else "",
            r["decides"],
            r["resolutions"],
            r["cancel_reason"],
        ]


EXPORT_FIELDS = (
    "pk",
    "organization__name",
    "meeting_type",
    "topic",
    "status",
    "moment",
    "place",
    "host__name",
    "recorder__name",
    "lecturer__name",
    "lecturer_name",
    "decides",
    "resolutions",
    "cancel_reason",
)


def export_rows(queryset: QuerySet[Meeting]) -> Iterator[list[Any]]:
    """The rows of the export, in the list's order, 2,000 meetings at a time: three queries per
    chunk (the meetings, their attendance counts, their extra types)."""
    chunk: list[dict[str, Any]] = []
    for number, row in enumerate(queryset.values(*EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK), start=1):
        row["number"] = number
        chunk.append(row)
        if len(chunk) == EXPORT_CHUNK:
            yield from _export_chunk(chunk)
            chunk = []
    if chunk:
        yield from _export_chunk(chunk)


def write_export(target: str | IO[bytes], queryset: QuerySet[Meeting]) -> int:
    """Write the meetings as an .xlsx (text cells a spreadsheet would run as formulas are
    neutralized by the writer). Returns the number of meetings."""
    writer = SheetWriter(target, sheet_name="会议记录")
    writer.header(EXPORT_HEADERS, widths=EXPORT_WIDTHS)
    count = 0
    for row in export_rows(queryset):
        writer.write(row)
        count += 1
    writer.close()
    return count
