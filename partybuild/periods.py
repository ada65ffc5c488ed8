"""Month, quarter and year as one small value type, used wherever a period appears.

    Period.parse("2026-10")   # 2026年10月
    Period.parse("2026Q3")    # 2026年第3季度 (also "2026-Q3", "2026q3")
    Period.parse("2026")      # 2026年

A period knows its first and last day, the one before and after, whether it contains a date, and
the smaller periods it is made of. Dates are local (Asia/Shanghai) dates: a moment is placed in a
period by its local date (``Period.containing(kind, timezone.localdate(moment))``).

``add_months`` and ``add_years`` move a date by whole months or years (the day clamped to the
month's last), for terms, probations and ages.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def label(self) -> str:
        return {"month": "月", "quarter": "季度", "year": "年"}[self.value]

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.value]


_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})-?[Qq]([1-4])$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
)


_WRONG_KIND = {
    PeriodKind.MONTH: "“{value}”不是月份：请写成 2026-11 这样的年月。",
    PeriodKind.QUARTER: "“{value}”不是季度：请写成 2026Q3 这样的季度。",
    PeriodKind.YEAR: "“{value}”不是年份：请写成 2026 这样的年份。",
}


class PeriodKindError(ValueError):
    """A valid period, but not of the kind asked for (a quarter where a month is wanted)."""


@dataclass(frozen=True, order=True)
class Period:
    """One month, quarter or year. ``index`` is the month (1-12), the quarter (1-4) or 1."""

    year: int
    kind: PeriodKind
    index: int = 1

    MIN_YEAR: ClassVar[int] = 1900
    MAX_YEAR: ClassVar[int] = 2999

    def __post_init__(self) -> None:
        if not isinstance(self.kind, PeriodKind):
            object.__setattr__(self, "kind", PeriodKind(self.kind))
        upper = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 1}[self.kind]
        if not (self.MIN_YEAR <= self.year <= self.MAX_YEAR) or not (1 <= self.index <= upper):
            raise ValueError(f"not a valid period: {self.year} {self.kind} {self.index}")

    # --- making ---------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str, kind: PeriodKind | str | None = None) -> Period:
        """``2026-10``, ``2026Q3`` or ``2026``; ValueError with a Chinese message otherwise.
        With ``kind``, a period of another kind raises PeriodKindError (a ValueError)."""
        value = (text or "").strip()
        for pattern, found in _PATTERNS:
            match = pattern.match(value)
            if match:
                year = int(match.group(1))
                index = int(match.group(2)) if found != PeriodKind.YEAR else 1
                try:
                    period = cls(year, found, index)
                except ValueError:
                    break
                if kind is not None and period.kind != PeriodKind(kind):
                    raise PeriodKindError(_WRONG_KIND[PeriodKind(kind)].format(value=value))
                return period
        raise ValueError(f"无法识别的期间“{value}”：请写成 2026-10（月）、2026Q3（季度）或 2026（年）。")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(year, PeriodKind.MONTH, month)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        return cls(year, PeriodKind.QUARTER, quarter)

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls(year, PeriodKind.YEAR, 1)

    @classmethod
    def containing(cls, kind: PeriodKind | str, day: datetime.date) -> Period:
        kind = PeriodKind(kind)
        if kind == PeriodKind.MONTH:
            return cls(day.year, kind, day.month)
        if kind == PeriodKind.QUARTER:
            return cls(day.year, kind, (day.month - 1) // 3 + 1)
        return cls(day.year, kind, 1)

    # --- reading --------------------------------------------------------------------------
    @property
    def first_month(self) -> int:
        return {PeriodKind.MONTH: self.index, PeriodKind.QUARTER: 3 * self.index - 2, PeriodKind.YEAR: 1}[self.kind]

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.first_month, 1)

    @property
    def end(self) -> datetime.date:
        """The last day (inclusive)."""
        last_month = self.first_month + self.kind.months - 1
        return datetime.date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def next(self) -> Period:
        return self._shift(1)

    def previous(self) -> Period:
        return self._shift(-1)

    def _shift(self, steps: int) -> Period:
        if self.kind == PeriodKind.YEAR:
            return Period(self.year + steps, self.kind, 1)
        per_year = 12 if self.kind == PeriodKind.MONTH else 4
        position = self.year * per_year + (self.index - 1) + steps
        return Period(position // per_year, self.kind, position % per_year + 1)

    def subperiods(self, kind: PeriodKind | str) -> list[Period]:
        """The periods of ``kind`` that make up this one (a quarter's months, a year's quarters).
        Empty when ``kind`` is longer than this period."""
        kind = PeriodKind(kind)
        if kind.months > self.kind.months:
            return []
        first = self.first_month
        return [
            Period.containing(kind, datetime.date(self.year, m, 1)) for m in range(first, first + self.kind.months, kind.months)
        ]

    def __iter__(self) -> Iterator[datetime.date]:
        day = self.start
        while day <= self.end:
            yield day
            day += datetime.timedelta(days=1)

    # --- showing --------------------------------------------------------------------------
    def __str__(self) -> str:
        """The period as it is written in a URL or a form: 2026-10, 2026Q3, 2026."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}Q{self.index}"
        return f"{self.year}"

    @property
    def label(self) -> str:
        """The period as users read it: 2026年10月, 2026年第3季度, 2026年."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}年{self.index}月"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}年第{self.index}季度"
        return f"{self.year}年"


def add_years(day: datetime.date, years: int) -> datetime.date:
    """``day`` moved by whole years (29 February becomes the 28th). Beyond the calendar's range
    (years 1..9999) the result is clamped to ``date.min``/``date.max`` instead of raising."""
    year = day.year + years
    if year > datetime.MAXYEAR:
        return datetime.date.max
    if year < datetime.MINYEAR:
        return datetime.date.min
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by whole months (the day clamped to the month's last); clamped like add_years."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    if year > datetime.MAXYEAR:
        return datetime.date.max
    if year < datetime.MINYEAR:
        return datetime.date.min
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last))


_WHOLE_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def without_day(text: str) -> str:
    """A whole date ``2026-10-15`` as its month ``2026-10`` (ValueError when there is no such
    day); any other text unchanged. For month inputs that also take a date."""
    match = _WHOLE_DATE.match(text.strip())
    if not match:
        return text
    day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
    return f"{match[1]}-{day.month}"
