"""The compliance pages as their users see them: the secretary's month, the matrix with its chart
and Excel export, and the leaders who missed their dual organizational life.

The clock stands at 18 November 2026, 10:00 in Beijing: November and the fourth quarter are under
way, October and the third quarter have ended.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import Organization, OrgKind
from meetings.compliance import views as compliance_views
from meetings.compliance.selectors import FAILED, MET, compliance
from meetings.models import FrequencyRule, Meeting, MeetingCredit, MeetingStatus, MeetingType
from members.roster.models import Member
from partybuild.periods import Period
from tests.conftest import World, clear_cache
from tests.factories import MemberFactory, make_org
from tests.meetings.conftest import at, hold

T = MeetingType
MONTH_URL = reverse("meetings:month")
MATRIX_URL = reverse("meetings:compliance")
EXPORT_URL = reverse("meetings:compliance_export")
DUAL_URL = reverse("meetings:dual_life")
ALL_URLS = [MONTH_URL, MATRIX_URL, EXPORT_URL, DUAL_URL]


@pytest.fixture(autouse=True)
def _mid_november_2026() -> Iterator[None]:
    with time_machine.travel(at(2026, 11, 18, 10), tick=False):
        yield


def _text(response) -> str:
    """The page's visible text, tags removed and whitespace squeezed: what a reader sees."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _requirement(response, section: str, org: Organization, meeting_type: str):
    """The requirement item one section (month, quarter, year) of the month page shows."""
    for s in response.context["sections"]:
        if s["period"].kind == section:
            for item in s["items"]:
                if item.org_pk == org.pk and item.meeting_type == meeting_type:
                    return item
    return None


def _matrix_row(response, org: Organization):
    return next(r for r in response.context["page"].object_list if r.org.pk == org.pk)


def _matrix_cell(response, org: Organization, meeting_type: str):
    types = response.context["report"].types
    return _matrix_row(response, org).cells[types.index(meeting_type)]


def _q3_in_full(branch: Organization, group: Organization | None) -> None:
    """Everything the rules ask of a 党支部 (and its 党小组) in the third quarter of 2026."""
    for month in (7, 8, 9):
        hold(branch, T.COMMITTEE_MEETING, at(2026, month, 5))
        hold(branch, T.THEME_DAY, at(2026, month, 12))
        if group is not None:
            hold(group, T.GROUP_MEETING, at(2026, month, 20))
    hold(branch, T.GENERAL_MEETING, at(2026, 9, 30, 23, 59), extra_types=[T.LECTURE, T.STUDY])


def _add_branches(parent: Organization, count: int, *, groups: bool = False) -> list[Organization]:
    """``count`` more 党支部 under ``parent`` (each with a 党小组 when asked), in bulk, with a
    支委会 held by every other one in October: treebeard paths written as it would."""
    alphabet, step = Organization.alphabet, Organization.steplen

    def key(n: int) -> str:
        digits = ""
        while n:
            n, r = divmod(n, len(alphabet))
            digits = alphabet[r] + digits
        return digits.rjust(step, "0")

    parent.refresh_from_db()
    first = parent.numchild + 1
    branches = Organization.objects.bulk_create(
        Organization(
            path=parent.path + key(first + i),
            depth=parent.depth + 1,
            numchild=1 if groups else 0,
            name=f"批量党支部{first + i}",
            short_name=f"批量{first + i}",
            code=f"B{parent.pk}-{first + i}",
            kind=OrgKind.BRANCH,
        )
        for i in range(count)
    )
    Organization.objects.filter(pk=parent.pk).update(numchild=parent.numchild + count)
    if groups:
        Organization.objects.bulk_create(
            Organization(
                path=b.path + key(1),
                depth=b.depth + 1,
                numchild=0,
                name=f"{b.name}第一党小组",
                short_name="第一党小组",
                code=f"{b.code}-1",
                kind=OrgKind.GROUP,
            )
            for b in branches
        )
    meetings = Meeting.objects.bulk_create(
        Meeting(
            organization=b,
            meeting_type=T.COMMITTEE_MEETING,
            topic="支委会",
            status=MeetingStatus.HELD,
            held_at=at(2026, 10, 9),
            held_on=datetime.date(2026, 10, 9),
        )
        for b in branches[::2]
    )
    MeetingCredit.objects.bulk_create(MeetingCredit(meeting=m, meeting_type=T.COMMITTEE_MEETING) for m in meetings)
    return branches


def _queries(client: Client, url: str) -> int:
    clear_cache()  # the 党组织 picker's options: a miss each time, so both counts include it
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- who may look ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ALL_URLS)
def test_every_page_asks_an_anonymous_visitor_to_log_in(client: Client, world: World, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", ALL_URLS)
def test_a_member_with_no_other_role_finds_none_of_the_pages(as_member_a: Client, url: str) -> None:
    assert as_member_a.get(url).status_code == 404


@pytest.mark.parametrize("url", ALL_URLS)
def test_the_outsider_secretary_cannot_open_branch_a_on_any_page(as_secretary_b: Client, world: World, url: str) -> None:
    response = as_secretary_b.get(url, {"org": world.branch_a.pk})
    assert response.status_code == 404
    assert as_secretary_b.get(url, {"org": world.branch_b.pk}).status_code == 200


@pytest.mark.parametrize("url", ALL_URLS)
def test_every_page_is_read_only(as_secretary_a: Client, url: str) -> None:
    assert as_secretary_a.post(url).status_code == 405


@pytest.mark.parametrize("url", ALL_URLS)
def test_an_organization_that_does_not_exist_is_404_like_one_out_of_scope(as_staff: Client, url: str) -> None:
    assert as_staff.get(url, {"org": 999_999}).status_code == 404
    assert as_staff.get(url, {"org": "abc"}).status_code == 404


# --- the secretary's month -------------------------------------------------------------------


def test_the_secretary_opens_her_own_branch_this_month_with_what_is_held_and_what_is_due(
    as_secretary_a: Client, world: World
) -> None:
    meeting = hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, 11, 3, 14, 30), topic="研究发展党员工作")
    response = as_secretary_a.get(MONTH_URL)

    assert response.status_code == 200
    assert response.context["org"] == world.branch_a
    assert response.context["month"] == Period.parse("2026-11")
    text = _text(response)
    assert "测试局第一党支部 · 2026年11月" in text

    # Held this month: 支委会 1/1 达标; 主题党日 and the group's 党小组会 still due, with 登记.
    committee = _requirement(response, "month", world.branch_a, T.COMMITTEE_MEETING)
    assert (committee.held, committee.required, committee.state_label) == (1, 1, "达标")
    theme_day = _requirement(response, "month", world.branch_a, T.THEME_DAY)
    assert (theme_day.held, theme_day.required, theme_day.state_label) == (0, 1, "进行中")
    group = _requirement(response, "month", world.group_a1, T.GROUP_MEETING)
    assert (group.held, group.state_label, group.is_group) == (0, "进行中", True)
    new = reverse("meetings:new")
    html = response.content.decode()
    assert f'href="{new}?org={world.branch_a.pk}&amp;type=theme_day"' in html
    assert f'href="{new}?org={world.group_a1.pk}&amp;type=group_meeting"' in html
    assert f'href="{new}?org={world.branch_a.pk}&amp;type=committee_meeting"' not in html  # already met
    assert response.context["overall_label"] == "进行中"

    # The quarter asks for a 党员大会, a 党课 and a 专题学习; the year for a 组织生活会 and 民主评议.
    assert _requirement(response, "quarter", world.branch_a, T.GENERAL_MEETING).rule == "每季度至少1次"
    assert _requirement(response, "quarter", world.branch_a, T.COMMITTEE_MEETING) is None  # a monthly rule
    assert _requirement(response, "year", world.branch_a, T.LIFE_MEETING).state_label == "进行中"

    # The calendar has the meeting on the 3rd, linking to it.
    days = [day for week in response.context["weeks"] for day in week]
    assert days[0].date == datetime.date(2026, 10, 26)  # the Monday before 1 November
    assert days[-1].date == datetime.date(2026, 12, 6)
    third = next(d for d in days if d.date == datetime.date(2026, 11, 3))
    assert third.meetings == [meeting]
    assert f'href="{reverse("meetings:detail", args=[meeting.pk])}"' in html
    assert "14:30 支部委员会" in text


def test_a_month_that_ended_shows_what_was_missed(as_secretary_a: Client, world: World) -> None:
    hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, 10, 9))
    response = as_secretary_a.get(MONTH_URL, {"month": "2026-10"})
    assert _requirement(response, "month", world.branch_a, T.COMMITTEE_MEETING).state == MET
    assert _requirement(response, "month", world.branch_a, T.THEME_DAY).state_label == "未达标"
    assert response.context["overall_label"] == "未达标"
    assert "本月未达标" in _text(response)
    assert response.context["previous_url"].endswith("month=2026-09")
    assert response.context["next_url"].endswith("month=2026-11")


def test_a_month_turns_green_when_everything_of_the_branch_and_its_groups_is_held(as_secretary_a: Client, world: World) -> None:
    hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, 11, 3))
    hold(world.branch_a, T.THEME_DAY, at(2026, 11, 6))
    assert as_secretary_a.get(MONTH_URL).context["overall_label"] == "进行中"  # the 党小组 has not met
    hold(world.group_a1, T.GROUP_MEETING, at(2026, 11, 10))
    response = as_secretary_a.get(MONTH_URL)
    assert response.context["overall_label"] == "达标"
    month_section = response.context["sections"][0]
    assert month_section["state"] == MET
    assert 'id="month-overall"' in response.content.decode()


def test_a_planned_meeting_sits_on_its_beijing_day_and_a_cancelled_one_is_gone(as_secretary_a: Client, world: World) -> None:
    from meetings.services import meeting_cancel, meeting_record

    # 23:30 on 30 November in Beijing is 15:30 UTC the same day; 00:30 on 1 December is still 30 November in UTC.
    planned = meeting_record(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.THEME_DAY,
        topic="参观红色教育基地",
        status=MeetingStatus.PLANNED,
        planned_at=at(2026, 11, 30, 23, 30),
    ).meeting
    next_month = meeting_record(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.THEME_DAY,
        topic="下月主题党日",
        status=MeetingStatus.PLANNED,
        planned_at=at(2026, 12, 1, 0, 30),
    ).meeting
    cancelled = hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, 11, 2))
    meeting_cancel(actor=world.secretary_a, meeting=cancelled, reason="登记重复")

    days = {d.date: d.meetings for week in as_secretary_a.get(MONTH_URL).context["weeks"] for d in week}
    assert days[datetime.date(2026, 11, 30)] == [planned]
    assert next_month not in days[datetime.date(2026, 12, 1)]
    assert all(cancelled not in listed for listed in days.values())


def test_a_meeting_counting_for_two_types_shows_both(as_secretary_a: Client, world: World) -> None:
    hold(world.branch_a, T.THEME_DAY, at(2026, 11, 6), extra_types=[T.LECTURE])
    response = as_secretary_a.get(MONTH_URL)
    assert _requirement(response, "quarter", world.branch_a, T.LECTURE).held == 1
    assert "主题党日 +党课" in _text(response)


def test_staff_open_the_top_of_their_scope_and_may_choose_any_organization_in_it(as_staff: Client, world: World) -> None:
    response = as_staff.get(MONTH_URL)
    assert response.context["org"] == world.root
    # A 党委's own organizational life: its 民主生活会 in the year, its 中心组学习 in the quarter.
    assert _requirement(response, "year", world.root, T.DEMOCRATIC_LIFE) is not None
    assert _requirement(response, "quarter", world.root, T.STUDY) is not None
    response = as_staff.get(MONTH_URL, {"org": world.branch_c.pk, "month": "2026-10"})
    assert response.context["org"] == world.branch_c
    assert _requirement(response, "month", world.branch_c, T.THEME_DAY).state == FAILED


@pytest.mark.parametrize(
    ("written", "message"),
    [("2026-13", "无法识别的期间“2026-13”"), ("2026Q3", "“2026Q3”不是月份"), ("下个月", "无法识别的期间")],
)
def test_a_month_that_cannot_be_read_is_explained_and_the_current_month_shown(
    as_secretary_a: Client, written: str, message: str
) -> None:
    response = as_secretary_a.get(MONTH_URL, {"month": written})
    assert response.status_code == 200
    assert response.context["month"] == Period.parse("2026-11")
    assert message in _text(response)
    assert "已改为显示2026年11月" in _text(response)


def test_the_month_page_takes_the_same_queries_however_many_groups_and_meetings(
    as_secretary_a: Client, world: World, django_assert_max_num_queries
) -> None:
    hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, 11, 3))
    url = f"{MONTH_URL}?org={world.branch_a.pk}"
    few = _queries(as_secretary_a, url)
    for n in range(2, 7):
        group = make_org(world.branch_a, OrgKind.GROUP, f"第{n}党小组")
        hold(group, T.GROUP_MEETING, at(2026, 11, n))
        hold(world.branch_a, T.THEME_DAY, at(2026, 11, n + 5), extra_types=[T.STUDY])
    many = _queries(as_secretary_a, url)
    assert many == few
    response = as_secretary_a.get(url)
    assert len(_requirement_items(response, "month")) == 2 + 6  # the branch's two, one per group
    with django_assert_max_num_queries(21):
        as_secretary_a.get(url)


def _requirement_items(response, kind: str) -> list:
    return next(s["items"] for s in response.context["sections"] if s["period"].kind == kind)


# --- the matrix ------------------------------------------------------------------------------


def test_staff_see_every_organization_against_every_type_with_drill_down(as_staff: Client, world: World) -> None:
    _q3_in_full(world.branch_a, world.group_a1)
    hold(world.branch_b, T.COMMITTEE_MEETING, at(2026, 8, 5))

    response = as_staff.get(MATRIX_URL, {"period": "2026Q3"})
    assert response.status_code == 200
    rows = response.context["page"].object_list
    assert [r.org.pk for r in rows] == [
        o.pk for o in (world.root, world.committee, world.branch_a, world.group_a1, world.branch_b, world.general, world.branch_c)
    ]
    assert [r.level for r in rows] == [0, 1, 2, 3, 2, 1, 2]

    a = _matrix_cell(response, world.branch_a, T.COMMITTEE_MEETING)
    assert (a.text, a.state) == ("3/3", MET)
    assert a.url == f"{reverse('meetings:list')}?org={world.branch_a.pk}&exact=1&type=committee_meeting&period=2026Q3"
    b = _matrix_cell(response, world.branch_b, T.COMMITTEE_MEETING)
    assert (b.text, b.state) == ("1/3", FAILED)
    assert b.detail == "7月 0/1 未达标；8月 1/1 达标；9月 0/1 未达标"
    assert _matrix_cell(response, world.branch_a, T.LECTURE).text == "1/1"  # the 党员大会 counted as 党课 too
    # A yearly rule is not judged in a quarter: with no 组织生活会 held, it has no column at all.
    assert T.LIFE_MEETING not in response.context["report"].types
    assert _matrix_cell(response, world.group_a1, T.COMMITTEE_MEETING) is None  # a 党小组 holds no 支委会
    assert _matrix_cell(response, world.group_a1, T.GROUP_MEETING).text == "3/3"

    committee = _matrix_row(response, world.committee)
    assert (committee.org.branches_met, committee.org.branches_total, committee.share_percent) == (1, 2, "50%")
    root = _matrix_row(response, world.root)
    assert (root.org.branches_met, root.org.branches_total, root.share_percent) == (1, 3, "33.3%")
    assert response.context["branches"] == {"total": 3, "met": 1, "failed": 2, "due": 0}

    html = response.content.decode()
    assert 'class="pb-cell pb-cell-met" title="7月 1/1 达标；8月 1/1 达标；9月 1/1 达标"><a href="/meetings/?org=' in html
    assert 'class="pb-cell pb-cell-failed"' in html
    text = _text(response)
    assert "1/2 50%" in text and "1/3 33.3%" in text
    # Every column the report has, by its Chinese name.
    for label in ("支部党员大会", "支部委员会", "党小组会", "党课", "主题党日", "专题学习研讨"):
        assert label in text


def test_the_current_quarter_is_the_default_and_its_months_are_in_progress(as_staff: Client, world: World) -> None:
    hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, 10, 9))
    hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, 11, 9))
    response = as_staff.get(MATRIX_URL)
    assert response.context["period"] == Period.parse("2026Q4")
    cell = _matrix_cell(response, world.branch_a, T.COMMITTEE_MEETING)
    assert (cell.text, cell.state) == ("2/3", "due")  # October and November held, December to come
    assert 'class="pb-cell pb-cell-due"' in response.content.decode()


@pytest.mark.parametrize("written", ["2026Q5", "2026-00", "abc", "1899"])
def test_a_period_that_cannot_be_read_is_explained_and_the_current_quarter_shown(as_staff: Client, written: str) -> None:
    response = as_staff.get(MATRIX_URL, {"period": written})
    assert response.status_code == 200
    assert response.context["period"] == Period.parse("2026Q4")
    text = _text(response)
    assert f"无法识别的期间“{written}”" in text
    assert "已改为显示2026年第4季度" in text


@pytest.mark.parametrize(
    ("url", "param", "value"),
    [
        (MATRIX_URL, "period", "2999"),
        (MATRIX_URL, "period", "1900Q1"),
        (MONTH_URL, "month", "2999-12"),
        (MONTH_URL, "month", "1900-01"),
        (DUAL_URL, "month", "2999-12"),
    ],
)
def test_the_first_and_last_periods_of_the_calendar_have_no_link_beyond(
    as_staff: Client, url: str, param: str, value: str
) -> None:
    response = as_staff.get(url, {param: value})
    assert response.status_code == 200
    assert "" in (response.context["previous_url"], response.context["next_url"])
    assert "disabled" in response.content.decode()


def test_a_month_and_a_year_are_periods_too(as_staff: Client, world: World) -> None:
    hold(world.branch_a, T.LIFE_MEETING, at(2026, 11, 2), extra_types=[T.MEMBER_REVIEW])
    year = as_staff.get(MATRIX_URL, {"period": "2026"})
    assert _matrix_cell(year, world.branch_a, T.LIFE_MEETING).text == "1/1"
    assert _matrix_cell(year, world.branch_a, T.MEMBER_REVIEW).state == MET
    month = as_staff.get(MATRIX_URL, {"period": "2026-10", "org": world.committee.pk})
    assert month.context["page"].object_list[0].org.pk == world.committee.pk
    assert world.root.pk not in [r.org.pk for r in month.context["page"].object_list]
    assert month.context["chart_title"] == "2026年各月党支部达标率"


def test_a_secretary_sees_only_her_branch_and_its_group(as_secretary_a: Client, world: World) -> None:
    response = as_secretary_a.get(MATRIX_URL, {"period": "2026Q3"})
    assert [r.org.pk for r in response.context["page"].object_list] == [world.branch_a.pk, world.group_a1.pk]
    assert "第二党支部" not in _text(response)


def test_the_chart_gives_each_month_the_same_share_as_that_month_alone(as_staff: Client, world: World) -> None:
    _q3_in_full(world.branch_a, world.group_a1)
    for month in (7, 8):
        hold(world.branch_b, T.COMMITTEE_MEETING, at(2026, month, 5))
        hold(world.branch_b, T.THEME_DAY, at(2026, month, 6))
    # A 党支部 founded in August is not counted in July; in August it held nothing.
    make_org(world.general, OrgKind.BRANCH, "八月新建党支部", founded_on=datetime.date(2026, 8, 10))

    response = as_staff.get(MATRIX_URL, {"period": "2026Q3"})
    shares = response.context["shares"]
    assert [(s.month.index, s.met, s.total) for s in shares] == [(7, 2, 3), (8, 2, 4), (9, 1, 4)]
    everything = Organization.objects.all()
    for share in shares:
        root = compliance(everything, share.month, today=datetime.date(2026, 11, 18)).row(world.root.pk)
        assert (share.met, share.total) == (root.branches_met, root.branches_total)
    assert response.context["chart"]["values"] == [66.7, 50.0, 25.0]
    text = _text(response)
    assert "2026年7月 2/3 66.7%" in text
    assert 'id="compliance-chart"' in response.content.decode()
    assert "vendor/echarts/echarts.min.js" in response.content.decode()


def test_the_chart_of_the_current_year_leaves_the_months_to_come_empty(as_staff: Client, world: World) -> None:
    response = as_staff.get(MATRIX_URL, {"period": "2026"})
    values = response.context["chart"]["values"]
    assert len(values) == 12
    assert values[10] == 0.0  # November has begun: no 党支部 has met all of it yet
    assert values[11] is None  # December has not


def test_the_matrix_takes_the_same_queries_with_200_more_branches(
    as_staff: Client, world: World, django_assert_max_num_queries
) -> None:
    for period in ("2026Q4", "2026-10", "2026"):
        url = f"{MATRIX_URL}?period={period}"
        few = _queries(as_staff, url)
        before = len(as_staff.get(url).context["report"].rows)
        _add_branches(world.committee, 100, groups=True)
        many = _queries(as_staff, url)
        assert len(as_staff.get(url).context["report"].rows) == before + 200
        assert many == few, period
    with django_assert_max_num_queries(16):
        as_staff.get(f"{MATRIX_URL}?period=2026-10")


def test_a_huge_subtree_shows_its_upper_levels_with_the_count_below_each(
    as_staff: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compliance_views, "MATRIX_MAX_ROWS", 5)
    response = as_staff.get(MATRIX_URL, {"period": "2026-10"})
    rows = response.context["page"].object_list
    # Seven organizations do not fit in five rows: the 工委 and the two below it, with what is under them.
    assert response.context["collapsed_below"] == 1
    assert [(r.org.pk, r.hidden_below) for r in rows] == [(world.root.pk, 0), (world.committee.pk, 3), (world.general.pk, 1)]
    assert (rows[1].org.branches_total, rows[2].org.branches_total) == (2, 1)  # the share still counts them all
    assert f'href="?org={world.committee.pk}&amp;period=2026-10"' in response.content.decode()
    assert "下级 3 个" in _text(response)

    # Their own subtree fits.
    response = as_staff.get(MATRIX_URL, {"period": "2026-10", "org": world.committee.pk})
    assert response.context["collapsed_below"] is None
    assert len(response.context["page"].object_list) == 4


def test_when_even_the_upper_levels_are_too_many_they_are_paginated(
    as_staff: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compliance_views, "MATRIX_MAX_ROWS", 3)
    _add_branches(world.committee, 5)
    response = as_staff.get(MATRIX_URL, {"period": "2026-10", "org": world.committee.pk})
    # The 机关党委 and its seven 党支部 (one with a 党小组) do not fit in three rows even collapsed.
    assert response.context["collapsed_below"] == 1
    page = response.context["page"]
    assert (page.paginator.count, page.paginator.num_pages, len(page.object_list)) == (8, 3, 3)
    assert f"?org={world.committee.pk}&amp;period=2026-10&page=2" in response.content.decode()
    last = as_staff.get(MATRIX_URL, {"period": "2026-10", "org": world.committee.pk, "page": 3})
    assert len(last.context["page"].object_list) == 2


# --- the Excel export ------------------------------------------------------------------------


def _workbook(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def test_the_export_holds_the_matrix_for_the_chosen_organization_and_period(as_staff: Client, world: World) -> None:
    _q3_in_full(world.branch_a, world.group_a1)
    response = as_staff.get(EXPORT_URL, {"period": "2026Q3", "org": world.committee.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == compliance_views.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert "2026Q3.xlsx" in response["Content-Disposition"]

    rows = _workbook(response)
    assert rows[0][0] == "机关党委三会一课达标情况（2026年第3季度）"
    assert "2026-07-01 至 2026-09-30" in rows[1][0]
    header = rows[3]
    assert header[:3] == ["党组织", "组织类型", "整体情况"]
    assert header[-3:] == ["党支部数", "达标党支部数", "达标党支部占比"]
    by_name = {r[0].strip("\u3000"): dict(zip(header, r, strict=True)) for r in rows[4:]}
    assert list(by_name) == ["测试局机关党委", "测试局第一党支部", "第一党支部第一党小组", "测试局第二党支部"]
    assert rows[5][0] == "\u3000测试局第一党支部"  # indented under the 机关党委
    a = by_name["测试局第一党支部"]
    assert (a["支部委员会·已召开"], a["支部委员会·应召开"], a["支部委员会·情况"]) == (3, 3, "达标")
    assert a["整体情况"] == "达标"
    b = by_name["测试局第二党支部"]
    assert (b["主题党日·已召开"], b["主题党日·应召开"], b["主题党日·情况"]) == (0, 3, "未达标")
    assert "组织生活会·应召开" not in header  # yearly: not judged in a quarter
    assert by_name["第一党支部第一党小组"]["支部委员会·情况"] is None
    committee = by_name["测试局机关党委"]
    assert (committee["党支部数"], committee["达标党支部数"], committee["达标党支部占比"]) == (2, 1, 0.5)


def test_the_export_writes_formula_like_names_as_text(as_staff: Client, world: World) -> None:
    risky = make_org(world.committee, OrgKind.BRANCH, '=HYPERLINK("http://x")党支部', short_name="=危险")
    rows = _workbook(as_staff.get(EXPORT_URL, {"period": "2026-10", "org": risky.pk}))
    assert rows[4][0] == '\'=HYPERLINK("http://x")党支部'
    assert rows[0][0] == "'=危险三会一课达标情况（2026年10月）"


def test_the_export_of_a_secretary_holds_only_her_branch(as_secretary_a: Client, world: World) -> None:
    rows = _workbook(as_secretary_a.get(EXPORT_URL, {"period": "2026-10"}))
    assert [r[0] for r in rows[4:]] == ["测试局第一党支部", "\u3000第一党支部第一党小组"]


def test_the_export_takes_the_same_queries_with_200_more_branches(
    as_staff: Client, world: World, django_assert_max_num_queries
) -> None:
    url = f"{EXPORT_URL}?period=2026"
    few = _queries(as_staff, url)
    _add_branches(world.committee, 200)
    many = _queries(as_staff, url)
    assert many == few
    with django_assert_max_num_queries(9):
        response = as_staff.get(url)
    assert len(_workbook(response)) == 4 + 7 + 200


# --- 双重组织生活 ------------------------------------------------------------------------------


@pytest.fixture
def leaders(world: World) -> dict[str, Member]:
    return {
        "a": MemberFactory(
            name="钱局长", branch=world.branch_a, group=world.group_a1, is_leader=True, work_unit_position="测试局局长"
        ),
        "a_other": MemberFactory(name="孙副局长", branch=world.branch_a, is_leader=True),
        "b": MemberFactory(name="周处长", branch=world.branch_b, is_leader=True),
    }


def test_leaders_who_attended_nothing_this_month_are_listed_with_branch_and_phone(
    as_secretary_a: Client, world: World, leaders: dict[str, Member]
) -> None:
    # 孙副局长 was at the 主题党日, 钱局长 was not.
    hold(world.branch_a, T.THEME_DAY, at(2026, 11, 6), absent=[leaders["a"].pk])
    response = as_secretary_a.get(DUAL_URL)
    listed = list(response.context["page"].object_list)
    assert listed == [leaders["a"]]
    text = _text(response)
    assert "2026年11月未参加所在党支部（党小组）组织生活的党员领导干部：1 名" in text
    assert "管理范围内党员领导干部共 2 名" in text
    assert leaders["a"].phone in text and "测试局局长" in text and "第一党支部 · 第一党小组" in text
    assert f'href="{reverse("members:detail", args=[leaders["a"].pk])}"' in response.content.decode()
    assert "周处长" not in text  # branch B is not hers


def test_a_leader_who_attended_the_group_meeting_has_had_dual_life(
    as_staff: Client, world: World, leaders: dict[str, Member]
) -> None:
    hold(world.group_a1, T.GROUP_MEETING, at(2026, 10, 15))
    response = as_staff.get(DUAL_URL, {"month": "2026-10", "org": world.committee.pk})
    assert [m.name for m in response.context["page"].object_list] == ["孙副局长", "周处长"]
    response = as_staff.get(DUAL_URL, {"month": "2026-10", "org": world.group_a1.pk})
    assert list(response.context["page"].object_list) == []
    assert "本月党员领导干部均已参加" in _text(response)


def test_the_dual_life_month_that_cannot_be_read_is_explained(as_staff: Client, leaders: dict[str, Member]) -> None:
    response = as_staff.get(DUAL_URL, {"month": "2026-1x"})
    assert response.status_code == 200
    assert response.context["month"] == Period.parse("2026-11")
    assert "无法识别的期间“2026-1x”" in _text(response)


def test_the_dual_life_list_takes_the_same_queries_for_more_leaders(
    as_staff: Client, world: World, leaders: dict[str, Member], django_assert_max_num_queries
) -> None:
    few = _queries(as_staff, DUAL_URL)
    for n in range(20):
        MemberFactory(branch=world.branch_c, is_leader=True, name=f"领导{n}")
    many = _queries(as_staff, DUAL_URL)
    assert many == few
    with django_assert_max_num_queries(12):
        assert as_staff.get(DUAL_URL).context["page"].paginator.count == 23


def test_rules_changed_by_an_admin_show_on_the_month_page_from_the_month_they_take_effect(
    as_secretary_a: Client, world: World
) -> None:
    FrequencyRule.objects.create(
        meeting_type=T.THEME_DAY,
        org_kind=OrgKind.BRANCH,
        period_kind="month",
        min_count=2,
        effective_from=datetime.date(2026, 11, 1),
    )
    hold(world.branch_a, T.THEME_DAY, at(2026, 10, 9))
    hold(world.branch_a, T.THEME_DAY, at(2026, 11, 9))
    october = as_secretary_a.get(MONTH_URL, {"month": "2026-10"})
    assert _requirement(october, "month", world.branch_a, T.THEME_DAY).rule == "每月至少1次"
    assert _requirement(october, "month", world.branch_a, T.THEME_DAY).state == MET
    november = as_secretary_a.get(MONTH_URL)
    item = _requirement(november, "month", world.branch_a, T.THEME_DAY)
    assert (item.held, item.required, item.rule, item.state_label) == (1, 2, "每月至少2次", "进行中")
