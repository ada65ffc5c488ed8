"""The roster in a browser: finding a member, editing with a bad ID number, and scope."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from members.roster.validators import id_number_gender, make_id_number
from tests.conftest import World
from tests.e2e.conftest import log_in, screenshot, sidebar

pytestmark = pytest.mark.e2e


def _field(page: Page, label: str) -> Locator:
    """The block of one form field: its label, input, error and help text."""
    return page.get_by_label(label, exact=True).locator("xpath=..")


def _shown(page: Page, term: str) -> Locator:
    """The value a record page shows for one term of its description lists (<dt>term</dt><dd>value</dd>)."""
    return page.locator(f"dt:text-is('{term}') + dd")


def test_staff_finds_a_member_by_name_and_opens_the_record(page: Page, e2e_world: World) -> None:
    log_in(page, "staff")

    sidebar(page).get_by_role("link", name="党员花名册").click()
    expect(page.get_by_role("heading", name="党员花名册")).to_be_visible()
    rows = page.locator("#member-rows")
    expect(rows.get_by_role("link", name="张党员")).to_be_visible()

    # Typing in the search box filters the rows (htmx) without pressing anything.
    page.get_by_label("搜索", exact=True).fill("李同志")
    expect(rows.get_by_text("共 1 人")).to_be_visible()
    expect(rows.get_by_role("link", name="张党员")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"q=%E6%9D%8E%E5%90%8C%E5%BF%97"))  # the search is in the address

    rows.get_by_role("link", name="李同志").click()
    expect(page).to_have_url(re.compile(rf"/members/{e2e_world.member_a2.pk}/$"))
    expect(page.get_by_role("heading", name="李同志", exact=True)).to_be_visible()
    expect(_shown(page, "所在党支部")).to_have_text("测试局第一党支部")
    # Staff manage the whole tree: the whole ID number is shown.
    expect(_shown(page, "公民身份号码")).to_have_text(e2e_world.member_a2.id_number)


def test_secretary_sees_the_chinese_id_error_keeps_the_typed_values_then_saves(page: Page, e2e_world: World) -> None:
    member = e2e_world.member_a2
    old_number = member.id_number
    # A new valid number that agrees with the record: same birth date, and the 17th digit odd for
    # 男, even for 女 (otherwise the form rightly complains about 性别 too).
    good_number = make_id_number("320102", member.birth_date, 135 if member.gender == "M" else 136)
    bad_number = good_number[:17] + ("0" if good_number[17] != "0" else "1")

    log_in(page, "secretary_a")
    sidebar(page).get_by_role("link", name="党员花名册").click()
    page.locator("#member-rows").get_by_role("link", name="李同志").click()
    page.get_by_role("link", name="编辑").click()
    expect(page.get_by_role("heading", name="编辑党员信息：李同志")).to_be_visible()

    page.get_by_label("公民身份号码", exact=True).fill(bad_number)
    page.get_by_label("手机号码", exact=True).fill("13912345678")
    page.get_by_label("现居住地", exact=True).fill("北京市东城区和平里街道")
    page.get_by_label("修改原因", exact=True).fill("核对档案")
    page.get_by_role("button", name="保存").click()

    # Still on the form, with the error in Chinese next to the ID field and nowhere else.
    expect(page.get_by_role("alert")).to_contain_text("提交的信息有误")
    id_field = _field(page, "公民身份号码")
    expect(id_field.get_by_text("公民身份号码校验位不正确，请核对。")).to_be_visible()
    expect(page.get_by_label("公民身份号码", exact=True)).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(_field(page, "手机号码").locator(".invalid-feedback")).to_have_count(0)
    # What was typed is still there.
    expect(page.get_by_label("公民身份号码", exact=True)).to_have_value(bad_number)
    expect(page.get_by_label("手机号码", exact=True)).to_have_value("13912345678")
    expect(page.get_by_label("现居住地", exact=True)).to_have_value("北京市东城区和平里街道")
    expect(page.get_by_label("修改原因", exact=True)).to_have_value("核对档案")
    screenshot(page, "member_edit_error")
    member.refresh_from_db()
    assert member.id_number == old_number
    assert member.phone != "13912345678"

    # Fix the number and save: the record page shows the change.
    page.get_by_label("公民身份号码", exact=True).fill(good_number)
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(rf"/members/{member.pk}/$"))
    expect(page.get_by_role("alert")).to_contain_text("已保存“李同志”的信息。")
    expect(_shown(page, "公民身份号码")).to_have_text(good_number)
    expect(_shown(page, "手机号码")).to_have_text("13912345678")
    expect(_shown(page, "现居住地")).to_have_text("北京市东城区和平里街道")
    # The change history records who changed what, and why.
    history = page.locator("section", has=page.get_by_text("变更记录"))
    expect(history.get_by_text("核对档案")).to_be_visible()
    expect(history.locator("del", has_text=old_number)).to_be_visible()
    member.refresh_from_db()
    assert member.id_number == good_number
    assert member.phone == "13912345678"
    assert member.residence == "北京市东城区和平里街道"
    assert member.birth_date == datetime.date(1985, 6, 15)
    assert member.gender == id_number_gender(good_number)


def test_secretary_b_neither_lists_nor_opens_branch_a_members(page: Page, e2e_world: World) -> None:
    log_in(page, "secretary_b")

    sidebar(page).get_by_role("link", name="党员花名册").click()
    rows = page.locator("#member-rows")
    expect(rows.get_by_text("共 1 人")).to_be_visible()
    expect(rows.get_by_role("link", name="王乙")).to_be_visible()
    expect(rows.get_by_role("link", name="张党员")).to_have_count(0)
    expect(rows.get_by_role("link", name="李同志")).to_have_count(0)
    # Searching for them by name finds nothing either.
    page.get_by_label("搜索", exact=True).fill("张党员")
    expect(rows.get_by_text("没有符合条件的党员")).to_be_visible()

    # Typing the address of member_a's record: the same 页面不存在 as for a record that does not exist.
    response = page.goto(f"/members/{e2e_world.member_a.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.get_by_text("张党员")).to_have_count(0)
    response = page.goto(f"/members/{e2e_world.member_a.pk}/edit/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()


def test_the_record_shows_one_timeline_that_filters_by_category(page: Page, e2e_world: World) -> None:
    from branches.models import PositionTitle
    from branches.services import position_assign
    from members.roster.choices import MemberState
    from members.roster.services import member_change_state

    member = e2e_world.member_a
    position_assign(org=e2e_world.branch_a, member=member, title=PositionTitle.PUBLICITY, started_on=datetime.date(2024, 1, 1))
    member_change_state(
        member=member, state=MemberState.MOBILE, on=datetime.date(2025, 3, 1), reason="外出务工", destination="深圳市"
    )
    log_in(page, "secretary_a")
    page.goto(f"/members/{member.pk}/")
    life = page.locator("#life")
    steps = life.locator("#life-steps > li")
    expect(steps.filter(has_text="入党，成为预备党员")).to_be_visible()
    expect(steps.filter(has_text="任宣传委员")).to_be_visible()
    expect(steps.filter(has_text="变更为流动党员")).to_contain_text("流入地：深圳市")

    life.get_by_role("button", name="党员状态").click()
    expect(steps.filter(has_text="变更为流动党员")).to_be_visible()
    expect(steps.filter(has_text="任宣传委员")).to_be_hidden()
    expect(steps.filter(has_text="入党，成为预备党员")).to_be_hidden()
    life.get_by_role("button", name="全部").click()
    expect(steps.filter(has_text="任宣传委员")).to_be_visible()
    screenshot(page, "member-timeline")
