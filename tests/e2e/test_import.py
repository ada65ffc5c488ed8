"""The roster import in a browser: a file with a bad row is refused, fixed from the error report,
uploaded again and confirmed; the new members then appear in the roster."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from members.imports.columns import NATIONAL_HEADERS
from members.imports.models import ImportStatus, RosterImport
from members.roster.models import Member
from tests.conftest import World
from tests.e2e.conftest import log_in, screenshot, sidebar
from tests.factories import valid_id_number

pytestmark = pytest.mark.e2e

NEW_NAMES = ["周新一", "吴新二", "郑新三"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path: Path) -> None:
    """The live server runs in this process: uploads go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _row(name: str, id_number: str) -> list[str]:
    values = dict.fromkeys(NATIONAL_HEADERS, "")
    values.update(
        {
            "姓名": name,
            "公民身份号码": id_number,
            "人员类别": "正式党员",
            "所在党支部": "第一党支部",
            "入党日期": "2015-07-01",
            "转正日期": "2016-07-01",
            "学历": "大学本科",
        }
    )
    return [values[h] for h in NATIONAL_HEADERS]


def _roster_with_one_bad_row(path: Path) -> str:
    """Three new members; the second one's ID number has a wrong check digit. Returns that number."""
    good = valid_id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["某单位党员花名册"])  # a title row above the headers, as people make them
    sheet.append(NATIONAL_HEADERS)
    sheet.append(_row(NEW_NAMES[0], valid_id_number()))
    sheet.append(_row(NEW_NAMES[1], bad))
    sheet.append(_row(NEW_NAMES[2], valid_id_number()))
    book.save(path)
    return bad


def _upload(page: Page, path: Path) -> None:
    page.get_by_label("花名册文件").set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/members/import/*/")


def test_staff_fixes_a_bad_row_from_the_error_report_and_imports(page: Page, e2e_world: World, tmp_path: Path) -> None:
    first_file = tmp_path / "党员名册.xlsx"
    bad_number = _roster_with_one_bad_row(first_file)

    log_in(page, "staff")
    sidebar(page).get_by_role("link", name="花名册导入").click()
    expect(page.get_by_role("heading", name="花名册导入")).to_be_visible()
    screenshot(page, "import_upload")

    # 1. The file with a bad row: the preview names the row, the column and the problem; nothing to confirm.
    _upload(page, first_file)
    expect(page.get_by_role("status")).to_contain_text("整个文件未导入")
    errors = page.locator("#import-errors")
    bad_line = errors.get_by_role("row").filter(has_text="第 4 行")
    expect(bad_line).to_contain_text("公民身份号码")
    expect(bad_line).to_contain_text("校验位")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    screenshot(page, "import_preview_errors")

    # 2. The error report: the original rows with an error column.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载错误报告").first.click()
    download = download_info.value
    assert download.suggested_filename == "党员名册-错误报告.xlsx"
    report = tmp_path / download.suggested_filename
    download.save_as(report)

    # 3. Fix the bad cell in the downloaded file, as the user would in Excel.
    book = openpyxl.load_workbook(report)
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    id_col, error_col = headers.index("公民身份号码") + 1, headers.index("错误说明") + 1
    fixed = 0
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=id_col).value == bad_number:
            assert "校验位" in sheet.cell(row=row, column=error_col).value
            sheet.cell(row=row, column=id_col, value=valid_id_number())
            fixed += 1
    assert fixed == 1
    book.save(report)

    # 4. Upload the fixed report: clean preview (its 错误说明 column is listed as ignored), then confirm.
    page.goto("/members/import/")
    _upload(page, report)
    expect(page.get_by_role("status")).to_contain_text("请核对后确认导入")
    expect(page.locator("#import-counts")).to_contain_text("新增")
    expect(page.locator("#import-errors")).to_have_count(0)
    expect(page.locator("#import-headers")).to_contain_text("错误说明")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("status")).to_contain_text("已导入：新增 3 名")
    job = RosterImport.objects.order_by("-pk").first()
    assert job is not None and job.status == ImportStatus.APPLIED

    # 5. The new members are in the roster.
    sidebar(page).get_by_role("link", name="党员花名册").click()
    rows = page.locator("#member-rows")
    for name in NEW_NAMES:
        expect(rows.get_by_role("link", name=name)).to_be_visible()
    assert set(Member.objects.filter(name__in=NEW_NAMES).values_list("branch", flat=True)) == {e2e_world.branch_a.pk}


def test_staff_sees_what_a_file_would_change_before_confirming(page: Page, e2e_world: World, tmp_path: Path) -> None:
    member = e2e_world.member_a2
    path = tmp_path / "更新.xlsx"
    book = openpyxl.Workbook()
    book.active.append(NATIONAL_HEADERS)
    row = _row(member.name, member.id_number)
    row[NATIONAL_HEADERS.index("手机号码")] = "13811112222"
    book.active.append(row)
    book.save(path)

    log_in(page, "staff")
    page.goto("/members/import/")
    _upload(page, path)
    changes = page.locator("#import-changes")
    expect(changes).to_contain_text("手机号码")
    expect(changes).to_contain_text("13811112222")
    expect(changes).not_to_contain_text(member.id_number)  # masked
    screenshot(page, "import_preview_changes")
    page.get_by_role("button", name="取消").click()
    expect(page.get_by_role("status")).to_contain_text("已取消")
    member.refresh_from_db()
    assert member.phone != "13811112222"


def test_export_button_takes_the_filters_typed_on_the_list(page: Page, e2e_world: World, tmp_path: Path) -> None:
    log_in(page, "staff")
    sidebar(page).get_by_role("link", name="党员花名册").click()
    rows = page.locator("#member-rows")
    page.get_by_label("搜索", exact=True).fill("李同志")  # htmx swaps the rows; the page itself stays
    expect(rows.get_by_text("共 1 人")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出Excel").click()
    download = download_info.value
    assert download.suggested_filename.startswith("党员花名册-") and download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "export.xlsx"
    download.save_as(path)
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    names = [r[values[0].index("姓名")] for r in values[1:]]
    assert names == ["李同志"]
