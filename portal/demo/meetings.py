"""A year of demo meetings, relative to today."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from branches.models import Organization, OrgKind
from meetings.models import AttendanceStatus, Meeting, MeetingStatus, MeetingType
from meetings.selectors import roll_members
from meetings.services import meeting_record
from partybuild.periods import Period
from portal.demo.tree import BRANCH_A


def seed_meetings(rng: random.Random, orgs: dict[str, Organization]) -> int:
    """About a year of organizational life, relative to today: most required meetings held
    (about nine in ten, so the compliance pages show red cells too), last December's 组织生活会
    held with the 民主评议党员, and this month half done: branch A has held its 主题党日 but
    not yet its 支部委员会 (planned for later in the month)."""
    if Meeting.objects.exists():
        return 0
    today = timezone.localdate()
    this_month = Period.containing("month", today)
    months = [this_month]
    for _ in range(12):
        months.insert(0, months[0].previous())
    topics = {
        MeetingType.COMMITTEE_MEETING: [
            "研究本月党建工作安排",
            "研究发展党员工作",
            "讨论党费收缴情况",
            "研究主题党日活动方案",
        ],
        MeetingType.THEME_DAY: ["重温入党誓词", "参观党史教育基地", "志愿服务进社区", "学习党章党规"],
        MeetingType.GENERAL_MEETING: ["通报支部工作情况", "接收预备党员", "学习全会精神"],
        MeetingType.LECTURE: ["书记讲党课：坚定理想信念", "党课：作风建设永远在路上"],
        MeetingType.STUDY: ["专题学习研讨：新时代党的建设", "专题学习研讨：党纪学习教育"],
        MeetingType.GROUP_MEETING: ["党小组学习", "党小组谈心谈话"],
        MeetingType.DEMOCRATIC_LIFE: ["年度民主生活会"],
    }
    plan: list[tuple[Organization, str, Period, tuple[str, ...]]] = []
    for org in orgs.values():
        for month in months:
            if org.kind == OrgKind.GROUP:
                plan.append((org, MeetingType.GROUP_MEETING, month, ()))
                continue
            if org.kind in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH):
                plan.append((org, MeetingType.COMMITTEE_MEETING, month, ()))
            if org.kind == OrgKind.BRANCH:
                plan.append((org, MeetingType.THEME_DAY, month, ()))
                if month.index % 3 == 2:
                    plan.append((org, MeetingType.GENERAL_MEETING, month, (MeetingType.LECTURE,)))
                    plan.append((org, MeetingType.STUDY, month, ()))
                if month.index == 12:
                    plan.append((org, MeetingType.LIFE_MEETING, month, (MeetingType.MEMBER_REVIEW,)))
            if org.kind == OrgKind.COMMITTEE and month.index % 3 == 2:
                plan.append((org, MeetingType.STUDY, month, ()))
            if org.kind == OrgKind.COMMITTEE and month.index == 12:
                plan.append((org, MeetingType.DEMOCRATIC_LIFE, month, ()))
    held = 0
    branch_a = orgs[BRANCH_A]
    for org, meeting_type, month, extra in plan:
        last_day = min(month.end, today - datetime.timedelta(days=1))
        if last_day < month.start:
            continue
        if month == this_month and not (org == branch_a and meeting_type == MeetingType.THEME_DAY):
            continue  # this month: only branch A's 主题党日 so far
        if month != this_month and rng.random() > 0.9:
            continue  # not held: a red cell
        day = month.start + datetime.timedelta(days=rng.randint(0, (last_day - month.start).days))
        when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.choice([9, 10, 14, 15]), 0)))
        roll = list(roll_members(org, meeting_type))
        if not roll:
            continue
        attendance = {}
        for member in roll:
            draw = rng.random()
            if draw < 0.06:
                attendance[member.pk] = (AttendanceStatus.LEAVE, rng.choice(["出差", "病假", "年休假", "参加上级培训"]))
            elif draw < 0.08:
                attendance[member.pk] = (AttendanceStatus.ABSENT, "")
            else:
                attendance[member.pk] = (AttendanceStatus.PRESENT, "")
        present = [m for m in roll if attendance[m.pk][0] == AttendanceStatus.PRESENT] or roll
        counts_as = {meeting_type, *extra}
        meeting_record(
            actor=None,
            organization=org,
            meeting_type=meeting_type,
            extra_types=extra,
            topic=rng.choice(topics.get(meeting_type, ["组织生活会暨民主评议党员"])),
            status=MeetingStatus.HELD,
            held_at=when,
            place=rng.choice(["三楼党员活动室", "机关会议室", "党建活动中心"]),
            host=present[0],
            recorder=present[-1],
            lecturer=present[0] if MeetingType.LECTURE in counts_as else None,
            minutes="会议按议程进行，与会党员结合工作实际逐一发言，会议形成了明确意见。",
            resolutions="按会议议定事项抓好落实。" if meeting_type == MeetingType.COMMITTEE_MEETING else "",
            attendance=attendance,
        )
        held += 1
    planned_day = today + datetime.timedelta(days=3)
    if this_month.contains(planned_day):
        meeting_record(
            actor=None,
            organization=branch_a,
            meeting_type=MeetingType.COMMITTEE_MEETING,
            topic="研究年度党员民主评议工作",
            status=MeetingStatus.PLANNED,
            planned_at=timezone.make_aware(datetime.datetime.combine(planned_day, datetime.time(15, 0))),
            place="三楼党员活动室",
        )
        held += 1
    return held
