"""Reading roster files: every format and encoding, the header found under title rows, blank rows
skipped, columns in any order; what cannot be read is refused with a Chinese message."""

from __future__ import annotations

import re
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from members.imports.columns import NATIONAL_HEADERS
from members.imports.normalize import yes_no
from members.imports.reader import FileError, open_roster
from tests.members.imports.files import BASIC_HEADERS, csv_bytes, member_row, national_row, person_id, write_csv, write_xlsx

ROWS = [member_row("甲", person_id(1)), member_row("乙", person_id(2))]


def _names(path: Path) -> list[tuple[int, str]]:
    sheet = open_roster(path, path.name)
    name_col = next(i for i, c in sheet.columns.items() if c.header == "姓名")
    return [(number, cells[name_col]) for number, cells in sheet.rows()]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_each_encoding_chinese_excel_writes(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "名册.csv", BASIC_HEADERS, ROWS, encoding=encoding)
    assert _names(path) == [(2, "甲"), (3, "乙")]


def test_gb18030_csv_is_really_not_utf8(tmp_path: Path) -> None:
    data = csv_bytes(BASIC_HEADERS, ROWS, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_xlsx(tmp_path: Path) -> None:
    assert _names(write_xlsx(tmp_path / "名册.xlsx", BASIC_HEADERS, ROWS)) == [(2, "甲"), (3, "乙")]


def test_header_after_title_rows_and_blank_rows_gives_true_row_numbers(tmp_path: Path) -> None:
    before = [[], ["某某局党员花名册"], ["填报单位：机关党委", "", "", "填报日期：2026-01-01"], []]
    xlsx = write_xlsx(tmp_path / "名册.xlsx", BASIC_HEADERS, ROWS, before=before)
    csv = write_csv(tmp_path / "名册.csv", BASIC_HEADERS, ROWS, before=before)
    for path in (xlsx, csv):
        sheet = open_roster(path, path.name)
        assert sheet.header_row == 5
        assert _names(path) == [(6, "甲"), (7, "乙")]


def test_blank_rows_in_the_middle_and_trailing_empty_rows_are_skipped(tmp_path: Path) -> None:
    blank = [""] * len(BASIC_HEADERS)
    rows = [ROWS[0], blank, ["  "] * len(BASIC_HEADERS), ROWS[1]]
    path = write_xlsx(tmp_path / "名册.xlsx", BASIC_HEADERS, rows, after=[blank, blank, [None, None, " "]])
    assert _names(path) == [(2, "甲"), (5, "乙")]
    csv = tmp_path / "名册.csv"
    csv.write_bytes(csv_bytes(BASIC_HEADERS, [ROWS[0], {}, ROWS[1], {}, {}]) + b",,,\r\n\r\n")
    assert _names(csv) == [(2, "甲"), (4, "乙")]


def test_columns_in_any_order(tmp_path: Path) -> None:
    headers = list(reversed(BASIC_HEADERS))
    sheet = open_roster(write_xlsx(tmp_path / "x.xlsx", headers, ROWS), "x.xlsx")
    assert {c.header for c in sheet.columns.values()} == set(BASIC_HEADERS)
    assert sheet.columns[len(headers) - 1].header == "姓名"


def test_unknown_columns_are_listed_and_unstored_national_ones_too(tmp_path: Path) -> None:
    headers = [*BASIC_HEADERS, "备注", "党龄", "是否农民工", "QQ号"]
    sheet = open_roster(write_csv(tmp_path / "x.csv", headers, ROWS), "x.csv")
    assert sheet.unknown_headers == ["备注", "QQ号"]
    assert sheet.unstored_headers == ["党龄", "是否农民工"]


def test_aliases_and_marked_required_headers_are_recognised(tmp_path: Path) -> None:
    headers = ["*姓名", "身份证号", "人员类别", "党支部", "入党日期", "转正日期"]
    sheet = open_roster(write_csv(tmp_path / "x.csv", headers, ROWS), "x.csv")
    assert [c.header for c in sheet.columns.values()] == [
        "姓名",
        "公民身份号码",
        "人员类别",
        "所在党支部",
        "入党日期",
        "转正日期",
    ]


def test_the_national_export_headers_are_all_recognised(tmp_path: Path) -> None:
    assert NATIONAL_HEADERS == [
        "序号", "姓名", "性别", "公民身份号码", "民族", "出生日期", "学历", "人员类别", "学位", "所在党支部", "手机号码",
        "入党日期", "转正日期", "党龄", "党龄校正值", "新社会阶层类型", "工作岗位", "从事专业技术职务", "是否农民工",
        "现居住地", "户籍所在地", "是否失联党员", "是否流动党员", "入党类型", "转正情况", "入党时所在支部",
        "延长预备期时间", "党员所属行业", "工作岗位补充",
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "x.xlsx", NATIONAL_HEADERS, [national_row("甲", person_id(1))])
    sheet = open_roster(path, path.name)
    assert sheet.unknown_headers == []
    assert len(sheet.columns) == len(NATIONAL_HEADERS)


def test_the_header_is_found_on_a_later_sheet(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("说明").write(0, 0, "请在第二页填写")
    data = book.add_worksheet("党员")
    data.write_row(0, 0, BASIC_HEADERS)
    data.write_row(1, 0, [ROWS[0].get(h, "") for h in BASIC_HEADERS])
    book.close()
    assert _names(path) == [(2, "甲")]


def test_total_rows_counts_the_data_rows(tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "x.csv", BASIC_HEADERS, ROWS, before=[["标题"]])
    xlsx = write_xlsx(tmp_path / "x.xlsx", BASIC_HEADERS, ROWS, before=[["标题"]])
    assert open_roster(csv, csv.name).total_rows == 2
    assert open_roster(xlsx, xlsx.name).total_rows == 2


# --- files that cannot be read -------------------------------------------------------------------


def test_a_missing_required_column_is_named(tmp_path: Path) -> None:
    headers = [h for h in BASIC_HEADERS if h not in ("所在党支部", "入党日期")]
    with pytest.raises(FileError, match="缺少必需的列：所在党支部、入党日期"):
        open_roster(write_csv(tmp_path / "x.csv", headers, ROWS), "x.csv")


def test_a_file_without_a_header_row(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\r\n1,2,3\r\n", encoding="utf-8")
    with pytest.raises(FileError, match="没有找到表头"):
        open_roster(path, path.name)


@pytest.mark.parametrize("name", ["名册.xlsx", "名册.xls"])
def test_a_damaged_excel_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    with pytest.raises(FileError, match="无法读取该Excel文件"):
        open_roster(path, name)


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "名册.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(FileError):
        open_roster(path, path.name)


def test_a_csv_in_an_unknown_encoding(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("姓名,公民身份号码".encode("utf-16"))
    with pytest.raises(FileError, match=r"无法识别CSV文件的编码|没有找到表头"):
        open_roster(path, path.name)


@pytest.mark.parametrize("name", ["名册.txt", "名册.docx", "名册", "名册.xlsx.exe"])
def test_a_wrong_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(csv_bytes(BASIC_HEADERS, ROWS))
    with pytest.raises(FileError, match=r"只支持 \.xlsx、\.xls 和 \.csv 文件"):
        open_roster(path, name)


def test_xlsx_cells_keep_what_they_mean_hidden_rows_custom_date_formats_numbers(tmp_path: Path) -> None:
    """What Excel users do to a roster: a hidden row, dates in a Chinese display format, a phone
    number typed into a number cell, a leading-zero code in a text cell, a multi-line address."""
    import datetime

    path = tmp_path / "名册.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("党员")
    chinese_date = book.add_format({"num_format": 'yyyy"年"m"月"d"日"'})
    plain_date = book.add_format({"num_format": "yyyy/m/d"})
    headers = ["姓名", "公民身份号码", "所在党支部", "入党日期", "转正日期", "手机号码", "现居住地", "人员类别"]
    sheet.write_row(0, 0, headers)
    sheet.write_row(1, 0, ["隐藏行", "110101199001011237", "0012"])
    sheet.write_string(1, 7, "正式党员")
    sheet.write_datetime(1, 3, datetime.datetime(2019, 7, 1), chinese_date)
    sheet.write_datetime(1, 4, datetime.datetime(2020, 7, 1), plain_date)
    sheet.write_number(1, 5, 13800138000)
    sheet.write_string(1, 6, "北京市\n东城区")
    sheet.set_row(1, None, None, {"hidden": True})
    book.close()

    sheet_ = open_roster(path, path.name)
    rows = list(sheet_.rows())
    assert len(rows) == 1 and rows[0][0] == 2
    cells = rows[0][1]
    assert cells[:3] == ["隐藏行", "110101199001011237", "0012"]
    assert cells[3] == "2019-07-01" and cells[4] == "2020-07-01"
    assert cells[5] == 13800138000.0  # a number cell is read as a number
    assert cells[6] == "北京市\n东城区" and cells[7] == "正式党员"
    assert sheet_.total_rows == 1


def test_xlsx_rich_text_formula_results_and_booleans_read_as_their_values(tmp_path: Path) -> None:
    """A name with a bold surname (rich text), a branch code computed by a formula (its cached
    result is read), a 是否流动党员 cell typed as a boolean and a phone number computed as a number."""
    path = tmp_path / "名册.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("党员")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, ["姓名", "公民身份号码", "所在党支部", "是否流动党员", "手机号码", "人员类别", "入党日期"])
    sheet.write_rich_string(1, 0, "张", bold, "三丰")
    sheet.write_string(1, 1, "110101199001011237")
    sheet.write_formula(1, 2, '="W"&"A"', None, "WA")
    sheet.write_boolean(1, 3, True)
    sheet.write_formula(1, 4, "=13800138000+0", None, 13800138000)
    book.close()

    rows = list(open_roster(path, path.name).rows())
    assert rows == [(2, ["张三丰", "110101199001011237", "WA", "TRUE", 13800138000.0, "", ""])]
    assert yes_no("TRUE") is True


def _rewrite_sheet(source: Path, target: Path, change: Any) -> Path:
    """A copy of an .xlsx with its first sheet's XML passed through ``change``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            new.writestr(item, data)
    return target


def test_an_xlsx_without_a_dimension_still_counts_its_rows(tmp_path: Path) -> None:
    rows = [member_row(f"党员{i}", person_id(i)) for i in range(40)]
    source = write_xlsx(tmp_path / "a.xlsx", BASIC_HEADERS, rows)
    path = _rewrite_sheet(source, tmp_path / "b.xlsx", lambda xml: re.sub(rb"<dimension[^>]*/>", b"", xml))
    assert b"<dimension" not in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    sheet = open_roster(path, path.name)
    assert sheet.total_rows == 40
    assert len(list(sheet.rows())) == 40


def test_a_sheet_damaged_half_way_is_reported_as_unreadable(tmp_path: Path) -> None:
    rows = [member_row(f"党员{i}", person_id(i)) for i in range(50)]
    source = write_xlsx(tmp_path / "a.xlsx", BASIC_HEADERS, rows)
    path = _rewrite_sheet(source, tmp_path / "b.xlsx", lambda xml: xml[: len(xml) * 2 // 3])
    with pytest.raises(FileError, match="无法读取该Excel文件"):
        sheet = open_roster(path, path.name)
        list(sheet.rows())


def test_closing_a_sheet_ends_its_reader_process(tmp_path: Path) -> None:
    rows = [member_row(f"党员{i}", person_id(i)) for i in range(3000)]
    path = write_xlsx(tmp_path / "a.xlsx", BASIC_HEADERS, rows)
    sheet = open_roster(path, path.name)
    first = next(sheet.rows())
    assert first[0] == 2
    _, _, (process, _drain), _ = sheet.close.peek()  # the child converting the workbook
    assert process.poll() is None
    sheet.close()
    assert process.returncode is not None  # killed and reaped, not left waiting on a full pipe
    deadline = time.monotonic() + 5
    while any(t.name == "xlsx-reader" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(t.name == "xlsx-reader" for t in threading.enumerate())  # nor a thread left behind


def test_a_reader_that_hangs_is_reported_not_waited_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from members.imports import reader

    hanging = tmp_path / "hangs.py"
    hanging.write_text("import sys, time\nsys.stdout.write('\\x02,1,3\\r\\n'); sys.stdout.flush(); time.sleep(30)\n")
    monkeypatch.setattr(reader, "_WORKER", hanging)
    monkeypatch.setattr(reader, "READ_TIMEOUT", 1)
    path = write_xlsx(tmp_path / "a.xlsx", BASIC_HEADERS, [member_row("党员", person_id(1))])
    started = time.monotonic()
    with pytest.raises(FileError, match="读取Excel文件超时"):
        open_roster(path, path.name)
    assert time.monotonic() - started < 10
