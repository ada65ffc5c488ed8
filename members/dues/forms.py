"""Forms of the 党费 pages. They read and normalize what was typed; members.dues.services decides and
writes.

Both pages are batch tables, like the meeting form's attendance table (meetings.roll): plain inputs
named by member, read here row by row, so that 40 or 300 rows cost no form rendering.

- 年度党费核定 (members:dues_year): ``income-<pk>`` (在职/离退休), ``flat-<pk>`` (flat categories),
  ``amount-<pk>`` (an override) and ``reason-<pk>``.
- 月度收缴 (members:dues_month): ``paid-<pk>`` (the 已交 checkbox: only ticked rows are recorded),
  ``amount-<pk>``, ``date-<pk>``, ``method-<pk>`` and ``by-<pk>`` (代交人).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from members.dues.models import PaymentMethod
from members.dues.services import DuesEntry

MONEY_ERRORS = {
    "invalid": "请填写金额，如 4000 或 4000.50。",
    "min_value": "金额不能为负数。",
    "max_digits": "金额过大，请检查。",
    "max_whole_digits": "金额过大，请检查。",
    "max_decimal_places": "金额最多保留两位小数（分）。",
}


_INCOME = forms.DecimalField(required=False, max_digits=10, decimal_places=2, min_value=0, error_messages=MONEY_ERRORS)


_AMOUNT = forms.DecimalField(required=False, max_digits=8, decimal_places=2, min_value=0, error_messages=MONEY_ERRORS)


_DATE = forms.DateField(
    required=False,
    input_formats=["%Y-%m-%d", "%Y/%m/%d"],
    error_messages={"invalid": "请填写有效的日期，如 2026-11-20。"},
)


REASON_MAX = 200


PAID_BY_MAX = 50


def _money(field: forms.DecimalField, raw: Any) -> Decimal | None:
    """A typed amount: full-width digits and thousands separators accepted; None when empty."""
    text = str(raw or "").strip().translate(str.maketrans("０１２３４５６７８９．，", "0123456789.,")).replace(",", "")
    value = field.clean(text)
    return value if value is None else Decimal(value)


def posted_member_ids(data: Mapping[str, Any], prefix: str) -> list[int]:
    """The member ids named by ``<prefix><pk>`` keys of the submitted form, in the order posted."""
    found = []
    for key in data:
        if key.startswith(prefix):
            try:
                found.append(int(key[len(prefix) :]))
            except ValueError:
                continue
    return found


@dataclass
class YearRowInput:
    """One member's row of the year's table, as typed (``raw``) and as read (the values)."""

    raw: dict[str, str]
    base_income: Decimal | None = None
    flat: Decimal | None = None
    amount: Decimal | None = None
    reason: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def filled(self) -> bool:
        """Anything typed that sets dues (a reason alone sets nothing)."""
        return any(v is not None for v in (self.base_income, self.flat, self.amount))


def read_year_row(data: Mapping[str, Any], pk: int) -> YearRowInput | None:
    """The row of member ``pk`` in the submitted year table; None when the form had no such row."""
    if f"income-{pk}" not in data and f"flat-{pk}" not in data and f"amount-{pk}" not in data:
        return None
    raw = {name: str(data.get(f"{name}-{pk}") or "").strip() for name in ("income", "flat", "amount", "reason")}
    row = YearRowInput(raw=raw, reason=raw["reason"][:REASON_MAX])
    for name, attr, money_field in (
        ("income", "base_income", _INCOME),
        ("flat", "flat", _AMOUNT),
        ("amount", "amount", _AMOUNT),
    ):
        try:
            setattr(row, attr, _money(money_field, raw[name]))
        except ValidationError as exc:
            row.errors.setdefault("base_income" if name == "income" else name, []).extend(exc.messages)
    return row


@dataclass
class MonthRowInput:
    """One ticked row of the month's table: the entry for the service, or why it cannot be read."""

    pk: int
    entry: DuesEntry | None
    errors: list[str]


def read_month_rows(data: Mapping[str, Any], names: Mapping[int, str]) -> list[MonthRowInput]:
    """Every ticked row (``paid-<pk>``) of the submitted month table. ``names`` names the members
    in messages. Which members may be recorded, and whether the dates and amounts are allowed, is
    the service's to say; this only reads what was typed."""
    rows = []
    for pk in posted_member_ids(data, "paid-"):
        name = names.get(pk, "")
        errors: list[str] = []
        amount: Decimal | None = None
        paid_on: datetime.date | None = None
        try:
            amount = _money(_AMOUNT, data.get(f"amount-{pk}"))
        except ValidationError as exc:
            errors.extend(f"实交金额：{m}" for m in exc.messages)
        else:
            if amount is None:
                errors.append("请填写实交金额。")
        try:
            paid_on = _DATE.clean(str(data.get(f"date-{pk}") or "").strip())
        except ValidationError as exc:
            errors.extend(f"交纳日期：{m}" for m in exc.messages)
        else:
            if paid_on is None:
                errors.append("请填写交纳日期。")
        method = str(data.get(f"method-{pk}") or "")
        if method not in PaymentMethod.values:
            errors.append("请选择交纳方式。")
        paid_by = str(data.get(f"by-{pk}") or "").strip()
        if len(paid_by) > PAID_BY_MAX:
            errors.append(f"代交人最多{PAID_BY_MAX}个字。")
        if errors or amount is None or paid_on is None:
            rows.append(MonthRowInput(pk, None, [f"{name}：{e}" if name else e for e in errors]))
        else:
            rows.append(MonthRowInput(pk, DuesEntry(amount, paid_on, method, paid_by), []))
    return rows


def month_entries(rows: Iterable[MonthRowInput]) -> dict[int, DuesEntry]:
    return {row.pk: row.entry for row in rows if row.entry is not None}
