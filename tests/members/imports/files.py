"""Build roster files the way people bring them: .xlsx from Excel (with date and number cells,
title rows above the header, blank rows) and .csv in the encodings Chinese Excel writes.

A row is a dict by header; ``cells`` lays dicts out under a header list, so the same rows can be
written in any column order and any format.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from members.imports.columns import NATIONAL_HEADERS
from members.imports.models import RosterImport
from members.imports.services import roster_import_start
from members.roster.models import HistoricalMember, Member
from members.roster.validators import make_id_number

# The columns a small hand-kept 花名册 has: the required ones and a few more.
BASIC_HEADERS = ["姓名", "性别", "公民身份号码", "出生日期", "人员类别", "所在党支部", "手机号码", "入党日期", "转正日期"]

Row = Mapping[str, Any]


def person_id(i: int, birth: datetime.date | None = None) -> str:
    """A valid ID number, distinct for each i (the factories use 1985-06-15; these do not)."""
    birth = birth or datetime.date(1990, 1, 1) + datetime.timedelta(days=i // 500)
    return make_id_number("110101", birth, 100 + i % 500)


def birth_of(number: str) -> datetime.date:
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def member_row(name: str, id_number: str, branch: str = "WA", **extra: Any) -> dict[str, Any]:
    """A good row for a 正式党员 of branch A (its 党组织编码), as text a person would type."""
    row: dict[str, Any] = {
        "姓名": name,
        "公民身份号码": id_number,
        "人员类别": "正式党员",
        "所在党支部": branch,
        "入党日期": "2012-07-01",
        "转正日期": "2013-07-01",
        "手机号码": "13800000000",
    }
    row.update(extra)
    return row


def many_rows(count: int, start: int = 0, branch: str = "WA") -> list[dict[str, Any]]:
    return [member_row(f"批量党员{i:05d}", person_id(i), branch, 手机号码=f"139{i:08d}") for i in range(start, start + count)]


def cells(headers: Sequence[str], rows: Iterable[Row]) -> list[list[Any]]:
    """Each row's values under the headers (missing ones blank)."""
    return [[row.get(h, "") for h in headers] for row in rows]


def write_xlsx(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Row | Sequence[Any]],
    *,
    before: Sequence[Sequence[Any]] = (),
    after: Sequence[Sequence[Any]] = (),
) -> Path:
    """An xlsx as Excel saves it: ``before`` rows (titles, blanks) above the header, values kept as
    their Python types (date → date cell, int/float → number cell, str → text cell)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "党员信息"
    for line in [*before, list(headers)]:
        sheet.append(list(line) if any(v not in (None, "") for v in line) else [None])
    for row in rows:
        values = [row.get(h, "") for h in headers] if isinstance(row, Mapping) else list(row)
        sheet.append([None if v == "" else v for v in values])
    for line in after:
        sheet.append(list(line))
    book.save(path)
    return path


def csv_bytes(
    headers: Sequence[str], rows: Iterable[Row], *, encoding: str = "utf-8-sig", before: Sequence[Sequence[Any]] = ()
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in before:
        writer.writerow(line)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_text(row.get(h, "")) for h in headers])
    return buffer.getvalue().encode(encoding)


def _csv_text(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def write_csv(path: Path, headers: Sequence[str], rows: Iterable[Row], *, encoding: str = "utf-8-sig", **kw: Any) -> Path:
    path.write_bytes(csv_bytes(headers, rows, encoding=encoding, **kw))
    return path


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def start(user: Any, path: Path, name: str | None = None) -> RosterImport:
    """Upload a file as ``user`` (judged at once when small)."""
    return roster_import_start(user=user, upload=upload(path, name))


def national_row(name: str, id_number: str, branch: str = "WA", **extra: Any) -> dict[str, Any]:
    """A row of the national system's export: every national column filled as it exports them."""
    row = {h: "" for h in NATIONAL_HEADERS}
    row.update(
        {
            "序号": 1,
            "姓名": name,
            "性别": "男" if int(id_number[16]) % 2 else "女",
            "公民身份号码": id_number,
            "民族": "汉族",
            "出生日期": birth_of(id_number).strftime("%Y-%m-%d"),
            "学历": "大学本科",
            "人员类别": "正式党员",
            "学位": "学士",
            "所在党支部": branch,
            "手机号码": "13800000000",
            "入党日期": "2012-07-01",
            "转正日期": "2013-07-01",
            "党龄": 12,
            "党龄校正值": 0,
            "新社会阶层类型": "",
            "工作岗位": "公务员",
            "从事专业技术职务": "无",
            "是否农民工": "否",
            "现居住地": "某市东城区",
            "户籍所在地": "某市",
            "是否失联党员": "否",
            "是否流动党员": "否",
            "入党类型": "普通",
            "转正情况": "按期转正",
            "入党时所在支部": "某校党支部",
            "延长预备期时间": "",
            "党员所属行业": "公共管理",
            "工作岗位补充": "",
        }
    )
    row.update(extra)
    return row


def roster_snapshot() -> tuple[list[dict[str, Any]], int]:
    """Every member row with every field, and the number of history records."""
    return list(Member.objects.order_by("pk").values()), HistoricalMember.objects.count()


def errors_of(job: RosterImport) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in job.errors]
