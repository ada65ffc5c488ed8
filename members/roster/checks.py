"""The roster's rules, in one place: Member.clean (forms, API, admin) and the bulk import judge
rows with the same function, so a file can never bring in what the form would refuse.

``check_member`` works on plain values and small organization references, so the import can
judge 200,000 rows without a query per row. It reads only the choices and the validators, so the
model can import it; Django's own field checks on Member's fields, which a whole record (an import
row, a transfer in) also gets, are in ``members.roster.field_checks``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from members.roster.choices import MemberType
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


def check_member(
    values: Mapping[str, Any], *, branch: OrgRef | None, group: OrgRef | None, whole_record: bool = False
) -> dict[str, str]:
    """Errors by field name for a member with these values (empty when all is well). A whole record
    (``whole_record``) must also name the member, the 入党日期 and the branch, and its gender must match
    the ID number; ``members.roster.field_checks.check_member_record`` adds the field checks to it."""
    errors: dict[str, str] = {}
    number = values.get("id_number") or ""
    birth_date = values.get("birth_date")
    if whole_record and not values.get("name"):
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
            if whole_record and gender and gender != ("M" if int(number[16]) % 2 else "F"):
                errors["gender"] = "性别与公民身份号码不符。"
    joined_on, confirmed_on = values.get("joined_on"), values.get("confirmed_on")
    member_type = values.get("member_type")
    if whole_record and not joined_on:
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
    elif whole_record:
        errors["branch"] = "请填写所在党支部。"
    return errors
