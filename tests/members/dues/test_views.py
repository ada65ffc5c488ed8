"""The 党费 pages as their users see them: a secretary sets her branch's dues for the year, records
a month's payments in one go and reads who is behind; staff do the same for any 党支部 of their
scope; a member sees their own dues on their record, without the base income.

The clock stands at 15 December 2026, 10:00 in Beijing: November is over, December under way.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from decimal import Decimal as D

import openpyxl
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from branches.models import Organization, OrgStatus
from members.dues.card_presenters import member_dues_card
from members.dues.models import DuesAssessment, DuesPayment
from members.dues.services import DuesEntry, dues_assess, dues_record_month
from members.roster.choices import DuesCategory, MemberState
from members.roster.models import Member
from partybuild.periods import Period
from tests.conftest import World
from tests.factories import MemberFactory

MONTH_URL = reverse("members:dues_month")
EXPORT_URL = reverse("members:dues_month_export")
YEAR_URL = reverse("members:dues_year")
ARREARS_URL = reverse("members:dues_arrears")
TODAY = datetime.date(2026, 12, 15)


@pytest.fixture(autouse=True)
def _mid_december_2026() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 12, 15, 2, tzinfo=datetime.UTC), tick=False):
        yield


def _text(response) -> str:
    """The page's visible text, tags removed and whitespace squeezed: what a reader sees."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _assess(world: World, a: str = "4000", a2: str = "6000", year: int = 2026) -> None:
    """张党员 4,000 a month (40.00 of dues), 李同志 6,000 (90.00)."""
    dues_assess(member=world.member_a, year=year, actor=world.secretary_a, base_income=D(a))
    dues_assess(member=world.member_a2, year=year, actor=world.secretary_a, base_income=D(a2))


def _pay(world: World, member: Member, month: str, amount: str, on: datetime.date = datetime.date(2026, 12, 1)) -> None:
    dues_record_month(
        branch=member.branch, month=Period.parse(month), entries={member.pk: DuesEntry(D(amount), on)}, actor=world.secretary_a
    )


def _row(response, member: Member):
    return next(r for r in response.context["ledger"].rows if r.member.pk == member.pk)


def _year_row(response, member: Member):
    return next(r for r in response.context["sheet"].rows if r.member.pk == member.pk)


def _ledger_post(
    *members: Member, amount: str = "", on: str = "2026-12-10", method: str = "cash", by: str = ""
) -> dict[str, str]:
    """The month form with ``members`` ticked 已交."""
    data: dict[str, str] = {}
    for m in members:
        data.update(
            {f"paid-{m.pk}": "1", f"amount-{m.pk}": amount, f"date-{m.pk}": on, f"method-{m.pk}": method, f"by-{m.pk}": by}
        )
    return data


def _more_members(world: World, n: int, *, assessed: bool = True, paid_month: str | None = None) -> list[Member]:
    people = [MemberFactory(branch=world.branch_a) for _ in range(n)]
    for m in people:
        if assessed:
            dues_assess(member=m, year=2026, actor=world.secretary_a, base_income=D("5000"))
    if paid_month:
        dues_record_month(
            branch=world.branch_a,
            month=Period.parse(paid_month),
            entries={m.pk: DuesEntry(D("50"), datetime.date(2026, 12, 1)) for m in people},
            actor=world.secretary_a,
        )
    return people


# --- 月度收缴 ----------------------------------------------------------------------------------------


def test_the_secretary_opens_her_branchs_month_with_dues_recorded_and_due_and_the_totals(
    world: World, as_secretary_a: Client
) -> None:
    _assess(world)
    _pay(world, world.member_a, "2026-11", "40", datetime.date(2026, 11, 20))
    response = as_secretary_a.get(MONTH_URL, {"month": "2026-11"})
    assert response.status_code == 200
    assert response.context["org"] == world.branch_a  # her own branch without ?org=
    paid, due = _row(response, world.member_a), _row(response, world.member_a2)
    assert (paid.state, paid.amount, paid.paid_on, paid.ticked) == ("paid", "40.00", "2026-11-20", False)
    # Not paid yet: the due amount and today pre-filled, nothing ticked.
    assert (due.state, due.due, due.amount, due.paid_on, due.method, due.ticked) == (
        "unpaid",
        D("90.00"),
        "90.00",
        "2026-12-15",
        "cash",
        False,
    )
    text = _text(response)
    assert "测试局第一党支部 · 2026年11月" in text
    assert "应交合计（元） 130.00" in text and "实交合计（元） 40.00" in text and "未交人数 1" in text
    box = re.search(rf'<input[^>]*name="paid-{world.member_a2.pk}"[^>]*>', response.content.decode())
    assert box is not None and "checked" not in box.group(0)  # a box to tick, not ticked
    # 党费交至 per member: the last month paid in full, whichever month the page shows.
    assert (paid.paid_up_to, due.paid_up_to) == (datetime.date(2026, 11, 1), None)
    october = as_secretary_a.get(MONTH_URL, {"month": "2026-10"})
    assert _row(october, world.member_a).paid_up_to == datetime.date(2026, 11, 1)
    row_html = re.search(rf'<tr id="dues-row-{world.member_a.pk}".*?</tr>', october.content.decode(), re.S)
    assert row_html is not None and "2026年11月" in row_html.group(0)


def test_members_without_the_years_dues_are_listed_with_a_link_to_set_them(world: World, as_secretary_a: Client) -> None:
    dues_assess(member=world.member_a, year=2026, actor=world.secretary_a, base_income=D("4000"))
    response = as_secretary_a.get(MONTH_URL, {"org": world.branch_a.pk, "month": "2026-11"})
    row = _row(response, world.member_a2)
    assert row.state == "unassessed" and row.due is None
    html = response.content.decode()
    assert f'name="paid-{world.member_a2.pk}"' not in html  # nothing to tick
    assert "1名党员尚未核定2026年党费（李同志）" in _text(response)
    assert f'href="{YEAR_URL}?org={world.branch_a.pk}&amp;year=2026"' in html
    # Not counted as 未交 (only 张党员 is): there is nothing due until the year is set.
    assert response.context["ledger"].unpaid_count == 1 and response.context["ledger"].due_total == D("40.00")


def test_a_member_who_joined_after_the_month_owes_nothing_for_it(world: World, as_secretary_a: Client) -> None:
    late = MemberFactory(name="新同志", branch=world.branch_a, joined_on=datetime.date(2026, 12, 1))
    dues_assess(member=late, year=2026, actor=world.secretary_a, base_income=D("3000"))
    row = _row(as_secretary_a.get(MONTH_URL, {"month": "2026-11"}), late)
    assert (row.state, row.due, row.recordable) == ("not_joined", None, False)


def test_ticked_rows_are_recorded_the_others_left_alone(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    data = _ledger_post(world.member_a, amount="40.00", on="2026-11-28", method="wechat", by="爱人代交")
    data.update({f"amount-{world.member_a2.pk}": "90.00", f"date-{world.member_a2.pk}": "2026-12-15"})  # shown, not ticked
    response = as_secretary_a.post(f"{MONTH_URL}?org={world.branch_a.pk}&month=2026-11", data, follow=True)
    assert response.redirect_chain[-1][0] == f"{MONTH_URL}?org={world.branch_a.pk}&month=2026-11"
    assert "已登记2026年11月党费 1 人。" in _text(response)
    payment = DuesPayment.objects.get()
    assert (payment.member, payment.month, payment.amount_due, payment.amount_paid) == (
        world.member_a,
        datetime.date(2026, 11, 1),
        D("40.00"),
        D("40.00"),
    )
    assert (payment.paid_on, payment.method, payment.paid_by, payment.recorded_by) == (
        datetime.date(2026, 11, 28),
        "wechat",
        "爱人代交",
        world.secretary_a,
    )
    text = _text(response)
    assert "实交合计（元） 40.00" in text and "未交人数 1" in text


def test_recording_a_row_again_corrects_it_in_place_with_its_history(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    _pay(world, world.member_a2, "2026-11", "90")
    url = f"{MONTH_URL}?org={world.branch_a.pk}&month=2026-11"
    # The recorded row shows its values, unticked; ticking and saving corrects it.
    assert _row(as_secretary_a.get(url), world.member_a2).amount == "90.00"
    response = as_secretary_a.post(url, _ledger_post(world.member_a2, amount="45", on="2026-12-02"), follow=True)
    payment = DuesPayment.objects.get(member=world.member_a2)
    assert (payment.amount_paid, payment.paid_on) == (D("45.00"), datetime.date(2026, 12, 2))
    assert DuesPayment.objects.count() == 1 and payment.history.count() == 2
    row = _row(response, world.member_a2)
    assert (row.state, row.state_label) == ("short", "少交")
    assert response.context["ledger"].unpaid_count == 2  # 张党员 unpaid, 李同志 paid short


def test_a_bad_row_records_nothing_and_keeps_what_was_typed(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    data = {**_ledger_post(world.member_a, amount="40"), **_ledger_post(world.member_a2, amount="九十")}
    data[f"date-{world.member_a.pk}"] = "2026-13-40"
    response = as_secretary_a.post(f"{MONTH_URL}?month=2026-11", data)
    assert response.status_code == 200
    assert not DuesPayment.objects.exists()
    text = _text(response)
    assert "有2行填写有误" in text and "本次未登记任何党费" in text
    assert "张党员：交纳日期：请填写有效的日期，如 2026-11-20。" in text
    assert "李同志：实交金额：请填写金额，如 4000 或 4000.50。" in text
    row = _row(response, world.member_a2)
    assert (row.amount, row.ticked) == ("九十", True)


def test_the_services_refusals_are_said_at_the_top_and_nothing_is_written(world: World, as_secretary_a: Client) -> None:
    dues_assess(member=world.member_a, year=2026, actor=world.secretary_a, base_income=D("4000"))
    data = {**_ledger_post(world.member_a, amount="40", on="2026-12-16"), **_ledger_post(world.member_a2, amount="40")}
    response = as_secretary_a.post(f"{MONTH_URL}?month=2026-11", data)
    assert response.status_code == 200
    assert response.context["top_errors"] == ["李同志尚未核定2026年党费，请先核定。", "张党员的交纳日期不能晚于今天。"]
    assert not DuesPayment.objects.exists()


def test_a_member_of_another_branch_slipped_into_the_form_is_refused(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    dues_assess(member=world.member_b, year=2026, actor=world.secretary_b, base_income=D("4000"))
    response = as_secretary_a.post(f"{MONTH_URL}?month=2026-11", _ledger_post(world.member_a, world.member_b, amount="40"))
    assert "有1名党员不是本支部的在册党员。" in response.context["top_errors"]
    assert not DuesPayment.objects.exists()


def test_a_back_payment_beyond_six_months_is_recorded_with_a_warning(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    response = as_secretary_a.post(f"{MONTH_URL}?month=2026-05", _ledger_post(world.member_a, amount="40"), follow=True)
    text = _text(response)
    assert "已登记2026年5月党费 1 人。" in text and "张党员补交2026年5月的党费，已超过6个月。" in text
    assert DuesPayment.objects.get().month == datetime.date(2026, 5, 1)


def test_saving_with_nothing_ticked_says_what_to_do(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    response = as_secretary_a.post(f"{MONTH_URL}?month=2026-11", {})
    assert response.context["top_errors"] == ["请勾选已交党费的党员（可点击“全部已交”），再保存。"]


def test_a_dissolved_branchs_pages_refuse_to_save_before_reading_the_form(world: World, as_staff: Client) -> None:
    Organization.objects.filter(pk=world.branch_c.pk).update(status=OrgStatus.DISSOLVED)
    for url in (
        f"{MONTH_URL}?org={world.branch_c.pk}&month=2026-11",
        f"{YEAR_URL}?org={world.branch_c.pk}&year=2026",
    ):
        assert as_staff.get(url).status_code == 200  # read only
        response = as_staff.post(url, {})  # nothing ticked, nothing typed: refused all the same
        assert response.status_code == 403
        assert "该党支部已撤销，不能核定或登记党费。" in response.content.decode()
    assert not DuesPayment.objects.filter(member=world.member_c).exists()


def test_a_future_month_is_shown_but_cannot_be_recorded(world: World, as_secretary_a: Client) -> None:
    _assess(world, year=2027)
    response = as_secretary_a.get(MONTH_URL, {"month": "2027-01"})
    assert response.context["can_record"] is False
    assert "2027年1月尚未到来，不能登记该月党费。" in _text(response)
    assert 'name="paid-' not in response.content.decode()
    response = as_secretary_a.post(f"{MONTH_URL}?month=2027-01", _ledger_post(world.member_a, amount="40"))
    assert response.context["top_errors"] == ["不能登记尚未到来的月份的党费。"]


def test_an_unreadable_month_is_explained_and_this_month_shown(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(MONTH_URL, {"month": "2026Q3"})
    assert response.context["month"] == Period.parse("2026-12")
    assert "“2026Q3”不是月份" in response.context["period_error"]


def test_after_a_transfer_each_branch_keeps_the_months_it_collected(
    world: World, as_secretary_a: Client, as_secretary_b: Client
) -> None:
    from members.transfers.application_services import transfer_apply
    from members.transfers.models import TransferKind
    from members.transfers.step_services import transfer_accept, transfer_approve_out

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

    # Branch A's November still has the payment it collected, read only, in its total.
    a_nov = as_secretary_a.get(MONTH_URL, {"month": "2026-11"})
    row = _row(a_nov, world.member_a2)
    assert (row.state, row.recordable, row.due) == ("moved", False, D("90.00"))
    assert a_nov.context["ledger"].paid_total == D("90.00")
    assert "已转至其他支部" in _text(a_nov) and "现属第二党支部" in _text(a_nov)
    # Branch B's November shows it was paid to branch A, outside B's totals, and B cannot record it again.
    b_nov = as_secretary_b.get(MONTH_URL, {"month": "2026-11", "org": world.branch_b.pk})
    row = _row(b_nov, world.member_a2)
    assert (row.state, row.recordable, row.due) == ("elsewhere", False, None)
    assert (b_nov.context["ledger"].paid_total, b_nov.context["ledger"].due_total) == (D("0"), D("0"))
    assert "在原支部交纳" in _text(b_nov)
    with pytest.raises(ValidationError) as exc:
        dues_record_month(
            branch=world.branch_b,
            month=Period.parse("2026-11"),
            entries={world.member_a2.pk: DuesEntry(D("90"), datetime.date(2026, 12, 1))},
            actor=world.secretary_b,
        )
    assert exc.value.message_dict == {"entries": ["李同志2026年11月的党费已由测试局第一党支部登记，不能在本支部重复登记。"]}
    # December is branch B's to collect.
    assert _row(as_secretary_b.get(MONTH_URL, {"month": "2026-12", "org": world.branch_b.pk}), world.member_a2).state == "unpaid"
    _pay(world, Member.objects.get(pk=world.member_a2.pk), "2026-12", "90")
    assert DuesPayment.objects.get(member=world.member_a2, month=datetime.date(2026, 12, 1)).branch == world.branch_b


def test_a_member_who_left_the_roster_keeps_the_payment_of_the_month_read_only(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    _pay(world, world.member_a2, "2026-11", "90")
    Member.objects.filter(pk=world.member_a2.pk).update(state=MemberState.TRANSFERRED_OUT)
    response = as_secretary_a.get(MONTH_URL, {"month": "2026-11"})
    row = _row(response, world.member_a2)
    assert (row.state, row.recordable) == ("left", False)
    assert f'name="paid-{world.member_a2.pk}"' not in response.content.decode()
    assert response.context["ledger"].paid_total == D("90.00")
    # Left without a payment that month: not on the ledger.
    assert world.member_a2.pk not in {
        r.member.pk for r in as_secretary_a.get(MONTH_URL, {"month": "2026-10"}).context["ledger"].rows
    }


def test_staff_choose_a_branch_and_see_its_ledger(world: World, as_staff: Client) -> None:
    response = as_staff.get(MONTH_URL)
    assert response.status_code == 200
    assert [b.short_name for b in response.context["branches"]] == ["第一党支部", "第二党支部", "直属党支部"]
    assert "党费按党支部核定和收缴，请选择党支部" in _text(response)
    # A 党委 chosen: its own 党支部.
    response = as_staff.get(MONTH_URL, {"org": world.committee.pk})
    assert [b.short_name for b in response.context["branches"]] == ["第一党支部", "第二党支部"]
    response = as_staff.get(MONTH_URL, {"org": world.branch_c.pk, "month": "2026-11"})
    assert response.context["org"] == world.branch_c and [r.member.name for r in response.context["ledger"].rows] == ["赵丙"]


def test_a_branch_out_of_scope_is_404_for_reading_writing_and_export(world: World, as_secretary_b: Client) -> None:
    _assess(world)
    query = f"?org={world.branch_a.pk}&month=2026-11"
    assert as_secretary_b.get(MONTH_URL + query).status_code == 404
    assert as_secretary_b.post(MONTH_URL + query, _ledger_post(world.member_a, amount="40")).status_code == 404
    assert as_secretary_b.get(EXPORT_URL + query).status_code == 404
    assert as_secretary_b.get(MONTH_URL, {"org": 999999}).status_code == 404
    assert not DuesPayment.objects.exists()


def test_a_member_without_another_role_gets_404_on_every_dues_page(world: World, as_member_a: Client) -> None:
    query = f"?org={world.branch_a.pk}"
    for url in (MONTH_URL, EXPORT_URL, YEAR_URL, ARREARS_URL):
        assert as_member_a.get(url).status_code == 404, url
        assert as_member_a.get(url + query).status_code == 404, url
    assert as_member_a.post(MONTH_URL + query, _ledger_post(world.member_a, amount="40")).status_code == 404
    assert as_member_a.post(YEAR_URL + query, {f"income-{world.member_a.pk}": "4000"}).status_code == 404
    assert not DuesPayment.objects.exists() and not DuesAssessment.objects.exists()


def test_the_pages_need_a_login_and_the_right_method(client: Client, as_secretary_a: Client) -> None:
    for url in (MONTH_URL, EXPORT_URL, YEAR_URL, ARREARS_URL):
        assert client.get(url).status_code == 302
    for url in (MONTH_URL, YEAR_URL):
        assert as_secretary_a.put(url).status_code == 405
        assert as_secretary_a.delete(url).status_code == 405
    for url in (EXPORT_URL, ARREARS_URL):
        assert as_secretary_a.post(url).status_code == 405


def test_the_ledgers_query_count_is_fixed_whatever_the_number_of_members(
    world: World, as_secretary_a: Client, django_assert_max_num_queries
) -> None:
    _assess(world)
    url = f"{MONTH_URL}?org={world.branch_a.pk}&month=2026-11"
    as_secretary_a.get(url)  # warm the 党组织 picker's cache
    # session, user, scope, org, members, assessments, payments, the member rules (补交 months in the
    # note), notifications (1), session renewal (3)
    with django_assert_max_num_queries(12):
        assert len(as_secretary_a.get(url).context["ledger"].rows) == 2
    _more_members(world, 40, paid_month="2026-11")
    with django_assert_max_num_queries(13):
        assert len(as_secretary_a.get(url).context["ledger"].rows) == 42


def test_recording_forty_more_rows_costs_no_more_queries(
    world: World, as_secretary_a: Client, django_assert_max_num_queries
) -> None:
    _assess(world)
    url = f"{MONTH_URL}?org={world.branch_a.pk}&month=2026-11"
    with django_assert_max_num_queries(30) as few:
        as_secretary_a.post(url, _ledger_post(world.member_a, world.member_a2, amount="40"))
    people = _more_members(world, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = as_secretary_a.post(url, _ledger_post(*people, amount="50"))
    assert response.status_code == 302 and DuesPayment.objects.count() == 42


def test_the_export_is_the_ledger_with_totals_and_neutralized_formulas(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    Member.objects.filter(pk=world.member_a2.pk).update(name="=HYPERLINK(1)")
    _pay(world, world.member_a, "2026-11", "40", datetime.date(2026, 11, 20))
    response = as_secretary_a.get(EXPORT_URL, {"org": world.branch_a.pk, "month": "2026-11"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "测试局第一党支部2026年11月党费收缴登记表"
    assert rows[3][:9] == ("序号", "姓名", "党费类别", "应交（元）", "实交（元）", "交纳日期", "交纳方式", "代交人", "情况")
    by_name = {r[1]: r for r in rows[4:6]}
    assert by_name["'=HYPERLINK(1)"][3:5] == (90, None) and by_name["'=HYPERLINK(1)"][8] == "未交"
    paid = by_name["张党员"]
    assert (paid[3], paid[4], paid[5].date(), paid[6], paid[8]) == (40, 40, datetime.date(2026, 11, 20), "现金", "已交")
    totals = {r[1]: r for r in rows[6:] if r[1]}
    assert totals["应交合计"][3] == 130 and totals["实交合计"][4] == 40 and totals["未交人数"][3] == 1


def test_the_export_query_count_is_fixed(world: World, as_secretary_a: Client, django_assert_max_num_queries) -> None:
    _assess(world)
    url = f"{EXPORT_URL}?org={world.branch_a.pk}&month=2026-11"
    with django_assert_max_num_queries(10):
        as_secretary_a.get(url)
    _more_members(world, 40, paid_month="2026-11")
    with django_assert_max_num_queries(10):
        as_secretary_a.get(url)


# --- 年度党费核定 ----------------------------------------------------------------------------------


def test_the_secretary_sets_the_years_dues_from_incomes_in_one_submit(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(YEAR_URL)
    assert (response.context["org"], response.context["year"]) == (world.branch_a, 2026)
    assert [r.member.name for r in response.context["sheet"].rows] == ["张党员", "李同志"]
    assert "未核定 2" in _text(response)
    data = {f"income-{world.member_a.pk}": "4000", f"income-{world.member_a2.pk}": "6,000.00"}
    response = as_secretary_a.post(f"{YEAR_URL}?org={world.branch_a.pk}&year=2026", data, follow=True)
    assert "已核定2名党员的2026年党费。" in _text(response)
    a, a2 = (DuesAssessment.objects.get(member=m, year=2026) for m in (world.member_a, world.member_a2))
    assert (a.amount, a.base_income, a.basis, a.set_by) == (
        D("40.00"),
        D("4000.00"),
        "月收入 4,000.00 元 × 1% = 40.00 元",
        world.secretary_a,
    )
    assert a2.amount == D("90.00")
    # What is set is shown, base incomes included (the page is for those who manage the members).
    row = _year_row(response, world.member_a)
    assert (row.income, row.preview, row.amount) == ("4000.00", "40.00", "")
    text = _text(response)
    assert "已核定 2" in text and "每月应交合计（元） 130.00" in text and "每月 40.00 元" in text


def test_one_refused_row_saves_no_row_and_says_why_next_to_it(world: World, as_secretary_a: Client) -> None:
    data = {
        f"income-{world.member_a.pk}": "4000",
        f"income-{world.member_a2.pk}": "4000",
        f"amount-{world.member_a2.pk}": "100",
    }
    response = as_secretary_a.post(YEAR_URL, data)
    assert response.status_code == 200
    assert not DuesAssessment.objects.exists()  # 张党员's good row was undone too
    row = _year_row(response, world.member_a2)
    assert row.errors == {"reason": ["每月党费与标准计算结果不同，请说明调整理由。"]}
    assert (row.income, row.amount) == ("4000", "100")  # as typed
    assert "有1名党员的党费未能核定" in _text(response)
    assert _year_row(response, world.member_a).errors == {}
    data[f"reason-{world.member_a2.pk}"] = "本人自愿多交"
    as_secretary_a.post(YEAR_URL, data)
    a2 = DuesAssessment.objects.get(member=world.member_a2)
    assert (a2.amount, a2.computed_amount, a2.override_reason) == (D("100.00"), D("40.00"), "本人自愿多交")
    assert DuesAssessment.objects.count() == 2


def test_an_amount_that_cannot_be_read_saves_nothing(world: World, as_secretary_a: Client) -> None:
    data = {f"income-{world.member_a.pk}": "4000", f"income-{world.member_a2.pk}": "四千"}
    response = as_secretary_a.post(YEAR_URL, data)
    assert _year_row(response, world.member_a2).errors == {"base_income": ["请填写金额，如 4000 或 4000.50。"]}
    assert not DuesAssessment.objects.exists()


def test_changing_a_year_already_set_needs_a_reason_and_unchanged_rows_are_left_alone(
    world: World, as_secretary_a: Client
) -> None:
    _assess(world)
    unchanged = {f"income-{world.member_a.pk}": "4000.00", f"income-{world.member_a2.pk}": "6000.00"}
    response = as_secretary_a.post(YEAR_URL, unchanged, follow=True)
    assert "没有需要保存的修改。" in _text(response)
    assert DuesAssessment.objects.get(member=world.member_a).history.count() == 1
    changed = {**unchanged, f"income-{world.member_a.pk}": "5500"}
    response = as_secretary_a.post(YEAR_URL, changed)
    assert _year_row(response, world.member_a).errors == {"reason": ["党费一般每年核定一次，年内调整请说明理由。"]}
    assert DuesAssessment.objects.get(member=world.member_a).amount == D("40.00")
    as_secretary_a.post(YEAR_URL, {**changed, f"reason-{world.member_a.pk}": "工资调整"})
    a = DuesAssessment.objects.get(member=world.member_a)
    assert (a.amount, a.override_reason, a.history.count()) == (D("82.50"), "工资调整", 2)
    assert DuesAssessment.objects.get(member=world.member_a2).history.count() == 1


def test_flat_categories_are_offered_the_tables_amount_and_kept_in_its_range(world: World, as_secretary_a: Client) -> None:
    Member.objects.filter(pk=world.member_a.pk).update(dues_category=DuesCategory.STUDENT)
    Member.objects.filter(pk=world.member_a2.pk).update(dues_category=DuesCategory.FARMER)
    response = as_secretary_a.get(YEAR_URL)
    student, farmer = _year_row(response, world.member_a), _year_row(response, world.member_a2)
    assert (student.kind, student.flat, student.preview) == ("flat", "0.20", "0.20")
    assert (farmer.flat, farmer.flat_min, farmer.flat_max) == ("0.20", D("0.20"), D("1.00"))
    response = as_secretary_a.post(YEAR_URL, {f"flat-{world.member_a.pk}": "0.20", f"flat-{world.member_a2.pk}": "1.50"})
    assert _year_row(response, world.member_a2).errors == {"flat": ["农民党员每月党费应在0.20元至1.00元之间。"]}
    assert not DuesAssessment.objects.exists()
    as_secretary_a.post(YEAR_URL, {f"flat-{world.member_a.pk}": "0.20", f"flat-{world.member_a2.pk}": "0.50"})
    assert {a.member_id: a.amount for a in DuesAssessment.objects.all()} == {
        world.member_a.pk: D("0.20"),
        world.member_a2.pk: D("0.50"),
    }


def test_the_category_without_a_rule_is_set_by_hand_with_a_reason(world: World, as_secretary_a: Client) -> None:
    Member.objects.filter(pk=world.member_a.pk).update(dues_category=DuesCategory.OTHER)
    response = as_secretary_a.post(YEAR_URL, {f"amount-{world.member_a.pk}": "10"})
    assert _year_row(response, world.member_a).errors == {"reason": ["每月党费与标准计算结果不同，请说明调整理由。"]}
    as_secretary_a.post(YEAR_URL, {f"amount-{world.member_a.pk}": "10", f"reason-{world.member_a.pk}": "支部大会讨论确定"})
    assert DuesAssessment.objects.get(member=world.member_a).amount == D("10.00")


def test_a_category_changed_since_the_year_was_set_asks_to_set_it_again(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    Member.objects.filter(pk=world.member_a.pk).update(dues_category=DuesCategory.RETIRED)
    response = as_secretary_a.get(YEAR_URL)
    row = _year_row(response, world.member_a)
    assert row.stale and row.income == ""
    assert "党费类别已变更为离退休，请重新核定" in _text(response)
    assert response.context["sheet"].missing == 1


def test_staff_set_a_branch_of_their_scope_and_choose_one_first(world: World, as_staff: Client) -> None:
    assert "党费按党支部核定和收缴" in _text(as_staff.get(YEAR_URL))
    as_staff.post(f"{YEAR_URL}?org={world.branch_c.pk}&year=2027", {f"income-{world.member_c.pk}": "12000"})
    assessment = DuesAssessment.objects.get()
    assert (assessment.member, assessment.year, assessment.amount) == (world.member_c, 2027, D("240.00"))


def test_the_year_page_out_of_scope_is_404_and_a_bad_year_is_explained(world: World, as_secretary_b: Client) -> None:
    query = f"?org={world.branch_a.pk}"
    assert as_secretary_b.get(YEAR_URL + query).status_code == 404
    assert as_secretary_b.post(YEAR_URL + query, {f"income-{world.member_a.pk}": "4000"}).status_code == 404
    assert not DuesAssessment.objects.exists()
    response = as_secretary_b.get(YEAR_URL, {"year": "2099"})
    assert response.context["year"] == 2026 and "应为2008年至2027年之间的年份" in response.context["year_error"]


def test_the_year_pages_query_count_is_fixed_whatever_the_number_of_members(
    world: World, as_secretary_a: Client, django_assert_max_num_queries
) -> None:
    _assess(world)
    url = f"{YEAR_URL}?org={world.branch_a.pk}&year=2026"
    as_secretary_a.get(url)
    # session, user, scope, org, members, assessments, rules, notifications (1), session renewal (3)
    with django_assert_max_num_queries(11):
        assert len(as_secretary_a.get(url).context["sheet"].rows) == 2
    _more_members(world, 40)
    with django_assert_max_num_queries(12):
        assert len(as_secretary_a.get(url).context["sheet"].rows) == 42


def test_saving_the_year_costs_the_same_queries_for_2_and_40_members(world: World, as_secretary_a: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"{YEAR_URL}?org={world.branch_a.pk}&year=2026"

    def save(members: list[Member], income: str) -> int:
        data = {f"income-{m.pk}": income for m in members}
        data.update({f"reason-{m.pk}": "工资调整" for m in members})
        with CaptureQueriesContext(connection) as ctx:
            response = as_secretary_a.post(url, data)
        assert response.status_code == 302, response.context and response.context.get("top_errors")
        return len(ctx.captured_queries)

    few = [world.member_a, world.member_a2]
    new_few = save(few, "4000")
    changed_few = save(few, "6000")  # set again: updates with their history
    many = few + _more_members(world, 38, assessed=False)
    DuesAssessment.objects.filter(member__in=many).delete()
    assert save(many, "4000") == new_few
    assert save(many, "6000") == changed_few
    assert DuesAssessment.objects.filter(year=2026, amount=D("90.00")).count() == 40
    assert DuesAssessment.history.filter(year=2026, history_change_reason="工资调整").count() == 2 * 2 + 2 * 40


# --- 欠费提醒 ----------------------------------------------------------------------------------------


def test_arrears_list_who_is_behind_since_when_and_flags_six_months(
    world: World, as_secretary_a: Client, as_staff: Client
) -> None:
    _assess(world)
    _pay(world, world.member_a, "2026-08", "40")  # Sep, Oct, Nov unpaid: 3
    _pay(world, world.member_a2, "2026-05", "90")  # Jun to Nov unpaid: 6
    dues_assess(member=world.member_b, year=2026, actor=world.secretary_b, base_income=D("4000"))
    _pay(world, world.member_b, "2026-01", "40")  # branch B keeps dues here since January; Feb to Nov: 10
    response = as_secretary_a.get(ARREARS_URL)
    assert [(a.member.name, a.months_behind, a.level) for a in response.context["page"]] == [
        ("李同志", 6, "flag"),
        ("张党员", 3, "warn"),
    ]
    text = _text(response)
    assert "连续3个月以上未交党费的党员：2 名" in text and "其中满6个月 1 名" in text
    assert "李同志 第一党支部 2026年5月 6 满6个月未交（自行脱党风险）" in text
    assert "张党员 第一党支部 2026年8月 3 3个月未交" in text
    # Staff see the whole scope, and narrow it to a subtree.
    names = [a.member.name for a in as_staff.get(ARREARS_URL).context["page"]]
    assert names == ["王乙", "李同志", "张党员"]
    assert "王乙 第二党支部 2026年1月 10" in _text(as_staff.get(ARREARS_URL, {"org": world.branch_b.pk}))
    assert Member.objects.get(pk=world.member_a2.pk).state == MemberState.NORMAL


def test_arrears_out_of_scope_is_404(world: World, as_secretary_a: Client) -> None:
    assert as_secretary_a.get(ARREARS_URL, {"org": world.branch_b.pk}).status_code == 404


def test_the_arrears_query_count_is_fixed_whatever_the_number_of_members(
    world: World, as_staff: Client, django_assert_max_num_queries
) -> None:
    _assess(world)
    _pay(world, world.member_a, "2026-01", "40")  # branch A keeps its dues here from January
    as_staff.get(ARREARS_URL)
    # session, user, scope, the member rules, arrears, notifications (1), session renewal (3)
    with django_assert_max_num_queries(9):
        assert len(as_staff.get(ARREARS_URL).context["page"]) == 2
    _more_members(world, 40)
    with django_assert_max_num_queries(10):
        assert len(as_staff.get(ARREARS_URL).context["page"]) == 42


# --- the member's record ---------------------------------------------------------------------------


def test_the_record_shows_the_years_dues_paid_up_to_and_the_last_12_months(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    _pay(world, world.member_a, "2026-10", "40", datetime.date(2026, 10, 15))
    _pay(world, world.member_a, "2026-11", "20", datetime.date(2026, 11, 15))
    response = as_secretary_a.get(reverse("members:detail", args=[world.member_a.pk]))
    card = response.context["dues"]
    assert card.assessment.amount == D("40.00") and card.paid_up_to == datetime.date(2026, 10, 1)
    assert [(str(m.month), m.state) for m in card.months[:3]] == [
        ("2026-12", "current"),
        ("2026-11", "short"),
        ("2026-10", "paid"),
    ]
    assert len(card.months) == 12 and card.months[-1].month == Period.parse("2026-01")
    text = _text(response)
    assert "2026年每月应交 40.00 元" in text and "党费交至 2026年10月" in text
    assert "税后月工资收入 4,000.00 元" in text and "月收入 4,000.00 元 × 1% = 40.00 元" in text
    assert "2026年11月 40.00 20.00 2026-11-15 现金 少交" in text


def test_a_member_sees_their_own_dues_but_not_their_base_income(world: World, as_member_a: Client) -> None:
    _assess(world)
    _pay(world, world.member_a, "2026-11", "40")
    response = as_member_a.get(reverse("members:detail", args=[world.member_a.pk]))
    text = _text(response)
    assert "2026年每月应交 40.00 元" in text and "党费交至 2026年11月" in text
    assert "税后月工资收入" not in text and "4,000" not in text and "4000" not in text
    assert "年度党费核定" not in text


def test_a_record_with_no_dues_says_so(world: World, as_secretary_a: Client) -> None:
    text = _text(as_secretary_a.get(reverse("members:detail", args=[world.member_a.pk])))
    assert "2026年每月应交 尚未核定" in text and "党费交至 无记录" in text and "最近12个月没有党费记录" in text


def test_paid_up_to_reaches_back_beyond_the_12_months_shown(world: World, as_secretary_a: Client) -> None:
    _assess(world, year=2025)
    _pay(world, world.member_a, "2025-10", "40", datetime.date(2025, 10, 9))
    _pay(world, world.member_a, "2025-11", "10", datetime.date(2025, 11, 30))  # short: not paid up
    card = as_secretary_a.get(reverse("members:detail", args=[world.member_a.pk])).context["dues"]
    assert card.paid_up_to == datetime.date(2025, 10, 1)
    assert card.months[-1].month == Period.parse("2026-01") and card.assessment is None
    assert all(m.state == "none" for m in card.months)  # nothing set for 2026: nothing shown as owed


def test_the_dues_card_costs_three_queries_whatever_the_payments(
    world: World, as_secretary_a: Client, django_assert_max_num_queries
) -> None:
    _assess(world, year=2025)
    _assess(world)
    for month in range(1, 12):
        _pay(world, world.member_a, f"2026-{month:02d}", "40")
    # The assessments, the 12 months' payments, 党费交至 (a month paid in full or a transfer letter's).
    with django_assert_max_num_queries(3):
        card = member_dues_card(world.member_a, TODAY)
    assert card.months_with_record == 11 and card.paid_up_to == datetime.date(2026, 11, 1)


def test_a_row_left_empty_after_a_category_change_does_not_stop_the_others(world: World, as_secretary_a: Client) -> None:
    Member.objects.filter(pk=world.member_a.pk).update(dues_category=DuesCategory.STUDENT)
    dues_assess(member=Member.objects.get(pk=world.member_a.pk), year=2026, actor=world.secretary_a)
    Member.objects.filter(pk=world.member_a.pk).update(dues_category=DuesCategory.EMPLOYED)  # found a job
    data = {f"income-{world.member_a.pk}": "", f"income-{world.member_a2.pk}": "4000"}
    response = as_secretary_a.post(YEAR_URL, data, follow=True)
    assert "已核定1名党员的2026年党费。" in _text(response)
    assert DuesAssessment.objects.get(member=world.member_a).amount == D("0.20")  # still to be set again
    assert _year_row(response, world.member_a).stale


def test_a_form_posted_for_an_unreadable_month_or_year_records_nothing(world: World, as_secretary_a: Client) -> None:
    _assess(world)
    response = as_secretary_a.post(f"{MONTH_URL}?month=2026-1x", _ledger_post(world.member_a, amount="40"))
    assert response.context["top_errors"] == ["月份“2026-1x”无法识别，本次未登记任何党费。"]
    response = as_secretary_a.post(f"{YEAR_URL}?year=20x6", {f"income-{world.member_a.pk}": "9000"}, follow=True)
    assert "本次未保存任何修改" in _text(response)
    assert not DuesPayment.objects.exists() and DuesAssessment.objects.get(member=world.member_a).amount == D("40.00")


def test_the_years_table_shows_the_amount_the_server_computes_as_it_is_typed(
    world: World, as_secretary_a: Client, as_member_a: Client
) -> None:
    url = reverse("members:dues_year_preview")
    pk = world.member_a.pk
    band = {"year": "2026", "category": DuesCategory.EMPLOYED, "row": pk}
    assert as_secretary_a.get(url, {**band, f"income-{pk}": "4,000"}).content.decode() == "40.00"
    assert as_secretary_a.get(url, {**band, f"income-{pk}": "6000"}).content.decode() == "90.00"
    assert as_secretary_a.get(url, {**band, f"income-{pk}": "abc"}).content.decode() == "—"
    page = as_secretary_a.get(YEAR_URL, {"year": "2026"}).content.decode()
    assert f'hx-target="#preview-{pk}"' in page and f'id="preview-{pk}"' in page
    assert as_member_a.get(url, {**band, f"income-{pk}": "4000"}).status_code == 404  # sees no organization
    assert as_secretary_a.post(url, band).status_code == 405
