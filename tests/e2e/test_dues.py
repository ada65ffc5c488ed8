"""党费 in a browser: a secretary sets this year's dues of her branch from the members' incomes,
opens this month's ledger, ticks 全部已交, saves, and sees nothing left unpaid.

Dates follow the real clock (this year, this month, paid today): the services refuse future
months and dates, so the test works in any month."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.dues.models import DuesAssessment, DuesPayment
from partybuild.periods import Period, PeriodKind
from tests.conftest import World
from tests.e2e.conftest import log_in, screenshot, sidebar

pytestmark = pytest.mark.e2e


def test_secretary_sets_the_years_dues_then_records_the_whole_month_as_paid(page: Page, e2e_world: World) -> None:
    today = timezone.localdate()
    month = Period.containing(PeriodKind.MONTH, today)
    log_in(page, "secretary_a")

    # 党费管理 opens her branch's ledger for this month: nobody's dues are set yet.
    sidebar(page).get_by_role("link", name="党费管理").click()
    expect(page.get_by_role("heading", name="党费收缴")).to_be_visible()
    expect(page.get_by_text(f"测试局第一党支部 · {month.label}")).to_be_visible()
    expect(page.locator("#unassessed")).to_contain_text(f"2名党员尚未核定{today.year}年党费")
    page.locator("#unassessed").get_by_role("link", name=f"去核定{today.year}年党费").click()

    # The year: type the incomes; the table's amount shows as it is typed.
    expect(page.get_by_role("heading", name="年度党费核定")).to_be_visible()
    page.get_by_label("张党员的税后月工资收入").fill("4000")
    page.get_by_label("李同志的税后月工资收入").fill("6000")
    expect(page.locator("tr", has_text="张党员").locator(".js-preview")).to_have_text("40.00")
    expect(page.locator("tr", has_text="李同志").locator(".js-preview")).to_have_text("90.00")
    screenshot(page, "dues_year_typed")
    page.get_by_role("button", name="保存").first.click()
    expect(page.get_by_role("alert").first).to_contain_text(f"已核定2名党员的{today.year}年党费。")
    expect(page.locator("#missing-count")).to_have_text("0")
    expect(page.locator("#monthly-total")).to_have_text("130.00")

    # The month: two to pay, nothing ticked; 全部已交 ticks both with their due amounts.
    page.locator("#dues-tabs").get_by_role("link", name="月度收缴").click()
    expect(page.locator("#unpaid-count")).to_have_text("2")
    expect(page.locator("#total-due")).to_have_text("130.00")
    expect(page.locator("#total-paid")).to_have_text("0.00")
    expect(page.locator("input.js-paid:checked")).to_have_count(0)
    expect(page.get_by_label("李同志的实交金额")).to_have_value("90.00")
    expect(page.get_by_label("李同志的交纳日期")).to_have_value(today.isoformat())
    page.get_by_role("button", name="全部已交").click()
    expect(page.locator("input.js-paid:checked")).to_have_count(2)
    expect(page.locator("[data-ticked='count']")).to_have_text("2")
    expect(page.locator("[data-ticked='sum']")).to_have_text("130.00")
    page.get_by_label("李同志的交纳方式").select_option(label="微信")
    screenshot(page, "dues_month_ticked")
    page.get_by_role("button", name="保存").first.click()

    expect(page.get_by_role("alert").first).to_contain_text(f"已登记{month.label}党费 2 人。")
    expect(page.locator("#unpaid-count")).to_have_text("0")
    expect(page.locator("#total-paid")).to_have_text("130.00")
    expect(page.locator("#paid-count")).to_have_text("2 / 2")
    expect(page.locator("tr[data-state='paid']")).to_have_count(2)
    screenshot(page, "dues_month_saved")

    assert {a.member.name: a.amount for a in DuesAssessment.objects.select_related("member")} == {
        "张党员": D("40.00"),
        "李同志": D("90.00"),
    }
    payments = {
        p.member.name: (p.month, p.amount_paid, p.paid_on, p.method) for p in DuesPayment.objects.select_related("member")
    }
    assert payments == {
        "张党员": (month.start, D("40.00"), today, "cash"),
        "李同志": (month.start, D("90.00"), today, "wechat"),
    }
