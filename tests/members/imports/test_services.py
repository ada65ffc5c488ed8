"""The life of an import: who may start one, what is refused at upload with nothing kept, the
record kept of each import, confirm and cancel, and the error report."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from members.imports.models import ImportStatus, RosterImport
from members.imports.pipeline import staged_path
from members.imports.runs import import_progress
from members.imports.services import (
    roster_import_cancel,
    roster_import_confirm,
    roster_import_start,
    write_error_report,
)
from members.roster.models import Member
from partybuild.accounts.models import Role
from tests.conftest import World
from tests.factories import RoleFactory, UserFactory
from tests.members.imports.files import (
    BASIC_HEADERS,
    csv_bytes,
    member_row,
    person_id,
    roster_snapshot,
    start,
    write_csv,
    write_xlsx,
)

ROWS = [member_row("甲", person_id(1)), member_row("乙", person_id(2))]


def _files_kept(media_root: Path) -> list[Path]:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


# --- who may import ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["secretary_a", "secretary_b", "member_a_user"])
def test_secretaries_and_members_may_not_import(world: World, tmp_path: Path, who: str, _media_root: Path) -> None:
    with pytest.raises(PermissionDenied):
        start(getattr(world, who), write_csv(tmp_path / "名册.csv", BASIC_HEADERS, ROWS))
    assert not RosterImport.objects.exists()
    assert _files_kept(_media_root) == []


def test_a_secretary_who_is_also_staff_elsewhere_imports_only_within_their_scope(world: World, tmp_path: Path) -> None:
    RoleFactory(user=world.secretary_b, role=Role.STAFF, organization=world.general)
    rows = [member_row("甲", person_id(1), "WC"), member_row("乙", person_id(2), "WA"), member_row("丙", person_id(3), "WB")]
    job = start(world.secretary_b, write_csv(tmp_path / "名册.csv", BASIC_HEADERS, rows))
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "所在党支部")]
    assert job.errors[0]["message"].startswith("找不到党支部“WA”")


def test_admin_imports_anywhere(world: World, tmp_path: Path) -> None:
    rows = [member_row("甲", person_id(1), "WC"), member_row("乙", person_id(2), "WA")]
    job = roster_import_confirm(job=start(world.admin, write_csv(tmp_path / "名册.csv", BASIC_HEADERS, rows)), user=world.admin)
    assert job.status == ImportStatus.APPLIED
    assert Member.objects.get(id_number=person_id(1)).branch == world.branch_c


# --- refused at upload, nothing kept ---------------------------------------------------------------


def test_a_missing_required_column_refuses_the_whole_file_and_keeps_nothing(
    world: World, tmp_path: Path, _media_root: Path
) -> None:
    headers = [h for h in BASIC_HEADERS if h != "人员类别"]
    before = roster_snapshot()
    with pytest.raises(ValidationError) as exc:
        start(world.staff, write_csv(tmp_path / "名册.csv", headers, ROWS))
    assert exc.value.message_dict == {"file": ["缺少必需的列：人员类别。"]}
    assert not RosterImport.objects.exists()
    assert _files_kept(_media_root) == []
    assert roster_snapshot() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("名册.xlsx", b"PK\x03\x04garbage", "无法读取该Excel文件，请确认文件未损坏、未加密。"),
        ("名册.xls", b"\xd0\xcf\x11\xe0garbage", "无法读取该Excel文件，请确认文件未损坏、未加密。"),
        ("名册.txt", csv_bytes(BASIC_HEADERS, ROWS), "只支持 .xlsx、.xls 和 .csv 文件。"),
        ("名册.pdf", b"%PDF-1.4", "只支持 .xlsx、.xls 和 .csv 文件。"),
        ("名册.csv", "随便写点什么\r\n没有表头\r\n".encode(), "在前30行中没有找到表头"),
        ("名册.csv", b"", "在前30行中没有找到表头"),
    ],
)
def test_an_unreadable_file_is_refused_on_the_file_field(
    world: World, name: str, content: bytes, message: str, _media_root: Path
) -> None:
    with pytest.raises(ValidationError) as exc:
        roster_import_start(user=world.staff, upload=SimpleUploadedFile(name, content))
    assert exc.value.message_dict["file"][0].startswith(message)
    assert not RosterImport.objects.exists()
    assert _files_kept(_media_root) == []


# --- the record of an import -------------------------------------------------------------------------


def test_the_import_record_keeps_who_when_file_counts_and_outcome(world: World, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "三月名册.xlsx", BASIC_HEADERS, ROWS)
    job = start(world.staff, path)
    assert job.created_by == world.staff and job.created_at is not None
    assert job.file_name == "三月名册.xlsx"
    assert Path(job.file.path).read_bytes() == path.read_bytes()  # the original kept for the record
    assert (job.status, job.total_rows, job.count_new, job.is_async) == (ImportStatus.READY, 2, 2, False)
    assert job.message == "共 2 行：新增 2，修改 0，无变化 0。请核对后确认导入。"
    assert import_progress(job) == (2, 2)
    job = roster_import_confirm(job=job, user=world.staff)
    assert (job.status, job.applied_created, job.applied_updated) == (ImportStatus.APPLIED, 2, 0)
    assert job.message == "已导入：新增 2 名，修改 0 名。"
    assert job.applied_at is not None and job.finished_at is not None
    assert not staged_path(job.pk).exists()
    assert Path(job.file.path).exists()


def test_only_the_uploader_confirms_and_only_once(world: World, tmp_path: Path) -> None:
    other = UserFactory(username="staff2")
    RoleFactory(user=other, role=Role.STAFF, organization=world.root)
    job = start(world.staff, write_csv(tmp_path / "名册.csv", BASIC_HEADERS, ROWS))
    with pytest.raises(PermissionDenied):
        roster_import_confirm(job=job, user=other)
    assert not Member.objects.filter(id_number=person_id(1)).exists()
    roster_import_confirm(job=job, user=world.staff)
    with pytest.raises(ValidationError, match="该文件当前不能导入：已导入"):
        roster_import_confirm(job=job, user=world.staff)
    assert Member.objects.filter(id_number=person_id(1)).count() == 1


def test_a_file_with_errors_cannot_be_confirmed(world: World, tmp_path: Path) -> None:
    rows = [*ROWS, member_row("丙", person_id(3), "不存在")]
    job = start(world.staff, write_csv(tmp_path / "名册.csv", BASIC_HEADERS, rows))
    with pytest.raises(ValidationError, match="有错误"):
        roster_import_confirm(job=job, user=world.staff)
    assert not Member.objects.filter(id_number__in=[person_id(1), person_id(2)]).exists()


def test_cancel_keeps_the_roster_and_drops_the_staged_rows(world: World, tmp_path: Path) -> None:
    job = start(world.staff, write_csv(tmp_path / "名册.csv", BASIC_HEADERS, ROWS))
    assert staged_path(job.pk).exists()
    job = roster_import_cancel(job=job, user=world.staff)
    assert job.status == ImportStatus.CANCELLED
    assert not staged_path(job.pk).exists()
    with pytest.raises(ValidationError):
        roster_import_confirm(job=job, user=world.staff)
    assert not Member.objects.filter(id_number=person_id(1)).exists()


# --- the error report --------------------------------------------------------------------------------


def _report(job: RosterImport) -> list[list[Any]]:
    buffer = io.BytesIO()
    write_error_report(job, buffer)
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer, read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_error_report_has_the_original_rows_and_an_error_column_and_fixed_goes_in(world: World, tmp_path: Path) -> None:
    headers = [*BASIC_HEADERS, "备注"]
    rows = [
        member_row("甲", person_id(1), 备注="=调入"),
        member_row("乙", person_id(2), 转正日期="2010-01-01"),
        member_row("丙", person_id(3), "不存在的支部"),
    ]
    job = start(world.staff, write_csv(tmp_path / "名册.csv", headers, rows, before=[["花名册"]]))
    assert job.status == ImportStatus.INVALID
    report = _report(job)
    assert report[0] == [*headers, "错误说明"]
    assert [r[0] for r in report[1:]] == ["甲", "乙", "丙"]
    assert report[1][-1] is None
    assert report[1][headers.index("备注")] == "'=调入"  # formula-like text neutralized
    assert report[2][-1] == "转正日期：转正日期必须晚于入党日期。"
    assert report[3][-1].startswith("所在党支部：找不到党支部“不存在的支部”")
    # The user fixes the two cells in the report and uploads it again as it is.
    fixed = tmp_path / "错误报告.xlsx"
    report[2][headers.index("转正日期")] = "2013-07-01"
    report[3][headers.index("所在党支部")] = "WA"
    write_xlsx(fixed, report[0], report[1:])
    again = start(world.staff, fixed)
    assert again.status == ImportStatus.READY, again.errors
    assert again.unknown_headers == ["备注", "错误说明"]
    roster_import_confirm(job=again, user=world.staff)
    assert Member.objects.filter(id_number__in=[person_id(i) for i in (1, 2, 3)]).count() == 3
