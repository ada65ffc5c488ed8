"""partybuild.api.fields: the period and month fields every API reads periods with."""

from __future__ import annotations

import datetime

import pytest
from rest_framework import serializers

from partybuild.api.fields import MonthField, NamedChoiceField, PeriodField
from partybuild.periods import Period, PeriodKind


class _Query(serializers.Serializer):
    period = PeriodField(required=False)
    month = PeriodField(required=False, kind=PeriodKind.MONTH, error_messages={"invalid_period": "月份“{value}”无法识别。"})
    paid_to = MonthField(required=False, allow_null=True)


def _errors(**data: object) -> dict[str, list[str]]:
    serializer = _Query(data=data)
    assert not serializer.is_valid()
    return {k: [str(m) for m in v] for k, v in serializer.errors.items()}


def test_a_period_of_any_kind_is_read() -> None:
    serializer = _Query(data={"period": " 2026Q3 ", "month": "2026-11", "paid_to": "2026-10"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {
        "period": Period.quarter(2026, 3),
        "month": Period.month(2026, 11),
        "paid_to": datetime.date(2026, 10, 1),
    }


def test_an_unreadable_period_says_why_in_the_periods_own_words() -> None:
    assert _errors(period="2026Q5") == {"period": ["无法识别的期间“2026Q5”：请写成 2026-10（月）、2026Q3（季度）或 2026（年）。"]}


def test_a_field_may_say_it_in_its_own_words() -> None:
    assert _errors(month="2026-1x") == {"month": ["月份“2026-1x”无法识别。"]}


def test_a_period_of_another_kind_is_refused() -> None:
    assert _errors(month="2026Q3") == {"month": ["“2026Q3”不是月份：请写成 2026-11 这样的年月。"]}


def test_a_month_field_takes_a_whole_date_as_its_month_and_writes_the_month() -> None:
    serializer = _Query(data={"paid_to": "2026-10-15"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["paid_to"] == datetime.date(2026, 10, 1)
    assert MonthField().to_representation(datetime.date(2026, 10, 1)) == "2026-10"


@pytest.mark.parametrize("written", ["2026-13", "2026-02-30", "", "2026", "2026Q3", "十月"])
def test_a_month_field_refuses_anything_else_with_one_message(written: str) -> None:
    assert _errors(paid_to=written) == {"paid_to": ["请填写有效的月份，如 2026-10。"]}


def test_a_named_choice_field_keeps_its_enum_name() -> None:
    field = NamedChoiceField([("a", "甲"), ("b", "乙")], enum_name="LetterEnum")
    assert (field.enum_name, list(field.choices)) == ("LetterEnum", ["a", "b"])
