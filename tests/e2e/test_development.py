"""发展党员 in a browser: the secretary of branch A records an application from her pipeline, lands
on the record, records the talk with the form the page offers, and sees the next step."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.models import DevelopmentRecord, DevelopmentStage

from ..conftest import World
from ..factories import valid_id_number
from .conftest import log_in, screenshot

pytestmark = pytest.mark.e2e


def test_secretary_records_an_application_and_the_talk(page: Page, e2e_world: World) -> None:
    today = timezone.localdate()
    applied_on = today - datetime.timedelta(days=3)
    log_in(page, "secretary_a")
    page.goto("/development/")
    expect(page.get_by_role("heading", name="发展党员")).to_be_visible()
    expect(page.locator("#stage-applicant")).to_contain_text("暂无")
    page.get_by_role("link", name="登记入党申请").click()

    expect(page.get_by_label("受理党支部")).to_have_value(str(e2e_world.branch_a.pk))
    page.get_by_label("入党申请日期").fill(applied_on.isoformat())
    page.get_by_label("姓名", exact=True).fill("吴申请")
    page.get_by_label("公民身份号码").fill(valid_id_number(datetime.date(2000, 8, 8)))
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", name="吴申请")).to_be_visible()
    expect(page.locator("#stage-badge")).to_have_text("入党申请人")
    expect(page.locator("#timeline")).to_contain_text(f"{applied_on:%Y-%m-%d} 提出入党申请")
    talk = page.locator("#step-talk")
    talk.get_by_label("谈话日期").fill(today.isoformat())
    talk.get_by_label("谈话人").fill("甲支部书记")
    talk.get_by_role("button", name="登记").click()

    expect(page.get_by_role("alert").first).to_contain_text("已登记：谈话。")
    expect(page.locator("#timeline")).to_contain_text(f"{today:%Y-%m-%d} 党组织派人谈话")
    expect(page.locator("#step-activist")).to_contain_text("确定为入党积极分子")
    screenshot(page, "development_detail")
    record = DevelopmentRecord.objects.get()
    assert (record.stage, record.talked_on, record.talked_by) == (DevelopmentStage.APPLICANT, today, "甲支部书记")

    page.goto("/development/")
    expect(page.locator("#stage-applicant")).to_contain_text("吴申请")
