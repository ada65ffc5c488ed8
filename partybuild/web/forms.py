"""Forms as every app's pages draw them: Bootstrap styling, a service's errors next to the fields
they name, and inputs that know no domain (dates, times, months, periods).

    class MeetingForm(PortalForm): ...            # every widget styled, ``is-invalid`` on errors

    try:
        meeting_record(actor=request.user, **form.record_kwargs())
    except ValidationError as exc:
        add_service_errors(form, exc, rename={"cancel_reason": "reason"})

Periods are read by ``partybuild.periods.Period``: ``PeriodField`` (``2026-10``, ``2026Q3``,
``2026``; ``kind=`` for one kind), ``MonthField`` (a month as its first day) and ``read_period``
(a period in a query string, or a default and the reason).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from partybuild.periods import Period, PeriodKind, PeriodKindError, without_day

# --- styling ---------------------------------------------------------------------------------

_CHECK_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


def bootstrap_class(widget: forms.Widget) -> str | None:
    """The Bootstrap class of a widget: ``form-check-input`` for checkboxes and radios,
    ``form-select`` for selects (and widgets that say ``bootstrap_class = "form-select"``),
    none for hidden inputs, ``form-control`` for the rest."""
    if isinstance(widget, forms.HiddenInput):
        return None
    if isinstance(widget, _CHECK_WIDGETS):
        return "form-check-input"
    own = getattr(widget, "bootstrap_class", None)
    if own:
        return str(own)
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


def style_fields(form: forms.Form) -> None:
    """Give every widget of ``form`` its Bootstrap class (a form may then change one, e.g. to the
    ``-sm`` size of a filter bar)."""
    for field in form.fields.values():
        css = bootstrap_class(field.widget)
        if css:
            field.widget.attrs["class"] = css


class BootstrapBoundField(forms.BoundField):
    """Adds Bootstrap's ``is-invalid`` to a widget whose field has errors (the message shows below
    it), whether the error came from cleaning or from a service."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        if self.form.is_bound and self.errors:
            base = attrs.get("class") or (widget or self.field.widget).attrs.get("class", "")
            attrs["class"] = f"{base} is-invalid".strip()
        return attrs


class PortalForm(forms.Form):
    """The base of every form of the portal's pages: Bootstrap classes on every widget, and
    ``is-invalid`` on a field with errors."""

    bound_field_class = BootstrapBoundField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


# --- a service's errors ----------------------------------------------------------------------


def add_service_errors(
    form: forms.Form,
    exc: ValidationError,
    *,
    rename: Mapping[str, str] | None = None,
    set_aside: Collection[str] = (),
) -> dict[str, list[str]]:
    """Put a service's ValidationError on ``form``: each message next to the field it names, the
    others above the form. Returns the messages that did not land on a field, by key
    (``__all__`` for those without one).

    - ``rename``: the service's key → the form's field (``{"cancel_reason": "reason"}``);
    - a form may define ``service_errors(errors) -> errors`` to move messages first (to the field
      that caused them);
    - keys in ``set_aside`` are not put on the form, only returned (a table shows them itself);
    - a disabled field shows no error: its messages go above the form.
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return {NON_FIELD_ERRORS: list(exc.messages)}
    errors: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        errors.setdefault((rename or {}).get(key, key), []).extend(messages)
    move = getattr(form, "service_errors", None)
    if callable(move):
        errors = move(errors)
    missed: dict[str, list[str]] = {}
    for name, messages in errors.items():
        if name in set_aside:
            missed.setdefault(name, []).extend(messages)
        elif name != NON_FIELD_ERRORS and name in form.fields and not form.fields[name].disabled:
            form.add_error(name, messages)
        else:
            form.add_error(None, messages)
            missed.setdefault(name, []).extend(messages)
    return missed


# --- inputs ----------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    """``<input type="date">``: the browser sends ``2026-10-01``."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    """``<input type="datetime-local">``; the value is read in the current time zone (Asia/Shanghai)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class SearchInput(forms.TextInput):
    input_type = "search"


class MonthInput(forms.TextInput):
    """``<input type="month">``: the browser sends ``2026-10``."""

    input_type = "month"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.date):
            return f"{value:%Y-%m}"
        return super().format_value(value)


class PeriodField(forms.CharField):
    """A ``Period``: ``2026-10`` (a month), ``2026Q3`` (a quarter) or ``2026`` (a year); with
    ``kind``, only periods of that kind. Empty is None. The ``invalid`` and ``wrong_kind``
    messages may use ``{value}`` (what was written) and ``{reason}`` (the period's own Chinese
    explanation, the default)."""

    default_error_messages = {"invalid": "{reason}", "wrong_kind": "{reason}"}

    def __init__(self, *, kind: PeriodKind | None = None, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Period | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        return self.parse(text)

    def parse(self, text: str) -> Period:
        try:
            return Period.parse(text, self.kind)
        except PeriodKindError as exc:
            code, reason = "wrong_kind", str(exc)
        except ValueError as exc:
            code, reason = "invalid", str(exc)
        raise ValidationError(self.error_messages[code].format(value=text, reason=reason), code=code)


class MonthField(PeriodField):
    """A month as its first day (a ``datetime.date``): ``2026-10``, or a whole date
    ``2026-10-15`` taken as its month. Drawn as ``<input type="month">``."""

    widget = MonthInput
    default_error_messages = {"invalid": "请填写有效的月份，如 2026-10。", "wrong_kind": "请填写有效的月份，如 2026-10。"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(kind=PeriodKind.MONTH, **kwargs)

    def clean(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        text = forms.CharField.clean(self, value)
        if not text:
            return None
        try:
            text = without_day(text)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return self.parse(text).start


def read_period(value: str | None, default: Period, *, kind: PeriodKind | None = None) -> tuple[Period, str]:
    """The period written in a query string (``?month=2026-11``), or ``default`` and a Chinese
    message saying why the written one was not used."""
    try:
        period = PeriodField(kind=kind, required=False).clean(value or "")
    except ValidationError as exc:
        return default, f"{exc.messages[0]}已改为显示{default.label}。"
    return (period or default), ""
