"""/api/v1/dues/: the dues table, a 党支部's year (read, and one member set through dues_assess) and
month (read, and a batch recorded through dues_record_month, all or nothing), the arrears of a
scope and a member's dues card, with the pages' rules: admin and staff reach every 党支部 of their
scope, the secretary of branch A hers, the secretary of branch B gets 404 on A, a member with no
other role gets 404 on every 党支部, 403 on every write and their own card without the income.

The clock stands at 15 December 2026, 10:00 in Beijing, as in tests/members/dues/test_views.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal as D
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from branches.models import Organization, OrgStatus
from members.dues.models import DuesAssessment, DuesPayment, DuesRule
from members.dues.services import DuesEntry, dues_assess, dues_record_month
from members.roster.choices import DuesCategory, MemberState
from members.roster.models import Member
from members.transfers.application_services import transfer_apply
from members.transfers.models import TransferKind
from members.transfers.step_services import transfer_accept, transfer_approve_out
from partybuild.periods import Period
from tests.api.helpers import patch, post, put
from tests.conftest import World
from tests.factories import MemberFactory

DUES = "/api/v1/dues/"
RULES = f"{DUES}rules/"
ARREARS = f"{DUES}arrears/"
HUGE = "99999999999999999999"


def year_url(pk: int | str) -> str:
    return f"{DUES}branches/{pk}/year/"


def month_url(pk: int | str) -> str:
    return f"{DUES}branches/{pk}/month/"


def card_url(pk: int | str) -> str:
    return f"{DUES}members/{pk}/"


@pytest.fixture(autouse=True)
def _mid_december_2026() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 12, 15, 2, tzinfo=datetime.UTC), tick=False):
        yield


def _assess(world: World, year: int = 2026) -> None:
    """张党员 4,000 a month (40.00 of dues), 李同志 6,000 (90.00)."""
    dues_assess(member=world.member_a, year=year, actor=world.secretary_a, base_income=D("4000"))
    dues_assess(member=world.member_a2, year=year, actor=world.secretary_a, base_income=D("6000"))


def _pay(
    world: World, member: Member, month: str, amount: str, on: datetime.date = datetime.date(2026, 12, 1), **extra: Any
) -> None:
    dues_record_month(
        branch=member.branch,
        month=Period.parse(month),
        entries={member.pk: DuesEntry(D(amount), on, **extra)},
        actor=world.secretary_a,
    )


def _rows(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["member_name"]: row for row in body["rows"]}


def _entry(member: Member, amount: str = "40", on: str = "2026-12-10", **extra: Any) -> dict[str, Any]:
    return {"member": member.pk, "amount_paid": amount, "paid_on": on, **extra}


def _nothing_written() -> bool:
    return not DuesPayment.objects.exists() and not DuesAssessment.objects.exists()


# --- 党费标准 ------------------------------------------------------------------------------------


def test_the_dues_table_in_force_on_a_day_is_data(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(RULES, {"on": "2026-01-01"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["on"] == "2026-01-01" and body["manual_categories"] == ["other"]
    employed = [r for r in body["results"] if r["dues_category"] == "employed"]
    assert [(r["kind"], r["income_above"], r["income_up_to"], r["rate"]) for r in employed] == [
        ("band", "0.00", "3000.00", "0.0050"),
        ("band", "3000.00", "5000.00", "0.0100"),
        ("band", "5000.00", "10000.00", "0.0150"),
        ("band", "10000.00", None, "0.0200"),
    ]
    farmer = next(r for r in body["results"] if r["dues_category"] == "farmer")
    assert (farmer["kind"], farmer["dues_category_display"], farmer["rate"]) == ("flat", "农民", None)
    assert (farmer["flat_amount"], farmer["flat_min"], farmer["flat_max"]) == ("0.20", "0.20", "1.00")
    assert [r["dues_category"] for r in body["results"]][:4] == ["employed"] * 4  # in the categories' order


def test_a_new_version_of_the_table_is_read_from_the_day_it_takes_effect(world: World, as_staff: Client) -> None:
    DuesRule.objects.create(category="retired", income_above=D("0"), rate=D("0.01"), effective_from=datetime.date(2027, 1, 1))
    retired = [r for r in as_staff.get(RULES, {"on": "2027-01-01"}).json()["results"] if r["dues_category"] == "retired"]
    assert [(r["income_up_to"], r["rate"], r["effective_from"]) for r in retired] == [(None, "0.0100", "2027-01-01")]
    today = as_staff.get(RULES).json()
    assert today["on"] == "2026-12-15"
    assert len([r for r in today["results"] if r["dues_category"] == "retired"]) == 2


def test_a_member_reads_the_table_too_it_holds_nobodys_data(world: World, as_member_a: Client) -> None:
    assert as_member_a.get(RULES).status_code == 200


def test_an_unreadable_date_is_400_in_chinese(world: World, as_staff: Client) -> None:
    response = as_staff.get(RULES, {"on": "2026-13-01"})
    assert response.status_code == 400
    assert response.json() == {"on": ["日期无法识别，请写成 2026-01-01 这样的日期。"]}


# --- 年度党费核定 ----------------------------------------------------------------------------------


def test_the_secretary_reads_her_branchs_year_with_incomes_and_overrides(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    dues_assess(
        member=world.member_a2, year=2026, actor=world.secretary_a, base_income=D("6000"), amount=D("100"), reason="本人自愿多交"
    )
    response = as_secretary_a.get(year_url(world.branch_a.pk), {"year": 2026})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["org"], body["org_name"], body["year"], body["can_assess"]) == (
        world.branch_a.pk,
        "测试局第一党支部",
        2026,
        True,
    )
    assert (body["assessed"], body["missing"], body["monthly_total"]) == (2, 0, "140.00")
    assert [r["member_name"] for r in body["rows"]] == ["张党员", "李同志"]
    rows = _rows(body)
    zhang = rows["张党员"]
    assert (zhang["member"], zhang["dues_category"], zhang["dues_category_display"], zhang["kind"], zhang["stale"]) == (
        world.member_a.pk,
        "employed",
        "在职",
        "band",
        False,
    )
    a = zhang["assessment"]
    assert (a["year"], a["base_income"], a["computed_amount"], a["amount"], a["has_override"]) == (
        2026,
        "4000.00",
        "40.00",
        "40.00",
        False,
    )
    assert a["basis"] == "月收入 4,000.00 元 × 1% = 40.00 元" and a["override_reason"] == ""
    li = rows["李同志"]["assessment"]
    assert (li["base_income"], li["computed_amount"], li["amount"], li["has_override"], li["override_reason"]) == (
        "6000.00",
        "90.00",
        "100.00",
        True,
        "本人自愿多交",
    )


def test_the_year_defaults_to_this_year_and_shows_who_is_not_set(world: World, as_secretary_a: Client) -> None:
    _assess(world, year=2025)
    Member.objects.filter(pk=world.member_a2.pk).update(dues_category=DuesCategory.FARMER)
    body = as_secretary_a.get(year_url(world.branch_a.pk)).json()
    assert (body["year"], body["assessed"], body["missing"], body["monthly_total"]) == (2026, 0, 2, "0.00")
    rows = _rows(body)
    assert rows["张党员"]["assessment"] is None and rows["张党员"]["flat_default"] is None
    farmer = rows["李同志"]
    assert (farmer["kind"], farmer["flat_min"], farmer["flat_max"], farmer["flat_default"]) == ("flat", "0.20", "1.00", "0.20")


def test_a_category_changed_since_the_year_was_set_is_stale(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    Member.objects.filter(pk=world.member_a.pk).update(dues_category=DuesCategory.RETIRED)
    body = as_secretary_a.get(year_url(world.branch_a.pk)).json()
    zhang = _rows(body)["张党员"]
    assert zhang["stale"] is True and zhang["dues_category"] == "retired" and zhang["assessment"]["dues_category"] == "employed"
    assert (body["assessed"], body["missing"]) == (1, 1)


def test_admin_and_staff_read_every_branch_of_their_scope(world: World, as_admin: Client, as_staff: Client) -> None:
    for client in (as_admin, as_staff):
        response = client.get(year_url(world.branch_c.pk))
        assert response.status_code == 200
        assert [r["member_name"] for r in response.json()["rows"]] == ["赵丙"]


def test_a_member_who_left_the_roster_is_not_on_the_year(world: World, as_secretary_a: Client) -> None:
    Member.objects.filter(pk=world.member_a2.pk).update(state=MemberState.TRANSFERRED_OUT)
    assert [r["member_name"] for r in as_secretary_a.get(year_url(world.branch_a.pk)).json()["rows"]] == ["张党员"]


def test_the_secretary_sets_one_members_dues_for_the_year(world: World, as_secretary_a: Client) -> None:
    response = post(as_secretary_a, year_url(world.branch_a.pk), {"member": world.member_a.pk, "year": 2026, "base_income": 4000})
    assert response.status_code == 200, response.json()
    row = response.json()
    assert (row["member"], row["member_name"], row["assessment"]["amount"], row["assessment"]["base_income"]) == (
        world.member_a.pk,
        "张党员",
        "40.00",
        "4000.00",
    )
    a = DuesAssessment.objects.get()
    assert (a.member, a.year, a.base_income, a.amount, a.set_by) == (
        world.member_a,
        2026,
        D("4000.00"),
        D("40.00"),
        world.secretary_a,
    )


def test_staff_and_admin_set_dues_in_their_scope(world: World, as_staff: Client, as_admin: Client) -> None:
    data = {"member": world.member_c.pk, "year": 2027, "base_income": "12000"}
    assert post(as_staff, year_url(world.branch_c.pk), data).json()["assessment"]["amount"] == "240.00"
    data = {"member": world.member_b.pk, "year": 2026, "base_income": "3000"}
    assert post(as_admin, year_url(world.branch_b.pk), data).json()["assessment"]["amount"] == "15.00"
    assert {(a.member_id, a.year, a.amount) for a in DuesAssessment.objects.all()} == {
        (world.member_c.pk, 2027, D("240.00")),
        (world.member_b.pk, 2026, D("15.00")),
    }


def test_an_override_needs_a_reason_and_nothing_is_saved_without_one(world: World, as_secretary_a: Client) -> None:
    url = year_url(world.branch_a.pk)
    data = {"member": world.member_a2.pk, "year": 2026, "base_income": "4000", "amount": "100"}
    response = post(as_secretary_a, url, data)
    assert response.status_code == 400
    assert response.json() == {"reason": ["每月党费与标准计算结果不同，请说明调整理由。"]}
    assert _nothing_written()
    row = post(as_secretary_a, url, {**data, "reason": "本人自愿多交"}).json()
    assert (row["assessment"]["amount"], row["assessment"]["computed_amount"], row["assessment"]["override_reason"]) == (
        "100.00",
        "40.00",
        "本人自愿多交",
    )


def test_changing_a_year_already_set_needs_a_reason_and_the_same_values_change_nothing(
    world: World, as_secretary_a: Client
) -> None:
    _assess(world)
    url = year_url(world.branch_a.pk)
    same = post(as_secretary_a, url, {"member": world.member_a.pk, "year": 2026, "base_income": "4000.00"})
    assert same.status_code == 200 and same.json()["assessment"]["amount"] == "40.00"
    assert DuesAssessment.objects.get(member=world.member_a).history.count() == 1  # not written again
    changed = {"member": world.member_a.pk, "year": 2026, "base_income": "5500"}
    response = post(as_secretary_a, url, changed)
    assert response.status_code == 400
    assert response.json() == {"reason": ["党费一般每年核定一次，年内调整请说明理由。"]}
    assert DuesAssessment.objects.get(member=world.member_a).amount == D("40.00")
    response = post(as_secretary_a, url, {**changed, "reason": "工资调整"})
    assert response.status_code == 200
    a = DuesAssessment.objects.get(member=world.member_a)
    assert (a.amount, a.override_reason, a.history.count()) == (D("82.50"), "工资调整", 2)


def test_a_band_member_needs_an_income(world: World, as_secretary_a: Client) -> None:
    response = post(as_secretary_a, year_url(world.branch_a.pk), {"member": world.member_a.pk, "year": 2026})
    assert response.status_code == 400
    assert response.json() == {"base_income": ["在职党员按月工资收入计算党费，请填写税后月工资收入。"]}
    assert _nothing_written()


def test_flat_categories_take_the_tables_amount_or_one_in_its_range(world: World, as_secretary_a: Client) -> None:
    Member.objects.filter(pk=world.member_a.pk).update(dues_category=DuesCategory.STUDENT)
    Member.objects.filter(pk=world.member_a2.pk).update(dues_category=DuesCategory.FARMER)
    url = year_url(world.branch_a.pk)
    response = post(as_secretary_a, url, {"member": world.member_a2.pk, "year": 2026, "flat": "1.50"})
    assert response.status_code == 400
    assert response.json() == {"flat": ["农民党员每月党费应在0.20元至1.00元之间。"]}
    response = post(as_secretary_a, url, {"member": world.member_a2.pk, "year": 2026, "base_income": "3000"})
    assert response.status_code == 400
    assert response.json() == {"base_income": ["农民党员按定额交纳党费，请填写 flat，不填月工资收入。"]}
    assert _nothing_written()
    assert post(as_secretary_a, url, {"member": world.member_a.pk, "year": 2026}).json()["assessment"]["amount"] == "0.20"
    assert (
        post(as_secretary_a, url, {"member": world.member_a2.pk, "year": 2026, "flat": "0.5"}).json()["assessment"]["amount"]
        == "0.50"
    )


def test_what_the_category_does_not_take_is_refused_not_dropped(world: World, as_secretary_a: Client) -> None:
    url = year_url(world.branch_a.pk)
    response = post(as_secretary_a, url, {"member": world.member_a.pk, "year": 2026, "base_income": "4000", "flat": "1"})
    assert response.status_code == 400
    assert response.json() == {"flat": ["在职党员按税后月工资收入计算党费，请填写 base_income，不填定额。"]}
    Member.objects.filter(pk=world.member_a2.pk).update(dues_category=DuesCategory.OTHER)
    response = post(as_secretary_a, url, {"member": world.member_a2.pk, "year": 2026, "base_income": "4000"})
    assert response.json() == {"base_income": ["“其他”类别没有党费标准，请直接填写每月党费（amount）并说明理由。"]}
    response = post(as_secretary_a, url, {"member": world.member_a2.pk, "year": 2026, "amount": "10"})
    assert response.json() == {"reason": ["每月党费与标准计算结果不同，请说明调整理由。"]}
    assert _nothing_written()
    data = {"member": world.member_a2.pk, "year": 2026, "amount": "10", "reason": "支部大会讨论确定"}
    assert post(as_secretary_a, url, data).json()["assessment"]["amount"] == "10.00"


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"base_income": "四千"}, {"base_income": ["请填写金额，如 4000 或 4000.50。"]}),
        ({"base_income": "-5"}, {"base_income": ["金额不能为负数。"]}),
        ({"base_income": "4000.123"}, {"base_income": ["金额最多保留两位小数（分）。"]}),
        ({"year": "20x6"}, {"year": ["年度应为整数，如 2026。"]}),
        ({"year": 2099}, {"year": ["年度应为2008年至2027年之间的年份。"]}),
        ({"year": None}, {"year": ["请填写年度。"]}),
        ({"member": "张"}, {"member": ["党员ID应为整数。"]}),
        ({"member": HUGE}, {"member": ["所选党员不是本党支部的在册党员。"]}),
        ({"reason": "长" * 201}, {"reason": ["请确保这个字段不能超过 200 个字符。"]}),
    ],
)
def test_what_cannot_be_read_is_400_in_chinese(world: World, as_secretary_a: Client, data: dict, errors: dict) -> None:
    body = {"member": world.member_a.pk, "year": 2026, "base_income": "4000", **data}
    response = post(as_secretary_a, year_url(world.branch_a.pk), body)
    assert response.status_code == 400
    assert response.json() == errors
    assert _nothing_written()


def test_a_member_of_another_branch_or_off_the_roster_is_not_set(world: World, as_secretary_a: Client, as_staff: Client) -> None:
    response = post(
        as_secretary_a, year_url(world.branch_a.pk), {"member": world.member_b.pk, "year": 2026, "base_income": "4000"}
    )
    assert response.status_code == 400
    assert response.json() == {"member": ["所选党员不是本党支部的在册党员。"]}
    Member.objects.filter(pk=world.member_a2.pk).update(state=MemberState.DECEASED)
    response = post(as_staff, year_url(world.branch_a.pk), {"member": world.member_a2.pk, "year": 2026, "base_income": "4000"})
    assert response.json() == {"member": ["所选党员不是本党支部的在册党员。"]}
    assert _nothing_written()


def test_a_bad_year_in_the_query_is_400(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(year_url(world.branch_a.pk), {"year": "2007"})
    assert response.status_code == 400
    assert response.json() == {"year": ["年度应为2008年至2027年之间的年份。"]}


# --- who may: the year and the month ---------------------------------------------------------------


def test_the_secretary_of_another_branch_gets_404_and_changes_nothing(world: World, as_secretary_b: Client) -> None:
    _assess(world)
    assert as_secretary_b.get(year_url(world.branch_a.pk)).status_code == 404
    assert as_secretary_b.get(month_url(world.branch_a.pk)).status_code == 404
    data = {"member": world.member_a.pk, "year": 2026, "base_income": "9000", "reason": "改"}
    assert post(as_secretary_b, year_url(world.branch_a.pk), data).status_code == 404
    batch = {"month": "2026-11", "entries": [_entry(world.member_a)]}
    assert post(as_secretary_b, month_url(world.branch_a.pk), batch).status_code == 404
    assert DuesAssessment.objects.get(member=world.member_a).amount == D("40.00")
    assert not DuesPayment.objects.exists()


def test_a_member_without_another_role_reads_no_branch_and_writes_nothing(world: World, as_member_a: Client) -> None:
    _assess(world)
    assert as_member_a.get(year_url(world.branch_a.pk)).status_code == 404
    assert as_member_a.get(month_url(world.branch_a.pk)).status_code == 404
    data = {"member": world.member_a.pk, "year": 2026, "base_income": "9000", "reason": "改"}
    response = post(as_member_a, year_url(world.branch_a.pk), data)
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有核定或登记党费的权限。"}
    batch = {"month": "2026-11", "entries": [_entry(world.member_a)]}
    assert post(as_member_a, month_url(world.branch_a.pk), batch).status_code == 403
    assert DuesAssessment.objects.get(member=world.member_a).amount == D("40.00")
    assert not DuesPayment.objects.exists()


@pytest.mark.parametrize("pk", ["999999", HUGE, "abc"])
def test_a_missing_branch_is_404(world: World, as_admin: Client, pk: str) -> None:
    assert as_admin.get(year_url(pk)).status_code == 404
    assert as_admin.get(month_url(pk)).status_code == 404
    assert post(as_admin, month_url(pk), {"month": "2026-11", "entries": [_entry(world.member_a)]}).status_code == 404


def test_an_organization_that_is_not_a_branch_is_404(world: World, as_staff: Client) -> None:
    for org in (world.committee, world.general, world.group_a1):
        response = as_staff.get(year_url(org.pk))
        assert response.status_code == 404
        assert response.json() == {"detail": "党费按党支部核定和收缴：该党组织不是党支部。"}
        assert as_staff.get(month_url(org.pk)).status_code == 404


def test_a_dissolved_branch_is_read_only(world: World, as_staff: Client) -> None:
    dues_assess(member=world.member_c, year=2026, actor=world.staff, base_income=D("4000"))
    Organization.objects.filter(pk=world.branch_c.pk).update(status=OrgStatus.DISSOLVED)
    assert as_staff.get(year_url(world.branch_c.pk)).json()["can_assess"] is False
    assert as_staff.get(month_url(world.branch_c.pk), {"month": "2026-11"}).json()["can_record"] is False
    data = {"member": world.member_c.pk, "year": 2026, "base_income": "9000", "reason": "改"}
    response = post(as_staff, year_url(world.branch_c.pk), data)
    assert response.status_code == 403
    assert response.json() == {"detail": "该党支部已撤销，不能核定或登记党费。"}
    batch = {"month": "2026-11", "entries": [_entry(world.member_c)]}
    assert post(as_staff, month_url(world.branch_c.pk), batch).status_code == 403
    assert DuesAssessment.objects.get().amount == D("40.00") and not DuesPayment.objects.exists()


def test_the_year_and_month_take_only_get_and_post(world: World, as_secretary_a: Client) -> None:
    for url in (year_url(world.branch_a.pk), month_url(world.branch_a.pk)):
        assert put(as_secretary_a, url, {}).status_code == 405
        assert patch(as_secretary_a, url, {}).status_code == 405
        assert as_secretary_a.delete(url).status_code == 405
    for url in (RULES, ARREARS, card_url(world.member_a.pk)):
        assert post(as_secretary_a, url, {}).status_code == 405


def test_anonymous_requests_are_refused(world: World, client: Client) -> None:
    for url in (RULES, ARREARS, year_url(world.branch_a.pk), month_url(world.branch_a.pk), card_url(world.member_a.pk)):
        assert client.get(url).status_code == 401, url
    assert (
        post(client, month_url(world.branch_a.pk), {"month": "2026-11", "entries": [_entry(world.member_a)]}).status_code == 401
    )
    assert not DuesPayment.objects.exists()


# --- 月度收缴 ----------------------------------------------------------------------------------------


def test_the_month_ledger_says_due_paid_how_by_whom_and_paid_up_to(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    _pay(world, world.member_a, "2026-11", "40", datetime.date(2026, 11, 20), method="wechat", paid_by="爱人代交")
    _pay(world, world.member_a2, "2026-05", "90", datetime.date(2026, 12, 1))  # a back-payment
    MemberFactory(name="新同志", branch=world.branch_a, joined_on=datetime.date(2026, 12, 1))
    MemberFactory(name="未核定", branch=world.branch_a)
    response = as_secretary_a.get(month_url(world.branch_a.pk), {"month": "2026-11"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["org"], body["month"], body["month_label"], body["can_record"]) == (
        world.branch_a.pk,
        "2026-11",
        "2026年11月",
        True,
    )
    assert (body["due_total"], body["paid_total"], body["paid_count"], body["unpaid_count"], body["unassessed_count"]) == (
        "130.00",
        "40.00",
        1,
        1,
        1,
    )
    rows = _rows(body)
    assert rows["张党员"] == {
        "member": world.member_a.pk,
        "member_name": "张党员",
        "dues_category": "employed",
        "dues_category_display": "在职",
        "state": "paid",
        "state_label": "已交",
        "recordable": True,
        "due": "40.00",
        "amount_paid": "40.00",
        "paid_on": "2026-11-20",
        "method": "wechat",
        "method_display": "微信",
        "paid_by": "爱人代交",
        "paid_by_other": True,
        "back_payment": False,
        "paid_up_to": "2026-11",
        "collected_by_name": "第一党支部",
        "now_in_branch_name": None,
    }
    li = rows["李同志"]
    assert (li["state"], li["due"], li["amount_paid"], li["paid_on"], li["method"], li["paid_up_to"]) == (
        "unpaid",
        "90.00",
        None,
        None,
        None,
        "2026-05",
    )
    assert (rows["新同志"]["state"], rows["新同志"]["due"], rows["新同志"]["recordable"]) == ("not_joined", None, False)
    assert (rows["未核定"]["state"], rows["未核定"]["state_label"]) == ("unassessed", "未核定")
    may = _rows(as_secretary_a.get(month_url(world.branch_a.pk), {"month": "2026-05"}).json())["李同志"]
    assert (may["state"], may["back_payment"], may["paid_by_other"]) == ("paid", True, False)


def test_the_month_defaults_to_this_month_and_a_future_one_cannot_be_recorded(world: World, as_secretary_a: Client) -> None:
    assert as_secretary_a.get(month_url(world.branch_a.pk)).json()["month"] == "2026-12"
    assert as_secretary_a.get(month_url(world.branch_a.pk), {"month": "2027-01"}).json()["can_record"] is False


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026Q3", "“2026Q3”不是月份：请写成 2026-11 这样的年月。"),
        ("2026-1x", "月份“2026-1x”无法识别：请写成 2026-11 这样的年月。"),
    ],
)
def test_an_unreadable_month_is_400(world: World, as_secretary_a: Client, month: str, message: str) -> None:
    response = as_secretary_a.get(month_url(world.branch_a.pk), {"month": month})
    assert response.status_code == 400
    assert response.json() == {"month": [message]}


def test_a_member_who_left_the_roster_keeps_the_payment_of_the_month_read_only(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    _pay(world, world.member_a2, "2026-11", "90")
    Member.objects.filter(pk=world.member_a2.pk).update(state=MemberState.TRANSFERRED_OUT)
    li = _rows(as_secretary_a.get(month_url(world.branch_a.pk), {"month": "2026-11"}).json())["李同志"]
    assert (li["state"], li["recordable"], li["amount_paid"]) == ("left", False, "90.00")


def test_a_member_transferred_away_stays_on_the_old_branchs_month_and_is_not_recorded_again_in_the_new(
    world: World, as_secretary_a: Client, as_secretary_b: Client
) -> None:
    _assess(world)
    _pay(world, world.member_a2, "2026-11", "90")  # paid to branch A in November
    transfer = transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.INTERNAL,
        scope="within_committee",
        member=world.member_a2,
        to_org=world.branch_b,
        reason="工作调动",
        dues_paid_to=datetime.date(2026, 11, 1),
    )
    transfer_accept(transfer=transfer_approve_out(transfer=transfer, actor=world.secretary_a), actor=world.secretary_b)
    a_nov = as_secretary_a.get(month_url(world.branch_a.pk), {"month": "2026-11"}).json()
    li = _rows(a_nov)["李同志"]
    assert (li["state"], li["state_label"], li["recordable"], li["due"], li["now_in_branch_name"]) == (
        "moved",
        "已转至其他支部",
        False,
        "90.00",
        "第二党支部",
    )
    assert a_nov["paid_total"] == "90.00"
    b_nov = as_secretary_b.get(month_url(world.branch_b.pk), {"month": "2026-11"}).json()
    li = _rows(b_nov)["李同志"]
    assert (li["state"], li["due"], li["amount_paid"], li["collected_by_name"], li["now_in_branch_name"]) == (
        "elsewhere",
        None,
        "90.00",
        "第一党支部",
        None,
    )
    assert (b_nov["paid_total"], b_nov["due_total"]) == ("0.00", "0.00")
    response = post(
        as_secretary_b, month_url(world.branch_b.pk), {"month": "2026-11", "entries": [_entry(world.member_a2, "90")]}
    )
    assert response.status_code == 400
    assert response.json() == {"entries": ["李同志2026年11月的党费已由测试局第一党支部登记，不能在本支部重复登记。"]}
    assert DuesPayment.objects.get().branch == world.branch_a


def test_the_secretary_records_a_month_in_one_batch(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    batch = {
        "month": "2026-11",
        "entries": [
            _entry(world.member_a, "40.00", "2026-11-28", method="wechat", paid_by="爱人代交"),
            _entry(world.member_a2, 90, "2026-12-10"),
        ],
    }
    response = post(as_secretary_a, month_url(world.branch_a.pk), batch)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["recorded"], body["warnings"], body["paid_total"], body["unpaid_count"]) == (2, [], "130.00", 0)
    assert {r["member_name"]: r["state"] for r in body["rows"]} == {"张党员": "paid", "李同志": "paid"}
    payments = {p.member_id: p for p in DuesPayment.objects.all()}
    zhang, li = payments[world.member_a.pk], payments[world.member_a2.pk]
    assert (zhang.month, zhang.amount_due, zhang.amount_paid, zhang.paid_on, zhang.method, zhang.paid_by, zhang.recorded_by) == (
        datetime.date(2026, 11, 1),
        D("40.00"),
        D("40.00"),
        datetime.date(2026, 11, 28),
        "wechat",
        "爱人代交",
        world.secretary_a,
    )
    assert (li.amount_paid, li.method, li.paid_by) == (D("90.00"), "cash", "")


def test_staff_and_admin_record_in_their_scope(world: World, as_staff: Client, as_admin: Client) -> None:
    dues_assess(member=world.member_c, year=2026, actor=world.staff, base_income=D("4000"))
    dues_assess(member=world.member_b, year=2026, actor=world.admin, base_income=D("4000"))
    for client, branch, member in ((as_staff, world.branch_c, world.member_c), (as_admin, world.branch_b, world.member_b)):
        response = post(client, month_url(branch.pk), {"month": "2026-11", "entries": [_entry(member)]})
        assert response.status_code == 200 and response.json()["recorded"] == 1
    assert DuesPayment.objects.count() == 2


def test_a_row_that_cannot_be_read_records_nothing_and_is_named_by_its_position(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    bad = {"member": world.member_a2.pk, "amount_paid": "九十", "paid_on": "2026-13-40", "method": "card", "paid_by": "长" * 51}
    response = post(as_secretary_a, month_url(world.branch_a.pk), {"month": "2026-11", "entries": [_entry(world.member_a), bad]})
    assert response.status_code == 400
    assert response.json() == {
        "entries": {
            "1": {
                "amount_paid": ["请填写金额，如 4000 或 4000.50。"],
                "paid_on": ["请填写有效的日期，如 2026-11-20。"],
                "method": [
                    "交纳方式“card”无效，应为 cash（现金）、bank（银行转账）、wechat（微信）、alipay（支付宝）、payroll（工资代扣）、other（其他）。"
                ],
                "paid_by": ["请确保这个字段不能超过 50 个字符。"],
            }
        }
    }
    response = post(
        as_secretary_a, month_url(world.branch_a.pk), {"month": "2026-11", "entries": [{"member": world.member_a.pk}]}
    )
    assert response.json() == {"entries": {"0": {"amount_paid": ["请填写实交金额。"], "paid_on": ["请填写交纳日期。"]}}}
    assert not DuesPayment.objects.exists()


def test_the_services_refusals_record_nothing_not_even_the_good_rows(world: World, as_secretary_a: Client) -> None:
    dues_assess(member=world.member_a, year=2026, actor=world.secretary_a, base_income=D("4000"))
    late = MemberFactory(name="新同志", branch=world.branch_a, joined_on=datetime.date(2026, 12, 1))
    dues_assess(member=late, year=2026, actor=world.secretary_a, base_income=D("3000"))
    batch = {"month": "2026-11", "entries": [_entry(world.member_a, on="2026-12-16"), _entry(world.member_a2), _entry(late)]}
    response = post(as_secretary_a, month_url(world.branch_a.pk), batch)
    assert response.status_code == 400
    assert response.json() == {
        "entries": [
            "李同志尚未核定2026年党费，请先核定。",
            "张党员的交纳日期不能晚于今天。",
            "新同志2026年11月尚未入党，无需交纳党费。",
        ]
    }
    assert not DuesPayment.objects.exists()
    # The same batch without the refused rows goes in whole.
    response = post(as_secretary_a, month_url(world.branch_a.pk), {"month": "2026-11", "entries": [_entry(world.member_a)]})
    assert response.status_code == 200 and DuesPayment.objects.count() == 1


def test_a_member_of_another_branch_in_the_batch_is_refused(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    dues_assess(member=world.member_b, year=2026, actor=world.secretary_b, base_income=D("4000"))
    batch = {"month": "2026-11", "entries": [_entry(world.member_a), _entry(world.member_b)]}
    response = post(as_secretary_a, month_url(world.branch_a.pk), batch)
    assert response.status_code == 400
    assert response.json() == {"entries": ["有1名党员不是本支部的在册党员。"]}
    assert not DuesPayment.objects.exists()


@pytest.mark.parametrize(
    ("batch", "errors"),
    [
        ({"month": "2027-01"}, {"month": ["不能登记尚未到来的月份的党费。"]}),
        ({"month": ""}, {"month": ["请填写所属月份。"]}),
        ({"month": "2026"}, {"month": ["“2026”不是月份：请写成 2026-11 这样的年月。"]}),
        ({"entries": []}, {"entries": ["请至少登记一名党员的党费。"]}),
        ({"entries": "all"}, {"entries": ["entries 应为列表，每名党员一行。"]}),
    ],
)
def test_a_batch_that_cannot_be_recorded_is_400_in_chinese(
    world: World, as_secretary_a: Client, batch: dict, errors: dict
) -> None:
    _assess(world, year=2027)
    _assess(world)
    body = {"month": "2026-11", "entries": [_entry(world.member_a)], **batch}
    response = post(as_secretary_a, month_url(world.branch_a.pk), body)
    assert response.status_code == 400
    assert response.json() == errors
    assert not DuesPayment.objects.exists()


def test_a_member_appears_once_in_a_batch(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    batch = {"month": "2026-11", "entries": [_entry(world.member_a), _entry(world.member_a2), _entry(world.member_a, "50")]}
    response = post(as_secretary_a, month_url(world.branch_a.pk), batch)
    assert response.status_code == 400
    assert response.json() == {"entries": [f"同一党员只能登记一次（重复的党员ID：{world.member_a.pk}）。"]}
    assert not DuesPayment.objects.exists()


def test_recording_a_member_again_corrects_the_month_in_place(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    _pay(world, world.member_a2, "2026-11", "90")
    batch = {"month": "2026-11", "entries": [_entry(world.member_a2, "45", "2026-12-02")]}
    body = post(as_secretary_a, month_url(world.branch_a.pk), batch).json()
    li = _rows(body)["李同志"]
    assert (li["state"], li["amount_paid"], li["paid_on"], li["paid_up_to"]) == ("short", "45.00", "2026-12-02", None)
    payment = DuesPayment.objects.get()
    assert (payment.amount_paid, payment.history.count()) == (D("45.00"), 2)


def test_a_back_payment_beyond_six_months_is_recorded_with_a_warning(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    body = post(as_secretary_a, month_url(world.branch_a.pk), {"month": "2026-05", "entries": [_entry(world.member_a)]}).json()
    assert body["warnings"] == ["张党员补交2026年5月的党费，已超过6个月。"]
    assert _rows(body)["张党员"]["back_payment"] is True
    assert DuesPayment.objects.get().month == datetime.date(2026, 5, 1)


# --- 欠费提醒 ----------------------------------------------------------------------------------------


def _behind(world: World) -> None:
    _assess(world)
    _pay(world, world.member_a, "2026-08", "40")  # Sep, Oct, Nov unpaid: 3
    _pay(world, world.member_a2, "2026-05", "90")  # Jun to Nov unpaid: 6
    dues_assess(member=world.member_b, year=2026, actor=world.secretary_b, base_income=D("4000"))
    _pay(world, world.member_b, "2026-01", "40")  # Feb to Nov: 10


def test_arrears_list_who_is_behind_since_when_and_flag_six_months(world: World, as_secretary_a: Client) -> None:
    _behind(world)
    response = as_secretary_a.get(ARREARS)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["as_of"], body["as_of_label"], body["warn_months"], body["flag_months"]) == ("2026-11", "2026年11月", 3, 6)
    assert (body["count"], body["flagged"], body["next"], body["previous"]) == (2, 1, None, None)
    assert body["results"] == [
        {
            "member": world.member_a2.pk,
            "member_name": "李同志",
            "branch": world.branch_a.pk,
            "branch_name": "第一党支部",
            "paid_up_to": "2026-05",
            "months_behind": 6,
            "level": "flag",
            "label": "满6个月未交（自行脱党风险）",
        },
        {
            "member": world.member_a.pk,
            "member_name": "张党员",
            "branch": world.branch_a.pk,
            "branch_name": "第一党支部",
            "paid_up_to": "2026-08",
            "months_behind": 3,
            "level": "warn",
            "label": "3个月未交",
        },
    ]
    assert Member.objects.get(pk=world.member_a2.pk).state == MemberState.NORMAL


def test_staff_and_admin_see_their_whole_scope_and_narrow_it(world: World, as_staff: Client, as_admin: Client) -> None:
    _behind(world)
    for client in (as_staff, as_admin):
        assert [r["member_name"] for r in client.get(ARREARS).json()["results"]] == ["王乙", "李同志", "张党员"]
    narrowed = as_staff.get(ARREARS, {"org": world.branch_b.pk}).json()
    assert [(r["member_name"], r["months_behind"]) for r in narrowed["results"]] == [("王乙", 10)]


def test_arrears_out_of_scope_are_404_and_a_member_sees_none(
    world: World, as_secretary_a: Client, as_secretary_b: Client, as_member_a: Client
) -> None:
    _behind(world)
    assert as_secretary_a.get(ARREARS, {"org": world.branch_b.pk}).status_code == 404
    assert [r["member_name"] for r in as_secretary_b.get(ARREARS).json()["results"]] == ["王乙"]
    body = as_member_a.get(ARREARS).json()
    assert (body["count"], body["results"]) == (0, [])
    assert as_member_a.get(ARREARS, {"org": world.branch_a.pk}).status_code == 404


@pytest.mark.parametrize("value", ["0", "-3", HUGE, "甲"])
def test_an_impossible_org_id_for_arrears_is_400(world: World, as_staff: Client, value: str) -> None:
    response = as_staff.get(ARREARS, {"org": value})
    assert response.status_code == 400
    assert response.json() == {"org": ["党组织ID无效。"]}


# --- a member's dues card ----------------------------------------------------------------------------


def test_the_card_shows_the_years_dues_paid_up_to_and_the_last_12_months(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    _pay(world, world.member_a, "2026-10", "40", datetime.date(2026, 10, 15))
    _pay(world, world.member_a, "2026-11", "20", datetime.date(2026, 11, 15), method="bank")
    response = as_secretary_a.get(card_url(world.member_a.pk))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["member"], body["member_name"], body["year"], body["paid_up_to"]) == (
        world.member_a.pk,
        "张党员",
        2026,
        "2026-10",
    )
    a = body["assessment"]
    assert (a["amount"], a["base_income"], a["computed_amount"], a["basis"]) == (
        "40.00",
        "4000.00",
        "40.00",
        "月收入 4,000.00 元 × 1% = 40.00 元",
    )
    assert [(m["month"], m["state"], m["due"], m["amount_paid"]) for m in body["months"][:3]] == [
        ("2026-12", "current", "40.00", None),
        ("2026-11", "short", "40.00", "20.00"),
        ("2026-10", "paid", "40.00", "40.00"),
    ]
    november = body["months"][1]
    assert (november["paid_on"], november["method"], november["method_display"], november["state_label"]) == (
        "2026-11-15",
        "bank",
        "银行转账",
        "少交",
    )
    assert len(body["months"]) == 12 and body["months"][-1]["month"] == "2026-01"


def test_a_member_reads_their_own_card_without_the_income(world: World, as_member_a: Client) -> None:
    _assess(world)
    _pay(world, world.member_a, "2026-11", "40")
    response = as_member_a.get(card_url(world.member_a.pk))
    assert response.status_code == 200
    body = response.json()
    a = body["assessment"]
    assert (a["amount"], a["dues_category"], body["paid_up_to"]) == ("40.00", "employed", "2026-11")
    assert (a["base_income"], a["computed_amount"], a["basis"], a["override_reason"], a["has_override"]) == (None,) * 5
    assert "4000" not in response.content.decode() and "4,000" not in response.content.decode()


def test_a_card_out_of_scope_is_404(world: World, as_member_a: Client, as_secretary_b: Client, as_staff: Client) -> None:
    _assess(world)
    assert as_member_a.get(card_url(world.member_a2.pk)).status_code == 404
    assert as_secretary_b.get(card_url(world.member_a.pk)).status_code == 404
    for pk in ("999999", HUGE, "abc"):
        assert as_staff.get(card_url(pk)).status_code == 404
    assert as_staff.get(card_url(world.member_a.pk)).json()["assessment"]["base_income"] == "4000.00"


def test_a_card_with_no_dues_says_so(world: World, as_secretary_a: Client) -> None:
    body = as_secretary_a.get(card_url(world.member_a.pk)).json()
    assert body["assessment"] is None and body["paid_up_to"] is None
    assert {m["state"] for m in body["months"]} == {"none"}


# --- query counts --------------------------------------------------------------------------------------


def _queries(client: Client, url: str, params: dict | None = None) -> tuple[int, dict[str, Any]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.json()
    return len(ctx.captured_queries), response.json()


def _more_members(world: World, n: int, *, paid_month: str | None = None) -> list[Member]:
    people = [MemberFactory(branch=world.branch_a) for _ in range(n)]
    for m in people:
        dues_assess(member=m, year=2026, actor=world.secretary_a, base_income=D("5000"))
    if paid_month:
        dues_record_month(
            branch=world.branch_a,
            month=Period.parse(paid_month),
            entries={m.pk: DuesEntry(D("50"), datetime.date(2026, 12, 1)) for m in people},
            actor=world.secretary_a,
        )
    return people


# Session, user, the 党支部, scope; then the year's three (members, assessments, rules) or the
# month's three (members with their 党费交至, assessments, payments); plus the session's save (SESSION_SAVE_EVERY_REQUEST)
# in a savepoint (3 statements).
YEAR_MAX = 10
MONTH_MAX = 10
# Session, user, scope, the member rules (warning and flagging months), arrears (one query), the
# session's save (3).
ARREARS_MAX = 8
# Session, user, the member, scope, the card's three (assessments, payments, 党费交至), the session's
# save (3).
CARD_MAX = 10


def test_the_year_sheet_costs_the_same_for_2_and_42_members(
    world: World, as_secretary_a: Client, django_assert_max_num_queries
) -> None:
    _assess(world)
    few, body = _queries(as_secretary_a, year_url(world.branch_a.pk))
    assert len(body["rows"]) == 2
    _more_members(world, 40)
    many, body = _queries(as_secretary_a, year_url(world.branch_a.pk))
    assert len(body["rows"]) == 42
    assert many == few
    with django_assert_max_num_queries(YEAR_MAX):
        as_secretary_a.get(year_url(world.branch_a.pk))


def test_the_month_ledger_costs_the_same_for_2_and_42_members(
    world: World, as_staff: Client, django_assert_max_num_queries
) -> None:
    _assess(world)
    _pay(world, world.member_a, "2026-11", "40")
    params = {"month": "2026-11"}
    few, body = _queries(as_staff, month_url(world.branch_a.pk), params)
    assert len(body["rows"]) == 2
    _more_members(world, 40, paid_month="2026-11")
    many, body = _queries(as_staff, month_url(world.branch_a.pk), params)
    assert len(body["rows"]) == 42 and body["paid_count"] == 41
    assert many == few
    with django_assert_max_num_queries(MONTH_MAX):
        as_staff.get(month_url(world.branch_a.pk), params)


def test_recording_forty_more_rows_costs_no_more_queries(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    url = month_url(world.branch_a.pk)
    with CaptureQueriesContext(connection) as few:
        response = post(as_secretary_a, url, {"month": "2026-11", "entries": [_entry(world.member_a), _entry(world.member_a2)]})
    assert response.status_code == 200
    people = _more_members(world, 40)
    with CaptureQueriesContext(connection) as many:
        response = post(as_secretary_a, url, {"month": "2026-11", "entries": [_entry(m, "50") for m in people]})
    assert response.status_code == 200 and response.json()["recorded"] == 40
    assert len(many.captured_queries) == len(few.captured_queries)
    assert DuesPayment.objects.count() == 42


def test_the_arrears_cost_the_same_for_2_and_42_members(world: World, as_staff: Client, django_assert_max_num_queries) -> None:
    _assess(world)
    _pay(world, world.member_a, "2026-01", "40")  # branch A keeps its dues here from January
    few, body = _queries(as_staff, ARREARS)
    assert body["count"] == 2
    _more_members(world, 40)
    many, body = _queries(as_staff, ARREARS)
    assert body["count"] == 42
    assert many == few
    with django_assert_max_num_queries(ARREARS_MAX):
        as_staff.get(ARREARS)


def test_the_card_costs_the_same_whatever_the_payments(
    world: World, as_secretary_a: Client, django_assert_max_num_queries
) -> None:
    _assess(world)
    few, _body = _queries(as_secretary_a, card_url(world.member_a.pk))
    for month in range(1, 12):
        _pay(world, world.member_a, f"2026-{month:02d}", "40")
    many, body = _queries(as_secretary_a, card_url(world.member_a.pk))
    assert body["paid_up_to"] == "2026-11"
    assert many == few
    with django_assert_max_num_queries(CARD_MAX):
        as_secretary_a.get(card_url(world.member_a.pk))
