"""partybuild.web.forms: the one form styling, the one service-errors helper, period inputs."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from branches.fields import OrgFilterSelect
from partybuild.periods import Period, PeriodKind
from partybuild.web.forms import (
    DateInput,
    MonthField,
    PeriodField,
    PortalForm,
    add_service_errors,
    bootstrap_class,
    read_period,
)


class _Form(PortalForm):
    name = forms.CharField(label="姓名", max_length=10)
    kind = forms.ChoiceField(label="类型", choices=[("a", "甲"), ("b", "乙")])
    agrees = forms.BooleanField(label="同意", required=False)
    status = forms.ChoiceField(label="状态", choices=[("x", "X")], widget=forms.RadioSelect, required=False)
    tags = forms.MultipleChoiceField(label="标签", choices=[("t", "T")], widget=forms.CheckboxSelectMultiple, required=False)
    on = forms.DateField(label="日期", required=False, widget=DateInput)
    org = forms.IntegerField(label="党组织", required=False, widget=OrgFilterSelect)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label="原因", required=False)
    fixed = forms.CharField(label="固定", required=False, disabled=True)


# --- styling ---------------------------------------------------------------------------------


def test_every_widget_gets_its_bootstrap_class_and_hidden_inputs_none() -> None:
    form = _Form()
    classes = {name: field.widget.attrs.get("class") for name, field in form.fields.items()}
    assert classes == {
        "name": "form-control",
        "kind": "form-select",
        "agrees": "form-check-input",
        "status": "form-check-input",
        "tags": "form-check-input",
        "on": "form-control",
        "org": "form-select",
        "sort": None,
        "reason": "form-control",
        "fixed": "form-control",
    }


def test_a_widget_may_name_its_own_class() -> None:
    assert bootstrap_class(OrgFilterSelect()) == "form-select"
    assert bootstrap_class(forms.Textarea()) == "form-control"


def test_a_field_with_an_error_is_drawn_is_invalid_and_the_others_not() -> None:
    form = _Form(data={"name": "", "kind": "a"})
    assert not form.is_valid()
    html = str(form["name"])
    assert 'class="form-control is-invalid"' in html
    assert "is-invalid" not in str(form["kind"])


def test_an_unbound_form_is_never_drawn_invalid() -> None:
    form = _Form(initial={"name": ""})
    assert "is-invalid" not in str(form["name"])


def test_a_date_input_is_a_date_picker_with_iso_dates() -> None:
    form = _Form(initial={"on": datetime.date(2026, 10, 1)})
    assert 'type="date"' in str(form["on"]) and 'value="2026-10-01"' in str(form["on"])


# --- a service's errors ----------------------------------------------------------------------


def _valid_form() -> _Form:
    form = _Form(data={"name": "张三", "kind": "a"})
    assert form.is_valid(), form.errors
    return form


def test_service_errors_land_next_to_their_fields_and_the_rest_above_the_form() -> None:
    form = _valid_form()
    missed = add_service_errors(
        form, ValidationError({"name": ["姓名重复。"], "branch": ["党支部已撤销。"], NON_FIELD_ERRORS: ["无法保存。"]})
    )
    assert form.errors["name"] == ["姓名重复。"]
    assert form.non_field_errors() == ["党支部已撤销。", "无法保存。"]
    assert missed == {"branch": ["党支部已撤销。"], NON_FIELD_ERRORS: ["无法保存。"]}
    assert 'class="form-control is-invalid"' in str(form["name"])


def test_a_service_error_without_fields_goes_above_the_form() -> None:
    form = _valid_form()
    assert add_service_errors(form, ValidationError("党组织已撤销。")) == {NON_FIELD_ERRORS: ["党组织已撤销。"]}
    assert form.non_field_errors() == ["党组织已撤销。"]


def test_rename_puts_a_services_key_on_the_forms_field() -> None:
    form = _valid_form()
    assert (
        add_service_errors(form, ValidationError({"cancel_reason": ["请填写原因。"]}), rename={"cancel_reason": "reason"}) == {}
    )
    assert form.errors["reason"] == ["请填写原因。"]


def test_set_aside_keys_are_returned_and_not_put_on_the_form() -> None:
    form = _valid_form()
    missed = add_service_errors(
        form, ValidationError({"attendance": ["请选择出勤。"], "name": ["太长。"]}), set_aside={"attendance"}
    )
    assert missed == {"attendance": ["请选择出勤。"]}
    assert form.non_field_errors() == [] and form.errors["name"] == ["太长。"]


def test_a_disabled_field_shows_no_error_the_form_does() -> None:
    form = _valid_form()
    add_service_errors(form, ValidationError({"fixed": ["不能修改。"]}))
    assert "fixed" not in form.errors and form.non_field_errors() == ["不能修改。"]


def test_a_form_may_move_errors_to_the_field_that_caused_them() -> None:
    class _Moving(_Form):
        def service_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
            return {("on" if key == "applied_on" else key): messages for key, messages in errors.items()}

    form = _Moving(data={"name": "张三", "kind": "a"})
    assert form.is_valid()
    add_service_errors(form, ValidationError({"applied_on": ["未满18周岁。"]}))
    assert form.errors["on"] == ["未满18周岁。"]


# --- periods ---------------------------------------------------------------------------------


class _Periods(forms.Form):
    period = PeriodField(required=False, max_length=20)
    month = PeriodField(required=False, kind=PeriodKind.MONTH)
    paid_to = MonthField(required=False)


def test_a_period_field_reads_a_period_of_any_kind() -> None:
    form = _Periods(data={"period": " 2026Q3 ", "month": "2026-11", "paid_to": "2026-10"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "period": Period.quarter(2026, 3),
        "month": Period.month(2026, 11),
        "paid_to": datetime.date(2026, 10, 1),
    }


def test_an_empty_period_is_none() -> None:
    form = _Periods(data={})
    assert form.is_valid() and form.cleaned_data == {"period": None, "month": None, "paid_to": None}


def test_an_unreadable_period_says_why_and_a_wrong_kind_says_which() -> None:
    form = _Periods(data={"period": "2026Q5", "month": "2026Q3"})
    assert not form.is_valid()
    assert form.errors == {
        "period": ["无法识别的期间“2026Q5”：请写成 2026-10（月）、2026Q3（季度）或 2026（年）。"],
        "month": ["“2026Q3”不是月份：请写成 2026-11 这样的年月。"],
    }


@pytest.mark.parametrize("written", ["2026-10-15", "2026-10"])
def test_a_month_field_takes_a_month_or_a_whole_date_as_its_first_day(written: str) -> None:
    form = _Periods(data={"paid_to": written})
    assert form.is_valid() and form.cleaned_data["paid_to"] == datetime.date(2026, 10, 1)


@pytest.mark.parametrize("written", ["2026-13", "2026-02-30", "2026Q3", "十月"])
def test_a_month_field_refuses_anything_else_with_one_message(written: str) -> None:
    form = _Periods(data={"paid_to": written})
    assert not form.is_valid() and form.errors == {"paid_to": ["请填写有效的月份，如 2026-10。"]}


def test_a_month_field_is_drawn_as_a_month_picker_with_its_month() -> None:
    html = str(_Periods(initial={"paid_to": datetime.date(2026, 9, 1)})["paid_to"])
    assert 'type="month"' in html and 'value="2026-09"' in html


def test_read_period_takes_a_written_period_or_falls_back_with_the_reason() -> None:
    default = Period.month(2026, 11)
    assert read_period("2026-10", default, kind=PeriodKind.MONTH) == (Period.month(2026, 10), "")
    assert read_period("", default) == (default, "")
    assert read_period(None, default) == (default, "")
    assert read_period("2026Q3", default, kind=PeriodKind.MONTH) == (
        default,
        "“2026Q3”不是月份：请写成 2026-11 这样的年月。已改为显示2026年11月。",
    )
    assert read_period("2026-1x", default) == (
        default,
        "无法识别的期间“2026-1x”：请写成 2026-10（月）、2026Q3（季度）或 2026（年）。已改为显示2026年11月。",
    )
    assert read_period("2026Q3", default) == (Period.quarter(2026, 3), "")
