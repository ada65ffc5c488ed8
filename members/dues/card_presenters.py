"""The dues card of a member's record: this year's amount, 党费交至, the last 12 months. Three
queries, or none when the record page hands over what it has read (see member_dues_card).

Base incomes are the managers' to see: the views decide who sees a card's income.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from members.dues.display import MONTH_STATE_LABELS, PAID, SHORT, UNPAID
from members.dues.ledger_presenters import joined_after
from members.dues.models import DuesAssessment, DuesPayment
from members.dues.selectors import paid_up_to_by_member, paid_up_to_of
from members.roster.models import Member
from members.transfers.models import Transfer
from partybuild.periods import Period, PeriodKind

CARD_MONTHS = 12


@dataclass
class CardMonth:
    month: Period
    due: Decimal | None
    payment: DuesPayment | None
    state: str  # PAID, SHORT, UNPAID, "current" (this month, not due yet) or "none" (nothing due)

    @property
    def state_label(self) -> str:
        return {"current": "本月待交", "none": "—"}.get(self.state) or MONTH_STATE_LABELS[self.state]


@dataclass
class DuesCard:
    year: int
    assessment: DuesAssessment | None
    paid_up_to: datetime.date | None
    months: list[CardMonth]  # newest first

    @property
    def income_text(self) -> str:
        """The base income as the basis writes it (4,000.00); only managers are shown it."""
        a = self.assessment
        return "" if a is None or a.base_income is None else f"{a.base_income:,.2f}"

    @property
    def months_with_record(self) -> int:
        return sum(1 for m in self.months if m.payment is not None)


def member_dues_card(
    member: Member,
    today: datetime.date,
    *,
    assessments: Sequence[DuesAssessment] | None = None,
    payments: Sequence[DuesPayment] | None = None,
    transfers: Sequence[Transfer] | None = None,
) -> DuesCard:
    """This year's monthly amount, 党费交至 (the last month paid in full, or a transfer letter's:
    members.dues.with_paid_up_to) and the last 12 months, newest first. Three queries, or none
    when the member's assessments, payments and transfers are given (the record page has them)."""
    this_month = Period.containing(PeriodKind.MONTH, today)
    months = [this_month]
    for _ in range(CARD_MONTHS - 1):
        months.append(months[-1].previous())
    years = {m.year for m in months}
    if assessments is None:
        assessments = list(DuesAssessment.objects.filter(member=member, year__in=years))
    by_year = {a.year: a for a in assessments if a.year in years}
    if payments is None or transfers is None:
        paid_up_to = paid_up_to_by_member([member.pk]).get(member.pk)
        if payments is None:
            payments = list(DuesPayment.objects.filter(member=member, month__gte=months[-1].start))
    else:
        paid_up_to = paid_up_to_of(payments, transfers)
    by_month = {p.month: p for p in payments if p.month >= months[-1].start}
    rows = []
    for m in months:
        p = by_month.get(m.start)
        a = by_year.get(m.year)
        if p is not None:
            state = PAID if p.amount_paid >= p.amount_due else SHORT
            due = p.amount_due
        elif a is None or joined_after(member, m):
            state, due = "none", None
        else:
            state, due = ("current" if m == this_month else UNPAID), a.amount
        rows.append(CardMonth(m, due, p, state))
    return DuesCard(today.year, by_year.get(today.year), paid_up_to, rows)
