"""自行脱党 reminders (党章 第九条): 3 months warned, 6 flagged, for dues and for organizational
life; the daily job notifies those above the member's branch, twice run adds nothing, and no
member's state ever changes."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
import time_machine

from meetings.models import MeetingType
from meetings.reminders import lapse_reminders_run
from meetings.selectors import members_without_life
from members.dues.selectors import arrears
from members.dues.services import DuesEntry, dues_assess, dues_record_month
from members.management_rules.models import ManagementRule, ManagementRuleKey
from members.management_rules.selectors import management_rules
from members.roster.choices import MemberState
from members.roster.models import Member
from members.transfers.application_services import transfer_apply
from members.transfers.models import TransferKind
from members.transfers.step_services import transfer_accept, transfer_approve_out
from partybuild.notifications.models import Notification
from partybuild.periods import Period
from tests.conftest import World
from tests.factories import MemberFactory
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


# --- the boundaries, transfers, who is counted ---------------------------------------------------


@pytest.mark.parametrize(
    ("month", "months", "level"),
    [(9, 2, None), (8, 3, "warn"), (6, 5, "warn"), (5, 6, "flag")],
)
def test_organizational_life_at_2_months_nothing_at_3_and_5_warned_at_6_flagged(
    world: World, month: int, months: int, level: str | None
) -> None:
    hold(world.branch_a, MeetingType.THEME_DAY, at(2026, month, 10))  # both present, last time
    found = {a.member.pk: a for a in members_without_life(Member.objects.all(), today=TODAY)}
    if level is None:
        assert found == {}
        assert members_without_life(Member.objects.all(), today=TODAY, at_least=1)[0].months_without == months
    else:
        assert (found[world.member_a2.pk].months_without, found[world.member_a2.pk].level) == (months, level)
        assert found[world.member_a2.pk].last_attended == datetime.date(2026, month, 10)


def _transfer(world: World, member: Member, to, on: datetime.date) -> None:
    """An internal transfer, applied, approved and accepted on ``on``."""
    with time_machine.travel(datetime.datetime.combine(on, datetime.time(2), tzinfo=datetime.UTC), tick=False):
        transfer = transfer_apply(
            actor=world.secretary_a,
            kind=TransferKind.INTERNAL,
            scope="within_committee",
            member=member,
            to_org=to,
            reason="工作调动",
        )
        transfer = transfer_approve_out(transfer=transfer, actor=world.secretary_a)
        transfer_accept(transfer=transfer, actor=world.secretary_b)


def test_meetings_attended_in_the_old_branch_count_after_a_transfer(world: World) -> None:
    hold(world.branch_b, MeetingType.THEME_DAY, at(2026, 1, 10))  # branch B records since January
    hold(world.branch_a, MeetingType.THEME_DAY, at(2026, 9, 10))  # member_a2 attends in A
    _transfer(world, world.member_a2, world.branch_b, datetime.date(2026, 10, 20))
    hold(world.branch_b, MeetingType.THEME_DAY, at(2026, 11, 10), absent=[world.member_a2.pk])
    assert Member.objects.get(pk=world.member_a2.pk).branch == world.branch_b
    found = {a.member.pk: a for a in members_without_life(Member.objects.all(), today=TODAY, at_least=1)}
    # Last in A in September: October and November without (2), not "never since B's January".
    assert (found[world.member_a2.pk].months_without, found[world.member_a2.pk].last_attended) == (
        2,
        datetime.date(2026, 9, 10),
    )
    assert world.member_a2.pk not in {a.member.pk for a in members_without_life(Member.objects.all(), today=TODAY)}


def test_a_transferred_member_who_attended_nothing_counts_from_joining_the_branch(world: World) -> None:
    hold(world.branch_b, MeetingType.THEME_DAY, at(2026, 1, 10))  # branch B records since January
    _transfer(world, world.member_a2, world.branch_b, datetime.date(2026, 5, 20))
    found = {a.member.pk: a for a in members_without_life(Member.objects.all(), today=TODAY)}
    # From May, the month they came to B (May to November: 7), not from B's first meeting (11).
    assert (found[world.member_a2.pk].months_without, found[world.member_a2.pk].level) == (7, "flag")
    assert found[world.member_a2.pk].last_attended is None


def test_members_without_life_is_one_query_whatever_the_transfers(world: World, django_assert_num_queries) -> None:
    hold(world.branch_b, MeetingType.THEME_DAY, at(2026, 1, 10))
    hold(world.branch_a, MeetingType.THEME_DAY, at(2026, 3, 10))
    _transfer(world, world.member_a2, world.branch_b, datetime.date(2026, 4, 20))
    rules = management_rules()
    with django_assert_num_queries(1):
        few = members_without_life(Member.objects.all(), today=TODAY, rules=rules)
    for n in range(5):
        MemberFactory(name=f"新{n}", branch=world.branch_b)
    _transfer(world, world.member_a, world.branch_b, datetime.date(2026, 6, 1))
    with django_assert_num_queries(1):
        many = members_without_life(Member.objects.all(), today=TODAY, rules=rules)
    assert len(many) > len(few)


def test_the_two_lists_remind_about_the_same_people_but_mobile_members_only_for_dues(world: World) -> None:
    """失联 and 停止党籍: in neither list. 流动党员: dues (paid to the home branch), not
    organizational life (lived where they work)."""
    others = {}
    for state in (MemberState.MOBILE, MemberState.LOST, MemberState.SUSPENDED):
        others[state] = MemberFactory(name=MemberState(state).label, branch=world.branch_a)
    hold(world.branch_a, MeetingType.THEME_DAY, at(2026, 1, 10), absent=[m.pk for m in others.values()])
    for member in (world.member_a, world.member_a2, *others.values()):
        dues_assess(member=member, year=2026, actor=world.secretary_a, base_income=D("4000"))
    dues_record_month(
        branch=world.branch_a,
        month=Period.parse("2026-01"),
        entries={world.member_a.pk: DuesEntry(D("40"), datetime.date(2026, 1, 20))},
        actor=world.secretary_a,
    )
    for state, member in others.items():
        Member.objects.filter(pk=member.pk).update(state=state)
    normal = {world.member_a.pk, world.member_a2.pk}
    assert {a.member.pk for a in arrears(Member.objects.all(), today=TODAY)} == {*normal, others[MemberState.MOBILE].pk}
    assert {a.member.pk for a in members_without_life(Member.objects.all(), today=TODAY)} == normal
    assert lapse_reminders_run(TODAY) | {"notifications": 0} == {"dues": 3, "life": 2, "notifications": 0}
    for state in (MemberState.LOST, MemberState.SUSPENDED):
        assert not Notification.objects.filter(title__contains=f" {MemberState(state).label}已").exists()
    mobile = set(Notification.objects.filter(title__contains=" 流动党员已").values_list("title", flat=True))
    assert mobile and all("未交党费" in t and "组织生活" not in t for t in mobile)


def test_the_life_thresholds_are_read_from_the_table(world: World) -> None:
    hold(world.branch_a, MeetingType.THEME_DAY, at(2026, 9, 10))  # October and November without: 2
    assert members_without_life(Member.objects.all(), today=TODAY) == []
    ManagementRule.objects.filter(key=ManagementRuleKey.LIFE_ABSENCE_WARN).update(value=2)
    found = members_without_life(Member.objects.all(), today=TODAY)
    assert {(a.member.pk, a.months_without, a.level) for a in found} == {
        (world.member_a.pk, 2, "warn"),
        (world.member_a2.pk, 2, "warn"),
    }
    ManagementRule.objects.filter(key=ManagementRuleKey.LIFE_ABSENCE_FLAG).update(value=2)
    assert {a.level for a in members_without_life(Member.objects.all(), today=TODAY)} == {"flag"}
