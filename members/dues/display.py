"""The words and formats the 党费 pages and API share: how a member's dues are set (by income band,
as a flat amount, or by hand), the state of a member's month with its label, and an amount as an
input shows it. The year's table (year_presenters), the month's ledger (ledger_presenters), the dues
card (card_presenters) and the API (the *_serializers modules) all speak of dues in these terms.
"""

from __future__ import annotations

from decimal import Decimal

ZERO = Decimal("0.00")


# How a member's dues are set: by income band, as a flat amount within a range, or by hand.
BAND, FLAT, MANUAL = "band", "flat", "manual"


# The state of a member's month.
PAID, SHORT, UNPAID, UNASSESSED, NOT_JOINED, LEFT = "paid", "short", "unpaid", "unassessed", "not_joined", "left"


MOVED, ELSEWHERE = "moved", "elsewhere"


MONTH_STATE_LABELS = {
    PAID: "已交",
    SHORT: "少交",
    UNPAID: "未交",
    UNASSESSED: "未核定",
    NOT_JOINED: "尚未入党",
    LEFT: "已不在册",
    MOVED: "已转至其他支部",  # paid here that month, in another branch now
    ELSEWHERE: "在原支部交纳",  # in this branch now, that month paid to the branch they were in
}


def money(value: Decimal | None) -> str:
    """An amount as it is typed in an input: 4000.00 → "4000.00", None → ""."""
    return "" if value is None else f"{value:.2f}"
