"""组织关系转接 in a browser: the secretary of branch A sends 李同志 to branch B and approves it;
the secretary of branch B finds it under 待我方处理 and accepts it; 李同志 is then on B's roster."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from members.roster.models import Member
from members.transfers.models import Transfer, TransferStatus
from tests.conftest import World
from tests.e2e.conftest import log_in, screenshot

pytestmark = pytest.mark.e2e


def test_a_sends_li_to_b_and_b_accepts_him(page: Page, e2e_world: World) -> None:
    page.on("dialog", lambda dialog: dialog.accept())  # the 确定审核转出？/ 确定接收？ confirmations
    log_in(page, "secretary_a")
    page.goto("/transfers/")
    expect(page.get_by_role("heading", name="组织关系转接")).to_be_visible()
    page.get_by_role("link", name="新建转接").click()

    # 系统内转接 is chosen; her branch's members are offered, every active 党支部 as destination.
    expect(page.get_by_role("heading", name="新建组织关系转接")).to_be_visible()
    expect(page.get_by_label("系统内转接")).to_be_checked()
    page.get_by_label("党员", exact=True).select_option(label="李同志")
    page.get_by_label("查找党支部").fill("第二")
    page.get_by_label("转入党支部", exact=True).select_option(label="测试局第二党支部")
    page.get_by_label("转接范围").select_option(label="本党委内")
    page.get_by_label("党费交至").fill("2026-10")
    page.get_by_label("转接原因").fill("工作调动")
    screenshot(page, "transfers_new")
    page.get_by_role("button", name="提交").click()

    # Her side reviews first: 审核转出.
    expect(page.get_by_role("heading", name="李同志的组织关系转接")).to_be_visible()
    expect(page.locator("#transfer-waiting")).to_contain_text("等待转出方（测试局第一党支部）审核")
    page.get_by_role("button", name="审核转出").click()
    expect(page.get_by_role("alert").first).to_contain_text("已审核转出：李同志")
    expect(page.locator("#transfer-waiting")).to_contain_text("等待转入方（测试局第二党支部）接收")
    expect(page.get_by_role("button", name="接收")).to_have_count(0)  # not her side
    screenshot(page, "transfers_detail_after_approval")

    # Branch B's secretary finds it under 待我方处理 and accepts it.
    page.context.clear_cookies()
    log_in(page, "secretary_b")
    page.goto("/transfers/")
    waiting_tab = page.locator("#transfer-tabs [data-tab='waiting']")
    expect(waiting_tab).to_have_class(re.compile(r"\bactive\b"))
    expect(waiting_tab).to_contain_text("1")
    row = page.locator("#transfer-rows tbody tr", has_text="李同志")
    expect(row).to_contain_text("测试局第一党支部")
    expect(row).to_contain_text("转出方已审核")
    screenshot(page, "transfers_inbox")
    row.get_by_role("link", name="李同志").click()
    expect(page.locator("#waits-on-me")).to_be_visible()
    expect(page.get_by_role("button", name="审核转出")).to_have_count(0)
    page.get_by_role("button", name="接收").click()
    expect(page.get_by_role("alert").first).to_contain_text("已接收：李同志已转入测试局第二党支部。")
    expect(page.locator("#timeline li")).to_have_count(3)

    transfer = Transfer.objects.get()
    li = Member.objects.get(pk=e2e_world.member_a2.pk)
    assert (transfer.status, li.branch_id) == (TransferStatus.ACCEPTED, e2e_world.branch_b.pk)

    # On 李同志's record, as B's secretary: he belongs to branch B now.
    page.locator("#transfer-actions, .pb-dl").get_by_role("link", name="李同志").first.click()
    expect(page.get_by_role("heading", name="李同志")).to_be_visible()
    expect(page.locator(".pb-dl").filter(has_text="所在党支部")).to_contain_text("测试局第二党支部")


def test_choosing_a_member_fills_dues_paid_to_from_their_dues_records(page: Page, e2e_world: World) -> None:
    import datetime
    from decimal import Decimal

    from members.dues.models import DuesPayment

    for month, paid in ((datetime.date(2026, 8, 1), "20.00"), (datetime.date(2026, 9, 1), "10.00")):  # September: not in full
        DuesPayment.objects.create(
            member=e2e_world.member_a2,
            branch=e2e_world.branch_a,
            month=month,
            amount_due=Decimal("20.00"),
            amount_paid=Decimal(paid),
            paid_on=month,
            recorded_by=e2e_world.secretary_a,
        )
    log_in(page, "secretary_a")
    page.goto("/transfers/new/")
    dues = page.get_by_label("党费交至")
    expect(dues).to_have_value("")
    page.get_by_label("党员", exact=True).select_option(label="李同志")
    expect(dues).to_have_value("2026-08")
    # A month the secretary types is hers: choosing another member does not overwrite it.
    dues.fill("2026-10")
    page.get_by_label("党员", exact=True).select_option(label="张党员")
    page.wait_for_load_state("networkidle")
    expect(dues).to_have_value("2026-10")
