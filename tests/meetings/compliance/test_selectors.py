"""Compliance: held against required, per organization and type, for a month, quarter or year,
judged by the rules in force at the time."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches.models import Organization, OrgKind, OrgStatus
from meetings.compliance.selectors import DUE, FAILED, MET, NONE, compliance
from meetings.models import FrequencyRule, Meeting, MeetingCredit, MeetingStatus, MeetingType
from meetings.services import meeting_cancel
from partybuild.periods import Period
from tests.conftest import World
from tests.factories import make_org
from tests.meetings.conftest import at, hold

T = MeetingType
TODAY = datetime.date(2027, 3, 1)  # every period of 2026 has ended


@pytest.fixture(autouse=True)
def _early_2027() -> Iterator[None]:
    """The tests record meetings all over 2026: the clock stands in March 2027."""
    with time_machine.travel(at(2027, 3, 1, 10), tick=True):
        yield


def _report(world: World, period: str, today: datetime.date = TODAY):
    return compliance(Organization.objects.filter(path__startswith=world.root.path), Period.parse(period), today=today)


def test_a_meeting_at_2359_beijing_on_the_last_day_of_a_quarter_counts_in_that_quarter(world: World) -> None:
    hold(world.branch_a, T.GENERAL_MEETING, at(2026, 9, 30, 23, 59))
    q3, q4 = _report(world, "2026Q3"), _report(world, "2026Q4")
    assert q3.row(world.branch_a.pk).cells[T.GENERAL_MEETING].held == 1
    assert q3.row(world.branch_a.pk).cells[T.GENERAL_MEETING].state == MET
    assert q4.row(world.branch_a.pk).cells[T.GENERAL_MEETING].held == 0
    # The same moment in UTC is 15:59 on the 30th; one minute past midnight Beijing is still
    # 30 September in UTC, and belongs to Q4.
    hold(world.branch_b, T.GENERAL_MEETING, at(2026, 10, 1, 0, 1))
    assert _report(world, "2026Q3").row(world.branch_b.pk).cells[T.GENERAL_MEETING].held == 0
    assert _report(world, "2026Q4").row(world.branch_b.pk).cells[T.GENERAL_MEETING].held == 1


def test_a_quarter_needs_each_of_its_months_for_a_monthly_rule(world: World) -> None:
    hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, 7, 3))
    hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, 7, 20))
    hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, 9, 3))
    cell = _report(world, "2026Q3").row(world.branch_a.pk).cells[T.COMMITTEE_MEETING]
    assert (cell.held, cell.required) == (3, 3)
    assert [u.state for u in cell.units] == [MET, FAILED, MET]  # two in July do not make up for August
    assert cell.state == FAILED


def test_the_current_period_is_in_progress_until_it_ends(world: World) -> None:
    report = _report(world, "2026-11", today=datetime.date(2026, 11, 15))
    assert report.row(world.branch_a.pk).cells[T.THEME_DAY].state == DUE
    hold(world.branch_a, T.THEME_DAY, at(2026, 11, 10))
    report = _report(world, "2026-11", today=datetime.date(2026, 11, 15))
    assert report.row(world.branch_a.pk).cells[T.THEME_DAY].state == MET
    assert _report(world, "2026-11", today=datetime.date(2026, 12, 1)).row(world.branch_b.pk).cells[T.THEME_DAY].state == FAILED


def test_a_rule_changed_mid_year_judges_each_month_by_the_rule_of_its_time(world: World) -> None:
    FrequencyRule.objects.create(
        meeting_type=T.THEME_DAY,
        org_kind=OrgKind.BRANCH,
        period_kind="month",
        min_count=2,
        effective_from=datetime.date(2026, 7, 1),
    )
    for month in (6, 7):
        hold(world.branch_a, T.THEME_DAY, at(2026, month, 10))
    june, july = _report(world, "2026-06"), _report(world, "2026-07")
    assert june.row(world.branch_a.pk).cells[T.THEME_DAY].required == 1
    assert june.row(world.branch_a.pk).cells[T.THEME_DAY].state == MET
    assert july.row(world.branch_a.pk).cells[T.THEME_DAY].required == 2
    assert july.row(world.branch_a.pk).cells[T.THEME_DAY].state == FAILED
    year = _report(world, "2026").row(world.branch_a.pk).cells[T.THEME_DAY]
    assert year.required == 6 * 1 + 6 * 2


def test_a_rule_taking_effect_mid_month_starts_with_the_next_month(world: World) -> None:
    FrequencyRule.objects.create(
        meeting_type=T.THEME_DAY,
        org_kind=OrgKind.BRANCH,
        period_kind="month",
        min_count=0,
        effective_from=datetime.date(2026, 7, 15),
    )
    assert _report(world, "2026-07").row(world.branch_a.pk).cells[T.THEME_DAY].required == 1
    assert _report(world, "2026-08").row(world.branch_a.pk).cells[T.THEME_DAY].state == NONE


def test_party_group_meetings_are_counted_per_group_and_a_branch_needs_its_groups(world: World) -> None:
    group_a2 = make_org(world.branch_a, OrgKind.GROUP, "第二党小组")
    hold(world.group_a1, T.GROUP_MEETING, at(2026, 5, 8))
    report = _report(world, "2026-05")
    assert report.row(world.group_a1.pk).cells[T.GROUP_MEETING].state == MET
    assert report.row(group_a2.pk).cells[T.GROUP_MEETING].state == FAILED
    assert T.GROUP_MEETING not in report.row(world.branch_a.pk).cells  # a branch holds none itself
    # Branch A held everything of its own in May, but its second group did not meet.
    hold(world.branch_a, T.COMMITTEE_MEETING, at(2026, 5, 9))
    hold(world.branch_a, T.THEME_DAY, at(2026, 5, 10))
    report = _report(world, "2026-05")
    assert report.row(world.branch_a.pk).state == FAILED
    hold(group_a2, T.GROUP_MEETING, at(2026, 5, 20))
    assert _report(world, "2026-05").row(world.branch_a.pk).state == MET


def test_one_meeting_counts_for_two_types_when_marked(world: World) -> None:
    hold(world.branch_a, T.LIFE_MEETING, at(2026, 12, 20), extra_types=[T.MEMBER_REVIEW])
    row = _report(world, "2026").row(world.branch_a.pk)
    assert row.cells[T.LIFE_MEETING].state == MET
    assert row.cells[T.MEMBER_REVIEW].state == MET
    assert row.cells[T.MEMBER_REVIEW].held == 1
    hold(world.branch_b, T.LIFE_MEETING, at(2026, 12, 20))
    assert _report(world, "2026").row(world.branch_b.pk).cells[T.MEMBER_REVIEW].state == FAILED


def test_a_cancelled_meeting_stops_counting(world: World) -> None:
    meeting = hold(world.branch_a, T.THEME_DAY, at(2026, 4, 10))
    assert _report(world, "2026-04").row(world.branch_a.pk).cells[T.THEME_DAY].held == 1
    meeting_cancel(actor=world.secretary_a, meeting=meeting, reason="登记重复")
    assert _report(world, "2026-04").row(world.branch_a.pk).cells[T.THEME_DAY].held == 0


def test_yearly_rules_are_not_judged_in_a_month(world: World) -> None:
    row = _report(world, "2026-03").row(world.branch_a.pk)
    assert row.cells[T.LIFE_MEETING].state == NONE
    assert row.cells[T.GENERAL_MEETING].state == NONE  # quarterly
    assert row.cells[T.THEME_DAY].state == FAILED


def test_higher_organizations_get_the_share_of_compliant_branches(world: World) -> None:
    for branch in (world.branch_a, world.branch_b):
        hold(branch, T.COMMITTEE_MEETING, at(2026, 5, 9))
        hold(branch, T.THEME_DAY, at(2026, 5, 10))
    hold(world.group_a1, T.GROUP_MEETING, at(2026, 5, 8))
    report = _report(world, "2026-05")
    committee, root = report.row(world.committee.pk), report.row(world.root.pk)
    assert (committee.branches_met, committee.branches_total) == (2, 2)
    assert committee.share_met == 1.0
    assert (root.branches_met, root.branches_failed, root.branches_total) == (2, 1, 3)  # branch C held nothing


def test_an_organization_founded_after_a_month_is_not_judged_for_it(world: World) -> None:
    late = make_org(world.committee, OrgKind.BRANCH, "新成立党支部", founded_on=datetime.date(2026, 6, 15))
    assert _report(world, "2026-05").row(late.pk) is None
    june = _report(world, "2026-06").row(late.pk)
    assert june.cells[T.THEME_DAY].state == FAILED


def _grow(world: World, branches: int) -> None:
    """``branches`` more 党支部 under the 机关党委, a third of them with a 主题党日 in May, written
    in bulk (treebeard paths computed as it would)."""
    alphabet, step = Organization.alphabet, Organization.steplen

    def key(n: int) -> str:
        digits = ""
        while n:
            n, r = divmod(n, len(alphabet))
            digits = alphabet[r] + digits
        return digits.rjust(step, "0")

    parent = world.committee
    parent.refresh_from_db()
    start = parent.numchild + 1
    orgs = Organization.objects.bulk_create(
        Organization(
            path=parent.path + key(start + i),
            depth=parent.depth + 1,
            numchild=0,
            name=f"增长党支部{i}",
            short_name=f"增长{i}",
            code=f"G{i:05d}",
            kind=OrgKind.BRANCH,
        )
        for i in range(branches)
    )
    Organization.objects.filter(pk=parent.pk).update(numchild=parent.numchild + branches)
    held = [org for i, org in enumerate(orgs) if i % 3 == 0]
    meetings = Meeting.objects.bulk_create(
        Meeting(
            organization=org,
            meeting_type=T.THEME_DAY,
            topic="主题党日",
            status=MeetingStatus.HELD,
            held_at=at(2026, 5, 10),
            held_on=datetime.date(2026, 5, 10),
        )
        for org in held
    )
    MeetingCredit.objects.bulk_create(MeetingCredit(meeting=m, meeting_type=T.THEME_DAY) for m in meetings)


@pytest.mark.parametrize("period", ["2026-05", "2026Q2", "2026"])
def test_compliance_takes_the_same_queries_for_10_and_for_many_organizations(world: World, period: str) -> None:
    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            report = _report(world, period)
            sum(r.branches_met for r in report.rows)
        return len(ctx.captured_queries), len(report.rows)

    small_queries, small_rows = count()
    assert small_rows == 7
    _grow(world, 1000)
    big_queries, big_rows = count()
    assert big_rows == small_rows + 1000
    assert small_queries == big_queries == 3
    if period == "2026-05":
        committee = _report(world, period).row(world.committee.pk)
        assert (committee.branches_total, committee.branches_met) == (1002, 0)  # none held a 支委会
        assert committee.branches_failed == 1002


def test_the_current_day_defaults_to_beijing_time(world: World) -> None:
    # 16:30 UTC on 31 May is 00:30 on 1 June in Beijing: May has ended.
    with time_machine.travel(datetime.datetime(2026, 5, 31, 16, 30, tzinfo=datetime.UTC), tick=False):
        report = compliance(Organization.objects.filter(pk=world.branch_a.pk), Period.parse("2026-05"))
    assert report.today == datetime.date(2026, 6, 1)
    assert report.row(world.branch_a.pk).cells[T.THEME_DAY].state == FAILED


def test_a_branch_dissolved_since_is_still_judged_for_the_months_it_lived_through(world: World) -> None:
    hold(world.branch_b, T.THEME_DAY, at(2026, 5, 10))
    # As organization_dissolve leaves it (the service also needs the branch emptied first).
    Organization.objects.filter(pk=world.branch_b.pk).update(
        status=OrgStatus.DISSOLVED, dissolved_on=datetime.date(2026, 8, 20), dissolve_reason="机构改革撤并"
    )
    may, august, october = _report(world, "2026-05"), _report(world, "2026-08"), _report(world, "2026-10")
    assert may.row(world.branch_b.pk).cells[T.THEME_DAY].state == MET
    assert august.row(world.branch_b.pk).cells[T.THEME_DAY].units == []  # dissolved before August ended
    assert october.row(world.branch_b.pk) is None
    assert (may.row(world.committee.pk).branches_total, october.row(world.committee.pk).branches_total) == (2, 1)
    # In August it was judged for nothing, so it is not counted against the 机关党委's share.
    assert august.row(world.branch_b.pk).state == NONE
    assert august.row(world.committee.pk).branches_total == 1
