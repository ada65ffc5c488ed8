"""The meeting pages, as the people who use them: the secretary of branch A records and corrects
her branch's meetings, the 工委's staff look across the tree, the secretary of branch B (the
outsider) finds nothing of A's, and member_a (no role but 党员) sees only their own attendance, on
their record."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from urllib.parse import quote

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from branches.models import Organization, PositionTitle
from branches.services import position_assign
from meetings.compliance.selectors import compliance
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingAttachment,
    MeetingCredit,
    MeetingStatus,
    MeetingType,
)
from meetings.services import attachment_add, meeting_cancel, meeting_record
from members.roster.choices import MemberState, MemberType
from members.roster.models import Member
from members.roster.services import member_change_state
from partybuild.periods import Period
from tests.conftest import World
from tests.factories import MemberFactory
from tests.meetings.conftest import at, hold

T = MeetingType
LIST = reverse("meetings:list")
NEW = reverse("meetings:new")
ROLL = reverse("meetings:roll")
EXPORT = reverse("meetings:export")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _march_2027() -> Iterator[None]:
    """The tests record meetings all over 2026: the clock stands in March 2027."""
    with time_machine.travel(at(2027, 3, 1, 10), tick=True):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def url(name: str, meeting: Meeting, *args: int) -> str:
    return reverse(f"meetings:{name}", args=[meeting.pk, *args])


def topics(response) -> list[str]:
    return [m.topic for m in response.context["page"].object_list]


def form_data(world: World, **overrides: object) -> dict[str, object]:
    """What the secretary of branch A submits for a 主题党日 of her branch, held on the last evening
    of June, with 李同志 away on business."""
    data: dict[str, object] = {
        "organization": world.branch_a.pk,
        "meeting_type": T.THEME_DAY,
        "topic": "重温入党誓词",
        "status": "held",
        "held_at": "2026-06-30T23:59",
        "planned_at": "",
        "place": "三楼党员活动室",
        "host": world.member_a.pk,
        "recorder": world.member_a2.pk,
        "lecturer": "",
        "lecturer_name": "",
        "minutes": "全体党员重温入党誓词。",
        "resolutions": "",
        f"att-{world.member_a.pk}": "present",
        f"att-{world.member_a2.pk}": "leave",
        f"reason-{world.member_a2.pk}": "出差",
    }
    data.update(overrides)
    return data


# --- the list ------------------------------------------------------------------------------------


def test_secretary_sees_her_branchs_meetings_newest_first(world: World, as_secretary_a: Client) -> None:
    hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5), topic="三月主题党日")
    hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, 4, 2), topic="四月支委会")
    hold(world.group_a1, T.GROUP_MEETING, at(2026, 4, 9), topic="小组学习")
    hold(world.branch_b, T.THEME_DAY, at(2026, 3, 6), topic="乙支部主题党日")
    response = as_secretary_a.get(LIST)
    assert response.status_code == 200
    assert topics(response) == ["小组学习", "四月支委会", "三月主题党日"]
    html = response.content.decode()
    assert "乙支部主题党日" not in html
    assert "2/2" in html  # present / on the roll


def test_staff_filter_by_organization_takes_the_subtree_or_exactly_the_organization(world: World, as_staff: Client) -> None:
    hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5), topic="甲")
    hold(world.group_a1, T.GROUP_MEETING, at(2026, 3, 9), topic="甲小组")
    hold(world.branch_b, T.THEME_DAY, at(2026, 3, 6), topic="乙")
    hold(world.branch_c, T.THEME_DAY, at(2026, 3, 7), topic="丙")
    assert set(topics(as_staff.get(LIST))) == {"甲", "甲小组", "乙", "丙"}
    assert set(topics(as_staff.get(LIST, {"org": world.committee.pk}))) == {"甲", "甲小组", "乙"}
    assert set(topics(as_staff.get(LIST, {"org": world.branch_a.pk}))) == {"甲", "甲小组"}
    assert set(topics(as_staff.get(LIST, {"org": world.branch_a.pk, "exact": "1"}))) == {"甲"}


def test_the_list_shows_held_meetings_unless_asked_for_planned_or_cancelled(world: World, as_secretary_a: Client) -> None:
    hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5), topic="已开")
    cancelled = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 6), topic="登记重复")
    meeting_cancel(actor=world.secretary_a, meeting=cancelled, reason="重复登记")
    meeting_record(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.LECTURE,
        topic="计划党课",
        status=MeetingStatus.PLANNED,
        planned_at=at(2027, 3, 20, 15),
        lecturer_name="市委党校王教授",
    )
    assert topics(as_secretary_a.get(LIST)) == ["已开"]
    assert topics(as_secretary_a.get(LIST, {"status": "planned"})) == ["计划党课"]
    assert topics(as_secretary_a.get(LIST, {"status": "cancelled"})) == ["登记重复"]
    assert topics(as_secretary_a.get(LIST, {"status": "all"})) == ["计划党课", "登记重复", "已开"]
    assert topics(as_secretary_a.get(LIST, {"status": "all", "period": "2027-03"})) == ["计划党课"]


def test_type_filter_is_the_counted_type_so_a_theme_day_with_a_lecture_is_a_lecture(world: World, as_secretary_a: Client) -> None:
    hold(world.branch_a, T.THEME_DAY, at(2026, 5, 5), topic="主题党日含党课", extra_types=[T.LECTURE])
    hold(world.branch_a, T.THEME_DAY, at(2026, 6, 5), topic="普通主题党日")
    assert topics(as_secretary_a.get(LIST, {"type": T.LECTURE})) == ["主题党日含党课"]
    response = as_secretary_a.get(LIST, {"type": T.THEME_DAY})
    assert topics(response) == ["普通主题党日", "主题党日含党课"]
    assert "+党课" in response.content.decode()


def test_period_filter_places_a_meeting_at_2359_beijing_in_its_own_quarter(world: World, as_secretary_a: Client) -> None:
    hold(world.branch_a, T.THEME_DAY, at(2026, 6, 30, 23, 59), topic="季末")
    hold(world.branch_a, T.THEME_DAY, at(2026, 7, 1, 0, 1), topic="季初")
    assert topics(as_secretary_a.get(LIST, {"period": "2026Q2"})) == ["季末"]
    assert topics(as_secretary_a.get(LIST, {"period": "2026Q3"})) == ["季初"]
    assert topics(as_secretary_a.get(LIST, {"period": "2026-06"})) == ["季末"]
    assert topics(as_secretary_a.get(LIST, {"period": "2026"})) == ["季初", "季末"]


def test_a_bad_period_is_explained_in_chinese_and_ignored(world: World, as_secretary_a: Client) -> None:
    hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5), topic="三月")
    response = as_secretary_a.get(LIST, {"period": "2026Q5"})
    assert response.status_code == 200
    assert "无法识别的期间" in response.content.decode()
    assert topics(response) == ["三月"]


def test_search_by_topic_and_sort_by_date(world: World, as_secretary_a: Client) -> None:
    hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5), topic="学习二十大精神")
    hold(world.branch_a, T.THEME_DAY, at(2026, 4, 5), topic="学习党章")
    hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, 5, 5), topic="研究发展党员")
    assert topics(as_secretary_a.get(LIST, {"q": "学习"})) == ["学习党章", "学习二十大精神"]
    assert topics(as_secretary_a.get(LIST, {"q": "学习", "sort": "date"})) == ["学习二十大精神", "学习党章"]


def test_the_list_pages_by_50_and_keeps_the_filters_in_the_page_links(world: World, as_secretary_a: Client) -> None:
    for i in range(55):
        hold(world.branch_a, T.THEME_DAY, at(2026, 1 + i % 12, 1 + i % 28, 8 + i % 10), topic=f"第{i}次")
    response = as_secretary_a.get(LIST, {"period": "2026"})
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.count == 55
    assert 'href="?period=2026&page=2"' in response.content.decode()
    assert len(as_secretary_a.get(LIST, {"period": "2026", "page": 2}).context["page"].object_list) == 5


def test_the_drill_down_shows_exactly_the_meetings_compliance_counted(world: World, as_staff: Client) -> None:
    """The matrix's cell (branch A, 党课, 2026Q2) links to ?org=&type=&period=&exact=1."""
    counted = [
        hold(world.branch_a, T.LECTURE, at(2026, 4, 3), topic="党课"),
        hold(world.branch_a, T.THEME_DAY, at(2026, 6, 30, 23, 59), topic="主题党日含党课", extra_types=[T.LECTURE]),
    ]
    hold(world.branch_a, T.LECTURE, at(2026, 7, 1, 0, 1), topic="下一季度的党课")
    hold(world.branch_a, T.THEME_DAY, at(2026, 5, 3), topic="不含党课的主题党日")
    hold(world.branch_b, T.LECTURE, at(2026, 5, 3), topic="乙支部党课")
    meeting_cancel(actor=world.staff, meeting=hold(world.branch_a, T.LECTURE, at(2026, 5, 4), topic="作废"), reason="重复")
    meeting_record(
        actor=world.staff,
        organization=world.branch_a,
        meeting_type=T.LECTURE,
        topic="计划中的党课",
        status=MeetingStatus.PLANNED,
        planned_at=at(2026, 6, 1),
        lecturer_name="王教授",
    )
    period = Period.parse("2026Q2")
    report = compliance(Organization.objects.filter(pk=world.branch_a.pk), period, today=datetime.date(2027, 3, 1))
    held = report.row(world.branch_a.pk).cells[T.LECTURE].held
    response = as_staff.get(LIST, {"org": world.branch_a.pk, "type": T.LECTURE, "period": str(period), "exact": "1"})
    assert held == 2
    assert sorted(topics(response)) == sorted(m.topic for m in counted)


def test_the_drill_down_of_a_group_counts_its_group_meetings_and_the_branch_subtree_includes_them(
    world: World, as_staff: Client
) -> None:
    hold(world.group_a1, T.GROUP_MEETING, at(2026, 5, 8), topic="小组会")
    params = {"type": T.GROUP_MEETING, "period": "2026-05"}
    assert topics(as_staff.get(LIST, {**params, "org": world.group_a1.pk, "exact": "1"})) == ["小组会"]
    assert topics(as_staff.get(LIST, {**params, "org": world.branch_a.pk, "exact": "1"})) == []
    assert topics(as_staff.get(LIST, {**params, "org": world.branch_a.pk})) == ["小组会"]


def test_htmx_filtering_returns_only_the_rows(world: World, as_secretary_a: Client) -> None:
    hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5), topic="三月")
    response = as_secretary_a.get(LIST, {"period": "2026"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="meeting-rows")
    html = response.content.decode()
    assert 'id="meeting-rows"' in html and "三月" in html
    assert "主导航" not in html


def test_a_member_without_another_role_gets_404_on_the_list_and_export(world: World, as_member_a: Client) -> None:
    hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5))
    assert as_member_a.get(LIST).status_code == 404
    assert as_member_a.get(EXPORT).status_code == 404


def test_the_list_needs_a_login_and_a_get(world: World, client: Client, as_secretary_a: Client) -> None:
    assert client.get(LIST)["Location"].startswith(reverse("accounts:login"))
    assert as_secretary_a.post(LIST).status_code == 405
    assert as_secretary_a.post(EXPORT).status_code == 405


def _many_meetings(world: World, n: int) -> None:
    for i in range(n):
        hold(world.branch_a, T.THEME_DAY if i % 2 else T.COMMITTEE_MEETING, at(2026, 1 + i % 12, 1 + i % 28, 9), topic=f"会议{i}")
    for i in range(0, n, 3):
        hold(world.branch_a, T.THEME_DAY, at(2026, 1 + i % 12, 2, 15), topic=f"含党课{i}", extra_types=[T.LECTURE])


@pytest.mark.parametrize("params", [{}, {"type": T.LECTURE, "period": "2026", "q": "党课"}, {"status": "all", "sort": "org"}])
def test_the_list_query_count_is_fixed_and_does_not_grow_with_meetings(
    world: World, as_staff: Client, django_assert_max_num_queries, params: dict[str, str]
) -> None:
    """session, user, scope, organization options, the chosen organization, count, rows,
    attendance counts, extra types, notifications (1), session renewal (3)."""
    params = {**params, "org": world.committee.pk}
    _many_meetings(world, 6)
    with django_assert_max_num_queries(13):
        small = as_staff.get(LIST, params)
    _many_meetings(world, 60)
    with django_assert_max_num_queries(14):
        large = as_staff.get(LIST, params)
    assert len(large.context["page"].object_list) > len(small.context["page"].object_list)


# --- the export ----------------------------------------------------------------------------------


def _sheet(response) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(book.active.iter_rows(values_only=True))


def test_export_is_the_filtered_list_with_counts_and_neutralized_formulas(world: World, as_secretary_a: Client) -> None:
    hold(world.branch_a, T.THEME_DAY, at(2026, 5, 5, 14, 30), topic='=HYPERLINK("x")', extra_types=[T.LECTURE])
    hold(world.branch_a, T.THEME_DAY, at(2026, 6, 5), topic="六月", leave={world.member_a2.pk: "病假"})
    hold(world.branch_a, T.THEME_DAY, at(2025, 6, 5), topic="去年")
    hold(world.branch_b, T.THEME_DAY, at(2026, 6, 5), topic="乙支部")
    response = as_secretary_a.get(EXPORT, {"period": "2026"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''" + quote("会议记录-") in response["Content-Disposition"]
    rows = _sheet(response)
    header, body = rows[0], rows[1:]
    assert header[:7] == ("序号", "党组织", "会议类型", "同时计为", "主题", "状态", "时间")
    by_topic = {r[4]: dict(zip(header, r, strict=True)) for r in body}
    assert set(by_topic) == {'\'=HYPERLINK("x")', "六月"}
    june = by_topic["六月"]
    assert (june["应到"], june["出席"], june["请假"], june["缺席"]) == (2, 1, 1, 0)
    assert by_topic['\'=HYPERLINK("x")']["同时计为"] == "党课"
    assert by_topic['\'=HYPERLINK("x")']["时间"] == "2026-05-05 14:30"


def test_export_query_count_does_not_grow_with_meetings(world: World, as_staff: Client, django_assert_max_num_queries) -> None:
    """session, user, scope, the meetings, their attendance counts and extra types (per 2,000),
    session renewal (3)."""
    _many_meetings(world, 6)
    with django_assert_max_num_queries(9):
        assert len(_sheet(as_staff.get(EXPORT, {"period": "2026"}))) == 1 + 6 + 2
    _many_meetings(world, 60)
    with django_assert_max_num_queries(9):
        assert len(_sheet(as_staff.get(EXPORT, {"period": "2026"}))) == 1 + (6 + 2) + (60 + 20)


# --- recording a meeting -------------------------------------------------------------------------


def test_the_new_form_preselects_organization_and_type_and_presets_everyone_present(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(NEW, {"org": world.branch_a.pk, "type": T.THEME_DAY})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'<option value="{world.branch_a.pk}" selected>', html)
    assert '<option value="theme_day" selected>' in html
    for member in (world.member_a, world.member_a2):
        assert f'name="att-{member.pk}" id="att-{member.pk}-present" value="present" checked' in html
    assert "全部出席" in html
    # A 主题党日 may also count as a 党课 or a 专题学习研讨: those two are offered, nothing else.
    assert re.findall(r'name="extra_types" value="(\w+)"', html) == [T.LECTURE, T.STUDY]
    assert f'<option value="{world.branch_b.pk}"' not in html


def test_a_secretary_opening_the_form_finds_her_branch_chosen_staff_choose(
    world: World, as_secretary_a: Client, as_staff: Client
) -> None:
    html = as_secretary_a.get(NEW).content.decode()
    assert re.search(rf'<option value="{world.branch_a.pk}" selected>', html)
    html = as_staff.get(NEW).content.decode()
    assert not re.search(r'<option value="\d+" selected>', html.split('name="organization"')[1].split("</select>")[0])


def test_secretary_records_a_held_meeting_with_attendance_in_beijing_time(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(NEW, form_data(world))
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("detail", meeting)
    assert meeting.held_on == datetime.date(2026, 6, 30)  # 23:59 in Beijing, 15:59 UTC
    assert meeting.held_at == at(2026, 6, 30, 23, 59)
    assert (meeting.host, meeting.recorder, meeting.created_by) == (world.member_a, world.member_a2, world.secretary_a)
    rows = {a.member_id: (a.status, a.reason) for a in meeting.attendance.all()}
    assert rows == {world.member_a.pk: ("present", ""), world.member_a2.pk: ("leave", "出差")}
    page = as_secretary_a.get(response["Location"]).content.decode()
    assert "已登记主题党日“重温入党誓词”。" in page


def test_a_meeting_counting_for_two_types_is_recorded_with_both_credits(world: World, as_secretary_a: Client) -> None:
    data = form_data(world, extra_types=[T.LECTURE], lecturer_name="市委党校王教授")
    assert as_secretary_a.post(NEW, data).status_code == 302
    meeting = Meeting.objects.get()
    assert set(meeting.credits.values_list("meeting_type", flat=True)) == {T.THEME_DAY, T.LECTURE}


def test_a_lecture_without_a_lecturer_is_refused_next_to_the_lecturer_field(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(NEW, form_data(world, extra_types=[T.LECTURE]))
    assert response.status_code == 200
    assert Meeting.objects.count() == 0
    assert response.context["form"].errors["lecturer"] == ["党课须填写授课人（本组织党员或外单位授课人姓名）。"]
    html = response.content.decode()
    assert "重温入党誓词" in html  # what was typed stays
    assert 'name="extra_types" value="lecture" id="id_extra_types_lecture" checked' in html


def test_leave_without_a_reason_is_said_above_the_table_and_nothing_is_written(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(NEW, form_data(world, **{f"reason-{world.member_a2.pk}": "  "}))
    assert response.status_code == 200
    assert Meeting.objects.count() == Attendance.objects.count() == 0
    assert response.context["form"].attendance_errors == ["李同志请假，请填写请假原因。"]
    html = response.content.decode()
    assert 'id="attendance-errors"' in html
    # The table shows what was chosen, not the default.
    assert f'id="att-{world.member_a2.pk}-leave" value="leave" checked' in html


def test_a_member_missing_from_the_posted_table_is_named(world: World, as_secretary_a: Client) -> None:
    data = form_data(world)
    del data[f"att-{world.member_a2.pk}"]
    response = as_secretary_a.post(NEW, data)
    assert Meeting.objects.count() == 0
    assert response.context["form"].attendance_errors == ["请登记全部应到党员的出勤，缺少：李同志（共1名）。"]


def test_a_future_held_time_and_a_type_the_group_does_not_hold_are_refused_by_field(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(NEW, form_data(world, held_at="2027-04-01T09:00"))
    assert response.context["form"].errors["held_at"] == ["召开时间不能晚于现在；尚未召开的会议请登记为“计划”。"]
    response = as_secretary_a.post(NEW, form_data(world, organization=world.group_a1.pk))
    assert "党小组不召开主题党日" in response.context["form"].errors["meeting_type"][0]
    response = as_secretary_a.post(NEW, form_data(world, held_at="2026-13-01T09:00"))
    assert response.context["form"].errors["held_at"] == ["请填写有效的时间，如 2026-10-12 14:30。"]
    assert Meeting.objects.count() == 0


def test_an_organization_out_of_scope_is_refused_and_404_when_preselected(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(NEW, form_data(world, organization=world.branch_b.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["organization"] == ["所选党组织不存在或不在您的管理范围内。"]
    assert Meeting.objects.count() == 0
    assert as_secretary_a.get(NEW, {"org": world.branch_b.pk}).status_code == 404


def test_a_planned_meeting_needs_no_attendance(world: World, as_secretary_a: Client) -> None:
    data = form_data(world, status="planned", held_at="", planned_at="2027-03-20T15:00")
    response = as_secretary_a.post(NEW, data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert meeting.status == MeetingStatus.PLANNED
    assert meeting.planned_at == at(2027, 3, 20, 15)
    assert meeting.held_on is None
    assert meeting.attendance.count() == 0


def test_a_planned_meeting_is_edited_with_the_attendance_table_left_aside(world: World, as_secretary_a: Client) -> None:
    # The form sends no attendance for a planned meeting (the table's inputs are posted all the
    # same), so the service's refusal of attendance on a planned meeting never shows here.
    meeting = meeting_record(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.THEME_DAY,
        topic="计划主题党日",
        status=MeetingStatus.PLANNED,
        planned_at=at(2027, 3, 20, 15),
    ).meeting
    data = form_data(world, topic="改期的主题党日", status="planned", held_at="", planned_at="2027-03-27T15:00")
    response = as_secretary_a.post(url("edit", meeting), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.topic, meeting.planned_at) == (MeetingStatus.PLANNED, "改期的主题党日", at(2027, 3, 27, 15))
    assert meeting.attendance.count() == 0


def test_a_general_meeting_that_decides_without_quorum_is_recorded_with_a_warning(world: World, as_secretary_a: Client) -> None:
    data = form_data(
        world,
        meeting_type=T.GENERAL_MEETING,
        decides="on",
        **{f"att-{world.member_a.pk}": "absent", f"att-{world.member_a2.pk}": "absent"},
    )
    response = as_secretary_a.post(NEW, data, follow=True)
    meeting = Meeting.objects.get()
    assert meeting.decides
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings == ["有表决权的党员2名，到会0名，未超过半数（至少需要2名），不能进行表决。"]
    assert "未超过半数" in response.content.decode()


def test_a_member_without_another_role_cannot_record(world: World, as_member_a: Client) -> None:
    assert as_member_a.get(NEW).status_code == 404
    assert as_member_a.post(NEW, form_data(world)).status_code == 404
    assert Meeting.objects.count() == 0


def test_new_allows_only_get_and_post(as_secretary_a: Client) -> None:
    assert as_secretary_a.put(NEW).status_code == 405
    assert as_secretary_a.delete(NEW).status_code == 405


# --- the roll region (htmx) ----------------------------------------------------------------------


def test_the_roll_of_a_committee_meeting_is_the_committee_and_a_groups_is_the_group(world: World, as_secretary_a: Client) -> None:
    position_assign(
        org=world.branch_a, member=world.member_a2, title=PositionTitle.SECRETARY, started_on=datetime.date(2025, 1, 1)
    )
    response = as_secretary_a.get(ROLL, {"organization": world.branch_a.pk, "meeting_type": T.COMMITTEE_MEETING})
    assert [r.member for r in response.context["roll"].rows] == [world.member_a2]
    assert "主导航" not in response.content.decode()
    response = as_secretary_a.get(ROLL, {"organization": world.group_a1.pk, "meeting_type": T.GROUP_MEETING})
    assert [r.member for r in response.context["roll"].rows] == [world.member_a]


def test_reloading_the_roll_keeps_what_was_typed(world: World, as_secretary_a: Client) -> None:
    data = {
        "organization": world.branch_a.pk,
        "meeting_type": T.GENERAL_MEETING,
        "host": world.member_a.pk,
        f"att-{world.member_a2.pk}": "leave",
        f"reason-{world.member_a2.pk}": "病假",
    }
    response = as_secretary_a.post(ROLL, data)
    html = response.content.decode()
    assert f'id="att-{world.member_a2.pk}-leave" value="leave" checked' in html
    assert 'value="病假"' in html
    assert f'<option value="{world.member_a.pk}" selected>' in html
    assert 'id="quorum-hint"' in html  # a 党员大会 says how many must attend to vote
    assert Meeting.objects.count() == 0


def test_the_roll_says_when_the_organization_does_not_hold_the_type(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(ROLL, {"organization": world.group_a1.pk, "meeting_type": T.THEME_DAY})
    assert "不召开主题党日；可登记：党小组会" in response.content.decode()


def test_the_roll_of_another_branch_or_for_a_member_is_404(world: World, as_secretary_b: Client, as_member_a: Client) -> None:
    assert as_secretary_b.get(ROLL, {"organization": world.branch_a.pk, "meeting_type": T.THEME_DAY}).status_code == 404
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5))
    assert as_secretary_b.post(ROLL, {"meeting": meeting.pk, "meeting_type": T.THEME_DAY}).status_code == 404
    assert as_member_a.get(ROLL, {"organization": world.branch_a.pk, "meeting_type": T.THEME_DAY}).status_code == 404


def test_the_roll_allows_only_get_and_post(as_secretary_a: Client) -> None:
    assert as_secretary_a.delete(ROLL).status_code == 405


# --- one meeting ---------------------------------------------------------------------------------


def test_the_detail_shows_attendance_by_status_counted_types_quorum_and_history(world: World, as_secretary_a: Client) -> None:
    probationary = MemberFactory(name="孙预备", branch=world.branch_a, member_type=MemberType.PROBATIONARY, confirmed_on=None)
    meeting = hold(
        world.branch_a,
        T.GENERAL_MEETING,
        at(2026, 6, 5, 15),
        actor=world.secretary_a,
        topic="讨论接收预备党员",
        extra_types=[T.LECTURE],
        lecturer=world.member_a,
        decides=True,
        absent=[world.member_a2.pk],
        leave={probationary.pk: "住院"},
        host=world.member_a,
    )
    response = as_secretary_a.get(url("detail", meeting))
    assert response.status_code == 200
    html = response.content.decode()
    assert [a.member for a in response.context["present"]] == [world.member_a]
    assert [(a.member, a.reason) for a in response.context["leave"]] == [(probationary, "住院")]
    assert [a.member for a in response.context["absent"]] == [world.member_a2]
    assert response.context["also"] == ["党课"]
    assert "住院" in html
    # Two members have a vote (the 预备党员 has none); one came: not more than half.
    assert "有表决权的党员2名，到会1名，未超过半数（至少需要2名），不能进行表决。" in html
    assert "登记会议" in html  # the history
    for name in ("edit", "cancel", "print"):
        assert url(name, meeting) in html


def test_staff_see_a_branch_meeting_and_the_outsider_and_a_member_do_not(
    world: World, as_staff: Client, as_secretary_b: Client, as_member_a: Client
) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5), topic="甲支部主题党日")
    assert as_staff.get(url("detail", meeting)).status_code == 200
    response = as_secretary_b.get(url("detail", meeting))
    assert response.status_code == 404
    assert "甲支部主题党日" not in response.content.decode()
    assert as_member_a.get(url("detail", meeting)).status_code == 404
    assert as_staff.get(reverse("meetings:detail", args=[999999])).status_code == 404


def test_the_detail_allows_only_get(world: World, as_secretary_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5))
    assert as_secretary_a.post(url("detail", meeting)).status_code == 405


def test_the_history_says_who_changed_what(world: World, as_secretary_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5), actor=world.secretary_a, place="一楼")
    as_secretary_a.post(
        url("edit", meeting), form_data(world, topic=meeting.topic, held_at="2026-03-05T09:00", place="三楼党员活动室")
    )
    history = as_secretary_a.get(url("detail", meeting)).context["history"]
    assert history[0].reason == "修改会议"
    assert history[0].who == "甲支部书记"
    assert ("地点", "一楼", "三楼党员活动室") in {(c.label, c.old, c.new) for c in history[0].changes}


# --- editing -------------------------------------------------------------------------------------


def test_the_edit_form_shows_the_meeting_and_its_attendance(world: World, as_secretary_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5, 14, 30), leave={world.member_a2.pk: "出差"}, topic="三月")
    html = as_secretary_a.get(url("edit", meeting)).content.decode()
    assert 'value="2026-03-05T14:30"' in html
    assert 'value="三月"' in html
    assert f'id="att-{world.member_a2.pk}-leave" value="leave" checked' in html
    assert 'value="出差"' in html
    assert f'id="att-{world.member_a.pk}-present" value="present" checked' in html


def test_marking_a_planned_meeting_held_with_attendance(world: World, as_secretary_a: Client) -> None:
    meeting = meeting_record(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.COMMITTEE_MEETING,
        topic="研究发展党员",
        status=MeetingStatus.PLANNED,
        planned_at=at(2026, 6, 5, 15),
    ).meeting
    data = form_data(
        world,
        meeting_type=T.COMMITTEE_MEETING,
        topic="研究发展党员",
        planned_at="2026-06-05T15:00",
        held_at="2026-06-05T15:10",
        **{f"att-{world.member_a2.pk}": "absent"},
    )
    response = as_secretary_a.post(url("edit", meeting), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert meeting.held_on == datetime.date(2026, 6, 5)
    assert dict(meeting.attendance.values_list("member_id", "status")) == {
        world.member_a.pk: AttendanceStatus.PRESENT,
        world.member_a2.pk: AttendanceStatus.ABSENT,
    }


def test_an_old_meeting_is_corrected_on_the_roll_it_was_recorded_with(world: World, as_secretary_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5), topic="三月")
    member_change_state(
        member=world.member_a2,
        state=MemberState.TRANSFERRED_OUT,
        on=datetime.date(2026, 9, 1),
        reason="调动",
        actor=world.secretary_a,
        by_transfer=True,  # as a 转出系统外 does
    )
    newcomer = MemberFactory(name="新来的", branch=world.branch_a)
    response = as_secretary_a.get(url("edit", meeting))
    assert [r.member for r in response.context["roll"].rows] == [world.member_a, world.member_a2]
    assert 'id="recorded-roll-note"' in response.content.decode()
    # The roll region keeps that roll when the type changes.
    refreshed = as_secretary_a.post(ROLL, {"meeting": meeting.pk, "meeting_type": T.STUDY})
    assert [r.member for r in refreshed.context["roll"].rows] == [world.member_a, world.member_a2]
    data = form_data(world, topic="三月（更正）", held_at="2026-03-05T09:00", host="", recorder="")
    assert as_secretary_a.post(url("edit", meeting), data).status_code == 302
    rows = dict(meeting.attendance.values_list("member_id", "reason"))
    assert rows == {world.member_a.pk: "", world.member_a2.pk: "出差"}
    assert newcomer.pk not in rows


def test_a_meeting_whose_host_moved_to_another_branch_can_still_be_corrected(world: World, as_secretary_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5), topic="三月", host=world.member_a2, recorder=world.member_a)
    Member.objects.filter(pk=world.member_a2.pk).update(branch=world.branch_b, group=None)  # now outside A's scope
    data = form_data(world, topic="三月（更正）", held_at="2026-03-05T09:00", host=world.member_a2.pk, recorder=world.member_a.pk)
    response = as_secretary_a.post(url("edit", meeting), data)
    assert response.status_code == 302, response.context["form"].errors
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.host_id) == ("三月（更正）", world.member_a2.pk)


def test_an_invalid_edit_changes_nothing(world: World, as_secretary_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5), topic="三月", absent=[world.member_a2.pk])
    data = form_data(world, topic="", held_at="2026-03-05T09:00", **{f"att-{world.member_a2.pk}": "present"})
    response = as_secretary_a.post(url("edit", meeting), data)
    assert response.status_code == 200
    assert response.context["form"].errors["topic"] == ["请填写会议主题。"]
    meeting.refresh_from_db()
    assert meeting.topic == "三月"
    assert meeting.attendance.get(member=world.member_a2).status == AttendanceStatus.ABSENT


def test_the_organization_of_a_meeting_cannot_be_changed(world: World, as_staff: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5))
    data = form_data(world, organization=world.branch_b.pk, held_at="2026-03-05T09:00")
    assert as_staff.post(url("edit", meeting), data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.organization == world.branch_a


def test_a_cancelled_meeting_cannot_be_edited_and_the_page_says_so(world: World, as_secretary_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5), topic="三月")
    meeting_cancel(actor=world.secretary_a, meeting=meeting, reason="重复登记")
    response = as_secretary_a.get(url("edit", meeting))
    assert response.status_code == 200
    assert "该会议已取消，不能修改。" in response.content.decode()
    response = as_secretary_a.post(url("edit", meeting), form_data(world, topic="改了", held_at="2026-03-05T09:00"))
    assert response.status_code == 200
    assert "该会议已取消，不能再修改。" in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.status) == ("三月", MeetingStatus.CANCELLED)


def test_the_outsider_and_a_member_cannot_edit(world: World, as_secretary_b: Client, as_member_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5), topic="三月")
    for client in (as_secretary_b, as_member_a):
        assert client.get(url("edit", meeting)).status_code == 404
        assert client.post(url("edit", meeting), form_data(world, topic="改了")).status_code == 404
    meeting.refresh_from_db()
    assert meeting.topic == "三月"


def test_edit_allows_only_get_and_post(world: World, as_secretary_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5))
    assert as_secretary_a.put(url("edit", meeting)).status_code == 405


# --- cancelling ----------------------------------------------------------------------------------


def test_cancelling_asks_for_a_reason_then_stops_the_meeting_counting(world: World, as_secretary_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5))
    assert "取消原因" in as_secretary_a.get(url("cancel", meeting)).content.decode()
    response = as_secretary_a.post(url("cancel", meeting), {"reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["请填写取消原因。"]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    response = as_secretary_a.post(url("cancel", meeting), {"reason": "重复登记"})
    assert response["Location"] == url("detail", meeting)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason, meeting.held_on) == (MeetingStatus.CANCELLED, "重复登记", None)
    response = as_secretary_a.post(url("cancel", meeting), {"reason": "再取消一次"})
    assert "该会议已经取消。" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.cancel_reason == "重复登记"


def test_the_outsider_and_a_member_cannot_cancel(world: World, as_secretary_b: Client, as_member_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5))
    for client in (as_secretary_b, as_member_a):
        assert client.get(url("cancel", meeting)).status_code == 404
        assert client.post(url("cancel", meeting), {"reason": "不想开"}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_cancel_allows_only_get_and_post(world: World, as_secretary_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5))
    assert as_secretary_a.delete(url("cancel", meeting)).status_code == 405


# --- the printed record --------------------------------------------------------------------------


def test_the_printed_record_has_the_record_book_layout(world: World, as_secretary_a: Client) -> None:
    meeting = hold(
        world.branch_a,
        T.LECTURE,
        at(2026, 6, 5, 15),
        topic="党课：守初心担使命",
        lecturer_name="市委党校王教授",
        place="三楼党员活动室",
        host=world.member_a,
        recorder=world.member_a2,
        minutes="第一项\n第二项",
        resolutions="按计划落实",
        leave={world.member_a2.pk: "出差"},
    )
    response = as_secretary_a.get(url("print", meeting))
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("党组织", "会议类型", "主　　题", "时　　间", "地　　点", "主 持 人", "记 录 人", "授 课 人"):
        assert f"<th>{label}</th>" in html
    assert "应到 <b>2</b> 人，实到 <b>1</b> 人，请假 <b>1</b> 人，缺席 <b>0</b> 人" in html
    assert "李同志（出差）" in html
    assert "第一项<br>第二项" in html
    assert "主持人签字" in html and "记录人签字" in html
    assert "meeting_print.css" in html
    assert "主导航" not in html  # a page of its own: no sidebar


def test_the_outsider_and_a_member_cannot_print(world: World, as_secretary_b: Client, as_member_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5))
    assert as_secretary_b.get(url("print", meeting)).status_code == 404
    assert as_member_a.get(url("print", meeting)).status_code == 404


def test_print_allows_only_get(world: World, as_secretary_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5))
    assert as_secretary_a.post(url("print", meeting)).status_code == 405


# --- attachments ---------------------------------------------------------------------------------


def test_uploading_and_downloading_a_photo_under_its_chinese_name(world: World, as_secretary_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5))
    upload = SimpleUploadedFile("会议照片.png", PNG, content_type="image/png")
    response = as_secretary_a.post(url("attachment_upload", meeting), {"file": upload, "kind": "photo"})
    attachment = MeetingAttachment.objects.get()
    assert response["Location"] == url("detail", meeting) + "#attachments"
    assert (attachment.original_name, attachment.uploaded_by, attachment.size) == ("会议照片.png", world.secretary_a, len(PNG))
    assert "会议照片.png" in as_secretary_a.get(url("detail", meeting)).content.decode()
    response = as_secretary_a.get(url("attachment_download", meeting, attachment.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert f"filename*=utf-8''{quote('会议照片.png')}" in response["Content-Disposition"]
    saved = as_secretary_a.get(url("attachment_download", meeting, attachment.pk) + "?download=1")
    assert saved["Content-Disposition"].startswith("attachment;")


def test_a_refused_file_is_explained_next_to_the_file_field(world: World, as_secretary_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5))
    fake = SimpleUploadedFile("签到表.pdf", b"MZ\x90\x00 not a pdf")
    response = as_secretary_a.post(url("attachment_upload", meeting), {"file": fake, "kind": "sign_in"})
    assert response.status_code == 200
    assert response.context["attachment_form"].errors["file"] == ["文件内容与扩展名不符，请上传真实的照片或PDF扫描件。"]
    response = as_secretary_a.post(url("attachment_upload", meeting), {"kind": "photo"})
    assert response.context["attachment_form"].errors["file"] == ["请选择要上传的文件。"]
    meeting_cancel(actor=world.secretary_a, meeting=meeting, reason="重复登记")
    photo = SimpleUploadedFile("照片.png", PNG)
    response = as_secretary_a.post(url("attachment_upload", meeting), {"file": photo, "kind": "photo"})
    assert "该会议已取消，不能再上传附件。" in response.content.decode()
    assert MeetingAttachment.objects.count() == 0


def test_attachments_are_served_only_to_those_in_scope(
    world: World, as_staff: Client, as_secretary_b: Client, as_member_a: Client
) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5))
    attachment = attachment_add(actor=world.secretary_a, meeting=meeting, upload=SimpleUploadedFile("照片.png", PNG))
    download = url("attachment_download", meeting, attachment.pk)
    assert as_staff.get(download).status_code == 200
    assert as_secretary_b.get(download).status_code == 404
    assert as_member_a.get(download).status_code == 404
    # The attachment of A's meeting under B's meeting's address is not found either.
    other = hold(world.branch_b, T.THEME_DAY, at(2026, 3, 5))
    assert as_secretary_b.get(url("attachment_download", other, attachment.pk)).status_code == 404
    upload = SimpleUploadedFile("x.png", PNG)
    assert as_secretary_b.post(url("attachment_upload", meeting), {"file": upload, "kind": "photo"}).status_code == 404
    assert as_member_a.post(url("attachment_upload", meeting), {"file": upload, "kind": "photo"}).status_code == 404
    assert MeetingAttachment.objects.count() == 1


def test_removing_an_attachment_hides_it_and_keeps_the_file(world: World, as_secretary_a: Client, as_secretary_b: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5))
    attachment = attachment_add(actor=world.secretary_a, meeting=meeting, upload=SimpleUploadedFile("照片.png", PNG))
    remove = url("attachment_remove", meeting, attachment.pk)
    assert as_secretary_b.post(remove).status_code == 404
    attachment.refresh_from_db()
    assert attachment.removed_at is None
    response = as_secretary_a.post(remove)
    assert response["Location"] == url("detail", meeting) + "#attachments"
    attachment.refresh_from_db()
    assert attachment.removed_by == world.secretary_a
    assert attachment.file.storage.exists(attachment.file.name)
    assert as_secretary_a.get(url("attachment_download", meeting, attachment.pk)).status_code == 404
    assert "照片.png" not in as_secretary_a.get(url("detail", meeting)).content.decode()


def test_attachment_methods(world: World, as_secretary_a: Client) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5))
    attachment = attachment_add(actor=world.secretary_a, meeting=meeting, upload=SimpleUploadedFile("照片.png", PNG))
    assert as_secretary_a.get(url("attachment_upload", meeting)).status_code == 405
    assert as_secretary_a.get(url("attachment_remove", meeting, attachment.pk)).status_code == 405
    assert as_secretary_a.post(url("attachment_download", meeting, attachment.pk)).status_code == 405
    attachment.refresh_from_db()
    assert attachment.removed_at is None


# --- the member's own record ---------------------------------------------------------------------


def test_a_member_sees_their_own_attendance_on_their_record(world: World, as_member_a: Client, as_secretary_a: Client) -> None:
    hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5), topic="三月主题党日")
    hold(world.group_a1, T.GROUP_MEETING, at(2026, 4, 5), topic="四月小组会", leave={world.member_a.pk: "出差"})
    hold(world.branch_a, T.COMMITTEE_MEETING, at(2025, 4, 5), topic="去年支委会", absent=[world.member_a.pk])
    hold(world.branch_a, T.THEME_DAY, at(2027, 1, 5), topic="今年主题党日")
    record = reverse("members:detail", args=[world.member_a.pk])
    card = reverse("meetings:member_attendance", args=[world.member_a.pk])
    # The record loads its attendance card from meetings (a layer above members) with htmx.
    assert f'hx-get="{card}"' in as_member_a.get(record).content.decode()
    response = as_member_a.get(card)
    html = response.content.decode()
    assert [a.meeting.topic for a in response.context["attendance"]] == [
        "今年主题党日",
        "四月小组会",
        "三月主题党日",
        "去年支委会",
    ]
    assert response.context["attendance_summary"] == {"present": 1, "leave": 0, "absent": 0}  # 2027 so far
    assert "组织生活出勤" in html and "出差" in html
    assert reverse("meetings:list") not in html.split('id="attendance"')[1]  # no links to pages they cannot open
    meeting_pk = Meeting.objects.get(topic="三月主题党日").pk
    assert reverse("meetings:detail", args=[meeting_pk]) not in html
    assert reverse("meetings:detail", args=[meeting_pk]) in as_secretary_a.get(card).content.decode()


def test_the_attendance_card_has_the_member_records_access(world: World, as_secretary_b: Client, as_member_a: Client) -> None:
    card = reverse("meetings:member_attendance", args=[world.member_a.pk])
    assert as_secretary_b.get(card).status_code == 404  # out of scope, as the record is
    assert as_member_a.get(reverse("meetings:member_attendance", args=[world.member_a2.pk])).status_code == 404
    assert as_member_a.post(card).status_code == 405


def test_a_meeting_credit_is_never_left_behind_by_the_pages(world: World, as_secretary_a: Client) -> None:
    """Changing the type on edit rebuilds the credits: the old extra type no longer counts."""
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 3, 5), extra_types=[T.STUDY])
    data = form_data(world, meeting_type=T.COMMITTEE_MEETING, topic=meeting.topic, held_at="2026-03-05T09:00")
    assert as_secretary_a.post(url("edit", meeting), data).status_code == 302
    assert set(MeetingCredit.objects.filter(meeting=meeting).values_list("meeting_type", flat=True)) == {T.COMMITTEE_MEETING}


def test_the_member_record_query_count_does_not_grow_with_meetings(
    world: World, as_secretary_a: Client, django_assert_max_num_queries
) -> None:
    """The record: session, user, scope, member, positions, history (with its organizations),
    notifications (1), session renewal (3), the timeline and the dues card (4); its attendance card
    (the last 20 meetings and this year's counts) is loaded from meetings."""
    for i in range(30):
        hold(world.branch_a, T.THEME_DAY, at(2026, 1 + i % 12, 1 + i % 28), topic=f"第{i}次")
    with django_assert_max_num_queries(14):
        as_secretary_a.get(reverse("members:detail", args=[world.member_a.pk]))
    # The card, loaded into the record: session, user, scope, member, attendance, this year's counts,
    # session renewal (3).
    with django_assert_max_num_queries(9):
        response = as_secretary_a.get(reverse("meetings:member_attendance", args=[world.member_a.pk]))
    assert len(response.context["attendance"]) == 20
