"""The roster export: any filtered member list as an xlsx with the import's own headers, so the
file goes back in unchanged (round trip). ID numbers are masked for members the user does not
manage; formula-like text is neutralized by the writer."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import IO, Any

from django.db.models import QuerySet

from members.imports.columns import COLUMNS
from members.imports.xlsx import write_rows
from members.roster.choices import Degree, DuesCategory, Education, Gender, MemberState, MemberType
from members.roster.validators import mask_id_number
from partybuild.accounts.access import scope_for
from partybuild.accounts.models import User

EXPORT_FIELDS = [
    "name",
    "gender",
    "id_number",
    "ethnicity",
    "birth_date",
    "education",
    "member_type",
    "degree",
    "branch__name",
    "branch__path",
    "phone",
    "joined_on",
    "confirmed_on",
    "job_post",
    "residence",
    "household_registration",
    "state",
    "group__name",
    "native_place",
    "work_unit_position",
    "work_started_on",
    "is_leader",
    "dues_category",
    "mobile_destination",
    "lost_on",
]
_LABELS = {
    "gender": dict(Gender.choices),
    "education": dict(Education.choices),
    "member_type": dict(MemberType.choices),
    "degree": {**dict(Degree.choices), "": ""},
    "dues_category": dict(DuesCategory.choices),
}


def _standing(confirmed: datetime.date | None, today: datetime.date) -> int | str:
    if not confirmed:
        return ""
    return max(0, today.year - confirmed.year - ((today.month, today.day) < (confirmed.month, confirmed.day)))


def export_values(row: Mapping[str, Any], *, number: int | str, today: datetime.date, show_id_number: bool) -> dict[str, Any]:
    """One member's cells, by header, from a mapping with the keys of ``EXPORT_FIELDS`` (a
    ``values()`` row, or the same built from an instance). The portal export and the
    django-import-export resource both write their cells with this."""
    return {
        "序号": number,
        "姓名": row["name"],
        "性别": _LABELS["gender"].get(row["gender"], ""),
        "公民身份号码": row["id_number"] if show_id_number else mask_id_number(row["id_number"]),
        "民族": row["ethnicity"],
        "出生日期": row["birth_date"],
        "学历": _LABELS["education"].get(row["education"], ""),
        "人员类别": _LABELS["member_type"].get(row["member_type"], ""),
        "学位": _LABELS["degree"].get(row["degree"], ""),
        "所在党支部": row["branch__name"],
        "手机号码": row["phone"],
        "入党日期": row["joined_on"],
        "转正日期": row["confirmed_on"],
        "党龄": _standing(row["confirmed_on"], today),
        "工作岗位": row["job_post"],
        "现居住地": row["residence"],
        "户籍所在地": row["household_registration"],
        "是否失联党员": "是" if row["state"] == MemberState.LOST else "否",
        "是否流动党员": "是" if row["state"] == MemberState.MOBILE else "否",
        "所在党小组": row["group__name"] or "",
        "籍贯": row["native_place"],
        "工作单位及职务": row["work_unit_position"],
        "参加工作日期": row["work_started_on"],
        "党员领导干部": "是" if row["is_leader"] else "否",
        "党费类别": _LABELS["dues_category"].get(row["dues_category"], ""),
        "流入地": row["mobile_destination"],
        "失联日期": row["lost_on"],
    }


def export_rows(user: User, queryset: QuerySet[Any], today: datetime.date) -> Iterator[list[Any]]:
    scope = scope_for(user)
    headers = [c.header for c in COLUMNS]
    for index, row in enumerate(
        queryset.values(*EXPORT_FIELDS).order_by("branch__path", "name", "pk").iterator(chunk_size=2000), start=1
    ):
        values = export_values(row, number=index, today=today, show_id_number=scope.covers_path(row["branch__path"]))
        yield [values.get(h, "") for h in headers]


def export_roster(target: str | IO[bytes], user: User, queryset: QuerySet[Any], today: datetime.date) -> int:
    return write_rows(target, [c.header for c in COLUMNS], export_rows(user, queryset, today))
