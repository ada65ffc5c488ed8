"""Django's own checks on Member's fields (max length, choices, blank, validators such as the phone
format), fast enough for the import, and ``check_member_record``: those checks and the roster's rules
(``members.roster.checks``) on a whole record, as the bulk import and a transfer in judge it."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from members.roster.checks import OrgRef, check_member
from members.roster.models import Member

# Field-level checks (max length, choices, validators such as the phone format) run for these
# fields when they are present in the values.
_FIELD_CHECKED = (
    "name",
    "gender",
    "ethnicity",
    "native_place",
    "education",
    "degree",
    "phone",
    "residence",
    "household_registration",
    "member_type",
    "dues_category",
    "work_unit_position",
    "job_post",
    "mobile_destination",
)


@functools.cache
def _field_checks() -> tuple[tuple[str, Any, int | None, frozenset[str] | None, bool, tuple[Any, ...]], ...]:
    """For each checked field: the field, its max length, its choices, whether it may be blank and
    its validators other than the max length (e.g. the phone format)."""
    checks = []
    for name in _FIELD_CHECKED:
        field = Member._meta.get_field(name)
        choices = frozenset(str(value) for value, _ in field.flatchoices) if field.choices else None
        others = tuple(v for v in field.validators if not isinstance(v, MaxLengthValidator))
        checks.append((name, field, field.max_length, choices, field.blank, others))
    return tuple(checks)


def field_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """Django's own field checks (max length, choices, blank, validators) with Django's messages.
    A value that plainly passes the length, choice and blank checks skips ``Field.clean`` (the
    import judges millions of cells); anything else goes through it for the exact message."""
    errors: dict[str, str] = {}
    for name, field, max_length, choices, blank, others in _field_checks():
        if name not in values:
            continue
        value = values[name]
        try:
            if isinstance(value, str) and (
                (value == "" and blank)
                or (value != "" and (choices is None or value in choices) and (max_length is None or len(value) <= max_length))
            ):
                if value != "":  # Django runs no validator on an empty value
                    for validator in others:
                        validator(value)
                continue
            field.clean(value, None)
        except ValidationError as exc:
            errors[name] = exc.messages[0]
    return errors


def check_member_record(values: Mapping[str, Any], *, branch: OrgRef | None, group: OrgRef | None) -> dict[str, str]:
    """Errors by field name for a whole record with these values: the field checks, then the roster's
    rules, whose message wins on a field both judge."""
    errors = field_errors(values)
    errors.update(check_member(values, branch=branch, group=group, whole_record=True))
    return errors
