"""/api/v1/meetings/ (list, retrieve, record, change, cancel, attendance) and /api/v1/compliance/."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from branches.models import OrgKind
from meetings.api import CompliancePagination
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingCredit, MeetingStatus, MeetingType
from meetings.services import meeting_cancel, meeting_record
from tests.api.helpers import post, put
from tests.conftest import World
from tests.factories import MemberFactory, make_org
from tests.meetings.conftest import at, hold

T = MeetingType
MEETINGS = "/api/v1/meetings/"
COMPLIANCE = "/api/v1/compliance/"
NOW = at(2027, 3, 1, 10)  # every period of 2026 has ended; the current quarter is 2027Q1


@pytest.fixture(autouse=True)
def _early_2027() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


def meeting_url(pk: int, action: str = "") -> str:
    return f"{MEETINGS}{pk}/" + (f"{action}/" if action else "")


def patch(client: Client, url: str, data: Any, **extra: Any) -> Any:
    return client.patch(url, data, content_type="application/json", **extra)


def topics(response: Any) -> list[str]:
    assert response.status_code == 200, response.json()
    return sorted(row["topic"] for row in response.json()["results"])


def everyone(world: World, status: str = "present", **exceptions: tuple[str, str]) -> list[dict]:
    """Branch A's roll (张党员 = member_a, 李同志 = member_a2) as the API takes it."""
    rows = {world.member_a.pk: (status, ""), world.member_a2.pk: (status, "")}
    for name, value in exceptions.items():
        rows[getattr(world, name).pk] = value
    return [{"member": pk, "status": s, "reason": r} for pk, (s, r) in rows.items()]


def committee_meeting(world: World, **overrides: Any) -> dict:
    data = {
        "organization": world.branch_a.pk,
        "meeting_type": "committee_meeting",
        "topic": "研究第三季度发展党员工作",
        "held_at": at(2026, 9, 30, 23, 59).isoformat(),
        "place": "三楼会议室",
        "host": world.member_a.pk,
        "recorder": world.member_a2.pk,
        "minutes": "会议研究了发展对象人选。",
        "attendance": everyone(world, member_a2=("leave", "出差")),
    }
    data.update(overrides)
    return data


def _counts() -> tuple[int, int, int]:
    return Meeting.objects.count(), Attendance.objects.count(), MeetingCredit.objects.count()


def _plan(world: World, org: Any = None, **fields: Any) -> Meeting:
    fields.setdefault("topic", "计划召开的支委会")
    fields.setdefault("planned_at", at(2026, 10, 20, 14))
    return meeting_record(
        actor=world.secretary_a,
        organization=org or world.branch_a,
        meeting_type=fields.pop("meeting_type", T.COMMITTEE_MEETING),
        status=MeetingStatus.PLANNED,
        **fields,
    ).meeting


# --- list -----------------------------------------------------------------------------------


def test_secretary_lists_own_branch_meetings_with_attendance_counts_and_counted_types(world: World, as_secretary_a) -> None:
    mine = hold(
        world.branch_a, T.THEME_DAY, at(2026, 9, 12), topic="重温入党誓词", extra_types=[T.LECTURE], absent=[world.member_a2.pk]
    )
    hold(world.group_a1, T.GROUP_MEETING, at(2026, 9, 13), topic="小组学习")
    hold(world.branch_b, T.THEME_DAY, at(2026, 9, 12), topic="乙支部主题党日")
    response = as_secretary_a.get(MEETINGS)
    assert topics(response) == ["小组学习", "重温入党誓词"]
    row = next(r for r in response.json()["results"] if r["id"] == mine.pk)
    assert row["organization_name"] == "测试局第一党支部"
    assert row["meeting_type_display"] == "主题党日"
    assert row["counted_types"] == ["lecture", "theme_day"]
    assert row["status"] == "held" and row["status_display"] == "已召开"
    assert row["held_on"] == "2026-09-12"
    assert row["held_at"] == "2026-09-12T09:00:00+08:00"
    assert row["lecturer_display"] == "市委党校王教授"
    assert row["attendance_counts"] == {"present": 1, "leave": 0, "absent": 1}
    assert "minutes" not in row


def test_staff_filters_by_organization_subtree(world: World, as_staff) -> None:
    hold(world.branch_a, T.THEME_DAY, at(2026, 9, 1), topic="甲")
    hold(world.group_a1, T.GROUP_MEETING, at(2026, 9, 2), topic="甲小组")
    hold(world.branch_b, T.THEME_DAY, at(2026, 9, 1), topic="乙")
    hold(world.branch_c, T.THEME_DAY, at(2026, 9, 1), topic="丙")
    assert topics(as_staff.get(MEETINGS)) == ["丙", "乙", "甲", "甲小组"]
    assert topics(as_staff.get(MEETINGS, {"org": world.committee.pk})) == ["乙", "甲", "甲小组"]
    assert topics(as_staff.get(MEETINGS, {"org": world.branch_a.pk})) == ["甲", "甲小组"]
    assert topics(as_staff.get(MEETINGS, {"org": world.group_a1.pk})) == ["甲小组"]
    assert topics(as_staff.get(MEETINGS, {"org": world.general.pk})) == ["丙"]


def test_org_filter_outside_scope_matches_nothing(world: World, as_secretary_b) -> None:
    hold(world.branch_a, T.THEME_DAY, at(2026, 9, 1), topic="甲")
    assert topics(as_secretary_b.get(MEETINGS, {"org": world.branch_a.pk})) == []


def test_type_filter_finds_a_meeting_by_every_type_it_counts_for(world: World, as_secretary_a) -> None:
    hold(world.branch_a, T.LIFE_MEETING, at(2026, 12, 20), topic="年度组织生活会", extra_types=[T.MEMBER_REVIEW])
    hold(world.branch_a, T.THEME_DAY, at(2026, 12, 5), topic="主题党日")
    assert topics(as_secretary_a.get(MEETINGS, {"type": "member_review"})) == ["年度组织生活会"]
    assert topics(as_secretary_a.get(MEETINGS, {"type": "life_meeting"})) == ["年度组织生活会"]
    assert topics(as_secretary_a.get(MEETINGS, {"type": "theme_day"})) == ["主题党日"]
    assert topics(as_secretary_a.get(MEETINGS, {"type": "study"})) == []


def test_period_filter_places_meetings_by_their_beijing_date(world: World, as_secretary_a) -> None:
    hold(world.branch_a, T.GENERAL_MEETING, at(2026, 9, 30, 23, 59), topic="九月最后一分钟")
    hold(world.branch_a, T.THEME_DAY, at(2026, 10, 1, 0, 1), topic="十月第一分钟")
    _plan(world, topic="计划在十月", planned_at=at(2026, 10, 31, 23, 30))
    _plan(world, topic="计划在十一月", planned_at=at(2026, 11, 1, 0, 30))
    assert topics(as_secretary_a.get(MEETINGS, {"period": "2026Q3"})) == ["九月最后一分钟"]
    assert topics(as_secretary_a.get(MEETINGS, {"period": "2026-09"})) == ["九月最后一分钟"]
    assert topics(as_secretary_a.get(MEETINGS, {"period": "2026-10"})) == ["十月第一分钟", "计划在十月"]
    assert topics(as_secretary_a.get(MEETINGS, {"period": "2026Q4", "status": "planned"})) == ["计划在十一月", "计划在十月"]
    assert len(topics(as_secretary_a.get(MEETINGS, {"period": "2026"}))) == 4
    assert topics(as_secretary_a.get(MEETINGS, {"period": "2025"})) == []


def test_cancelled_meetings_are_listed_with_their_reason(world: World, as_secretary_a) -> None:
    meeting = _plan(world, topic="延期的支委会")
    meeting_cancel(actor=world.secretary_a, meeting=meeting, reason="书记外出学习")
    rows = as_secretary_a.get(MEETINGS, {"status": "cancelled"}).json()["results"]
    assert [(r["topic"], r["status_display"], r["cancel_reason"]) for r in rows] == [("延期的支委会", "已取消", "书记外出学习")]
    assert topics(as_secretary_a.get(MEETINGS, {"status": "held"})) == []


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"period": "2026Q5"}, {"period": ["无法识别的期间“2026Q5”：请写成 2026-10（月）、2026Q3（季度）或 2026（年）。"]}),
        ({"period": "2026-13"}, {"period": ["无法识别的期间“2026-13”：请写成 2026-10（月）、2026Q3（季度）或 2026（年）。"]}),
        ({"period": "去年"}, {"period": ["无法识别的期间“去年”：请写成 2026-10（月）、2026Q3（季度）或 2026（年）。"]}),
        ({"org": "0"}, {"org": ["党组织ID无效。"]}),
        ({"org": "99999999999999999999"}, {"org": ["党组织ID无效。"]}),
    ],
)
def test_bad_filters_are_400_in_chinese(world: World, as_staff, params: dict, errors: dict) -> None:
    response = as_staff.get(MEETINGS, params)
    assert response.status_code == 400
    assert response.json() == errors


def test_unknown_type_or_status_is_400_in_chinese(world: World, as_staff) -> None:
    for name in ("type", "status"):
        response = as_staff.get(MEETINGS, {name: "party"})
        assert response.status_code == 400
        assert "选择一个有效的选项" in response.json()[name][0]


def test_member_sees_no_meetings(world: World, as_member_a) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 9, 1))
    response = as_member_a.get(MEETINGS)
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert as_member_a.get(meeting_url(meeting.pk)).status_code == 404
    assert as_member_a.get(meeting_url(meeting.pk, "attendance")).status_code == 404


def test_anonymous_requests_are_refused(world: World, client: Client) -> None:
    assert client.get(MEETINGS).status_code == 401
    assert client.get(COMPLIANCE).status_code == 401


# --- retrieve -------------------------------------------------------------------------------


def test_retrieve_shows_the_record_attendance_and_quorum(world: World, as_secretary_a) -> None:
    meeting = hold(
        world.branch_a,
        T.GENERAL_MEETING,
        at(2026, 9, 20, 15),
        topic="选举出席上级党代会代表",
        decides=True,
        minutes="大会选举产生代表。",
        resolutions="通过代表人选。",
        leave={world.member_a2.pk: "住院"},
        actor=world.secretary_a,
    )
    response = as_secretary_a.get(meeting_url(meeting.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["minutes"] == "大会选举产生代表。" and body["resolutions"] == "通过代表人选。"
    assert body["counted_types"] == ["general_meeting"]
    assert body["created_by_name"] == "甲支部书记"
    assert body["attendance"] == [
        {
            "member": world.member_a.pk,
            "member_name": "张党员",
            "status": "present",
            "status_display": "出席",
            "reason": "",
            "voting": True,
        },
        {
            "member": world.member_a2.pk,
            "member_name": "李同志",
            "status": "leave",
            "status_display": "请假",
            "reason": "住院",
            "voting": True,
        },
    ]
    assert body["attendance_counts"] == {"present": 1, "leave": 1, "absent": 0}
    assert body["quorum"] == {
        "voting": 2,
        "present": 1,
        "needed": 2,
        "reached": False,
        "message": "有表决权的党员2名，到会1名，未超过半数（至少需要2名），不能进行表决。",
    }
    assert body["attachments"] == []


def test_retrieve_of_a_meeting_that_is_not_a_general_meeting_has_no_quorum(world: World, as_staff) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 9, 1))
    assert as_staff.get(meeting_url(meeting.pk)).json()["quorum"] is None


def test_retrieve_out_of_scope_or_missing_is_404(world: World, as_secretary_b, as_secretary_a) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 9, 1))
    response = as_secretary_b.get(meeting_url(meeting.pk))
    assert response.status_code == 404
    assert response.json() == {"detail": "会议不存在"}
    assert as_secretary_a.get(meeting_url(meeting.pk + 1000)).status_code == 404
    assert as_secretary_a.get(f"{MEETINGS}abc/").status_code == 404
    assert as_secretary_a.get(f"{MEETINGS}99999999999999999999/").status_code == 404


def test_delete_and_put_on_a_meeting_are_405_and_nothing_changes(world: World, as_admin) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 9, 1), topic="原主题")
    assert as_admin.delete(meeting_url(meeting.pk)).status_code == 405
    assert put(as_admin, meeting_url(meeting.pk), {"topic": "改"}).status_code == 405
    assert as_admin.delete(MEETINGS).status_code == 405
    meeting.refresh_from_db()
    assert meeting.topic == "原主题" and meeting.status == MeetingStatus.HELD


# --- record ---------------------------------------------------------------------------------


def test_secretary_records_a_committee_meeting_with_attendance(world: World, as_secretary_a) -> None:
    response = post(as_secretary_a, MEETINGS, committee_meeting(world))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["warnings"] == []
    assert body["held_on"] == "2026-09-30"
    assert body["host_name"] == "张党员" and body["recorder_name"] == "李同志"
    meeting = Meeting.objects.get(pk=body["id"])
    assert meeting.organization == world.branch_a
    assert meeting.status == MeetingStatus.HELD and meeting.held_on == datetime.date(2026, 9, 30)
    assert meeting.created_by == world.secretary_a
    assert meeting.history.first().history_user == world.secretary_a
    rows = {a.member_id: (a.status, a.reason) for a in meeting.attendance.all()}
    assert rows == {world.member_a.pk: ("present", ""), world.member_a2.pk: ("leave", "出差")}
    assert list(meeting.credits.values_list("meeting_type", flat=True)) == ["committee_meeting"]


def test_a_general_meeting_that_decides_without_quorum_is_recorded_with_a_warning(world: World, as_secretary_a) -> None:
    data = committee_meeting(
        world, meeting_type="general_meeting", decides=True, attendance=everyone(world, member_a2=("absent", ""))
    )
    response = post(as_secretary_a, MEETINGS, data)
    assert response.status_code == 201, response.json()
    assert response.json()["warnings"] == ["有表决权的党员2名，到会1名，未超过半数（至少需要2名），不能进行表决。"]
    assert response.json()["quorum"]["reached"] is False
    assert Meeting.objects.get(pk=response.json()["id"]).decides is True


def test_a_general_meeting_with_quorum_has_no_warning(world: World, as_secretary_a) -> None:
    response = post(
        as_secretary_a,
        MEETINGS,
        committee_meeting(world, meeting_type="general_meeting", decides=True, attendance=everyone(world)),
    )
    assert response.status_code == 201, response.json()
    assert response.json()["warnings"] == []
    assert response.json()["quorum"]["reached"] is True


def test_a_meeting_marked_to_count_for_two_types(world: World, as_secretary_a) -> None:
    data = committee_meeting(world, meeting_type="life_meeting", extra_types=["member_review"], topic="年度组织生活会")
    response = post(as_secretary_a, MEETINGS, data)
    assert response.status_code == 201, response.json()
    assert response.json()["counted_types"] == ["life_meeting", "member_review"]
    meeting = Meeting.objects.get(pk=response.json()["id"])
    assert sorted(meeting.credits.values_list("meeting_type", flat=True)) == ["life_meeting", "member_review"]


def test_a_party_group_records_its_group_meeting_with_its_own_roll(world: World, as_secretary_a) -> None:
    data = {
        "organization": world.group_a1.pk,
        "meeting_type": "group_meeting",
        "topic": "小组学习",
        "held_at": at(2026, 9, 8, 12).isoformat(),
        "attendance": [{"member": world.member_a.pk, "status": "present"}],
    }
    response = post(as_secretary_a, MEETINGS, data)
    assert response.status_code == 201, response.json()
    assert Meeting.objects.get(pk=response.json()["id"]).attendance.get().member == world.member_a


def test_a_planned_meeting_is_recorded_without_attendance(world: World, as_secretary_a) -> None:
    data = {
        "organization": world.branch_a.pk,
        "meeting_type": "lecture",
        "topic": "专题党课",
        "status": "planned",
        "planned_at": "2027-03-20T14:30:00+08:00",
        "lecturer": world.member_a.pk,
    }
    response = post(as_secretary_a, MEETINGS, data)
    assert response.status_code == 201, response.json()
    assert response.json()["lecturer_display"] == "张党员"
    meeting = Meeting.objects.get(pk=response.json()["id"])
    assert meeting.status == MeetingStatus.PLANNED and meeting.held_on is None
    assert meeting.planned_at == at(2027, 3, 20, 14, 30)
    assert not meeting.attendance.exists()


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"meeting_type": "group_meeting"},
            {
                "meeting_type": [
                    "党支部不召开党小组会（可登记：支部党员大会、支部委员会、党课、主题党日、专题学习研讨、组织生活会、民主评议党员）。"
                ]
            },
        ),
        ({"extra_types": ["life_meeting"]}, {"extra_types": ["支部委员会不能同时计为组织生活会。"]}),
        ({"held_at": at(2027, 3, 2, 9).isoformat()}, {"held_at": ["召开时间不能晚于现在；尚未召开的会议请登记为“计划”。"]}),
        ({"held_at": None}, {"held_at": ["已召开的会议须填写召开时间。"]}),
        ({"topic": "  "}, {"topic": ["该字段不能为空。"]}),
        ({"status": "cancelled"}, {"status": ["取消会议请使用“取消会议”，并填写原因。"]}),
        ({"status": "over"}, {"status": ["“over”不是有效的会议状态（planned 计划 / held 已召开）。"]}),
        ({"meeting_type": "party"}, {"meeting_type": ["“party”不是有效的会议类型。"]}),
        ({"host": 0}, {"host": ["所选党员不存在。"]}),
        ({"organization": "甲"}, {"organization": ["党组织ID应为整数。"]}),
        ({"organization": 10**9}, {"organization": ["所选党组织不存在。"]}),
    ],
)
def test_bad_input_is_400_in_chinese_and_nothing_is_recorded(world: World, as_secretary_a, overrides: dict, errors: dict) -> None:
    before = _counts()
    response = post(as_secretary_a, MEETINGS, committee_meeting(world, **overrides))
    assert response.status_code == 400
    assert response.json() == errors
    assert _counts() == before


def test_attendance_must_cover_the_roll_with_reasons_for_leave(world: World, as_secretary_a) -> None:
    before = _counts()
    only_one = [{"member": world.member_a.pk, "status": "present"}]
    response = post(as_secretary_a, MEETINGS, committee_meeting(world, attendance=only_one))
    assert response.status_code == 400
    assert response.json() == {"attendance": ["请登记全部应到党员的出勤，缺少：李同志（共1名）。"]}
    no_reason = everyone(world, member_a2=("leave", ""))
    assert post(as_secretary_a, MEETINGS, committee_meeting(world, attendance=no_reason)).json() == {
        "attendance": ["李同志请假，请填写请假原因。"]
    }
    outsider = [*everyone(world), {"member": world.member_b.pk, "status": "present"}]
    assert post(as_secretary_a, MEETINGS, committee_meeting(world, attendance=outsider)).json() == {
        "attendance": ["有1名党员不在本次会议的应到名单中。"]
    }
    twice = [*everyone(world), {"member": world.member_a.pk, "status": "absent"}]
    assert post(as_secretary_a, MEETINGS, committee_meeting(world, attendance=twice)).json() == {
        "attendance": [f"同一党员只能登记一次（重复的党员ID：{world.member_a.pk}）。"]
    }
    bad_status = everyone(world, member_a2=("late", ""))
    response = post(as_secretary_a, MEETINGS, committee_meeting(world, attendance=bad_status))
    assert response.status_code == 400
    assert response.json()["attendance"]["1"] == {"status": ["出勤只能是 present（出席）、leave（请假）或 absent（缺席）。"]}
    assert _counts() == before


def test_attendance_on_a_planned_meeting_is_refused_rather_than_dropped(world: World, as_secretary_a) -> None:
    before = _counts()
    data = committee_meeting(world, status="planned", planned_at="2027-03-20T14:30:00+08:00", held_at=None)
    response = post(as_secretary_a, MEETINGS, data)
    assert response.status_code == 400
    assert response.json() == {"attendance": ["只有已召开的会议才能登记出勤；请把状态改为已召开（held）。"]}
    assert _counts() == before


def test_missing_fields_are_400_in_chinese(world: World, as_secretary_a) -> None:
    response = post(as_secretary_a, MEETINGS, {})
    assert response.status_code == 400
    assert response.json() == {
        "organization": ["请选择党组织。"],
        "meeting_type": ["该字段是必填项。"],
        "topic": ["该字段是必填项。"],
    }


def test_recording_in_an_organization_outside_scope_is_refused(world: World, as_secretary_b) -> None:
    before = _counts()
    response = post(as_secretary_b, MEETINGS, committee_meeting(world, host=None, recorder=None))
    assert response.status_code == 400
    assert response.json() == {"organization": ["所选党组织不存在。"]}
    assert _counts() == before


def test_people_outside_scope_do_not_exist_and_people_of_another_branch_are_named(world: World, as_secretary_a, as_staff) -> None:
    before = _counts()
    response = post(as_secretary_a, MEETINGS, committee_meeting(world, host=world.member_b.pk))
    assert response.json() == {"host": ["所选党员不存在。"]}
    response = post(as_staff, MEETINGS, committee_meeting(world, host=world.member_b.pk))
    assert response.json() == {"host": ["王乙不是本组织的在册党员。"]}
    assert _counts() == before


def test_member_cannot_record_meetings(world: World, as_member_a) -> None:
    before = _counts()
    response = post(as_member_a, MEETINGS, committee_meeting(world))
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有登记会议的权限。"}
    assert _counts() == before


def test_token_records_and_lists_without_csrf(world: World) -> None:
    token = Token.objects.create(user=world.secretary_a)
    api = Client(enforce_csrf_checks=True)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    response = post(api, MEETINGS, committee_meeting(world), **auth)
    assert response.status_code == 201, response.json()
    meeting = Meeting.objects.get(pk=response.json()["id"])
    assert meeting.created_by == world.secretary_a
    assert meeting.history.first().history_user == world.secretary_a
    assert [r["id"] for r in api.get(MEETINGS, **auth).json()["results"]] == [response.json()["id"]]
    assert api.get(COMPLIANCE, {"org": world.branch_a.pk}, **auth).status_code == 200
    assert api.get(MEETINGS, HTTP_AUTHORIZATION="Token wrong").status_code == 401


# --- change ---------------------------------------------------------------------------------


def test_secretary_marks_a_planned_meeting_held_with_its_attendance(world: World, as_secretary_a) -> None:
    meeting = _plan(world)
    data = {"status": "held", "held_at": at(2026, 10, 20, 15).isoformat(), "attendance": everyone(world, member_a=("absent", ""))}
    response = patch(as_secretary_a, meeting_url(meeting.pk), data)
    assert response.status_code == 200, response.json()
    assert response.json()["attendance_counts"] == {"present": 1, "leave": 0, "absent": 1}
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.held_on == datetime.date(2026, 10, 20)
    assert meeting.attendance.get(member=world.member_a).status == AttendanceStatus.ABSENT


def test_patch_changes_the_record_and_keeps_attendance_and_extra_types(world: World, as_secretary_a) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 9, 12), extra_types=[T.STUDY], absent=[world.member_a2.pk])
    response = patch(as_secretary_a, meeting_url(meeting.pk), {"topic": "重温入党誓词", "minutes": "补记会议记录。"})
    assert response.status_code == 200, response.json()
    assert response.json()["warnings"] == []
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.minutes) == ("重温入党誓词", "补记会议记录。")
    assert sorted(meeting.credits.values_list("meeting_type", flat=True)) == ["study", "theme_day"]
    assert meeting.attendance.get(member=world.member_a2).status == AttendanceStatus.ABSENT
    response = patch(as_secretary_a, meeting_url(meeting.pk), {"extra_types": []})
    assert response.json()["counted_types"] == ["theme_day"]


def test_patch_with_bad_input_is_400_and_nothing_changes(world: World, as_secretary_a) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 9, 12), topic="原主题")
    response = patch(as_secretary_a, meeting_url(meeting.pk), {"topic": "新主题", "held_at": at(2027, 4, 1).isoformat()})
    assert response.status_code == 400
    assert response.json() == {"held_at": ["召开时间不能晚于现在；尚未召开的会议请登记为“计划”。"]}
    response = patch(as_secretary_a, meeting_url(meeting.pk), {"topic": "新主题", "extra_types": ["life_meeting"]})
    assert response.json() == {"extra_types": ["主题党日不能同时计为组织生活会。"]}
    response = patch(as_secretary_a, meeting_url(meeting.pk), {"topic": "新主题", "organization": world.branch_b.pk})
    assert response.status_code == 200  # the organization is not a field of a change: it is ignored
    meeting.refresh_from_db()
    assert meeting.organization == world.branch_a
    response = patch(as_secretary_a, meeting_url(meeting.pk), {"topic": "再改", "attendance": [{"member": world.member_a.pk}]})
    assert response.json() == {"attendance": {"0": {"status": ["该字段是必填项。"]}}}
    meeting.refresh_from_db()
    assert meeting.topic == "新主题"


def test_a_cancelled_meeting_cannot_be_changed(world: World, as_secretary_a) -> None:
    meeting = _plan(world, topic="原计划")
    meeting_cancel(actor=world.secretary_a, meeting=meeting, reason="改期")
    response = patch(as_secretary_a, meeting_url(meeting.pk), {"topic": "改"})
    assert response.status_code == 400
    assert response.json() == {"status": ["该会议已取消，不能再修改。"]}
    meeting.refresh_from_db()
    assert meeting.topic == "原计划"


def test_patch_out_of_scope_is_404_and_a_member_gets_403(world: World, as_secretary_b, as_member_a) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 9, 12), topic="原主题")
    assert patch(as_secretary_b, meeting_url(meeting.pk), {"topic": "改"}).status_code == 404
    assert patch(as_member_a, meeting_url(meeting.pk), {"topic": "改"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.topic == "原主题"


# --- cancel ---------------------------------------------------------------------------------


def test_secretary_cancels_a_meeting_with_a_reason_and_it_stops_counting(world: World, as_secretary_a) -> None:
    meeting = hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, 9, 12))
    assert (
        as_secretary_a.get(COMPLIANCE, {"org": world.branch_a.pk, "period": "2026-09"}).json()["results"][0]["cells"][
            "committee_meeting"
        ]["held"]
        == 1
    )
    response = post(as_secretary_a, meeting_url(meeting.pk, "cancel"), {"reason": "误登记，实际未召开"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED and meeting.cancel_reason == "误登记，实际未召开"
    assert meeting.history.first().history_change_reason == "取消会议：误登记，实际未召开"
    cell = as_secretary_a.get(COMPLIANCE, {"org": world.branch_a.pk, "period": "2026-09"}).json()["results"][0]["cells"][
        "committee_meeting"
    ]
    assert (cell["held"], cell["state"]) == (0, "failed")


def test_cancel_needs_a_reason_and_happens_once(world: World, as_secretary_a) -> None:
    meeting = _plan(world)
    response = post(as_secretary_a, meeting_url(meeting.pk, "cancel"), {"reason": "  "})
    assert response.status_code == 400
    assert response.json() == {"reason": ["请填写取消原因。"]}
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    assert post(as_secretary_a, meeting_url(meeting.pk, "cancel"), {"reason": "改期"}).status_code == 200
    response = post(as_secretary_a, meeting_url(meeting.pk, "cancel"), {"reason": "再取消"})
    assert response.status_code == 400
    assert response.json() == {"status": ["该会议已经取消。"]}
    meeting.refresh_from_db()
    assert meeting.cancel_reason == "改期"


def test_cancel_out_of_scope_is_404_a_member_gets_403_and_get_is_405(
    world: World, as_secretary_b, as_member_a, as_secretary_a
) -> None:
    meeting = _plan(world)
    assert post(as_secretary_b, meeting_url(meeting.pk, "cancel"), {"reason": "改期"}).status_code == 404
    assert post(as_member_a, meeting_url(meeting.pk, "cancel"), {"reason": "改期"}).status_code == 403
    assert as_secretary_a.get(meeting_url(meeting.pk, "cancel")).status_code == 405
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


# --- attendance -----------------------------------------------------------------------------


def test_attendance_of_a_held_meeting(world: World, as_secretary_a) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 9, 12), leave={world.member_a2.pk: "出差"})
    response = as_secretary_a.get(meeting_url(meeting.pk, "attendance"))
    assert response.status_code == 200
    body = response.json()
    assert (body["meeting"], body["meeting_status"], body["recorded"]) == (meeting.pk, "held", True)
    assert [(r["member_name"], r["status"], r["reason"]) for r in body["rows"]] == [
        ("张党员", "present", ""),
        ("李同志", "leave", "出差"),
    ]
    assert body["counts"] == {"present": 1, "leave": 1, "absent": 0}
    assert body["quorum"] is None


def test_attendance_of_a_planned_meeting_is_the_roll_prefilled_present(world: World, as_secretary_a) -> None:
    meeting = _plan(world)
    body = as_secretary_a.get(meeting_url(meeting.pk, "attendance")).json()
    assert body["recorded"] is False
    assert [(r["member"], r["status"]) for r in body["rows"]] == [(world.member_a.pk, "present"), (world.member_a2.pk, "present")]


def test_put_attendance_replaces_the_statuses(world: World, as_secretary_a) -> None:
    meeting = hold(world.branch_a, T.GENERAL_MEETING, at(2026, 9, 12), decides=True)
    rows = everyone(world, member_a=("leave", "培训"), member_a2=("absent", ""))
    response = put(as_secretary_a, meeting_url(meeting.pk, "attendance"), {"attendance": rows})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["counts"] == {"present": 0, "leave": 1, "absent": 1}
    assert body["warnings"] == ["有表决权的党员2名，到会0名，未超过半数（至少需要2名），不能进行表决。"]
    assert body["quorum"]["present"] == 0
    assert {a.member_id: (a.status, a.reason) for a in meeting.attendance.all()} == {
        world.member_a.pk: ("leave", "培训"),
        world.member_a2.pk: ("absent", ""),
    }


def test_put_attendance_with_bad_rows_is_400_and_nothing_changes(world: World, as_secretary_a) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 9, 12))
    url = meeting_url(meeting.pk, "attendance")
    response = put(as_secretary_a, url, {"attendance": everyone(world, member_a2=("leave", " "))})
    assert response.status_code == 400
    assert response.json() == {"attendance": ["李同志请假，请填写请假原因。"]}
    response = put(as_secretary_a, url, {"attendance": [{"member": world.member_a.pk, "status": "absent"}]})
    assert response.json() == {"attendance": ["请登记全部应到党员的出勤，缺少：李同志（共1名）。"]}
    response = put(as_secretary_a, url, {})
    assert response.json() == {"attendance": ["该字段是必填项。"]}
    response = put(as_secretary_a, url, [{"member": world.member_a.pk, "status": "absent"}])
    assert response.status_code == 400
    assert set(meeting.attendance.values_list("status", flat=True)) == {"present"}


def test_put_attendance_on_a_planned_meeting_is_refused(world: World, as_secretary_a) -> None:
    meeting = _plan(world)
    response = put(as_secretary_a, meeting_url(meeting.pk, "attendance"), {"attendance": everyone(world)})
    assert response.status_code == 400
    assert "会议尚未召开" in response.json()["attendance"][0]
    assert not meeting.attendance.exists()


def test_attendance_out_of_scope_is_404_and_a_member_gets_403(world: World, as_secretary_b, as_member_a) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 9, 12))
    url = meeting_url(meeting.pk, "attendance")
    assert as_secretary_b.get(url).status_code == 404
    assert put(as_secretary_b, url, {"attendance": everyone(world, "absent")}).status_code == 404
    assert put(as_member_a, url, {"attendance": everyone(world, "absent")}).status_code == 403
    assert set(meeting.attendance.values_list("status", flat=True)) == {"present"}


# --- compliance -----------------------------------------------------------------------------


def _rows(response: Any) -> dict[str, dict]:
    assert response.status_code == 200, response.json()
    return {row["name"]: row for row in response.json()["results"]}


def test_compliance_of_a_branch_for_a_quarter(world: World, as_secretary_a) -> None:
    for month in (7, 8, 9):
        hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, month, 3))
        hold(world.branch_a, T.THEME_DAY, at(2026, month, 10), extra_types=[T.LECTURE] if month == 7 else [])
        hold(world.group_a1, T.GROUP_MEETING, at(2026, month, 15))
    hold(world.branch_a, T.GENERAL_MEETING, at(2026, 9, 30, 23, 59))
    hold(world.branch_a, T.STUDY, at(2026, 8, 20))
    response = as_secretary_a.get(COMPLIANCE, {"org": world.branch_a.pk, "period": "2026Q3"})
    body = response.json()
    assert (body["period"], body["period_label"], body["start"], body["end"]) == (
        "2026Q3",
        "2026年第3季度",
        "2026-07-01",
        "2026-09-30",
    )
    assert body["count"] == 2 and body["next"] is None
    rows = _rows(response)
    branch = rows["测试局第一党支部"]
    assert (branch["id"], branch["kind"], branch["kind_display"], branch["depth"]) == (world.branch_a.pk, "branch", "党支部", 3)
    assert branch["state"] == "met" and branch["state_label"] == "达标"
    committee = branch["cells"]["committee_meeting"]
    assert (committee["held"], committee["required"], committee["state"]) == (3, 3, "met")
    assert [(u["period"], u["required"], u["held"], u["state"]) for u in committee["units"]] == [
        ("2026-07", 1, 1, "met"),
        ("2026-08", 1, 1, "met"),
        ("2026-09", 1, 1, "met"),
    ]
    assert branch["cells"]["lecture"]["held"] == 1  # the 主题党日 that included a 党课
    assert branch["cells"]["general_meeting"]["units"] == [
        {"period": "2026Q3", "period_label": "2026年第3季度", "required": 1, "held": 1, "state": "met", "state_label": "达标"}
    ]
    assert branch["cells"]["life_meeting"]["state"] == "none"  # yearly: not judged in a quarter
    group = rows["第一党支部第一党小组"]
    assert group["cells"]["group_meeting"]["held"] == 3 and group["state"] == "met"
    assert (branch["branches_total"], branch["branches_met"]) == (1, 1)


def test_higher_organizations_see_the_share_of_their_branches_that_comply(world: World, as_staff) -> None:
    hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, 9, 3))
    hold(world.branch_a, T.THEME_DAY, at(2026, 9, 10))
    hold(world.group_a1, T.GROUP_MEETING, at(2026, 9, 15))
    rows = _rows(as_staff.get(COMPLIANCE, {"period": "2026-09"}))
    assert list(rows) == [
        "测试市直机关工委",
        "测试局机关党委",
        "测试局第一党支部",
        "第一党支部第一党小组",
        "测试局第二党支部",
        "测试直属党总支",
        "测试直属党支部",
    ]
    assert rows["测试局第一党支部"]["state"] == "met"
    assert rows["测试局第二党支部"]["state"] == "failed"
    committee = rows["测试局机关党委"]
    assert (committee["branches_total"], committee["branches_met"], committee["branches_failed"]) == (2, 1, 1)
    assert committee["share_met"] == 0.5
    root = rows["测试市直机关工委"]
    assert (root["branches_total"], root["branches_met"], root["branches_failed"]) == (3, 1, 2)
    assert rows["第一党支部第一党小组"]["share_met"] is None


def test_compliance_defaults_to_the_users_organizations_and_this_quarter(world: World, as_secretary_a) -> None:
    response = as_secretary_a.get(COMPLIANCE)
    body = response.json()
    assert (body["period"], body["today"]) == ("2027Q1", "2027-03-01")
    assert list(_rows(response)) == ["测试局第一党支部", "第一党支部第一党小组"]
    cell = body["results"][0]["cells"]["committee_meeting"]
    assert [(u["period"], u["state"]) for u in cell["units"]] == [
        ("2027-01", "failed"),
        ("2027-02", "failed"),
        ("2027-03", "due"),
    ]


def test_compliance_out_of_scope_is_404(world: World, as_secretary_b, as_staff) -> None:
    response = as_secretary_b.get(COMPLIANCE, {"org": world.branch_a.pk, "period": "2026Q3"})
    assert response.status_code == 404
    assert response.json() == {"detail": "党组织不存在"}
    assert as_staff.get(COMPLIANCE, {"org": 10**9}).status_code == 404


def test_member_sees_no_compliance(world: World, as_member_a) -> None:
    response = as_member_a.get(COMPLIANCE, {"period": "2026Q3"})
    assert response.status_code == 200
    assert (response.json()["count"], response.json()["results"]) == (0, [])
    assert as_member_a.get(COMPLIANCE, {"org": world.branch_a.pk}).status_code == 404


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"period": "2026Q0"}, {"period": ["无法识别的期间“2026Q0”：请写成 2026-10（月）、2026Q3（季度）或 2026（年）。"]}),
        ({"org": "甲"}, {"org": ["党组织ID无效。"]}),
        ({"org": "-1"}, {"org": ["党组织ID无效。"]}),
    ],
)
def test_compliance_bad_parameters_are_400_in_chinese(world: World, as_staff, params: dict, errors: dict) -> None:
    response = as_staff.get(COMPLIANCE, params)
    assert response.status_code == 400
    assert response.json() == errors


def test_compliance_pages_by_organization_and_counts_branches_on_other_pages(world: World, as_staff, monkeypatch) -> None:
    assert CompliancePagination.page_size == 200
    monkeypatch.setattr(CompliancePagination, "page_size", 3)
    first = as_staff.get(COMPLIANCE, {"period": "2026-09"}).json()
    assert first["count"] == 7
    assert [r["name"] for r in first["results"]] == ["测试市直机关工委", "测试局机关党委", "测试局第一党支部"]
    assert first["results"][0]["branches_total"] == 3  # branch B and C are on later pages
    assert "page=2" in first["next"] and "period=2026-09" in first["next"]
    third = as_staff.get(COMPLIANCE, {"period": "2026-09", "page": 3}).json()
    assert [r["name"] for r in third["results"]] == ["测试直属党支部"]
    assert third["next"] is None
    assert as_staff.get(COMPLIANCE, {"period": "2026-09", "page": 4}).status_code == 404


# --- query counts ---------------------------------------------------------------------------


def _queries(client: Client, url: str, params: dict) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.json()
    return len(ctx.captured_queries), response.json()


# Session, user, scope, the org filter's organization, count, page, counted types, attendance
# counts; plus the session's save (SESSION_SAVE_EVERY_REQUEST) in a savepoint (3 statements).
MEETING_LIST_MAX = 11
# Session, user, scope, the organization asked for, then compliance's three: the organizations,
# the rules, the held counts; plus the session's save in a savepoint.
COMPLIANCE_MAX = 10


def test_meeting_list_queries_do_not_grow_with_meetings(world: World, as_staff, django_assert_max_num_queries) -> None:
    params = {"org": world.committee.pk, "period": "2026", "type": "theme_day", "ordering": "-held_on"}
    for day in (1, 2):
        hold(world.branch_a, T.THEME_DAY, at(2026, 9, day), extra_types=[T.LECTURE])
    few, body = _queries(as_staff, MEETINGS, params)
    assert body["count"] == 2
    for day in range(1, 26):
        hold(world.branch_a, T.THEME_DAY, at(2026, 10, day), host=world.member_a, recorder=world.member_a2, extra_types=[T.STUDY])
        hold(world.branch_b, T.THEME_DAY, at(2026, 10, day), host=world.member_b)
    many, body = _queries(as_staff, MEETINGS, params)
    assert body["count"] == 52 and len(body["results"]) == 50
    assert many == few
    with django_assert_max_num_queries(MEETING_LIST_MAX):
        as_staff.get(MEETINGS, params)


def test_compliance_queries_do_not_grow_with_organizations(world: World, as_staff, django_assert_max_num_queries) -> None:
    params = {"org": world.root.pk, "period": "2026Q3"}
    hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, 9, 3))
    few, body = _queries(as_staff, COMPLIANCE, params)
    assert body["count"] == 7
    for _ in range(50):
        branch = make_org(world.committee, OrgKind.BRANCH)
        MemberFactory(branch=branch)
        hold(branch, T.COMMITTEE_MEETING, at(2026, 8, 3))
    many, body = _queries(as_staff, COMPLIANCE, params)
    assert body["count"] == 57
    assert body["results"][1]["branches_total"] == 52
    assert many == few
    with django_assert_max_num_queries(COMPLIANCE_MAX):
        as_staff.get(COMPLIANCE, params)


# --- schema ---------------------------------------------------------------------------------


def test_schema_documents_the_meeting_endpoints_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    for path in ("/api/v1/meetings/{id}/cancel/", "/api/v1/meetings/{id}/attendance/", "/api/v1/compliance/"):
        assert path in text
    for summary in ("登记会议", "登记会议出勤", "组织生活达标情况"):
        assert f"summary: {summary}" in text


def test_the_browsable_api_renders_a_meeting_with_its_edit_forms(world: World, as_staff) -> None:
    meeting = hold(world.branch_a, T.GENERAL_MEETING, at(2026, 9, 1), decides=True)
    for url in (MEETINGS, meeting_url(meeting.pk), meeting_url(meeting.pk, "attendance"), COMPLIANCE):
        response = as_staff.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert b"<html" in response.content
