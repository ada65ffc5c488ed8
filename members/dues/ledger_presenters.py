"""The month's ledger of a 党支部 (党费收缴登记): one row per member on the roster with the year's
assessment and the month's payment, the totals 应交合计 / 实交合计 / 未交人数. Three queries:
members, assessments, payments, whatever the number of members.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from branches.models import Organization
from members.dues.display import (
    ELSEWHERE,
    LEFT,
    MONTH_STATE_LABELS,
    MOVED,
    NOT_JOINED,
    PAID,
    SHORT,
    UNASSESSED,
    UNPAID,
    ZERO,
    money,
)
from members.dues.models import DuesAssessment, DuesPayment, PaymentMethod
from members.dues.selectors import with_paid_up_to
from members.roster.choices import ON_ROSTER_STATES
from members.roster.models import Member
from partybuild.periods import Period, PeriodKind


@dataclass
class LedgerRow:
    """One member's line of the month's ledger."""

    member: Member
    assessment: DuesAssessment | None
    payment: DuesPayment | None
    state: str
    amount: str  # what the inputs show
    paid_on: str
    method: str
    paid_by: str
    ticked: bool = False
    errors: list[str] = field(default_factory=list)
    paid_up_to: datetime.date | None = None  # 党费交至 (members.dues.with_paid_up_to)

    @property
    def due(self) -> Decimal | None:
        if self.state == ELSEWHERE:
            return None  # the other branch's to collect, and counted there
        if self.payment is not None:
            return self.payment.amount_due
        return self.assessment.amount if self.assessment is not None and self.state != NOT_JOINED else None

    @property
    def state_label(self) -> str:
        return MONTH_STATE_LABELS[self.state]

    @property
    def recordable(self) -> bool:
        """A row the ledger takes a payment for: on the roster, a member that month, dues set."""
        return self.state in (PAID, SHORT, UNPAID)


@dataclass
class Ledger:
    org: Organization
    month: Period
    rows: list[LedgerRow]

    @property
    def due_total(self) -> Decimal:
        return sum((r.due for r in self.rows if r.due is not None), ZERO)

    @property
    def paid_total(self) -> Decimal:
        return sum((r.payment.amount_paid for r in self.rows if r.payment is not None and r.state != ELSEWHERE), ZERO)

    @property
    def unpaid_count(self) -> int:
        return sum(1 for r in self.rows if r.state in (UNPAID, SHORT))

    @property
    def never_paid_count(self) -> int:
        """Rows with nothing recorded yet (what 全部已交 ticks)."""
        return sum(1 for r in self.rows if r.state == UNPAID)

    @property
    def paid_count(self) -> int:
        return sum(1 for r in self.rows if r.state == PAID)

    @property
    def unassessed(self) -> list[LedgerRow]:
        return [r for r in self.rows if r.state == UNASSESSED]

    @property
    def recordable_count(self) -> int:
        return sum(1 for r in self.rows if r.recordable)


def joined_after(member: Member, month: Period) -> bool:
    return (member.joined_on.year, member.joined_on.month) > (month.year, month.index)


def month_ledger(
    org: Organization,
    members: QuerySet[Member],
    month: Period,
    *,
    today: datetime.date,
    typed: Mapping[str, Any] | None = None,
    row_errors: Mapping[int, list[str]] | None = None,
) -> Ledger:
    """The month's ledger of the branch ``org``: the members given (its members) on the roster, and
    those who paid to it that month and have left it since (read only: left the roster, or moved to
    another branch). A member of it now who paid that month to the branch they were in then shows
    it, read only and outside the totals. Inputs show what was typed (``typed``, a submitted form),
    else what is recorded, else the due amount paid today in cash. Three queries."""
    assert month.kind == PeriodKind.MONTH
    paid_here = DuesPayment.objects.filter(month=month.start, branch=org).values("member_id")
    people = list(
        with_paid_up_to(
            Member.objects.filter(Q(pk__in=members.filter(state__in=ON_ROSTER_STATES).values("pk")) | Q(pk__in=paid_here))
        )
        .select_related("branch")
        .order_by("name", "pk")
    )
    ids = [m.pk for m in people]
    assessments = {a.member_id: a for a in DuesAssessment.objects.filter(member_id__in=ids, year=month.year)}
    payments = {p.member_id: p for p in DuesPayment.objects.filter(member_id__in=ids, month=month.start).select_related("branch")}
    typed = typed or {}
    row_errors = row_errors or {}
    rows = []
    for member in people:
        a = assessments.get(member.pk)
        p = payments.get(member.pk)
        if member.state not in ON_ROSTER_STATES:
            state = LEFT
        elif member.branch_id != org.pk:
            state = MOVED
        elif p is not None and p.branch_id != org.pk:
            state = ELSEWHERE
        elif p is not None:
            state = PAID if p.amount_paid >= p.amount_due else SHORT
        elif joined_after(member, month):
            state = NOT_JOINED
        elif a is None:
            state = UNASSESSED
        else:
            state = UNPAID
        pk = member.pk
        if f"amount-{pk}" in typed:
            amount, paid_on, method, paid_by = (
                str(typed.get(f"{name}-{pk}") or "").strip() for name in ("amount", "date", "method", "by")
            )
            ticked = f"paid-{pk}" in typed
        elif p is not None:
            amount, paid_on, method, paid_by, ticked = money(p.amount_paid), p.paid_on.isoformat(), p.method, p.paid_by, False
        else:
            due = a.amount if a is not None else None
            amount, paid_on, method, paid_by, ticked = money(due), today.isoformat(), PaymentMethod.CASH.value, "", False
        errors = list(row_errors.get(pk, []))
        rows.append(LedgerRow(member, a, p, state, amount, paid_on, method, paid_by, ticked, errors, member.paid_up_to))
    return Ledger(org, month, rows)
