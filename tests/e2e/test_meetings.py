"""Organizational life in a browser: a secretary records this month's 支委会 from the month page and
sees it turn green; staff read the compliance matrix and drill down to the meetings behind a cell."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.models import AttendanceStatus, Meeting, MeetingType
from partybuild.periods import Period, PeriodKind
from tests.conftest import World
from tests.e2e.conftest import log_in, screenshot, sidebar
from tests.meetings.conftest import hold

pytestmark = pytest.mark.e2e


def _a_moment_earlier_today() -> datetime.datetime:
    """A few minutes ago in Beijing, but never before today's midnight (so it is in this month)."""
    now = timezone.localtime().replace(second=0, microsecond=0)
    return max(now - datetime.timedelta(minutes=5), now.replace(hour=0, minute=0))


def test_secretary_records_the_committee_meeting_from_her_month_and_it_turns_green(page: Page, e2e_world: World) -> None:
    log_in(page, "secretary_a")
    sidebar(page).get_by_role("link", name="本月组织生活").click()
    this_month = Period.containing(PeriodKind.MONTH, timezone.localdate())
    expect(page.get_by_role("heading", name="本月组织生活")).to_be_visible()
    expect(page.get_by_text(f"测试局第一党支部 · {this_month.label}")).to_be_visible()

    # This month's 支委会 is not held yet: 0/1, not 达标, with a 登记 button.
    committee = page.locator("#req-month tr[data-type='committee_meeting']")
    expect(committee).to_contain_text("支部委员会")
    expect(committee.locator(".pb-req-count")).to_have_text("0/1")
    expect(committee.locator(".pb-state")).to_have_text(re.compile("^(未达标|进行中)$"))
    screenshot(page, "meetings_month_before")
    committee.get_by_role("link", name="登记支部委员会").click()

    # The form comes with the branch and the type chosen, and the whole roll 出席.
    expect(page.get_by_role("heading", name="登记会议")).to_be_visible()
    expect(page.get_by_label("会议类型", exact=True)).to_have_value(MeetingType.COMMITTEE_MEETING)
    attendance = page.locator("#attendance")
    expect(attendance.locator("input[value='present']:checked")).to_have_count(2)
    expect(attendance.locator("[data-count='present']")).to_have_text("2")

    page.get_by_label("会议主题", exact=True).fill("研究本月发展党员和党费收缴工作")
    page.get_by_label("召开时间", exact=True).fill(_a_moment_earlier_today().strftime("%Y-%m-%dT%H:%M"))
    attendance.locator("tr", has_text="李同志").locator("label", has_text="请假").click()
    page.get_by_label("李同志的请假原因", exact=True).fill("外出学习")
    expect(attendance.locator("[data-count='leave']")).to_have_text("1")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").first).to_contain_text("已登记支部委员会")

    # Back on the month: 支委会 1/1 达标, no more 登记; the meeting sits on today's square.
    sidebar(page).get_by_role("link", name="本月组织生活").click()
    committee = page.locator("#req-month tr[data-type='committee_meeting']")
    expect(committee.locator(".pb-req-count")).to_have_text("1/1")
    expect(committee.locator(".pb-state")).to_have_text("达标")
    expect(committee.locator(".pb-state")).to_have_class(re.compile(r"\bpb-state-met\b"))
    expect(committee.get_by_role("link", name="登记支部委员会")).to_have_count(0)
    today = page.locator(f"#month-calendar td[data-date='{timezone.localdate():%Y-%m-%d}']")
    expect(today.get_by_role("link", name=re.compile("支部委员会"))).to_be_visible()
    screenshot(page, "meetings_month_after")

    meeting = Meeting.objects.get(organization=e2e_world.branch_a, meeting_type=MeetingType.COMMITTEE_MEETING)
    assert meeting.held_on == timezone.localdate()
    rows = {a.member.name: (a.status, a.reason) for a in meeting.attendance.select_related("member")}
    assert rows == {"张党员": (AttendanceStatus.PRESENT, ""), "李同志": (AttendanceStatus.LEAVE, "外出学习")}


def test_staff_read_the_matrix_and_drill_down_to_the_meetings_of_a_cell(page: Page, e2e_world: World) -> None:
    last_month = Period.containing(PeriodKind.MONTH, timezone.localdate()).previous()
    held_at = timezone.make_aware(datetime.datetime.combine(last_month.start + datetime.timedelta(days=9), datetime.time(9)))
    hold(e2e_world.branch_a, MeetingType.COMMITTEE_MEETING, held_at, topic="上月支委会")
    hold(e2e_world.branch_a, MeetingType.THEME_DAY, held_at + datetime.timedelta(days=1), topic="上月主题党日")
    hold(e2e_world.group_a1, MeetingType.GROUP_MEETING, held_at, topic="上月党小组会")

    log_in(page, "staff")
    sidebar(page).get_by_role("link", name="三会一课达标").click()
    expect(page.get_by_role("heading", name="三会一课达标情况")).to_be_visible()
    page.wait_for_load_state()  # the picker's script runs at the end of the page: before it, a change does nothing
    page.get_by_label("统计期间").select_option(str(last_month))  # changing the picker shows it at once
    expect(page).to_have_url(re.compile(rf"period={last_month}"))
    expect(page.get_by_text(f"本人管理范围 · {last_month.label}")).to_be_visible()

    matrix = page.locator("#compliance-matrix")
    branch_a = matrix.locator(f"tr[data-org='{e2e_world.branch_a.pk}']")
    branch_b = matrix.locator(f"tr[data-org='{e2e_world.branch_b.pk}']")
    expect(branch_a.locator("td.pb-cell-met")).to_have_count(2)  # 支委会 and 主题党日
    expect(branch_a.locator(".pb-state").first).to_have_text("达标")
    expect(branch_b.locator("td.pb-cell-failed")).to_have_count(2)
    committee = matrix.locator(f"tr[data-org='{e2e_world.committee.pk}']")
    expect(committee).to_contain_text("1/2")
    expect(committee).to_contain_text("50%")
    # The chart is drawn (ECharts puts a canvas in it), and its numbers are in the table beside it.
    expect(page.locator("#compliance-chart canvas")).to_have_count(1)
    expect(page.locator("#compliance-chart-table")).to_contain_text(last_month.label)
    screenshot(page, "meetings_compliance_matrix")

    branch_a.locator("td.pb-cell-met a").first.click()
    expect(page).to_have_url(
        re.compile(rf"/meetings/\?org={e2e_world.branch_a.pk}&exact=1&type=committee_meeting&period={last_month}")
    )
    expect(page.get_by_role("link", name="上月支委会")).to_be_visible()
    expect(page.get_by_role("link", name="上月主题党日")).to_have_count(0)
