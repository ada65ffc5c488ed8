"""add_months and add_years, the date arithmetic every app imports from partybuild.periods."""

from __future__ import annotations

import datetime

import pytest

from partybuild.periods import add_months, add_years

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2026, 11, 15), 3, D(2027, 2, 15)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 1, 10), -13, D(2024, 12, 10)),
        (D(2026, 6, 2), 0, D(2026, 6, 2)),
    ],
)
def test_add_months_moves_by_whole_months_and_clamps_the_day(day: D, months: int, expected: D) -> None:
    assert add_months(day, months) == expected


def test_add_months_past_the_calendar_clamps_to_its_ends() -> None:
    assert add_months(D(9999, 11, 30), 6) == D.max
    assert add_months(D(1, 2, 1), -2) == D.min


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (D(2024, 2, 29), 1, D(2025, 2, 28)),
        (D(2024, 2, 29), 4, D(2028, 2, 29)),
        (D(2026, 10, 1), -36, D(1990, 10, 1)),
    ],
)
def test_add_years_moves_by_whole_years_and_29_february_becomes_the_28th(day: D, years: int, expected: D) -> None:
    assert add_years(day, years) == expected


def test_add_years_past_the_calendar_clamps_to_its_ends() -> None:
    assert add_years(D(9998, 1, 1), 5) == D.max
    assert add_years(D(2, 1, 1), -5) == D.min
