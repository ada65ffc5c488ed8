"""Field validators of the organization records (kept importable by path: migrations name them)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from partybuild.periods import add_years

# The founding of the Party: no organization, term or approval predates it.
EARLIEST_ORG_DATE = datetime.date(1921, 7, 1)
# How far ahead a planned date (a term start, an approved extension) may reasonably lie.
LATEST_ORG_DATE_YEARS_AHEAD = 10


def latest_org_date(today: datetime.date | None = None) -> datetime.date:
    return add_years(today or timezone.localdate(), LATEST_ORG_DATE_YEARS_AHEAD)


def validate_org_date(value: datetime.date | None) -> None:
    """A date on an organization record: from 1921-07-01 to ten years from today."""
    if value is None:
        return
    if value < EARLIEST_ORG_DATE:
        raise ValidationError(f"日期不能早于{EARLIEST_ORG_DATE:%Y-%m-%d}。", code="too_early")
    latest = latest_org_date()
    if value > latest:
        raise ValidationError(f"日期不能晚于{latest:%Y-%m-%d}（今天起10年内）。", code="too_late")
