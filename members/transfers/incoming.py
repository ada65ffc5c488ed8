"""组织关系转接 from outside: the person's roster facts a letter carries, and the roster rules they must meet.

The facts are checked with the roster's own rules (members.roster.field_checks.check_member_record) when the
transfer is recorded (the service, the form and the API ask ``incoming_fact_errors``), not only when the
receiving side accepts it and the member is created.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from members.roster.choices import MemberType
from members.roster.field_checks import check_member_record

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
