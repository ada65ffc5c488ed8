from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from members.imports.columns import NATIONAL_HEADERS
from members.imports.models import ImportStatus
from members.imports.services import roster_import_confirm, roster_import_start
from members.roster.models import Member
from tests.conftest import World
from tests.factories import valid_id_number


def _csv(rows: list[list[str]], headers: list[str] = NATIONAL_HEADERS, encoding: str = "utf-8-sig") -> SimpleUploadedFile:
    lines = [",".join(headers)] + [",".join(r) for r in rows]
    return SimpleUploadedFile("名册.csv", ("\r\n".join(lines) + "\r\n").encode(encoding))


def _row(name: str, id_number: str, branch: str = "WA", **extra: str) -> list[str]:
    values = {h: "" for h in NATIONAL_HEADERS}
    values.update(
        {
            "姓名": name,
            "公民身份号码": id_number,
            "人员类别": "正式党员",
            "所在党支部": branch,
            "入党日期": "2010.7.1",
            "转正日期": "2011年7月1日",
        }
    )
    values.update(extra)
    return [values[h] for h in NATIONAL_HEADERS]


def test_small_csv_goes_in_and_a_second_time_changes_nothing(world: World) -> None:
    rows = [_row("新党员甲", valid_id_number()), _row("新党员乙", valid_id_number().lower())]
    job = roster_import_start(user=world.staff, upload=_csv(rows))
    assert job.status == ImportStatus.READY, job.errors
    assert (job.count_new, job.count_changed, job.count_unchanged) == (2, 0, 0)
    roster_import_confirm(job=job, user=world.staff)
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLIED
    m = Member.objects.get(name="新党员甲")
    assert m.branch == world.branch_a and m.history.first().history_change_reason.startswith("导入花名册")
    again = roster_import_start(user=world.staff, upload=_csv(rows, encoding="gb18030"))
    assert (again.count_new, again.count_changed, again.count_unchanged) == (0, 0, 2)


def test_one_bad_row_blocks_the_file(world: World) -> None:
    good = valid_id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # same number, wrong check digit
    rows = [_row("好", valid_id_number()), _row("坏", bad)]
    job = roster_import_start(user=world.staff, upload=_csv(rows))
    assert job.status == ImportStatus.INVALID
    assert job.errors[0]["row"] == 3 and job.errors[0]["column"] == "公民身份号码"
    assert not Member.objects.filter(name="好").exists()
