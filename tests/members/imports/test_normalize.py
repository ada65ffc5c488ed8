"""Values are normalized before they are judged: what people type into spreadsheets becomes clean
values, and what cannot be understood gets a Chinese message."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from members.imports import normalize as n
from members.roster.models import Member
from partybuild.xlsx import neutralize_formula
from tests.conftest import World
from tests.members.imports.files import BASIC_HEADERS, errors_of, member_row, person_id, start, write_csv, write_xlsx

JULY_1 = datetime.date(2019, 7, 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "ABC123"),  # full-width letters and digits
        ("张\u3000建国", "张 建国"),  # full-width (ideographic) space
        ("  张   建国 \t", "张 建国"),  # stray spaces folded and trimmed
        ("张\u00a0建国", "张 建国"),  # non-breaking space
        (None, ""),
        (12.0, "12"),  # a whole number cell reads as text without ".0"
        ("'=SUM(A1)", "=SUM(A1)"),  # the apostrophe our export puts before a formula-like value
        ("'普通文字", "'普通文字"),  # ...but not before anything else
    ],
)
def test_text_folds_width_and_spaces(raw: object, expected: str) -> None:
    assert n.text(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["11010119850615003x", "11010119850615003X", "１１０１０１１９８５０６１５００３ｘ", " 110101 19850615 003x "],
)
def test_id_number_is_upper_cased_and_compacted(raw: str) -> None:
    assert n.id_number(raw) == "11010119850615003X"


def test_id_number_stored_as_a_number_cell_gets_a_specific_message() -> None:
    with pytest.raises(n.CellError, match=r"公民身份号码被存成了数字.*文本"):
        n.id_number(1.1010119850615e17)


@pytest.mark.parametrize(
    "raw",
    [
        JULY_1,
        datetime.datetime(2019, 7, 1, 0, 0),  # an Excel date cell
        43647,  # an Excel serial day number
        43647.0,
        "2019-07-01",
        "2019/7/1",
        "2019.07.01",
        "2019.7.1",
        "2019.7",  # month only: the first of the month
        "2019-07",
        "20190701",
        20190701,  # the same typed into a number cell
        "2019年7月1日",
        "2019年7月",
        "２０１９年７月１日",  # full-width digits
        " 2019-07-01 ",
        "2019-07-01 00:00:00",  # a date cell that became text with its time
    ],
)
def test_every_date_form_in_the_issue_reads_as_the_same_day(raw: object) -> None:
    assert n.date(raw) == JULY_1


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_a_blank_date_is_none(raw: object) -> None:
    assert n.date(raw) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [("2019-02-30", "日期不存在"), ("去年七月", "无法识别的日期"), ("7/1/2019", "无法识别的日期"), (99999999, "无法识别的日期")],
)
def test_a_date_that_cannot_be_read_is_an_error_in_chinese(raw: object, message: str) -> None:
    with pytest.raises(n.CellError, match=message):
        n.date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"), [("是", True), ("否", False), (" 是 ", True), ("", False), (True, True), ("Y", True)]
)
def test_yes_no(raw: object, expected: bool) -> None:
    assert n.yes_no(raw) is expected


def test_yes_no_refuses_anything_else() -> None:
    with pytest.raises(n.CellError, match="请填写“是”或“否”"):
        n.yes_no("也许")


@pytest.mark.parametrize(("raw", "expected"), [("男", "M"), ("女", "F"), (" 男 ", "M"), ("女性", "F"), ("", "")])
def test_gender(raw: str, expected: str) -> None:
    assert n.gender(raw) == expected


def test_gender_refuses_anything_else() -> None:
    with pytest.raises(n.CellError, match="性别请填写“男”或“女”"):
        n.gender("未知")


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralize_formula_puts_an_apostrophe_before_formula_like_text(prefix: str) -> None:
    assert neutralize_formula(prefix + "1+1") == "'" + prefix + "1+1"
    assert n.text(neutralize_formula(prefix + "1+1")) == n.text(prefix + "1+1")
    assert neutralize_formula("张三") == "张三"
    assert neutralize_formula(5) == 5


# --- the same, through a whole file --------------------------------------------------------------


def test_a_file_typed_carelessly_imports_clean_values(world: World, tmp_path: Path) -> None:
    number = person_id(0)
    assert number.endswith("X")
    row = member_row(
        "  王　小明 ",  # stray and full-width spaces
        " " + number[:10] + " " + number[10:].lower(),
        "ＷＡ",  # the branch code in full-width letters
        性别="男 " if int(number[16]) % 2 else "女",
        手机号码="１３９ ００００ ００００",
        入党日期="2012年7月1日",
        转正日期="2013.7",
    )
    job = start(world.staff, write_csv(tmp_path / "名册.csv", BASIC_HEADERS, [row]))
    assert job.status == "ready", job.errors
    from members.imports.services import roster_import_confirm

    roster_import_confirm(job=job, user=world.staff)
    member = Member.objects.get(id_number=number)
    assert member.name == "王 小明"
    assert member.branch == world.branch_a
    assert member.phone == "13900000000"
    assert (member.joined_on, member.confirmed_on) == (datetime.date(2012, 7, 1), datetime.date(2013, 7, 1))
    assert member.birth_date == datetime.date(1990, 1, 1)  # from the ID number, the cell being absent


def test_excel_date_cells_and_number_cells_are_read(world: World, tmp_path: Path) -> None:
    number = person_id(2)
    row = member_row(
        "日期格", number, 入党日期=datetime.date(2012, 7, 1), 转正日期=datetime.datetime(2013, 7, 1), 手机号码=13900000001
    )
    job = start(world.staff, write_xlsx(tmp_path / "名册.xlsx", BASIC_HEADERS, [row]))
    assert job.status == "ready", job.errors
    assert job.count_new == 1


def test_an_id_number_stored_as_a_number_cell_is_reported_on_its_row(world: World, tmp_path: Path) -> None:
    rows = [member_row("文本格", person_id(3)), member_row("数字格", int(person_id(4)))]
    job = start(world.staff, write_xlsx(tmp_path / "名册.xlsx", BASIC_HEADERS, rows, before=[["某单位党员花名册"]]))
    assert job.status == "invalid"
    assert errors_of(job) == [(4, "公民身份号码", "公民身份号码被存成了数字，末几位已丢失：请把该列设为“文本”格式后重新填写。")]
