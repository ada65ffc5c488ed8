"""Logging in through the real form, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in, screenshot, sidebar

pytestmark = pytest.mark.e2e


def test_staff_logs_in_through_the_form_and_lands_on_the_workbench(page: Page) -> None:
    page.goto("/")
    # Not logged in: the portal sends the visitor to the login form.
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    log_in(page, "staff")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page).to_have_title(re.compile("工作台"))
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    expect(page.get_by_text("欢迎，工委干部")).to_be_visible()
    expect(sidebar(page).get_by_role("link", name="党组织")).to_be_visible()
    expect(sidebar(page).get_by_role("link", name="党员花名册")).to_be_visible()
    # The stylesheet was served by the live server: the top bar is 党建红, not the browser default.
    topbar_colour = page.locator(".pb-topbar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert topbar_colour not in ("rgba(0, 0, 0, 0)", "transparent", "rgb(255, 255, 255)")
    screenshot(page, "home_staff")


def test_a_wrong_password_shows_the_chinese_error_and_keeps_the_username(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_label("用户名")).to_have_value("staff")
    expect(page.get_by_label("密码")).to_have_value("")
    # Still a stranger: the navigation is not shown.
    expect(sidebar(page)).to_have_count(0)
