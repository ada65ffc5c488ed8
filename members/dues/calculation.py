"""党费: the monthly amount a member owes, from the dues rules (members.dues.models.DuesRule), and
what follows from the payments: paid up to which month, and arrears.

The amount is set once a year from the rules in force on 1 January of that year and generally not
changed within it (DOMAIN.md); money is Decimal, rounded to the fen (ROUND_HALF_UP). In-service
and retired members pay a share of their monthly after-tax salary by band (a band's upper bound
is inclusive: 3,000.00 pays 0.5%, 3,000.01 pays 1%); farmers, students and the laid-off pay a
flat amount within a range. 其他 has no rule: its amount is set by hand, with a reason.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from members.dues.models import DuesRule
from members.roster.choices import DuesCategory

FEN = Decimal("0.01")
FIRST_YEAR = 2008  # the first year dues are set for: the dues table in force since 2008 (中组发〔2008〕3号)


@dataclass(frozen=True)
class DuesAmount:
    amount: Decimal
    rule: DuesRule
    basis: str  # how it was reached, as users read it: "月收入 4,000.00 元 × 1% = 40.00 元"


def rules_in_force(on: datetime.date) -> dict[str, list[DuesRule]]:
    """The rules in force on a day, by category (one query): for each category, the lines of its
    latest version not after ``on``."""
    latest: dict[str, datetime.date] = {}
    rows = list(DuesRule.objects.filter(effective_from__lte=on).order_by("category", "income_above"))
    for rule in rows:
        latest[rule.category] = max(latest.get(rule.category, rule.effective_from), rule.effective_from)
    result: dict[str, list[DuesRule]] = {}
    for rule in rows:
        if rule.effective_from == latest[rule.category]:
            result.setdefault(rule.category, []).append(rule)
    return result


def monthly_dues(
    category: str,
    base_income: Decimal | None,
    *,
    year: int,
    flat: Decimal | None = None,
    rules: dict[str, list[DuesRule]] | None = None,
) -> DuesAmount:
    """The monthly dues for ``year``; ValidationError with a Chinese message when the inputs do not
    allow it (no income for a band category, a flat amount outside its range, no rule)."""
    rules = rules if rules is not None else rules_in_force(datetime.date(year, 1, 1))
    lines = rules.get(category)
    label = DuesCategory(category).label
    if not lines:
        raise ValidationError({"amount": f"“{label}”类别没有党费标准，请直接填写每月党费金额并说明理由。"})
    if lines[0].rate is None:
        rule = lines[0]
        amount = rule.flat_amount if flat is None else flat
        low, high = rule.flat_min, rule.flat_max
        if amount is None or (low is not None and amount < low) or (high is not None and amount > high):
            raise ValidationError({"amount": f"{label}党员每月党费应在{low}元至{high}元之间。"})
        amount = amount.quantize(FEN, ROUND_HALF_UP)
        return DuesAmount(amount, rule, f"{label}党员每月定额 {amount} 元")
    if base_income is None or base_income <= 0:
        raise ValidationError({"base_income": f"{label}党员按月工资收入计算党费，请填写税后月工资收入。"})
    for rule in lines:
        if base_income > rule.income_above and (rule.income_up_to is None or base_income <= rule.income_up_to):
            assert rule.rate is not None
            amount = (base_income * rule.rate).quantize(FEN, ROUND_HALF_UP)
            percent = (rule.rate * 100).normalize()
            return DuesAmount(amount, rule, f"月收入 {base_income:,.2f} 元 × {percent}% = {amount} 元")
    raise ValidationError({"base_income": "该收入不在任何党费档次内，请检查党费标准。"})
