"""Data for the roster import benchmark: a small organization tree and a large roster file.

The tree: one 工委, 40 机关党委 under it, 10 党支部 under each (400 in all), bulk-inserted with
the paths treebeard would give them (``datagen.child_path``). The file: an .xlsx with the
national system's member export headers (``NATIONAL_HEADERS``) under a title row, one member per
row with a valid 公民身份号码, dates as Excel date cells, and 所在党支部 naming a branch of the
tree by its full name. Everything is derived from the row number, so the same ``rows`` always
gives the same file; the "changed" variant differs in 手机号码 and 工作岗位 of every 10th row.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.datagen import DEPARTMENTS, GIVEN, POSTS, REGIONS, SURNAMES, child_path

COMMITTEES = 40
BRANCHES_PER_COMMITTEE = 10
ADMIN_USERNAME = "bench_import_admin"
CN_NUMERALS = "一二三四五六七八九十"
TITLE = "党员信息（全国党员管理信息系统导出）"
_BIRTH_BASE = datetime.date(1960, 1, 1)
_BIRTH_SPAN = 15_000  # days: born 1960 to 2001
EDUCATION = ["大学本科", "大学本科", "研究生", "大学专科", "大学本科", "研究生", "中等专科", "高中"]
DEGREE = {"研究生": "硕士", "大学本科": "学士"}


def generator_version() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:10]


def branch_name(committee: int, branch: int) -> str:
    dept = DEPARTMENTS[committee % len(DEPARTMENTS)]
    return f"中共某市{dept}第{CN_NUMERALS[branch]}支部委员会"


def load_tree() -> Any:
    """The tree and an admin user; returns the admin. Needs an empty organization table."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from branches.models import Organization, OrgKind
    from partybuild.accounts.models import Role, RoleAssignment

    User = get_user_model()
    with transaction.atomic():
        rows: list[Organization] = []
        term = datetime.date(2024, 3, 1)

        def org(path: str, kind: str, name: str, short: str, code: str, numchild: int) -> None:
            rows.append(
                Organization(
                    path=path,
                    depth=len(path) // Organization.steplen,
                    numchild=numchild,
                    name=name,
                    short_name=short[:40],
                    code=code,
                    kind=kind,
                    term_start=term,
                    term_years=5 if kind == OrgKind.COMMITTEE else 3,
                    term_end=term.replace(year=term.year + (5 if kind == OrgKind.COMMITTEE else 3)),
                )
            )

        root = child_path("", 1)
        org(root, OrgKind.COMMITTEE, "中共某市直属机关工作委员会", "市直机关工委", "BI0000", COMMITTEES)
        for c in range(COMMITTEES):
            dept = DEPARTMENTS[c % len(DEPARTMENTS)]
            path = child_path(root, c + 1)
            org(
                path,
                OrgKind.COMMITTEE,
                f"中共某市{dept}机关委员会",
                f"{dept[:8]}机关党委",
                f"BI{c + 1:02d}00",
                BRANCHES_PER_COMMITTEE,
            )
            for b in range(BRANCHES_PER_COMMITTEE):
                org(
                    child_path(path, b + 1),
                    OrgKind.BRANCH,
                    branch_name(c, b),
                    f"{dept[:8]}第{CN_NUMERALS[b]}党支部",
                    f"BI{c + 1:02d}{b + 1:02d}",
                    0,
                )
        Organization.objects.bulk_create(rows, batch_size=1000)
        admin = User(username=ADMIN_USERNAME, full_name="导入基准管理员", is_superuser=True, is_staff=True)
        admin.set_unusable_password()
        admin.save()
        RoleAssignment.objects.create(user=admin, role=Role.ADMIN, organization=None)
    return admin


def _member(i: int, changed: bool) -> dict[str, Any]:
    """Row ``i`` (1-based) of the roster, by header."""
    from members.roster.validators import make_id_number

    k = i - 1
    region = REGIONS[k % len(REGIONS)]
    birth = _BIRTH_BASE + datetime.timedelta(days=(k // len(REGIONS)) % _BIRTH_SPAN)
    male = k % 5 < 3
    seq = (k // (len(REGIONS) * _BIRTH_SPAN)) * 2 + (1 if male else 0)
    number = make_id_number(region, birth, seq)
    joined = datetime.date(min(birth.year + 22 + k % 15, 2024), 1 + k % 12, 1 + k % 28)
    probationary = k % 25 == 7
    confirmed = None if probationary else datetime.date(joined.year + 1, joined.month, joined.day)
    education = EDUCATION[k % len(EDUCATION)]
    committee, branch = divmod(k % (COMMITTEES * BRANCHES_PER_COMMITTEE), BRANCHES_PER_COMMITTEE)
    name = SURNAMES[k % len(SURNAMES)] + GIVEN[(k // 7) % len(GIVEN)] + (GIVEN[(k // 3) % len(GIVEN)] if k % 10 < 7 else "")
    post = POSTS[k % len(POSTS)]
    phone = f"139{k:08d}"
    if changed and i % 10 == 0:
        phone = f"137{k:08d}"
        post = "调研员" if post != "调研员" else "科员"
    return {
        "序号": i,
        "姓名": name,
        "性别": "男" if male else "女",
        "公民身份号码": number,
        "民族": "汉族" if k % 20 else "回族",
        "出生日期": birth,
        "学历": education,
        "人员类别": "预备党员" if probationary else "正式党员",
        "学位": DEGREE.get(education, ""),
        "所在党支部": branch_name(committee, branch),
        "手机号码": phone,
        "入党日期": joined,
        "转正日期": confirmed,
        "党龄": (2026 - confirmed.year) if confirmed else "",
        "党龄校正值": 0,
        "新社会阶层类型": "",
        "工作岗位": post,
        "从事专业技术职务": "工程师" if k % 9 == 0 else "",
        "是否农民工": "否",
        "现居住地": f"某市{['东城区', '西城区', '南湖区', '北山区'][k % 4]}{k % 300 + 1}号",
        "户籍所在地": "某市",
        "是否失联党员": "否",
        "是否流动党员": "否",
        "入党类型": "普通发展",
        "转正情况": "" if probationary else "按期转正",
        "入党时所在支部": f"某单位第{CN_NUMERALS[k % 10]}党支部",
        "延长预备期时间": "",
        "党员所属行业": "公共管理、社会保障和社会组织",
        "工作岗位补充": "",
    }


def rows(count: int, *, changed: bool = False) -> Iterator[dict[str, Any]]:
    for i in range(1, count + 1):
        yield _member(i, changed)


def write_roster(path: Path, count: int, *, changed: bool = False) -> None:
    """The .xlsx, written with xlsxwriter in constant-memory mode (row by row)."""
    import xlsxwriter

    from members.imports.columns import NATIONAL_HEADERS

    tmp = path.with_suffix(".tmp.xlsx")
    book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    sheet = book.add_worksheet("党员信息")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_string(0, 0, TITLE)
    for col, header in enumerate(NATIONAL_HEADERS):
        sheet.write_string(1, col, header)
    for r, member in enumerate(rows(count, changed=changed), start=2):
        for col, header in enumerate(NATIONAL_HEADERS):
            value = member[header]
            if value is None or value == "":
                continue
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, col, datetime.datetime(value.year, value.month, value.day), date_format)
            elif isinstance(value, int):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, value)
    book.close()
    tmp.replace(path)
