"""What the 党费 pages show: the year's table of a 党支部, the month's ledger, and the dues card of
a member's record, read in a fixed number of queries whatever the number of members.

- ``year_sheet``: one row per member on the roster with the year's assessment, what to show in
  each input (as typed, else as set, else the table's default) and the amount the dues table
  gives for it. Three queries: members, assessments, the rules in force.
- ``year_changes``: which typed rows change what is set (only those are handed to the service).
- ``month_ledger``: one row per member on the roster with the year's assessment and the month's
  payment, the totals 应交合计 / 实交合计 / 未交人数. Three queries: members, assessments, payments.
- ``member_dues_card``: this year's amount, 党费交至, the last 12 months. Two queries.

Base incomes are the managers' to see: the views decide who sees a sheet or a card's income.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from branches.models import Organization
from members.dues.calculation import monthly_dues, paid_up_to_by_member, paid_up_to_of, rules_in_force, with_paid_up_to
from members.dues.forms import YearRowInput
from members.dues.models import DuesAssessment, DuesPayment, DuesRule, PaymentMethod
from members.roster.models import ON_ROSTER_STATES, DuesCategory, Member
from members.transfers.models import Transfer
from partybuild.periods import Period, PeriodKind

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


def _kind_of(category: str, rules: Mapping[str, list[DuesRule]]) -> str:
    lines = rules.get(category)
    if not lines:
        return MANUAL
    return FLAT if lines[0].rate is None else BAND


@dataclass
class YearRow:
    """One member's line of the year's table."""

    member: Member
    assessment: DuesAssessment | None
    kind: str
    flat_min: Decimal | None
    flat_max: Decimal | None
    income: str  # what the inputs show
    flat: str
    amount: str
    reason: str
    preview: str  # what the table gives for the income or flat amount shown ("" when it cannot)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def category_label(self) -> str:
        return DuesCategory(self.member.dues_category).label

    @property
    def stale(self) -> bool:
        """Set under another 党费类别 than the member's today: to be set again."""
        return self.assessment is not None and self.assessment.category != self.member.dues_category

    @property
    def has_override(self) -> bool:
        a = self.assessment
        return a is not None and a.amount != a.computed_amount

    @property
    def other_errors(self) -> list[str]:
        """Errors that no input of the row answers (e.g. the member has left the roster)."""
        fields = {"base_income", "flat", "amount", "reason"}
        return [m for name, messages in self.errors.items() if name not in fields for m in messages]


@dataclass
class YearSheet:
    org: Organization
    year: int
    rows: list[YearRow]
    rules: dict[str, list[DuesRule]]

    @property
    def assessed(self) -> int:
        return sum(1 for r in self.rows if r.assessment is not None and not r.stale)

    @property
    def missing(self) -> int:
        return len(self.rows) - self.assessed

    @property
    def monthly_total(self) -> Decimal:
        return sum((r.assessment.amount for r in self.rows if r.assessment is not None), ZERO)


def dues_preview(category: str, income: str, flat: str, year: int, rules: Mapping[str, list[DuesRule]]) -> str:
    """What the dues table gives for an income or a flat amount as typed (thousands commas allowed),
    "" when it cannot: the year's table shows it on the page and as it is typed (views.dues_year_preview)."""
    income, flat = income.strip().replace(",", ""), flat.strip().replace(",", "")
    try:
        base = Decimal(income) if income else None
        chosen = Decimal(flat) if flat else None
        return money(monthly_dues(category, base, year=year, flat=chosen, rules=dict(rules)).amount)
    except (ValidationError, ArithmeticError, ValueError):
        return ""


def year_sheet(
    org: Organization,
    members: QuerySet[Member],
    year: int,
    *,
    typed: Mapping[int, YearRowInput] | None = None,
    errors: Mapping[int, dict[str, list[str]]] | None = None,
) -> YearSheet:
    """The year's table for the members given (the branch's roster). Inputs show what was typed
    (``typed``, a submitted form), else what is set, else the table's default."""
    people = list(members.order_by("name", "pk"))
    assessments = {a.member_id: a for a in DuesAssessment.objects.filter(member_id__in=[m.pk for m in people], year=year)}
    rules = rules_in_force(datetime.date(year, 1, 1))
    typed = typed or {}
    errors = errors or {}
    rows = []
    for member in people:
        a = assessments.get(member.pk)
        kind = _kind_of(member.dues_category, rules)
        lines = rules.get(member.dues_category) or []
        flat_rule = lines[0] if kind == FLAT else None
        given = typed.get(member.pk)
        if given is not None:
            income, flat, amount, reason = (given.raw[k] for k in ("income", "flat", "amount", "reason"))
        else:
            same_kind = a is not None and a.category == member.dues_category
            income = money(a.base_income) if same_kind and kind == BAND else ""
            if kind == FLAT:
                flat = money(a.computed_amount) if same_kind and a.computed_amount is not None else money(flat_rule.flat_amount)
            else:
                flat = ""
            amount = money(a.amount) if same_kind and a.amount != a.computed_amount else ""
            reason = ""
        rows.append(
            YearRow(
                member=member,
                assessment=a,
                kind=kind,
                flat_min=flat_rule.flat_min if flat_rule else None,
                flat_max=flat_rule.flat_max if flat_rule else None,
                income=income,
                flat=flat,
                amount=amount,
                reason=reason,
                preview=dues_preview(member.dues_category, income, flat, year, rules) if kind != MANUAL else "",
                errors=dict(errors.get(member.pk, {})),
            )
        )
    return YearSheet(org, year, rows, rules)


def _changes(row: YearRow, given: YearRowInput) -> bool:
    a = row.assessment
    if a is None:
        return given.filled
    if a.category != row.member.dues_category:
        # Set under the old category: set again when something is typed for the new one (a row
        # left empty is not a change, and does not stop the others being saved).
        return given.filled
    if row.kind == BAND and given.base_income != a.base_income:
        return True
    if row.kind == FLAT and given.flat is not None and given.flat != a.computed_amount:
        return True
    override = a.amount if a.amount != a.computed_amount else None
    return given.amount != override


def year_changes(sheet: YearSheet, typed: Mapping[int, YearRowInput]) -> list[tuple[YearRow, YearRowInput]]:
    """The rows whose typed values would change what is set, with what was typed."""
    return [(row, typed[row.member.pk]) for row in sheet.rows if row.member.pk in typed and _changes(row, typed[row.member.pk])]


def assess_arguments(row: YearRow, given: YearRowInput) -> dict[str, Any]:
    """What ``services.dues_assess`` takes for a row: the income for a band category, the flat
    amount for a flat one, and the override with its reason."""
    return {
        "base_income": given.base_income if row.kind == BAND else None,
        "flat": given.flat if row.kind == FLAT else None,
        "amount": given.amount,
        "reason": given.reason,
    }


def place_refusal(row: YearRow, given: YearRowInput, refusal: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """A refusal of ``services.dues_assess`` put on the row's inputs: for a flat category typed
    without an override, the table's range is about the flat amount, not the override."""
    placed = {name: list(messages) for name, messages in refusal.items()}
    if row.kind == FLAT and given.amount is None and "amount" in placed:
        placed["flat"] = placed.pop("amount") + placed.get("flat", [])
    return placed


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


def _joined_after(member: Member, month: Period) -> bool:
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
        elif _joined_after(member, month):
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
        elif a is None or _joined_after(member, m):
            state, due = "none", None
        else:
            state, due = ("current" if m == this_month else UNPAID), a.amount
        rows.append(CardMonth(m, due, p, state))
    return DuesCard(today.year, by_year.get(today.year), paid_up_to, rows)
