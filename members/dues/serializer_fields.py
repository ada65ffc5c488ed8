"""Fields and formats shared by the 党费 API's serializers (the *_serializers modules beside this one).

Money is a Decimal, written as a string with two decimals ("40.00"); a month is "2026-11"; a year
whose dues may be set runs from 2008 (the dues table in force since) to next year.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from branches.models import Organization
from members.dues.calculation import FIRST_YEAR
from members.dues.display import BAND, FLAT, MANUAL
from members.dues.models import PaymentMethod
from members.roster.choices import DuesCategory
from partybuild.api.fields import NamedChoiceField, PeriodField
from partybuild.periods import PeriodKind

KIND_LABELS = {BAND: "按月工资收入比例交纳", FLAT: "按定额交纳", MANUAL: "无标准，手工核定"}

# The bounds of a monthly amount typed into the API (a flat amount, an override, a payment).
AMOUNT_BOUNDS = {"max_digits": 8, "decimal_places": 2, "min_value": Decimal("0")}


def month_text(value: datetime.date | None) -> str | None:
    return None if value is None else f"{value:%Y-%m}"


def short_name(org: Organization) -> str:
    return org.short_name or org.name


def money_field(**kwargs: Any) -> serializers.DecimalField:
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 2)
    kwargs.setdefault("read_only", True)
    return serializers.DecimalField(**kwargs)


def dues_category_field(**kwargs: Any) -> serializers.ChoiceField:
    # A plain ChoiceField, always named ``dues_category``: drf-spectacular then names its enum
    # DuesCategoryEnum, the same component as the member's field (one choice set, one name).
    return serializers.ChoiceField(choices=DuesCategory.choices, **kwargs)


def dues_kind_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(list(KIND_LABELS.items()), enum_name="DuesKindEnum", **kwargs)


_METHODS_TEXT = "、".join(f"{value}（{label}）" for value, label in PaymentMethod.choices)


def payment_method_field(**kwargs: Any) -> NamedChoiceField:
    kwargs.setdefault("error_messages", {"invalid_choice": f"交纳方式“{{input}}”无效，应为 {_METHODS_TEXT}。"})
    return NamedChoiceField(PaymentMethod, enum_name="PaymentMethodEnum", **kwargs)


def dues_month_field(**kwargs: Any) -> PeriodField:
    """A month: ``2026-11``."""
    messages = {"invalid_period": "月份“{value}”无法识别：请写成 2026-11 这样的年月。", **kwargs.pop("error_messages", {})}
    return PeriodField(kind=PeriodKind.MONTH, error_messages=messages, **kwargs)


def _year_bounds_error(year: int) -> str | None:
    last = timezone.localdate().year + 1
    if FIRST_YEAR <= year <= last:
        return None
    return f"年度应为{FIRST_YEAR}年至{last}年之间的年份。"


class DuesYearField(serializers.IntegerField):
    """A year whose dues may be set: from 2008 (the dues table in force since) to next year."""

    default_error_messages = {"invalid": "年度应为整数，如 2026。", "required": "请填写年度。", "null": "请填写年度。"}

    def to_internal_value(self, data: Any) -> int:
        year = super().to_internal_value(data)
        error = _year_bounds_error(year)
        if error:
            raise serializers.ValidationError(error)
        return year
