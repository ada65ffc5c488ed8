"""The roster export: any filtered list to xlsx with the import's headers, re-importable unchanged;
formula-like cells neutralized; ID numbers masked for those who do not manage the members."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from members.imports import normalize
from members.imports.columns import HEADERS
from members.imports.export import export_roster
from members.imports.models import ImportStatus
from members.imports.services import roster_import_confirm
from members.roster.choices import MemberState, MemberType
from members.roster.models import HistoricalMember, Member
from members.roster.selectors import visible_members
from members.roster.validators import mask_id_number
from tests.conftest import World
from tests.factories import MemberFactory
from tests.members.imports.files import roster_snapshot, start

TODAY = datetime.date(2026, 7, 1)


def _export(tmp_path: Path, user: Any, queryset: Any, name: str = "导出.xlsx") -> Path:
    path = tmp_path / name
    with path.open("wb") as handle:
        export_roster(handle, user, queryset, TODAY)
    return path


def _cells(path: Path) -> list[dict[str, Any]]:
    """The exported rows by header, read as the importer reads them."""
    book = CalamineWorkbook.from_path(str(path))
    rows = list(book.get_sheet_by_name(book.sheet_names[0]).iter_rows())
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


@pytest.fixture
def varied(world: World) -> list[Member]:
    """Members of branch A with every kind of value the export writes."""
    a = world.branch_a
    return [
        MemberFactory(
            name='=HYPERLINK("http://x")',
            branch=a,
            group=world.group_a1,
            degree="master",
            education="postgraduate",
            dues_category="retired",
            is_leader=True,
            native_place="山东济南",
            work_unit_position="+市发展改革委 科长",
            job_post="-公务员",
            residence="@某市东城区",
            household_registration="某市",
            work_started_on=datetime.date(2007, 7, 1),
            ethnicity="回族",
        ),
        MemberFactory(
            name="预备党员甲",
            branch=a,
            member_type=MemberType.PROBATIONARY,
            confirmed_on=None,
            joined_on=datetime.date(2025, 9, 1),
            state=MemberState.MOBILE,
            mobile_destination="上海市浦东新区",
        ),
        MemberFactory(
            name="失联党员乙", branch=a, state=MemberState.LOST, lost_on=datetime.date(2024, 3, 1), phone="010-12345678"
        ),
        MemberFactory(name="停党籍丙", branch=a, state=MemberState.SUSPENDED, birth_date=datetime.date(1970, 2, 28)),
    ]


def test_export_then_import_is_all_unchanged(world: World, tmp_path: Path, varied: list[Member]) -> None:
    branch_a = visible_members(world.staff).filter(branch=world.branch_a)
    assert branch_a.count() == 6
    path = _export(tmp_path, world.staff, branch_a)
    before = roster_snapshot()
    job = start(world.staff, path)
    assert job.status == ImportStatus.READY, job.errors
    assert (job.count_new, job.count_changed, job.count_unchanged) == (0, 0, 6), job.changes
    assert job.unknown_headers == []
    job = roster_import_confirm(job=job, user=world.staff)
    assert (job.applied_created, job.applied_updated) == (0, 0)
    assert roster_snapshot() == before


def test_the_export_has_the_import_headers_and_readable_values(world: World, tmp_path: Path, varied: list[Member]) -> None:
    rows = _cells(_export(tmp_path, world.staff, Member.objects.filter(branch=world.branch_a)))
    assert list(rows[0]) == HEADERS
    by_name = {normalize.text(r["姓名"]): r for r in rows}
    first = by_name['=HYPERLINK("http://x")']
    assert first["所在党支部"] == "测试局第一党支部" and first["所在党小组"] == "第一党支部第一党小组"
    assert (first["学历"], first["学位"], first["党费类别"], first["党员领导干部"]) == ("研究生", "硕士", "离退休", "是")
    assert first["出生日期"] == datetime.date(1985, 6, 15)  # a date cell, not text
    assert first["党龄"] == 15  # 转正 2011-07-01, on 2026-07-01
    mobile = by_name["预备党员甲"]
    assert (mobile["人员类别"], mobile["转正日期"], mobile["是否流动党员"], mobile["流入地"]) == (
        "预备党员",
        "",
        "是",
        "上海市浦东新区",
    )
    assert by_name["失联党员乙"]["是否失联党员"] == "是"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_like_cells_are_neutralized_and_read_back_without_the_apostrophe(
    world: World, tmp_path: Path, prefix: str
) -> None:
    MemberFactory(name="公式党员", branch=world.branch_a, job_post=prefix + "1+1")
    (row,) = [r for r in _cells(_export(tmp_path, world.staff, Member.objects.filter(name="公式党员")))]
    assert row["工作岗位"] == "'" + prefix + "1+1"  # a spreadsheet shows it as text, never runs it
    assert normalize.text(row["工作岗位"]) == normalize.text(prefix + "1+1")


def test_formula_like_text_round_trips_exactly(world: World, tmp_path: Path, varied: list[Member]) -> None:
    path = _export(tmp_path, world.staff, Member.objects.filter(pk=varied[0].pk))
    row = _cells(path)[0]
    assert row["姓名"] == '\'=HYPERLINK("http://x")'
    assert (row["工作单位及职务"], row["工作岗位"], row["现居住地"]) == ("'+市发展改革委 科长", "'-公务员", "'@某市东城区")
    job = start(world.staff, path)
    assert (job.count_changed, job.count_unchanged) == (0, 1), job.changes


def test_id_numbers_are_masked_for_those_who_do_not_manage_the_members(world: World, tmp_path: Path) -> None:
    everyone = Member.objects.all()
    rows = _cells(_export(tmp_path, world.secretary_b, everyone))
    ids = {r["姓名"]: r["公民身份号码"] for r in rows}
    assert ids["王乙"] == world.member_b.id_number  # secretary_b manages branch B
    for member in (world.member_a, world.member_a2, world.member_c):
        assert ids[member.name] == mask_id_number(member.id_number)
    assert ids["张党员"].startswith("1101**********")
    # member_a sees their own record, masked: they do not manage it.
    own = _cells(_export(tmp_path, world.member_a_user, visible_members(world.member_a_user), "own.xlsx"))
    assert [r["公民身份号码"] for r in own] == [world.member_a.masked_id_number]
    # staff manage everyone below them.
    assert {r["公民身份号码"] for r in _cells(_export(tmp_path, world.staff, everyone, "all.xlsx"))} == set(
        everyone.values_list("id_number", flat=True)
    )


def test_a_masked_export_cannot_be_imported_back(world: World, tmp_path: Path) -> None:
    path = _export(tmp_path, world.member_a_user, visible_members(world.member_a_user))
    history = HistoricalMember.objects.count()
    job = start(world.staff, path)
    assert job.status == ImportStatus.INVALID
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "公民身份号码")]
    assert HistoricalMember.objects.count() == history


def test_export_query_count_does_not_grow_with_rows(world: World, tmp_path: Path, django_assert_max_num_queries: Any) -> None:
    for _ in range(30):
        MemberFactory(branch=world.branch_b)
    with django_assert_max_num_queries(3):
        _export(tmp_path, world.staff, visible_members(world.staff))
