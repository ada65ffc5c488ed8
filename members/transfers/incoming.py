"""组织关系转接 from outside: the person's roster facts a letter carries, and the roster rules they must meet.

The facts are checked with the roster's own rules (members.roster.field_checks.check_member_record) when the
transfer is recorded (the service, the form and the API ask ``incoming_fact_errors``), not only when the
receiving side accepts it and the member is created. A number already in the portal is refused
(``incoming_refusal``), unless its holder left by a 转出系统外: that member comes back
(``returning_member``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from members.roster.choices import ON_ROSTER_STATES, MemberState, MemberType
from members.roster.field_checks import check_member_record
from members.roster.models import Member

# Roster facts a transfer from outside carries, as the roster form takes them.
INCOMING_FIELDS = (
    "name",
    "gender",
    "id_number",
    "birth_date",
    "ethnicity",
    "education",
    "phone",
    "member_type",
    "joined_on",
    "confirmed_on",
    "work_unit_position",
)

INCOMING_LABELS = {
    "name": "姓名",
    "id_number": "公民身份号码",
    "gender": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "joined_on": "入党日期",
    "confirmed_on": "转正日期",
    "member_type": "人员类别",
    "education": "学历",
    "phone": "手机号码",
    "work_unit_position": "工作单位及职务",
}


def incoming_fact_errors(facts: Mapping[str, Any]) -> dict[str, str]:
    """Errors by fact name for the person a letter from outside brings in, by the roster's rules
    (required facts, ID number checksum and birth date, 性别, 人员类别 and 转正日期, phone format).
    A 人员类别 left empty is 正式党员, as the member will be created."""
    values = {k: v for k, v in facts.items() if k in INCOMING_LABELS and v not in (None, "")}
    values.setdefault("member_type", MemberType.FULL)
    values.setdefault("name", "")
    values.setdefault("joined_on", None)
    errors = check_member_record(values, branch=None, group=None)
    errors.pop("branch", None)  # the receiving 党支部 is a field of the transfer, checked there
    errors.pop("group", None)
    return errors


def returning_member(id_number: str) -> Member | None:
    """The member who left the portal by a 转出系统外 (state 已转出) with this 公民身份号码: a
    从系统外转入 of the same number brings them back."""
    if not id_number:
        return None
    return Member.objects.filter(id_number=id_number, state=MemberState.TRANSFERRED_OUT).first()


def incoming_refusal(member: Member) -> str:
    """Why a letter from outside cannot bring in the holder of a number already in the portal."""
    if member.state in ON_ROSTER_STATES:
        return "该公民身份号码已在花名册中，请使用系统内转接。"
    return f"该公民身份号码的党员已{MemberState(member.state).label.removeprefix('已')}，不能办理转入。"
