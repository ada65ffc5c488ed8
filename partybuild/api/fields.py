"""Serializer fields every app's API may use; nothing here knows a domain.

``NamedChoiceField``: each choice set is one named OpenAPI enum component (``MeetingStatusEnum``,
``AttendanceStatusEnum``...), so that ``status`` on a meeting, an attendance row and an
organization, or ``state`` on a member and a compliance cell, do not collide in the schema.

``PeriodField`` and ``MonthField``: a period written as ``partybuild.periods.Period`` reads it
(``2026-10``, ``2026Q3``, ``2026``); the same parsing as the HTML forms' fields of the same names.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import TextChoices
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from partybuild.periods import Period, PeriodKind, PeriodKindError, without_day


class NamedChoiceField(serializers.ChoiceField):
    """A choice among ``choices`` (a TextChoices class), documented as the OpenAPI enum ``enum_name``."""

    def __init__(self, choices: type[TextChoices] | list[tuple[str, str]], *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        pairs = choices.choices if isinstance(choices, type) else choices
        super().__init__(choices=pairs, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    """Every ``NamedChoiceField`` becomes a reference to its one enum component."""

    target_class = NamedChoiceField
    match_subclasses = True

    def get_name(self) -> str:
        return self.target.enum_name

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        choices = self.target.choices
        schema = build_basic_type(OpenApiTypes.STR)
        schema["enum"] = list(choices)
        schema["description"] = "\n".join(f"* `{value}` - {label}" for value, label in choices.items())
        return schema


class PeriodField(serializers.CharField):
    """A ``Period``: ``2026-10`` (a month), ``2026Q3`` (a quarter) or ``2026`` (a year); with
    ``kind``, only periods of that kind. The error messages may use ``{value}`` (what was
    written) and ``{reason}`` (the period's own Chinese explanation, the default)."""

    default_error_messages = {"invalid_period": "{reason}", "wrong_kind": "{reason}"}

    def __init__(self, *, kind: PeriodKind | None = None, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Period:  # type: ignore[override]
        text = super().to_internal_value(data)
        try:
            return Period.parse(text, self.kind)
        except PeriodKindError as exc:
            self.fail("wrong_kind", value=text, reason=str(exc))
        except ValueError as exc:
            self.fail("invalid_period", value=text, reason=str(exc))
        raise AssertionError("unreachable: fail() raises")

    def to_representation(self, value: Any) -> str:
        return str(value)


class MonthField(PeriodField):
    """A month as its first day: ``2026-10`` in and out (a whole date ``2026-10-15`` is taken as
    its month)."""

    default_error_messages = {
        "invalid": "请填写有效的月份，如 2026-10。",
        "blank": "请填写有效的月份，如 2026-10。",
        "invalid_period": "请填写有效的月份，如 2026-10。",
        "wrong_kind": "请填写有效的月份，如 2026-10。",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(kind=PeriodKind.MONTH, **kwargs)

    def to_internal_value(self, data: Any) -> datetime.date:  # type: ignore[override]
        if isinstance(data, str):
            try:
                data = without_day(data)
            except ValueError:
                self.fail("invalid_period")
        return super().to_internal_value(data).start

    def to_representation(self, value: Any) -> str:
        return f"{value:%Y-%m}"
