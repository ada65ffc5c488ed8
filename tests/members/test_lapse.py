"""自行脱党 reminders (党章 第九条): 3 months warned, 6 flagged, for dues and for organizational
life; the daily job notifies those above the member's branch, twice run adds nothing, and no
member's state ever changes."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
import time_machine

from meetings.models import MeetingType
from meetings.selectors import members_without_life
from members.models import Member, MemberState
from members.services import DuesEntry, dues_assess, dues_record_month, lapse_reminders_run
from partybuild.notifications.models import Notification
from partybuild.periods import Period
from tests.conftest import World
from tests.meetings.conftest import at, hold

TODAY = datetime.date(2026, 12, 15)


@pytest.fixture(autouse=True)
def _mid_december():
    with time_machine.travel(datetime.datetime(2026, 12, 15, 2, tzinfo=datetime.UTC), tick=True):
        yield


def test_months_without_organizational_life_count_from_the_last_meeting_attended(world: World) -> None:
    hold(world.branch_a, MeetingType.THEME_DAY, at(2026, 5, 10))  # both present
    hold(world.branch_a, MeetingType.THEME_DAY, at(2026, 8, 10), absent=[world.member_a2.pk])
    hold(world.group_a1, MeetingType.GROUP_MEETING, at(2026, 9, 3))  # member_a, in the group
    found = {a.member.pk: a for a in members_without_life(Member.objects.all(), today=TODAY)}
    # member_a: last in September, so October and November without (2): not yet warned.
    assert world.member_a.pk not in found
    # member_a2: last in May; June to November is 6 months.
    assert (found[world.member_a2.pk].months_without, found[world.member_a2.pk].level) == (6, "flag")
    # Branches that never recorded a meeting are not judged (the portal cannot know).
    assert world.member_b.pk not in found


def test_mobile_and_lost_members_are_not_counted(world: World) -> None:
    hold(world.branch_a, MeetingType.THEME_DAY, at(2026, 1, 10), absent=[world.member_a2.pk])
    Member.objects.filter(pk=world.member_a2.pk).update(state=MemberState.MOBILE)
    found = {a.member.pk for a in members_without_life(Member.objects.all(), today=TODAY)}
    assert found == {world.member_a.pk}


def test_the_daily_job_notifies_those_above_once_and_changes_no_state(world: World) -> None:
    hold(world.branch_a, MeetingType.THEME_DAY, at(2026, 5, 10), absent=[world.member_a2.pk])
    hold(world.branch_a, MeetingType.THEME_DAY, at(2026, 11, 10), absent=[world.member_a2.pk])
    for member in (world.member_a, world.member_a2):
        dues_assess(member=member, year=2026, actor=world.secretary_a, base_income=D("4000"))
    for month in ("2026-01", "2026-11"):  # the branch has kept its dues in the portal since January
        dues_record_month(
            branch=world.branch_a,
            month=Period.parse(month),
            entries={world.member_a.pk: DuesEntry(D("40"), datetime.date(2026, 12, 1))},
            actor=world.secretary_a,
        )
    # Dues: member_a paid November (0 behind); member_a2 nothing since January: 11 months.
    # Life: member_a2 attended nothing since the branch's first meeting in May: 7 months.
    first = lapse_reminders_run(TODAY)
    assert (first["dues"], first["life"]) == (1, 1)
    mine = Notification.objects.filter(recipient=world.secretary_a).order_by("title")
    titles = list(mine.values_list("title", flat=True))
    assert titles == [
        "第一党支部 李同志已11个月未交党费，按党章第九条有自行脱党风险，请及时谈话了解情况",
        "第一党支部 李同志已连续7个月未参加组织生活，按党章第九条有自行脱党风险，请及时谈话了解情况",
    ]
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"secretary_a", "staff", "admin"}
    assert not Notification.objects.filter(recipient=world.secretary_b).exists()
    assert lapse_reminders_run(TODAY)["notifications"] == 0
    assert Member.objects.get(pk=world.member_a2.pk).state == MemberState.NORMAL
