"""The import and export pages: upload → preview → confirm or cancel, downloads, history, export.

Who may do what: 系统管理员 and 党务干部 import (others 403 on the upload page); an import is
seen by its uploader and by admins (anyone else 404); only the uploader confirms or cancels.
"""

from __future__ import annotations

import io
from urllib.parse import quote

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from members.imports.columns import HEADERS, NATIONAL_HEADERS
from members.imports.models import ImportStatus, RosterImport
from members.imports.runs import _set_progress
from members.imports.services import roster_import_start
from members.roster.models import Member
from members.roster.validators import mask_id_number
from partybuild.accounts.models import Role, RoleAssignment
from tests.conftest import World, login
from tests.factories import MemberFactory, UserFactory, valid_id_number

UPLOAD = reverse("members:import")
TEMPLATE = reverse("members:import_template")
EXPORT = reverse("members:export")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _row(name: str, id_number: str, branch: str = "WA", **extra: str) -> list[str]:
    values = {h: "" for h in NATIONAL_HEADERS}
    values.update(
        {
            "姓名": name,
            "公民身份号码": id_number,
            "人员类别": "正式党员",
            "所在党支部": branch,
            "入党日期": "2010-07-01",
            "转正日期": "2011-07-01",
        }
    )
    values.update(extra)
    return [values[h] for h in NATIONAL_HEADERS]


def _csv(rows: list[list[str]], name: str = "名册.csv", headers: list[str] = NATIONAL_HEADERS) -> SimpleUploadedFile:
    lines = [",".join(headers)] + [",".join(r) for r in rows]
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))


def _bad_id() -> str:
    good = valid_id_number()
    return good[:-1] + ("0" if good[-1] != "0" else "1")


def _start(user, rows: list[list[str]], name: str = "名册.csv") -> RosterImport:
    return roster_import_start(user=user, upload=_csv(rows, name=name))


def _ready_job(world: World) -> RosterImport:
    job = _start(world.staff, [_row("新党员甲", valid_id_number()), _row("新党员乙", valid_id_number())])
    assert job.status == ImportStatus.READY, job.errors
    return job


def _invalid_job(world: World) -> RosterImport:
    job = _start(world.staff, [_row("好人", valid_id_number()), _row("坏号", _bad_id())], name="有错.csv")
    assert job.status == ImportStatus.INVALID
    return job


def _other_staff_client(world: World) -> Client:
    other = UserFactory(username="staff2", full_name="另一干部")
    RoleAssignment.objects.create(user=other, role=Role.STAFF, organization=world.root)
    return login(other)


def _download(response) -> bytes:
    return b"".join(response.streaming_content)


def _sheet(data: bytes) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


# --- upload page ----------------------------------------------------------------------------------


def test_staff_sees_the_upload_form_template_link_and_history(world: World, as_staff: Client) -> None:
    _invalid_job(world)
    response = as_staff.get(UPLOAD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="file"' in html and 'accept=".xlsx,.xls,.csv"' in html
    assert TEMPLATE in html
    assert "有错.csv" in html and "工委干部" in html and "有错误" in html


@pytest.mark.parametrize("who", ["as_secretary_a", "as_member_a"])
def test_secretaries_and_members_may_not_import(who: str, request: pytest.FixtureRequest) -> None:
    client: Client = request.getfixturevalue(who)
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"file": _csv([_row("某人", valid_id_number())])}).status_code == 403
    assert not RosterImport.objects.exists()


def test_upload_page_refuses_other_methods(as_staff: Client) -> None:
    assert as_staff.put(UPLOAD).status_code == 405


def test_uploading_a_good_file_goes_to_its_preview(world: World, as_staff: Client) -> None:
    response = as_staff.post(UPLOAD, {"file": _csv([_row("新党员甲", valid_id_number())])})
    job = RosterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("members:import_detail", args=[job.pk])
    assert job.created_by == world.staff and job.status == ImportStatus.READY and job.count_new == 1
    assert not Member.objects.filter(name="新党员甲").exists()  # nothing applied before 确认导入


def test_a_file_of_the_wrong_kind_is_refused_next_to_the_field_and_nothing_is_kept(as_staff: Client) -> None:
    response = as_staff.post(UPLOAD, {"file": SimpleUploadedFile("名册.docx", b"not a roster")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["只支持 .xlsx、.xls 和 .csv 文件。"]
    assert 'class="form-control is-invalid"' in response.content.decode()
    assert not RosterImport.objects.exists()


def test_a_file_without_the_headers_is_refused_and_nothing_is_kept(as_staff: Client) -> None:
    upload = SimpleUploadedFile("名册.csv", "甲,乙,丙\r\n1,2,3\r\n".encode())
    response = as_staff.post(UPLOAD, {"file": upload})
    assert response.status_code == 200
    assert "没有找到表头" in response.context["form"].errors["file"][0]
    assert not RosterImport.objects.exists()


def test_a_file_missing_a_required_column_names_it(as_staff: Client) -> None:
    headers = [h for h in NATIONAL_HEADERS if h != "所在党支部"]
    response = as_staff.post(UPLOAD, {"file": _csv([], headers=headers)})
    assert response.context["form"].errors["file"] == ["缺少必需的列：所在党支部。"]


def test_submitting_without_a_file_asks_for_one(as_staff: Client) -> None:
    response = as_staff.post(UPLOAD, {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["请选择要导入的文件。"]


def test_history_shows_own_imports_only_but_admins_see_all(world: World, as_staff: Client, as_admin: Client) -> None:
    _invalid_job(world)
    other_client = _other_staff_client(world)
    other_client.post(UPLOAD, {"file": _csv([_row("别人的", valid_id_number())], name="别人的.csv")})
    assert "别人的.csv" not in as_staff.get(UPLOAD).content.decode()
    assert "别人的.csv" not in "".join(j.file_name for j in as_staff.get(UPLOAD).context["page"].object_list)
    admin_names = {j.file_name for j in as_admin.get(UPLOAD).context["page"].object_list}
    assert admin_names == {"有错.csv", "别人的.csv"}


def test_history_query_count_does_not_grow_with_imports(world: World, as_staff: Client, django_assert_max_num_queries) -> None:
    for i in range(25):
        RosterImport.objects.create(created_by=world.staff, file=f"imports/x{i}.csv", file_name=f"x{i}.csv", status="applied")
    # session, user, scope, count, page of imports, notifications (1), session renewal (3).
    with django_assert_max_num_queries(9):
        response = as_staff.get(UPLOAD)
    assert len(response.context["page"].object_list) == 20
    assert "共 25 条" in response.content.decode()


def test_sidebar_shows_the_import_link_only_to_importers(as_staff: Client, as_secretary_a: Client) -> None:
    home = reverse("members:list")
    assert "花名册导入" in as_staff.get(home).content.decode()
    assert "花名册导入" not in as_secretary_a.get(home).content.decode()
    page = as_staff.get(UPLOAD).content.decode()
    assert f'class="nav-link active" href="{UPLOAD}"' in page
    assert f'class="nav-link " href="{home}"' in page  # 党员花名册 is not highlighted as well


# --- template --------------------------------------------------------------------------------------


def test_template_downloads_as_xlsx_with_a_chinese_filename(as_staff: Client) -> None:
    response = as_staff.get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert f"filename*=utf-8''{quote('党员花名册导入模板.xlsx')}" in response["Content-Disposition"]
    rows = _sheet(_download(response))
    assert list(rows[0]) == HEADERS
    assert rows[1][HEADERS.index("姓名")] == "张建国"


def test_template_is_for_importers_only(as_secretary_a: Client, as_member_a: Client, as_staff: Client) -> None:
    assert as_secretary_a.get(TEMPLATE).status_code == 403
    assert as_member_a.get(TEMPLATE).status_code == 403
    assert as_staff.post(TEMPLATE).status_code == 405


def test_the_unchanged_template_is_refused_for_its_unknown_example_branch(world: World, as_staff: Client) -> None:
    data = _download(as_staff.get(TEMPLATE))
    as_staff.post(UPLOAD, {"file": SimpleUploadedFile("模板.xlsx", data)})
    job = RosterImport.objects.get()
    assert job.status == ImportStatus.INVALID
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "所在党支部")]
    assert "找不到党支部“发改委第一党支部”" in job.errors[0]["message"]


def test_the_template_example_goes_in_once_its_branch_is_one_of_ours(world: World, as_staff: Client) -> None:
    book = openpyxl.load_workbook(io.BytesIO(_download(as_staff.get(TEMPLATE))))
    book.worksheets[0].cell(row=2, column=HEADERS.index("所在党支部") + 1, value="第一党支部")
    buffer = io.BytesIO()
    book.save(buffer)
    as_staff.post(UPLOAD, {"file": SimpleUploadedFile("模板.xlsx", buffer.getvalue())})
    job = RosterImport.objects.get()
    assert job.status == ImportStatus.READY, job.errors
    assert (job.count_new, job.count_error_rows) == (1, 0)


# --- detail and status ----------------------------------------------------------------------------


def test_preview_with_errors_lists_row_column_and_message(world: World, as_staff: Client) -> None:
    job = _invalid_job(world)
    response = as_staff.get(reverse("members:import_detail", args=[job.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "第 3 行" in html and "公民身份号码" in html and "校验位" in html
    assert "整个文件未导入" in html  # the job's message, shown prominently
    assert reverse("members:import_errors", args=[job.pk]) in html
    assert reverse("members:import_confirm", args=[job.pk]) not in html
    assert reverse("members:import_cancel", args=[job.pk]) in html


def test_preview_of_a_good_file_shows_counts_changes_and_the_confirm_button(world: World, as_staff: Client) -> None:
    member = world.member_a2
    rows = [
        _row("新党员甲", valid_id_number()),
        _row(member.name, member.id_number, 手机号码="13800001111"),
    ]
    headers = [*NATIONAL_HEADERS, "备注"]
    rows[1].append("x")
    rows[0].append("")
    job = roster_import_start(user=world.staff, upload=_csv(rows, headers=headers))
    response = as_staff.get(reverse("members:import_detail", args=[job.pk]))
    html = response.content.decode()
    assert job.status == ImportStatus.READY and (job.count_new, job.count_changed) == (1, 1)
    assert "未识别的列，已忽略" in html and "备注" in html
    assert "已识别但不导入的列" in html and "党龄" in html
    assert "13800001111" in html and member.phone in html  # old → new
    assert member.id_number not in html  # masked in the changes table
    assert mask_id_number(member.id_number) in html
    assert reverse("members:import_confirm", args=[job.pk]) in html
    assert reverse("members:import_errors", args=[job.pk]) not in html


def test_all_unchanged_file_offers_no_confirm(world: World, as_staff: Client) -> None:
    m = world.member_a2
    job = _start(world.staff, [_row(m.name, m.id_number, 手机号码=m.phone, 学历="大学本科")])
    html = as_staff.get(reverse("members:import_detail", args=[job.pk])).content.decode()
    assert job.count_unchanged == 1, job.changes
    assert "无需导入" in html
    assert reverse("members:import_confirm", args=[job.pk]) not in html


def test_someone_elses_import_is_not_found(world: World, as_secretary_b: Client, as_member_a: Client) -> None:
    job = _ready_job(world)
    other_staff = _other_staff_client(world)
    for name in ("import_detail", "import_status", "import_errors", "import_file"):
        url = reverse(f"members:{name}", args=[job.pk])
        assert as_secretary_b.get(url).status_code == 404, name
        assert as_member_a.get(url).status_code == 404, name
        assert other_staff.get(url).status_code == 404, name
    for name in ("import_confirm", "import_cancel"):
        assert other_staff.post(reverse(f"members:{name}", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportStatus.READY


def test_an_admin_sees_a_staff_import_but_cannot_confirm_it(world: World, as_admin: Client) -> None:
    job = _ready_job(world)
    response = as_admin.get(reverse("members:import_detail", args=[job.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("members:import_confirm", args=[job.pk]) not in html
    assert "只能由上传人确认导入" in html
    assert as_admin.post(reverse("members:import_confirm", args=[job.pk])).status_code == 403
    assert as_admin.post(reverse("members:import_cancel", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportStatus.READY


def test_detail_and_status_refuse_post(world: World, as_staff: Client) -> None:
    job = _ready_job(world)
    assert as_staff.post(reverse("members:import_detail", args=[job.pk])).status_code == 405
    assert as_staff.post(reverse("members:import_status", args=[job.pk])).status_code == 405


def _running_job(world: World) -> RosterImport:
    job = RosterImport.objects.create(
        created_by=world.staff,
        file="imports/大名册.xlsx",
        file_name="大名册.xlsx",
        status=ImportStatus.PARSING,
        is_async=True,
        total_rows=5000,
        progress_total=5000,
    )
    _set_progress(job.pk, 1250, 5000)
    return job


def test_a_running_import_shows_a_progress_bar_that_polls(world: World, as_staff: Client) -> None:
    job = _running_job(world)
    html = as_staff.get(reverse("members:import_detail", args=[job.pk])).content.decode()
    status_url = reverse("members:import_status", args=[job.pk])
    assert f'hx-get="{status_url}"' in html and 'hx-trigger="every 1s"' in html
    assert "正在检查文件" in html and "25%" in html and "已处理 1250 / 5000 行" in html
    assert "收到通知" in html
    assert reverse("members:import_confirm", args=[job.pk]) not in html

    _set_progress(job.pk, 4000, 5000)
    partial = as_staff.get(status_url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "HX-Refresh" not in partial
    assert "已处理 4000 / 5000 行" in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_the_status_partial_tells_the_page_to_reload_when_done(world: World, as_staff: Client) -> None:
    job = _running_job(world)
    RosterImport.objects.filter(pk=job.pk).update(status=ImportStatus.READY)
    response = as_staff.get(reverse("members:import_status", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"


def test_detail_query_count_does_not_grow_with_errors(world: World, as_staff: Client, django_assert_max_num_queries) -> None:
    rows = [_row(f"坏{i}", _bad_id()) for i in range(60)]
    job = _start(world.staff, rows)
    assert job.count_error_rows == 60
    # session, user, scope, the import (with its uploader), notifications (1), session renewal (3).
    with django_assert_max_num_queries(8):
        response = as_staff.get(reverse("members:import_detail", args=[job.pk]))
    assert response.content.decode().count("校验位") >= 60


# --- confirm and cancel ---------------------------------------------------------------------------


def test_confirm_applies_the_file(world: World, as_staff: Client) -> None:
    job = _ready_job(world)
    response = as_staff.post(reverse("members:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("members:import_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLIED and job.applied_created == 2
    assert set(Member.objects.filter(name__startswith="新党员").values_list("branch", flat=True)) == {world.branch_a.pk}
    page = as_staff.get(response["Location"]).content.decode()
    assert "已导入：新增 2 名" in page and "已导入" in page


def test_confirm_refuses_get(world: World, as_staff: Client) -> None:
    job = _ready_job(world)
    assert as_staff.get(reverse("members:import_confirm", args=[job.pk])).status_code == 405
    assert as_staff.get(reverse("members:import_cancel", args=[job.pk])).status_code == 405


def test_confirming_a_file_with_errors_says_why_and_changes_nothing(world: World, as_staff: Client) -> None:
    job = _invalid_job(world)
    response = as_staff.post(reverse("members:import_confirm", args=[job.pk]), follow=True)
    assert "该文件当前不能导入：有错误" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    assert not Member.objects.filter(name="好人").exists()


def test_cancel_drops_the_file_without_importing(world: World, as_staff: Client) -> None:
    job = _ready_job(world)
    response = as_staff.post(reverse("members:import_cancel", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED
    html = response.content.decode()
    assert "已取消，花名册未作任何修改" in html
    assert reverse("members:import_confirm", args=[job.pk]) not in html
    assert not Member.objects.filter(name__startswith="新党员").exists()
    # Cancelling twice says why, on the page.
    again = as_staff.post(reverse("members:import_cancel", args=[job.pk]), follow=True)
    assert "该文件当前不能取消：已取消" in again.content.decode()


# --- downloads ------------------------------------------------------------------------------------


def test_error_report_has_the_original_rows_and_an_error_column(world: World, as_staff: Client) -> None:
    job = _invalid_job(world)
    response = as_staff.get(reverse("members:import_errors", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert quote("有错-错误报告.xlsx") in response["Content-Disposition"]
    rows = _sheet(_download(response))
    assert rows[0][-1] == "错误说明"
    assert [r[NATIONAL_HEADERS.index("姓名")] for r in rows[1:]] == ["好人", "坏号"]
    assert rows[1][-1] in (None, "")
    assert "公民身份号码" in rows[2][-1] and "校验位" in rows[2][-1]


def test_error_report_of_a_clean_file_is_not_found(world: World, as_staff: Client) -> None:
    job = _ready_job(world)
    assert as_staff.get(reverse("members:import_errors", args=[job.pk])).status_code == 404
    assert as_staff.post(reverse("members:import_errors", args=[job.pk])).status_code == 405


def test_original_file_downloads_as_uploaded(world: World, as_staff: Client, as_admin: Client) -> None:
    job = _ready_job(world)
    url = reverse("members:import_file", args=[job.pk])
    response = as_staff.get(url)
    assert response.status_code == 200
    assert quote("名册.csv") in response["Content-Disposition"]
    assert _download(response).decode("utf-8-sig").startswith("序号,姓名")
    assert as_admin.get(url).status_code == 200
    assert as_staff.post(url).status_code == 405


# --- export ---------------------------------------------------------------------------------------


def test_export_has_the_import_headers_and_the_filtered_rows(world: World, as_staff: Client) -> None:
    response = as_staff.get(EXPORT, {"org": world.branch_a.pk})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert quote("党员花名册-") in response["Content-Disposition"]
    rows = _sheet(_download(response))
    assert list(rows[0]) == HEADERS
    by_name = {r[HEADERS.index("姓名")]: r for r in rows[1:]}
    assert set(by_name) == {"张党员", "李同志"}
    row = by_name["李同志"]
    assert row[HEADERS.index("公民身份号码")] == world.member_a2.id_number  # staff manage branch A
    assert row[HEADERS.index("所在党支部")] == "测试局第一党支部"


def test_export_follows_the_list_filters(world: World, as_staff: Client) -> None:
    rows = _sheet(_download(as_staff.get(EXPORT, {"q": "王乙"})))
    assert [r[HEADERS.index("姓名")] for r in rows[1:]] == ["王乙"]


def test_export_masks_id_numbers_of_members_one_does_not_manage(world: World) -> None:
    # secretary_b is also an ordinary member of branch A: they see their own record, masked.
    RoleAssignment.objects.create(user=world.secretary_b, role=Role.MEMBER, organization=world.branch_a)
    own = MemberFactory(name="乙书记本人", branch=world.branch_a, user=world.secretary_b)
    rows = _sheet(_download(login(world.secretary_b).get(EXPORT, {"state": "all"})))
    by_name = {r[HEADERS.index("姓名")]: r[HEADERS.index("公民身份号码")] for r in rows[1:]}
    assert set(by_name) == {"王乙", "乙书记本人"}
    assert by_name["王乙"] == world.member_b.id_number
    assert by_name["乙书记本人"] != own.id_number and "*" in by_name["乙书记本人"]


def test_export_of_an_outsiders_org_filter_reveals_nothing(world: World, as_secretary_b: Client) -> None:
    rows = _sheet(_download(as_secretary_b.get(EXPORT, {"org": world.branch_a.pk})))
    assert [r[HEADERS.index("姓名")] for r in rows[1:]] == ["王乙"]


def test_export_is_refused_to_members_and_to_post(as_member_a: Client, as_staff: Client) -> None:
    assert as_member_a.get(EXPORT).status_code == 403
    assert as_staff.post(EXPORT).status_code == 405


def test_exported_file_goes_back_in_unchanged(world: World, as_staff: Client) -> None:
    data = _download(as_staff.get(EXPORT, {"org": world.committee.pk}))
    as_staff.post(UPLOAD, {"file": SimpleUploadedFile("导出.xlsx", data)})
    job = RosterImport.objects.get()
    assert job.status == ImportStatus.READY, job.errors
    assert (job.count_new, job.count_changed, job.count_unchanged) == (0, 0, 3), job.changes


def test_export_query_count_does_not_grow_with_rows(world: World, as_staff: Client, django_assert_max_num_queries) -> None:
    for _ in range(120):
        MemberFactory(branch=world.branch_a)
    # session, user, scope, org options, the rows (one chunked query), session renewal.
    with django_assert_max_num_queries(8):
        response = as_staff.get(EXPORT, {"org": world.branch_a.pk})
        data = _download(response)
    assert len(_sheet(data)) == 1 + 122


def test_list_page_export_button_keeps_the_filters(world: World, as_staff: Client) -> None:
    html = as_staff.get(reverse("members:list"), {"org": world.branch_a.pk}).content.decode()
    assert f'href="{EXPORT}?org={world.branch_a.pk}"' in html
