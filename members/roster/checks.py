"""The roster's rules, in one place: Member.clean (forms, API, admin) and the bulk import judge
rows with the same function, so a file can never bring in what the form would refuse.

``check_member`` works on plain values and small organization references, so the import can
judge 200,000 rows without a query per row.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from members.roster.validators import id_number_birth_date, validate_id_number


@dataclass(frozen=True)
class OrgRef:
    pk: int
    kind: str
    path: str
    depth: int
    name: str = ""
    active: bool = True

    @classmethod
    def of(cls, org: Any) -> OrgRef:
        return cls(org.pk, org.kind, org.path, org.depth, org.name, org.status == "active")


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
    from members.roster.models import Member

    checks = []
    for name in _FIELD_CHECKED:
        field = Member._meta.get_field(name)
        choices = frozenset(str(value) for value, _ in field.flatchoices) if field.choices else None
        others = tuple(v for v in field.validators if not isinstance(v, MaxLengthValidator))
        checks.append((name, field, field.max_length, choices, field.blank, others))
    return tuple(checks)


def _field_errors(values: Mapping[str, Any]) -> dict[str, str]:
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


def check_member(
    values: Mapping[str, Any], *, branch: OrgRef | None, group: OrgRef | None, field_checks: bool = False
) -> dict[str, str]:
    """Errors by field name for a member with these values (empty when all is well)."""
    from members.roster.models import MemberType

    errors: dict[str, str] = _field_errors(values) if field_checks else {}
    number = values.get("id_number") or ""
    birth_date = values.get("birth_date")
    if field_checks and not values.get("name"):
        errors["name"] = "请填写姓名。"
    if not number:
        errors["id_number"] = "请填写公民身份号码。"
    else:
        try:
            validate_id_number(number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
        else:
            birth = id_number_birth_date(number)
            if birth_date and birth and birth != birth_date:
                errors["birth_date"] = f"出生日期与公民身份号码不符（号码中为{birth:%Y-%m-%d}）。"
            gender = values.get("gender")
            if field_checks and gender and gender != ("M" if int(number[16]) % 2 else "F"):
                errors["gender"] = "性别与公民身份号码不符。"
    joined_on, confirmed_on = values.get("joined_on"), values.get("confirmed_on")
    member_type = values.get("member_type")
    if field_checks and not joined_on:
        errors["joined_on"] = "请填写入党日期。"
    if member_type == MemberType.FULL and not confirmed_on:
        errors["confirmed_on"] = "正式党员必须填写转正日期。"
    if member_type == MemberType.PROBATIONARY and confirmed_on:
        errors["confirmed_on"] = "预备党员不应填写转正日期。"
    if confirmed_on and joined_on and confirmed_on <= joined_on:
        errors["confirmed_on"] = "转正日期必须晚于入党日期。"
    if joined_on and birth_date and joined_on < birth_date:
        errors["joined_on"] = "入党日期不能早于出生日期。"
    if branch is not None:
        if branch.kind != "branch":
            errors["branch"] = "所在党支部必须是党支部，不能是党委、党总支或党小组。"
        elif group is not None and (
            group.kind != "group" or not group.path.startswith(branch.path) or group.depth != branch.depth + 1
        ):
            errors["group"] = "所选党小组不属于该党支部。"
    elif field_checks:
        errors["branch"] = "请填写所在党支部。"
    return errors
