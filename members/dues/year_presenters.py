"""The year's table of a 党支部 (年度党费核定), read in three queries whatever the number of members.

- ``year_sheet``: one row per member on the roster with the year's assessment, what to show in
  each input (as typed, else as set, else the table's default) and the amount the dues table
  gives for it. Three queries: members, assessments, the rules in force.
- ``year_changes``: which typed rows change what is set (only those are handed to the service).
- ``assess_arguments`` and ``place_refusal``: a typed row handed to ``services.dues_assess``, and
  its refusal put back on the row's inputs.

Base incomes are the managers' to see: the views decide who sees a sheet's income.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from branches.models import Organization
from members.dues.calculation import monthly_dues, rules_in_force
from members.dues.display import BAND, FLAT, MANUAL, ZERO, money
from members.dues.forms import YearRowInput
from members.dues.models import DuesAssessment, DuesRule
from members.roster.choices import DuesCategory
from members.roster.models import Member


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
