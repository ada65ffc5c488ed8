"""The roster's django-import-export resource (the Django admin's import and export): the same
columns, parsers, rules and services as the portal's import, all rows or none."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from members.imports.columns import NATIONAL_HEADERS, STORED_COLUMNS
from members.imports.resources import MemberResource
from members.roster.choices import MemberState
from members.roster.models import Member
from members.roster.services import member_change_state
from tests.conftest import World
from tests.factories import UserFactory, valid_id_number

pytestmark = pytest.mark.django_db


def _row(name: str, id_number: str, branch: str = "WA", **extra: Any) -> list[Any]:
    values: dict[str, Any] = {h: "" for h in NATIONAL_HEADERS}
    values.update(
        {
            "序号": 1,
            "姓名": name,
            "性别": "",
            "公民身份号码": id_number,
            "人员类别": "正式党员",
            "所在党支部": branch,
            "入党日期": datetime.datetime(2010, 7, 1),  # an Excel date cell, as openpyxl reads it
            "转正日期": "2011年7月1日",
            "手机号码": "１３９ 0000 0000",
            "是否失联党员": "否",
            "是否流动党员": "否",
        }
    )
    values.update(extra)
    return [values[h] for h in NATIONAL_HEADERS]


def _dataset(*rows: list[Any], headers: list[str] = NATIONAL_HEADERS) -> tablib.Dataset:
    return tablib.Dataset(*rows, headers=list(headers))


def _bad_checksum() -> str:
    good = valid_id_number()
    return good[:-1] + ("0" if good[-1] != "0" else "1")


def test_fields_are_the_stored_columns_by_their_chinese_headers() -> None:
    resource = MemberResource()
    assert [f.column_name for f in resource.get_import_fields()] == [c.header for c in STORED_COLUMNS]
    assert resource.get_import_id_fields() == ["id_number"]


def test_dry_run_with_national_headers_shows_the_bad_id_row_and_writes_nothing(world: World) -> None:
    before = Member.objects.count()
    dataset = _dataset(_row("好党员", valid_id_number()), _row("坏号码", _bad_checksum()))
    result = MemberResource(user=world.staff).import_data(dataset, dry_run=True)
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 2
    assert invalid.field_specific_errors["公民身份号码"] == ["公民身份号码校验位不正确，请核对。"]
    assert Member.objects.count() == before


def test_unknown_branch_bad_date_and_probationary_with_confirmation_show_in_chinese(world: World) -> None:
    dataset = _dataset(
        _row("甲", valid_id_number(), branch="不存在的支部"),
        _row("乙", valid_id_number(), 入党日期="2010-13-45"),
        _row("丙", valid_id_number(), 人员类别="预备党员"),
    )
    result = MemberResource(user=world.staff).import_data(dataset, dry_run=True)
    errors = {row.number: row.field_specific_errors for row in result.invalid_rows}
    assert "找不到党支部“不存在的支部”" in errors[1]["所在党支部"][0]
    assert "日期不存在" in errors[2]["入党日期"][0]
    assert errors[3]["转正日期"] == ["预备党员不应填写转正日期。"]


def test_a_secretary_cannot_import_and_nothing_is_written(world: World) -> None:
    dataset = _dataset(_row("甲", valid_id_number()))
    result = MemberResource(user=world.secretary_a).import_data(dataset, dry_run=False)
    assert result.has_errors() or result.has_validation_errors()
    assert not Member.objects.filter(name="甲").exists()


def test_staff_scope_is_the_branch_lookup_scope(world: World, django_user_model: Any) -> None:
    from partybuild.accounts.models import Role, RoleAssignment

    staff_a = UserFactory(username="staff_a")
    RoleAssignment.objects.create(user=staff_a, role=Role.STAFF, organization=world.branch_a)
    dataset = _dataset(_row("甲", valid_id_number(), branch="WB"), _row("乙", valid_id_number(), branch="WA"))
    result = MemberResource(user=staff_a).import_data(dataset, dry_run=True)
    [invalid] = result.invalid_rows
    assert invalid.number == 1 and "找不到党支部" in invalid.field_specific_errors["所在党支部"][0]


def test_real_import_creates_members_through_the_service_with_history(world: World) -> None:
    number = valid_id_number(datetime.date(1990, 3, 8)).lower()
    dataset = _dataset(
        _row("新党员甲", number, branch="测试局第一党支部", 学历="大学", 学位="学士学位"),
        _row("新党员乙", valid_id_number(), branch="第二党支部", 是否流动党员="是"),
    )
    result = MemberResource(user=world.staff).import_data(dataset, dry_run=False, file_name="名册.xlsx")
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    assert result.totals["new"] == 2
    m = Member.objects.get(name="新党员甲")
    assert m.id_number == number.upper() and m.branch == world.branch_a and m.phone == "13900000000"
    assert m.birth_date == datetime.date(1990, 3, 8) and m.joined_on == datetime.date(2010, 7, 1)
    assert m.education == "undergraduate" and m.degree == "bachelor"
    record = m.history.first()
    assert record.history_change_reason == "导入花名册：名册.xlsx（系统管理后台）"
    assert record.history_user == world.staff
    mobile = Member.objects.get(name="新党员乙")
    assert mobile.branch == world.branch_b and mobile.state == MemberState.MOBILE
    assert mobile.history.count() == 2  # created, then the state change


def test_any_bad_row_rolls_back_the_whole_file(world: World) -> None:
    dataset = _dataset(_row("好", valid_id_number()), _row("坏", _bad_checksum()))
    MemberResource(user=world.staff).import_data(dataset, dry_run=False)
    assert not Member.objects.filter(name__in=["好", "坏"]).exists()


def test_reimport_reports_every_row_skipped_and_writes_no_history(world: World) -> None:
    rows = [_row("新党员甲", valid_id_number()), _row("新党员乙", valid_id_number(), 是否失联党员="是")]
    MemberResource(user=world.staff).import_data(_dataset(*rows), dry_run=False)
    history = Member.history.count()
    again = MemberResource(user=world.staff).import_data(_dataset(*rows), dry_run=False)
    assert again.totals["skip"] == 2 and again.totals["new"] == again.totals["update"] == 0
    assert len(again.rows) == 2  # report_skipped: the preview lists them
    assert Member.history.count() == history


def test_changed_row_updates_through_member_update_and_says_what_changed(world: World) -> None:
    m = world.member_a2
    row = _row(m.name, m.id_number, 手机号码="13811112222", 转正日期=m.confirmed_on, 入党日期=m.joined_on)
    row[NATIONAL_HEADERS.index("性别")] = m.get_gender_display()
    row[NATIONAL_HEADERS.index("出生日期")] = m.birth_date
    result = MemberResource(user=world.staff).import_data(_dataset(row), dry_run=False)
    assert result.totals["update"] == 1, result.invalid_rows
    m.refresh_from_db()
    assert m.phone == "13811112222"
    assert m.history.first().history_change_reason == "导入花名册（系统管理后台）"


def test_blank_cells_keep_the_state_ethnicity_and_dues_category(world: World) -> None:
    m = world.member_a2
    member_change_state(member=m, state=MemberState.LOST, on=datetime.date.today(), reason="失去联系")
    Member.objects.filter(pk=m.pk).update(ethnicity="回族", dues_category="retired")
    m.refresh_from_db()
    headers = [*NATIONAL_HEADERS, "党费类别"]
    row = _row(m.name, m.id_number, 手机号码=m.phone, 转正日期=m.confirmed_on, 入党日期=m.joined_on)
    row[NATIONAL_HEADERS.index("性别")] = m.get_gender_display()
    row[NATIONAL_HEADERS.index("出生日期")] = m.birth_date
    row[NATIONAL_HEADERS.index("是否失联党员")] = ""
    row[NATIONAL_HEADERS.index("是否流动党员")] = ""
    result = MemberResource(user=world.staff).import_data(_dataset([*row, ""], headers=headers), dry_run=False)
    assert not result.has_validation_errors(), result.invalid_rows
    m.refresh_from_db()
    assert (m.state, m.ethnicity, m.dues_category) == (MemberState.LOST, "回族", "retired")


def test_same_id_twice_in_the_file_is_an_error(world: World) -> None:
    number = valid_id_number()
    result = MemberResource(user=world.staff).import_data(_dataset(_row("甲", number), _row("乙", number)), dry_run=True)
    [invalid] = result.invalid_rows
    assert invalid.number == 2 and invalid.field_specific_errors["公民身份号码"] == ["与第1行的公民身份号码重复。"]


def test_ended_member_cannot_be_changed_by_import(world: World) -> None:
    m = world.member_c
    member_change_state(member=m, state=MemberState.DECEASED, on=datetime.date.today(), reason="病故")
    result = MemberResource(user=world.admin).import_data(_dataset(_row("改名", m.id_number, branch="WC")), dry_run=True)
    [invalid] = result.invalid_rows
    assert invalid.field_specific_errors["姓名"] == ["该党员已去世，档案不能再修改。"]


def test_export_writes_the_portal_labels_and_masks_ids_out_of_scope(world: World) -> None:
    staff_a = UserFactory(username="staff_a2")
    from partybuild.accounts.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=staff_a, role=Role.STAFF, organization=world.branch_a)
    qs = Member.objects.filter(pk__in=[world.member_a.pk, world.member_b.pk]).order_by("pk")
    dataset = MemberResource(user=staff_a).export(qs)
    assert dataset.headers == [c.header for c in STORED_COLUMNS]
    a, b = (dict(zip(dataset.headers, row, strict=True)) for row in dataset)
    assert a["公民身份号码"] == world.member_a.id_number and a["所在党支部"] == world.branch_a.name
    assert a["所在党小组"] == world.group_a1.name and a["性别"] in ("男", "女") and a["是否流动党员"] == "否"
    assert "*" in b["公民身份号码"]


def test_export_then_import_changes_nothing(world: World) -> None:
    dataset = MemberResource(user=world.admin).export(Member.objects.all())
    result = MemberResource(user=world.admin).import_data(dataset, dry_run=True)
    assert not result.has_validation_errors(), [r.field_specific_errors for r in result.invalid_rows]
    assert result.totals["skip"] == Member.objects.count()


# --- the admin ----------------------------------------------------------------------------------


@pytest.fixture
def as_superuser(world: World) -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _xlsx(rows: list[list[Any]]) -> bytes:
    return _dataset(*rows).export("xlsx")


def test_admin_changelist_shows_import_and_export(as_superuser: Client) -> None:
    response = as_superuser.get(reverse("admin:members_member_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("admin:members_member_import") in html and reverse("admin:members_member_export") in html
    assert reverse("admin:members_member_add") not in html


def test_admin_import_page_lists_the_chinese_columns(as_superuser: Client) -> None:
    response = as_superuser.get(reverse("admin:members_member_import"))
    assert response.status_code == 200
    assert "公民身份号码" in response.content.decode()


def test_admin_import_preview_shows_errors_then_a_good_file_goes_in(world: World, as_superuser: Client) -> None:
    url = reverse("admin:members_member_import")
    choices = as_superuser.get(url).context["form"].fields["format"].choices
    fmt = next(value for value, title in choices if title == "xlsx")
    bad = SimpleUploadedFile("名册.xlsx", _xlsx([_row("坏", _bad_checksum())]))
    response = as_superuser.post(url, {"format": fmt, "resource": 0, "import_file": bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert "公民身份号码校验位不正确" in html and "confirm_form" not in response.context
    good = SimpleUploadedFile("名册.xlsx", _xlsx([_row("好党员", valid_id_number())]))
    response = as_superuser.post(url, {"format": fmt, "resource": 0, "import_file": good})
    confirm = response.context["confirm_form"]
    response = as_superuser.post(reverse("admin:members_member_process_import"), confirm.initial)
    assert response.status_code == 302
    m = Member.objects.get(name="好党员")
    assert m.history.first().history_change_reason == "导入花名册：名册.xlsx（系统管理后台）"


def test_admin_export_downloads_the_roster(world: World, as_superuser: Client) -> None:
    url = reverse("admin:members_member_export")
    assert as_superuser.get(url).status_code == 200
    form = as_superuser.get(url).context["form"]
    fmt = next(value for value, title in form.fields["format"].choices if title == "xlsx")
    data: dict[str, Any] = {"format": fmt, "resource": 0}
    data.update({name: "on" for name in form.fields if name.startswith("memberresource_")})
    response = as_superuser.post(url, data)
    assert response.status_code == 200, response.content[:500]
    book = tablib.Dataset().load(io.BytesIO(response.content).read(), format="xlsx")
    assert book.headers[:3] == ["姓名", "性别", "公民身份号码"]
    assert world.member_a.name in book["姓名"]
