"""Recording meetings: every rule is checked before anything is written; bad input changes
nothing and says what is wrong, in Chinese, next to the field."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from branches.models import PositionTitle
from branches.services import position_assign
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingCredit, MeetingStatus, MeetingType
from meetings.selectors import leaders_without_dual_life, roll_members
from meetings.services import attachment_add, meeting_cancel, meeting_record, meeting_update
from members.roster.choices import MemberState, MemberType
from members.roster.models import Member
from partybuild.periods import Period
from tests.conftest import World
from tests.factories import MemberFactory
from tests.meetings.conftest import at, hold

T = MeetingType


def _all_present(org, meeting_type) -> dict[int, tuple[str, str]]:
    return {m.pk: (AttendanceStatus.PRESENT, "") for m in roll_members(org, meeting_type)}


def test_recording_a_held_meeting_with_attendance(world: World) -> None:
    attendance = _all_present(world.branch_a, T.THEME_DAY)
    attendance[world.member_a2.pk] = (AttendanceStatus.LEAVE, "出差")
    result = meeting_record(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.THEME_DAY,
        topic="重温入党誓词",
        status=MeetingStatus.HELD,
        held_at=at(2026, 11, 5, 15),
        place="三楼会议室",
        host=world.member_a,
        attendance=attendance,
    )
    meeting = Meeting.objects.get(pk=result.meeting.pk)
    assert meeting.held_on == datetime.date(2026, 11, 5)
    assert meeting.created_by == world.secretary_a
    assert list(meeting.credits.values_list("meeting_type", flat=True)) == [T.THEME_DAY]
    rows = {a.member_id: (a.status, a.reason) for a in meeting.attendance.all()}
    assert rows == {world.member_a.pk: ("present", ""), world.member_a2.pk: ("leave", "出差")}
    assert meeting.history.first().history_change_reason == "登记会议"


def test_the_local_date_decides_the_day_even_late_at_night(world: World) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 6, 30, 23, 59))
    assert meeting.held_on == datetime.date(2026, 6, 30)
    meeting = hold(world.branch_b, T.THEME_DAY, at(2026, 7, 1, 0, 1))
    assert meeting.held_on == datetime.date(2026, 7, 1)


def _refused(**kwargs) -> dict[str, list[str]]:
    before = (Meeting.objects.count(), Attendance.objects.count(), MeetingCredit.objects.count())
    with pytest.raises(ValidationError) as exc:
        meeting_record(**kwargs)
    assert (Meeting.objects.count(), Attendance.objects.count(), MeetingCredit.objects.count()) == before
    return exc.value.message_dict


def test_a_branch_cannot_record_a_party_group_meeting(world: World) -> None:
    errors = _refused(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.GROUP_MEETING,
        topic="小组学习",
        status=MeetingStatus.HELD,
        held_at=at(2026, 11, 5),
        attendance=_all_present(world.branch_a, T.THEME_DAY),
    )
    assert "党支部不召开党小组会" in errors["meeting_type"][0]


def test_a_meeting_may_only_count_for_types_the_rules_allow(world: World) -> None:
    errors = _refused(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.COMMITTEE_MEETING,
        extra_types=[T.LIFE_MEETING],
        topic="支委会",
        status=MeetingStatus.HELD,
        held_at=at(2026, 11, 5),
        attendance=_all_present(world.branch_a, T.COMMITTEE_MEETING),
    )
    assert errors["extra_types"] == ["支部委员会不能同时计为组织生活会。"]


def test_a_held_meeting_cannot_be_in_the_future(world: World) -> None:
    errors = _refused(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.THEME_DAY,
        topic="主题党日",
        status=MeetingStatus.HELD,
        held_at=timezone.now() + datetime.timedelta(days=2),
        attendance=_all_present(world.branch_a, T.THEME_DAY),
    )
    assert "不能晚于现在" in errors["held_at"][0]


def test_leave_needs_a_reason_and_the_whole_roll_is_needed(world: World) -> None:
    attendance = _all_present(world.branch_a, T.THEME_DAY)
    attendance[world.member_a2.pk] = (AttendanceStatus.LEAVE, " ")
    errors = _refused(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.THEME_DAY,
        topic="主题党日",
        status=MeetingStatus.HELD,
        held_at=at(2026, 11, 5),
        attendance=attendance,
    )
    assert errors["attendance"] == ["李同志请假，请填写请假原因。"]
    del attendance[world.member_a2.pk]
    errors = _refused(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.THEME_DAY,
        topic="主题党日",
        status=MeetingStatus.HELD,
        held_at=at(2026, 11, 5),
        attendance={**attendance, world.member_b.pk: (AttendanceStatus.PRESENT, "")},
    )
    assert errors["attendance"][0] == "有1名党员不在本次会议的应到名单中。"
    assert "缺少：李同志" in errors["attendance"][1]


def test_a_lecture_needs_a_lecturer_and_hosts_come_from_the_organization(world: World) -> None:
    errors = _refused(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.LECTURE,
        topic="党课",
        status=MeetingStatus.HELD,
        held_at=at(2026, 11, 5),
        host=world.member_b,
        attendance=_all_present(world.branch_a, T.LECTURE),
    )
    assert errors["lecturer"] == ["党课须填写授课人（本组织党员或外单位授课人姓名）。"]
    assert errors["host"] == ["王乙不是本组织的在册党员。"]


def test_a_planned_meeting_needs_a_time_and_becomes_held_later(world: World) -> None:
    result = meeting_record(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.COMMITTEE_MEETING,
        topic="研究发展党员工作",
        status=MeetingStatus.PLANNED,
        planned_at=at(2026, 12, 3, 14),
    )
    meeting = result.meeting
    assert meeting.held_on is None and not meeting.attendance.exists()
    meeting_update(
        actor=world.secretary_a,
        meeting=meeting,
        status=MeetingStatus.HELD,
        held_at=at(2026, 11, 3, 14),
        attendance=_all_present(world.branch_a, T.COMMITTEE_MEETING),
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.held_on == datetime.date(2026, 11, 3)
    assert meeting.attendance.count() == 2


def test_the_committee_meeting_roll_is_the_committee(world: World) -> None:
    position_assign(
        org=world.branch_a, member=world.member_a, title=PositionTitle.SECRETARY, started_on=datetime.date(2025, 1, 1)
    )
    assert list(roll_members(world.branch_a, T.COMMITTEE_MEETING)) == [world.member_a]
    assert set(roll_members(world.branch_a, T.THEME_DAY)) == {world.member_a, world.member_a2}
    assert list(roll_members(world.group_a1, T.GROUP_MEETING)) == [world.member_a]


def test_members_who_left_are_not_on_the_roll(world: World) -> None:
    Member.objects.filter(pk=world.member_a2.pk).update(state=MemberState.DECEASED)
    assert list(roll_members(world.branch_a, T.THEME_DAY)) == [world.member_a]


def test_quorum_of_a_general_meeting_that_votes(world: World) -> None:
    extra = [MemberFactory(branch=world.branch_a) for _ in range(3)]
    probationary = MemberFactory(branch=world.branch_a, member_type=MemberType.PROBATIONARY, confirmed_on=None)
    # 5 voting members (member_a, member_a2 and 3 more); the 预备党员 has no vote.
    absent = {world.member_a2.pk, extra[0].pk, extra[1].pk}
    attendance = {
        m.pk: (AttendanceStatus.ABSENT if m.pk in absent else AttendanceStatus.PRESENT, "")
        for m in roll_members(world.branch_a, T.GENERAL_MEETING)
    }
    assert attendance[probationary.pk][0] == AttendanceStatus.PRESENT
    result = meeting_record(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.GENERAL_MEETING,
        topic="接收预备党员",
        status=MeetingStatus.HELD,
        held_at=at(2026, 11, 5),
        decides=True,
        attendance=attendance,
    )
    assert result.warnings == ["有表决权的党员5名，到会2名，未超过半数（至少需要3名），不能进行表决。"]
    attendance[extra[0].pk] = (AttendanceStatus.PRESENT, "")
    result = meeting_update(actor=world.secretary_a, meeting=result.meeting, attendance=attendance)
    assert result.warnings == []


def test_cancelling_needs_a_reason_and_keeps_the_meeting(world: World) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 11, 5))
    with pytest.raises(ValidationError) as exc:
        meeting_cancel(actor=world.secretary_a, meeting=meeting, reason="  ")
    assert exc.value.message_dict == {"cancel_reason": ["请填写取消原因。"]}
    meeting_cancel(actor=world.secretary_a, meeting=meeting, reason="与上级会议冲突")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason, meeting.held_on) == (MeetingStatus.CANCELLED, "与上级会议冲突", None)
    assert meeting.attendance.count() == 2  # the record stays
    with pytest.raises(ValidationError):
        meeting_update(actor=world.secretary_a, meeting=meeting, topic="改")


def test_leaders_who_skipped_their_own_branch_are_listed(world: World) -> None:
    Member.objects.filter(pk__in=[world.member_a.pk, world.member_b.pk]).update(is_leader=True)
    hold(world.branch_a, T.THEME_DAY, at(2026, 10, 10))
    hold(world.branch_b, T.THEME_DAY, at(2026, 10, 10), absent=[world.member_b.pk])
    hold(world.branch_b, T.THEME_DAY, at(2026, 11, 10))  # another month
    missing = list(leaders_without_dual_life(Member.objects.all(), Period.parse("2026-10")))
    assert missing == [world.member_b]


def test_attachments_must_be_photos_or_scans(world: World) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 11, 5))
    fake = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00 not a jpeg", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        attachment_add(actor=world.secretary_a, meeting=meeting, upload=fake)
    assert exc.value.message_dict["file"] == ["文件内容与扩展名不符，请上传真实的照片或PDF扫描件。"]
    with pytest.raises(ValidationError) as exc:
        attachment_add(actor=world.secretary_a, meeting=meeting, upload=SimpleUploadedFile("签到.docx", b"PK\x03\x04"))
    assert exc.value.message_dict["file"] == ["只能上传 JPG、PNG 照片或 PDF 扫描件。"]
    good = attachment_add(
        actor=world.secretary_a, meeting=meeting, upload=SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 scan"), kind="sign_in"
    )
    assert (good.original_name, good.content_type, good.size) == ("签到表.pdf", "application/pdf", 13)


def test_attendance_cannot_be_given_for_a_meeting_not_yet_held(world: World) -> None:
    errors = _refused(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.THEME_DAY,
        topic="主题党日",
        status=MeetingStatus.PLANNED,
        planned_at=at(2026, 12, 5),
        attendance=_all_present(world.branch_a, T.THEME_DAY),
    )
    assert errors == {"attendance": ["会议召开后才能登记出勤。"]}


def test_attendance_on_a_planned_meeting_is_refused_even_empty_rather_than_dropped(world: World) -> None:
    errors = _refused(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.THEME_DAY,
        topic="主题党日",
        status=MeetingStatus.PLANNED,
        planned_at=at(2026, 12, 5),
        attendance={},
    )
    assert errors == {"attendance": ["会议召开后才能登记出勤。"]}
    planned = meeting_record(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=T.THEME_DAY,
        topic="主题党日",
        status=MeetingStatus.PLANNED,
        planned_at=at(2026, 12, 5),
    ).meeting
    with pytest.raises(ValidationError) as exc:
        meeting_update(actor=world.secretary_a, meeting=planned, topic="改期的主题党日", attendance={})
    assert exc.value.message_dict == {"attendance": ["会议召开后才能登记出勤。"]}
    planned.refresh_from_db()
    assert (planned.topic, planned.attendance.count()) == ("主题党日", 0)


def test_an_old_meeting_is_corrected_against_the_roll_it_was_recorded_with(world: World) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 9, 10))
    Member.objects.filter(pk=world.member_a2.pk).update(state=MemberState.DECEASED)
    newcomer = MemberFactory(name="新来的", branch=world.branch_a)
    attendance = {world.member_a.pk: (AttendanceStatus.PRESENT, ""), world.member_a2.pk: (AttendanceStatus.LEAVE, "病假")}
    meeting_update(actor=world.secretary_a, meeting=meeting, attendance=attendance)
    rows = dict(meeting.attendance.values_list("member_id", "status"))
    assert rows == {world.member_a.pk: "present", world.member_a2.pk: "leave"}
    assert newcomer.pk not in rows


def test_a_meeting_whose_host_has_since_left_can_still_be_corrected(world: World) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 9, 10), host=world.member_a2, recorder=world.member_a)
    Member.objects.filter(pk=world.member_a2.pk).update(state=MemberState.TRANSFERRED_OUT)
    meeting_update(actor=world.secretary_a, meeting=meeting, topic="重温入党誓词（更正）")
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.host_id) == ("重温入党誓词（更正）", world.member_a2.pk)
    with pytest.raises(ValidationError) as exc:  # choosing someone who left is still refused
        meeting_update(actor=world.secretary_a, meeting=meeting, recorder=Member.objects.get(pk=world.member_a2.pk))
    assert exc.value.message_dict == {"recorder": ["李同志不是本组织的在册党员。"]}


def test_a_held_meeting_cannot_be_turned_back_into_a_plan(world: World) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 9, 10))
    with pytest.raises(ValidationError) as exc:
        meeting_update(actor=world.secretary_a, meeting=meeting, status=MeetingStatus.PLANNED, planned_at=at(2026, 12, 1))
    assert "不能改回计划" in exc.value.message_dict["status"][0]
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_on) == (MeetingStatus.HELD, datetime.date(2026, 9, 10))


def test_a_long_cancel_reason_is_kept_whole_in_the_history_and_a_long_leave_reason_is_refused(world: World) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 9, 10))
    attendance = _all_present(world.branch_a, T.THEME_DAY)
    attendance[world.member_a2.pk] = (AttendanceStatus.LEAVE, "因" * 201)
    with pytest.raises(ValidationError) as exc:
        meeting_update(actor=world.secretary_a, meeting=meeting, attendance=attendance)
    assert exc.value.message_dict == {"attendance": ["李同志的请假原因不能超过200字。"]}
    meeting_cancel(actor=world.secretary_a, meeting=meeting, reason="与" * 150)
    meeting.refresh_from_db()
    assert meeting.cancel_reason == "与" * 150
    assert meeting.history.first().history_change_reason == "取消会议：" + "与" * 150


def test_an_attendance_correction_is_kept_in_its_history(world: World) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 9, 10), actor=world.secretary_a)
    attendance = _all_present(world.branch_a, T.THEME_DAY)
    attendance[world.member_a2.pk] = (AttendanceStatus.LEAVE, "出差")
    meeting_update(actor=world.secretary_a, meeting=meeting, attendance=attendance)
    row = Attendance.objects.get(meeting=meeting, member=world.member_a2)
    versions = list(row.history.order_by("history_date").values_list("status", "history_change_reason", "history_user_id"))
    assert versions == [("present", "登记出勤", world.secretary_a.pk), ("leave", "更正出勤", world.secretary_a.pk)]
