"""Preview and apply: every kind of bad value named by row, column and a Chinese message; all rows
or none; a second import of the same file changes nothing; changes are shown and kept in history."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from branches.models import OrgKind
from members.imports import pipeline
from members.imports.columns import NATIONAL_HEADERS
from members.imports.models import ImportStatus, RosterImport
from members.imports.services import roster_import_confirm
from members.roster.choices import MemberState
from members.roster.models import Member
from members.roster.validators import mask_id_number
from partybuild.accounts.models import Role
from tests.conftest import World
from tests.factories import MemberFactory, RoleFactory, UserFactory, make_org
from tests.members.imports.files import (
    BASIC_HEADERS,
    errors_of,
    many_rows,
    member_row,
    national_row,
    person_id,
    roster_snapshot,
    start,
    write_csv,
    write_xlsx,
)

HEADERS = [*BASIC_HEADERS, "所在党小组", "是否失联党员", "是否流动党员"]


def _import(user: Any, tmp_path: Path, rows: list[dict[str, Any]], headers: list[str] = HEADERS) -> RosterImport:
    return start(user, write_csv(tmp_path / "名册.csv", headers, rows))


def _apply(job: RosterImport, user: Any) -> RosterImport:
    assert job.status == ImportStatus.READY, job.errors
    return roster_import_confirm(job=job, user=user)


def _opposite_gender(number: str) -> str:
    return "女" if int(number[16]) % 2 else "男"


def _bad_checksum(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def _row_of(member: Member, **extra: Any) -> dict[str, Any]:
    """The member as a row that matches the roster exactly (CSV text)."""
    row = {
        "姓名": member.name,
        "公民身份号码": member.id_number,
        "人员类别": member.get_member_type_display(),
        "所在党支部": member.branch.code,
        "手机号码": member.phone,
        "入党日期": member.joined_on.isoformat(),
        "转正日期": member.confirmed_on.isoformat() if member.confirmed_on else "",
    }
    row.update(extra)
    return row


@pytest.fixture
def staff_w1(world: World) -> Any:
    """党务干部 of 机关党委 only: branches A and B, not branch C."""
    user = UserFactory(username="staff_w1", full_name="机关党委干部")
    RoleFactory(user=user, role=Role.STAFF, organization=world.committee)
    return user


# --- each kind of bad value ----------------------------------------------------------------------

N = person_id(7)  # born 1990-01-01

BAD_VALUES = [
    ({"公民身份号码": _bad_checksum(N)}, "公民身份号码", "公民身份号码校验位不正确，请核对。"),
    ({"公民身份号码": N[:17]}, "公民身份号码", "公民身份号码应为18位，当前为17位。"),
    ({"出生日期": "1990-01-02"}, "出生日期", "出生日期与公民身份号码不符（号码中为1990-01-01）。"),
    (
        {"所在党支部": "不存在的党支部"},
        "所在党支部",
        "找不到党支部“不存在的党支部”：请填写您管理范围内党支部的党组织编码、全称或简称。",
    ),
    ({"所在党支部": ""}, "所在党支部", "不能为空。"),
    ({"所在党支部": "W1"}, "所在党支部", "找不到党支部“W1”：请填写您管理范围内党支部的党组织编码、全称或简称。"),
    ({"所在党小组": "第九党小组"}, "所在党小组", "党支部“测试局第一党支部”下没有党小组“第九党小组”。"),
    ({"入党日期": "2013-07-01", "转正日期": "2012-07-01"}, "转正日期", "转正日期必须晚于入党日期。"),
    ({"人员类别": "预备党员"}, "转正日期", "预备党员不应填写转正日期。"),
    ({"转正日期": ""}, "转正日期", "正式党员必须填写转正日期。"),
    ({"入党日期": "1989-07-01", "转正日期": "1990-07-01"}, "入党日期", "入党日期不能早于出生日期。"),
    ({"入党日期": "去年七月"}, "入党日期", "无法识别的日期：去年七月（可写作 2019-07-01、2019/7/1、2019年7月1日 等）"),
    ({"入党日期": ""}, "入党日期", "请填写入党日期。"),
    ({"姓名": " "}, "姓名", "不能为空。"),
    ({"人员类别": "群众"}, "人员类别", "人员类别“群众”不在可选范围内（正式党员、预备党员）。"),
    ({"性别": _opposite_gender(N)}, "性别", "性别与公民身份号码不符。"),
    ({"性别": "未知"}, "性别", "性别请填写“男”或“女”，而不是“未知”。"),
    (
        {"手机号码": "12345"},
        "手机号码",
        "请填写11位手机号码（以1开头），或带区号的固定电话（如010-12345678）。",
    ),
    ({"是否失联党员": "是", "是否流动党员": "是"}, "是否流动党员", "不能同时是失联党员和流动党员。"),
    ({"是否流动党员": "可能"}, "是否流动党员", "请填写“是”或“否”，而不是“可能”。"),
]


@pytest.mark.parametrize(("change", "column", "message"), BAD_VALUES, ids=[c for _, c, _ in BAD_VALUES])
def test_a_bad_value_is_named_by_row_column_and_message(
    world: World, tmp_path: Path, change: dict[str, str], column: str, message: str
) -> None:
    rows = [member_row("好党员", person_id(6)), member_row("坏党员", N, **change)]
    job = _import(world.staff, tmp_path, rows)
    assert job.status == ImportStatus.INVALID
    assert errors_of(job) == [(3, column, message)]
    assert (job.count_new, job.count_error_rows) == (1, 1)
    assert "整个文件未导入" in job.message
    assert not Member.objects.filter(id_number__in=[person_id(6), N]).exists()


def test_the_same_id_number_twice_names_the_other_row(world: World, tmp_path: Path) -> None:
    rows = [member_row("甲", N), member_row("乙", person_id(8)), member_row("丙", N.lower())]
    job = _import(world.staff, tmp_path, rows)
    assert errors_of(job) == [(4, "公民身份号码", "与第2行的公民身份号码重复。")]


def test_an_ambiguous_branch_name_is_an_error_but_its_code_works(world: World, tmp_path: Path) -> None:
    twin = make_org(world.committee, OrgKind.BRANCH, "测试局另一个第一党支部", code="WX", short_name="第一党支部")
    rows = [member_row("甲", N, "第一党支部"), member_row("乙", person_id(8), "WX")]
    job = _import(world.staff, tmp_path, rows)
    assert errors_of(job) == [(2, "所在党支部", "“第一党支部”对应多个党支部，请改填党组织编码。")]
    ok = _import(world.staff, tmp_path, [member_row("乙", person_id(8), "WX"), member_row("甲", N, "测试局第一党支部")])
    _apply(ok, world.staff)
    assert Member.objects.get(id_number=person_id(8)).branch == twin
    assert Member.objects.get(id_number=N).branch == world.branch_a


def test_a_branch_out_of_scope_is_unknown_and_its_twin_is_not_ambiguous(world: World, tmp_path: Path, staff_w1: Any) -> None:
    # A branch outside staff_w1's scope shares branch A's short name: it must neither match nor leak.
    make_org(world.general, OrgKind.BRANCH, "直属第一党支部", code="WY", short_name="第一党支部")
    rows = [
        member_row("甲", N, "第一党支部"),
        member_row("乙", person_id(8), "WC"),
        member_row("丙", person_id(9), "直属第一党支部"),
    ]
    job = _import(staff_w1, tmp_path, rows)
    assert errors_of(job) == [
        (3, "所在党支部", "找不到党支部“WC”：请填写您管理范围内党支部的党组织编码、全称或简称。"),
        (4, "所在党支部", "找不到党支部“直属第一党支部”：请填写您管理范围内党支部的党组织编码、全称或简称。"),
    ]


def test_a_dissolved_branch_is_refused(world: World, tmp_path: Path) -> None:
    type(world.branch_b).objects.filter(pk=world.branch_b.pk).update(status="dissolved")
    job = _import(world.staff, tmp_path, [member_row("甲", N, "WB")])
    assert job.status == ImportStatus.INVALID
    assert errors_of(job)[0][:2] == (2, "所在党支部")


def test_a_member_registered_outside_the_importers_scope_is_an_error_and_unchanged(
    world: World, tmp_path: Path, staff_w1: Any
) -> None:
    before = roster_snapshot()
    row = _row_of(world.member_c, 所在党支部="WA", 姓名="改名")
    job = _import(staff_w1, tmp_path, [row])
    assert errors_of(job) == [(2, "公民身份号码", "该党员已在其他党组织登记，不在您的管理范围内，请通过组织关系转接办理。")]
    assert job.changes == []
    assert roster_snapshot() == before


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (MemberState.DECEASED, "该党员已去世，档案不能再修改。"),
        (MemberState.EXPELLED, "该党员已出党，档案不能再修改。"),
        (MemberState.TRANSFERRED_OUT, "该党员已转出，档案不能再修改。"),
    ],
)
def test_a_member_whose_membership_ended_cannot_be_changed(world: World, tmp_path: Path, state: str, message: str) -> None:
    Member.objects.filter(pk=world.member_a2.pk).update(state=state)
    job = _import(world.staff, tmp_path, [_row_of(world.member_a2, 手机号码="13712345678")])
    assert errors_of(job) == [(2, "姓名", message)]


# --- all or nothing ------------------------------------------------------------------------------


def test_one_bad_row_among_300_leaves_the_roster_exactly_as_it_was(world: World, tmp_path: Path) -> None:
    rows = many_rows(300)
    rows[0] = _row_of(world.member_a, 手机号码="13700000000")  # a change to an existing member
    rows[211]["转正日期"] = "2011-07-01"  # before 入党日期
    before = roster_snapshot()
    job = start(world.staff, write_xlsx(tmp_path / "名册.xlsx", HEADERS, rows, before=[["某局党员花名册"]]))
    assert job.status == ImportStatus.INVALID
    assert errors_of(job) == [(214, "转正日期", "转正日期必须晚于入党日期。")]
    assert (job.count_new, job.count_changed, job.count_error_rows) == (298, 1, 1)
    with pytest.raises(ValidationError):
        roster_import_confirm(job=job, user=world.staff)
    assert roster_snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_apply_failing_midway_writes_nothing(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "CHUNK", 2)
    rows = [_row_of(world.member_a, 手机号码="13700000000"), *many_rows(5)]
    job = _import(world.staff, tmp_path, rows)
    assert (job.count_new, job.count_changed) == (5, 1), (job.status, job.message, job.errors)
    calls: list[int] = []
    real = pipeline.create_members_with_history

    def failing(objs: list[dict[str, Any]], *args: Any, **kwargs: Any) -> Any:
        calls.append(len(objs))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(pipeline, "create_members_with_history", failing)
    before = roster_snapshot()
    job = roster_import_confirm(job=job, user=world.staff)
    assert calls == [1, 2]  # the first chunk was written, then the second failed
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.message == "导入时发生内部错误，花名册未作任何修改。请联系系统管理员。"
    assert roster_snapshot() == before
    world.member_a.refresh_from_db()
    assert world.member_a.phone != "13700000000"


def test_a_member_added_after_the_preview_fails_the_import_cleanly(world: World, tmp_path: Path) -> None:
    job = _import(world.staff, tmp_path, [member_row("甲", N), member_row("乙", person_id(8))])
    MemberFactory(id_number=person_id(8), birth_date=datetime.date(1990, 1, 1), branch=world.branch_b)
    before = roster_snapshot()
    job = _apply(job, world.staff)
    assert job.status == ImportStatus.FAILED
    assert "花名册未作任何修改" in job.message
    assert roster_snapshot() == before


# --- new, changed, unchanged ---------------------------------------------------------------------


def test_re_importing_the_same_file_is_all_unchanged_and_adds_no_history(world: World, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "名册.xlsx", HEADERS, [*many_rows(20), _row_of(world.member_a, 所在党小组="第一党小组")])
    first = _apply(start(world.staff, path), world.staff)
    assert (first.status, first.applied_created, first.applied_updated) == (ImportStatus.APPLIED, 20, 0)
    before = roster_snapshot()
    again = start(world.staff, path)
    assert (again.count_new, again.count_changed, again.count_unchanged) == (0, 0, 21)
    assert again.message == "共 21 行，全部与花名册一致，无需导入。"
    again = _apply(again, world.staff)
    assert (again.applied_created, again.applied_updated) == (0, 0)
    assert roster_snapshot() == before


def test_changed_rows_show_old_and_new_and_land_in_history_with_the_import_as_cause(world: World, tmp_path: Path) -> None:
    member = world.member_a
    old_phone = member.phone
    rows = [_row_of(member, 姓名="张新名", 手机号码="13711112222", 所在党支部="WB"), _row_of(world.member_a2)]
    job = _import(world.staff, tmp_path, rows, [h for h in HEADERS if h != "所在党小组"])
    assert (job.count_new, job.count_changed, job.count_unchanged) == (0, 1, 1)
    assert job.changes == [
        {
            "row": 2,
            "name": "张新名",
            "id": mask_id_number(member.id_number),
            "changes": [
                ["姓名", "张党员", "张新名"],
                ["手机号码", old_phone, "13711112222"],
                ["所在党支部", "测试局第一党支部", "测试局第二党支部"],
                ["所在党小组", "第一党支部第一党小组", "（空）"],
            ],
        }
    ]
    assert member.id_number not in str(job.changes)
    history_before = member.history.count()
    job = _apply(job, world.staff)
    assert (job.status, job.applied_created, job.applied_updated) == (ImportStatus.APPLIED, 0, 1)
    member.refresh_from_db()
    assert (member.name, member.phone, member.branch, member.group) == ("张新名", "13711112222", world.branch_b, None)
    assert member.history.count() == history_before + 1
    record = member.history.first()
    assert record.history_change_reason == f"导入花名册：名册.csv（导入批次 #{job.pk}）"
    assert record.history_user == world.staff
    assert record.prev_record.name == "张党员"
    assert world.member_a2.history.count() == 1  # the unchanged row got no record


def test_new_members_get_history_with_the_import_as_cause(world: World, tmp_path: Path) -> None:
    job = _apply(_import(world.staff, tmp_path, [member_row("甲", N, 所在党小组="第一党小组")]), world.staff)
    member = Member.objects.get(id_number=N)
    assert (member.branch, member.group, member.state) == (world.branch_a, world.group_a1, MemberState.NORMAL)
    record = member.history.get()
    assert record.history_type == "+"
    assert record.history_user == world.staff
    assert record.history_change_reason == f"导入花名册：名册.csv（导入批次 #{job.pk}）"


def test_state_flags_set_the_state(world: World, tmp_path: Path) -> None:
    rows = [_row_of(world.member_a, 是否流动党员="是"), _row_of(world.member_a2, 是否失联党员="是")]
    job = _apply(_import(world.staff, tmp_path, rows, [*BASIC_HEADERS, "是否失联党员", "是否流动党员"]), world.staff)
    assert job.count_changed == 2
    assert ["是否流动党员", "正常", "流动党员"] in job.changes[0]["changes"]
    world.member_a.refresh_from_db()
    world.member_a2.refresh_from_db()
    assert (world.member_a.state, world.member_a2.state) == (MemberState.MOBILE, MemberState.LOST)
    assert world.member_a.state_changed_on == datetime.date.today()


def test_columns_absent_from_the_file_keep_their_values(world: World, tmp_path: Path) -> None:
    """A hand-kept list with only the required columns changes nothing else (group, phone...)."""
    member = world.member_a
    Member.objects.filter(pk=member.pk).update(state=MemberState.MOBILE, mobile_destination="上海")
    headers = ["姓名", "公民身份号码", "人员类别", "所在党支部", "入党日期", "转正日期"]
    job = _import(world.staff, tmp_path, [_row_of(member)], headers)
    assert (job.count_changed, job.count_unchanged) == (0, 1), job.changes


# --- the national system's export ----------------------------------------------------------------


def test_the_national_export_imports_without_editing(world: World, tmp_path: Path) -> None:
    rows = [national_row(f"国家系统{i}", person_id(i), "测试局第一党支部", 序号=i + 1) for i in range(3)]
    rows[1].update({"人员类别": "预备党员", "转正日期": "", "党龄": ""})
    rows.append(national_row("张党员", world.member_a.id_number, "第一党支部", 出生日期="1985-06-15"))
    rows[-1].update({"手机号码": world.member_a.phone, "入党日期": "2010-07-01", "转正日期": "2011-07-01"})
    title = [["党员信息"], ["导出单位：测试市直机关工委", "", "", "导出时间：2026-01-01"]]
    path = write_xlsx(tmp_path / "党员信息.xlsx", NATIONAL_HEADERS, rows, before=title)
    job = start(world.staff, path)
    assert job.status == ImportStatus.READY, job.errors
    assert job.header_row == 3
    assert job.unknown_headers == []
    assert job.unstored_headers == [
        "序号", "党龄", "党龄校正值", "新社会阶层类型", "从事专业技术职务", "是否农民工",
        "入党类型", "转正情况", "入党时所在支部", "延长预备期时间", "党员所属行业", "工作岗位补充",
    ]  # fmt: skip
    # member_a's record differs only in columns the roster had empty: his group is kept.
    assert (job.count_new, job.count_changed) == (3, 1)
    assert [c[0] for c in job.changes[0]["changes"]] == ["学位", "工作岗位", "现居住地", "户籍所在地"]
    _apply(job, world.staff)
    probationary = Member.objects.get(id_number=person_id(1))
    assert probationary.member_type == "probationary" and probationary.confirmed_on is None
    first = Member.objects.get(id_number=person_id(0))
    assert (first.education, first.degree, first.ethnicity, first.job_post) == ("undergraduate", "bachelor", "汉族", "公务员")
    assert (first.residence, first.household_registration) == ("某市东城区", "某市")
    world.member_a.refresh_from_db()
    assert world.member_a.group == world.group_a1


@pytest.mark.parametrize("fmt", ["xlsx", "utf-8-sig", "utf-8", "gb18030"])
def test_good_files_in_each_format_and_encoding_go_in(world: World, tmp_path: Path, fmt: str) -> None:
    """National headers shuffled, title rows above, blank rows between and after: all go in."""
    headers = [*NATIONAL_HEADERS[::2], *NATIONAL_HEADERS[1::2]]
    rows: list[dict[str, Any]] = [
        national_row(f"党员{i}", person_id(i), ["WA", "测试局第二党支部", "直属党支部"][i % 3]) for i in range(6)
    ]
    rows.insert(3, {})
    rows += [{}, {}]
    title = [["测试市直机关工委党员花名册"], []]
    if fmt == "xlsx":
        path = write_xlsx(tmp_path / "名册.xlsx", headers, rows, before=title)
    else:
        path = write_csv(tmp_path / "名册.csv", headers, rows, encoding=fmt, before=title)
    job = start(world.staff, path)
    assert job.status == ImportStatus.READY, job.errors
    assert (job.header_row, job.count_new, job.count_error_rows) == (3, 6, 0)
    assert job.message.startswith("共 6 行：新增 6")  # the blank rows are not counted
    job = _apply(job, world.staff)
    assert job.applied_created == 6
    members = Member.objects.filter(name__startswith="党员").order_by("name")
    assert [m.branch.code for m in members] == ["WA", "WB", "WC", "WA", "WB", "WC"]
    assert {(m.education, m.residence, m.joined_on) for m in members} == {
        ("undergraduate", "某市东城区", datetime.date(2012, 7, 1))
    }


def test_unknown_columns_are_listed_in_the_preview(world: World, tmp_path: Path) -> None:
    headers = [*BASIC_HEADERS, "备注", "党龄"]
    job = _import(world.staff, tmp_path, [member_row("甲", N, 备注="新调入")], headers)
    assert job.status == ImportStatus.READY
    assert (job.unknown_headers, job.unstored_headers) == (["备注"], ["党龄"])


def test_blank_dues_category_and_ethnicity_keep_the_default_or_the_current_value(world: World, tmp_path: Path) -> None:
    Member.objects.filter(pk=world.member_a2.pk).update(dues_category="retired", ethnicity="回族")
    rows = [member_row("新党员", N, 党费类别=""), _row_of(world.member_a2, 党费类别=" ")]
    job = _import(world.staff, tmp_path, rows, [*BASIC_HEADERS, "党费类别", "民族"])
    assert (job.status, job.count_new, job.count_unchanged) == (ImportStatus.READY, 1, 1), job.errors
    _apply(job, world.staff)
    new = Member.objects.get(id_number=N)
    assert (new.dues_category, new.ethnicity) == ("employed", "汉族")
    world.member_a2.refresh_from_db()
    assert (world.member_a2.dues_category, world.member_a2.ethnicity) == ("retired", "回族")
