"""The member record's one timeline (党员生涯): development, transfers, state changes, positions and
dues on the dates they happened, oldest first; links only where the viewer may go; a fixed number of
queries however long the life."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from branches.models import PositionTitle
from branches.services import position_assign, position_end
from members.development.services import development_confirm
from members.dues.services import DuesEntry, dues_assess, dues_record_month
from members.roster.choices import MemberState
from members.roster.models import Member
from members.roster.services import member_change_state
from members.transfers.application_services import transfer_apply
from members.transfers.models import TransferKind
from members.transfers.step_services import transfer_accept, transfer_approve_out, transfer_resume, transfer_suspend
from partybuild.periods import Period
from tests.conftest import World
from tests.members.development.test_services import confirmation_vote, to_probationary

D = datetime.date


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def url(member: Member) -> str:
    return reverse("members:detail", args=[member.pk])


def steps(client: Client, member: Member) -> list[tuple[datetime.date, str, str]]:
    response = client.get(url(member))
    assert response.status_code == 200
    return [(t.on, t.category_label, t.title) for t in response.context["timeline"]]


def a_to_b(world: World, member: Member):
    return transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.INTERNAL,
        scope="within_committee",
        member=member,
        to_org=world.branch_b,
        reason="工作调动",
        dues_paid_to=D(2026, 10, 1),
    )


def test_a_developed_member_has_their_whole_way_in_then_the_rest_of_their_life_in_order(world: World, as_staff: Client) -> None:
    record = to_probationary(world, voted_on=D(2025, 6, 2))
    record = confirmation_vote(world, record, D(2026, 6, 5))
    record = development_confirm(record=record, approved_on=D(2026, 6, 20), actor=world.staff)
    member = record.member
    position_assign(org=world.branch_a, member=member, title=PositionTitle.ORGANIZATION, started_on=D(2026, 7, 1))
    member_change_state(member=member, state=MemberState.MOBILE, on=D(2026, 8, 3), reason="外出务工", destination="深圳市")
    member_change_state(member=member, state=MemberState.NORMAL, on=D(2026, 9, 1), reason="返回原单位")
    dues_assess(member=member, year=2026, base_income=Decimal("4000"), actor=world.secretary_a)
    dues_record_month(
        branch=world.branch_a,
        month=Period.parse("2026-07"),
        entries={member.pk: DuesEntry(amount_paid=Decimal("40.00"), paid_on=D(2026, 10, 9))},
        actor=world.secretary_a,
    )

    got = steps(as_staff, member)
    titles = [title for _, _, title in got]
    # The way in, in the order of the procedure, from the development record.
    for expected in (
        "提出入党申请",
        "党组织派人谈话",
        "确定为入党积极分子",
        "列为发展对象",
        "支部党员大会讨论接收预备党员",
        "党委审批，接收为预备党员",
        "支部党员大会讨论转正",
        "党委审批，转为正式党员",
    ):
        assert expected in titles
    assert titles.index("提出入党申请") < titles.index("党委审批，转为正式党员") < titles.index("任组织委员（第一党支部）")
    assert (D(2026, 8, 3), "党员状态", "变更为流动党员") in got
    assert (D(2026, 9, 1), "党员状态", "恢复正常状态") in got
    assert (D(2026, 10, 9), "党费", "补交党费") in got  # July's dues paid in October
    assert [on for on, _, _ in got] == sorted(on for on, _, _ in got)
    html = as_staff.get(url(member)).content.decode()
    assert "党员生涯" in html and "流入地：深圳市" in html and "所属月份：2026年7月" in html
    # The base income is the dues card's, for managers only; the timeline shows the monthly amount.
    assert "每月应交：40.00元" in html
    # The steps of the way in link to the development record for those who see the branch.
    assert reverse("development:detail", args=[record.pk]) in html


def test_a_member_from_before_the_portal_has_the_rosters_dates(world: World, as_secretary_a: Client) -> None:
    got = steps(as_secretary_a, world.member_a)
    assert got[0] == (world.member_a.joined_on, "入党", "入党，成为预备党员")
    if world.member_a.confirmed_on:
        assert (world.member_a.confirmed_on, "入党", "转为正式党员") in got


def test_a_transfer_suspended_resumed_and_accepted_shows_each_step(world: World, as_staff: Client) -> None:
    transfer = a_to_b(world, world.member_a2)
    transfer = transfer_approve_out(transfer=transfer, actor=world.secretary_a)
    transfer = transfer_suspend(transfer=transfer, actor=world.secretary_b, reason="党费未交清")
    transfer = transfer_resume(transfer=transfer, actor=world.secretary_b)
    transfer_accept(transfer=transfer, actor=world.secretary_b)
    got = [(category, title) for _, category, title in steps(as_staff, world.member_a2) if category == "组织关系"]
    assert got == [
        ("组织关系", "申请组织关系转接（系统内转接）"),
        ("组织关系", "转出方审核同意"),
        ("组织关系", "转接挂起"),
        ("组织关系", "恢复办理转接"),
        ("组织关系", "转入方接收，列入本党支部"),
    ]
    html = as_staff.get(url(world.member_a2)).content.decode()
    assert "原因：党费未交清" in html
    assert reverse("transfers:detail", args=[transfer.pk]) in html


def test_leaving_the_portal_is_said_once_by_the_transfer(world: World, as_staff: Client) -> None:
    transfer = transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.OUT,
        scope="nationwide",
        member=world.member_a2,
        to_name="外省某机关党支部",
        reason="调往外省工作",
    )
    transfer_approve_out(transfer=transfer, actor=world.secretary_a)
    titles = [title for _, _, title in steps(as_staff, world.member_a2)]
    assert titles.count("组织关系转出系统") == 1
    assert "变更为已转出" not in titles


def test_the_member_sees_their_own_timeline_without_links_to_pages_they_cannot_open(world: World, as_member_a: Client) -> None:
    transfer = a_to_b(world, world.member_a)
    html = as_member_a.get(url(world.member_a)).content.decode()
    assert "申请组织关系转接（系统内转接）" in html
    assert reverse("transfers:detail", args=[transfer.pk]) not in html


def test_positions_held_and_left_show_with_the_reason(world: World, as_secretary_a: Client) -> None:
    position = position_assign(org=world.branch_a, member=world.member_a, title=PositionTitle.PUBLICITY, started_on=D(2024, 1, 1))
    position_end(position=position, ended_on=D(2026, 3, 1), reason="工作调整", actor=world.secretary_a)
    got = steps(as_secretary_a, world.member_a)
    assert (D(2024, 1, 1), "职务", "任宣传委员（第一党支部）") in got
    assert (D(2026, 3, 1), "职务", "不再担任宣传委员（第一党支部）") in got


def test_the_timeline_costs_the_same_queries_for_a_short_and_a_long_life(
    world: World, as_staff: Client, django_assert_max_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = as_staff.get(url(world.member_a2))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    # One of everything.
    transfer_accept(
        transfer=transfer_approve_out(transfer=a_to_b(world, world.member_a2), actor=world.secretary_a), actor=world.secretary_b
    )
    world.member_a2.refresh_from_db()  # now on branch B's roster
    position_assign(org=world.branch_b, member=world.member_a2, title=PositionTitle.PUBLICITY, started_on=D(2026, 1, 1))
    member_change_state(member=world.member_a2, state=MemberState.MOBILE, on=D(2026, 2, 1), reason="外出", destination="广州")
    dues_assess(member=world.member_a2, year=2025, base_income=Decimal("4000"), actor=world.staff)
    few = count()
    # Many more of each: the same number of queries.
    member_change_state(member=world.member_a2, state=MemberState.NORMAL, on=D(2026, 3, 1), reason="返回")
    member_change_state(member=world.member_a2, state=MemberState.LOST, on=D(2026, 4, 1), reason="联系不上")
    member_change_state(member=world.member_a2, state=MemberState.NORMAL, on=D(2026, 5, 1), reason="恢复联系")
    for year in (2024, 2026):
        dues_assess(member=world.member_a2, year=year, base_income=Decimal("6000"), actor=world.staff)
    for month in ("2026-01", "2026-02", "2026-03"):
        dues_record_month(
            branch=world.branch_b,
            month=Period.parse(month),
            entries={world.member_a2.pk: DuesEntry(amount_paid=Decimal("60.00"), paid_on=D(2026, 6, 1))},
            actor=world.staff,
        )
    position_assign(org=world.branch_b, member=world.member_a2, title=PositionTitle.ORGANIZATION, started_on=D(2026, 2, 1))
    many = count()
    assert len(as_staff.get(url(world.member_a2)).context["timeline"]) > 12
    assert many == few
    # session, user, scope, member, positions, history (with its organizations), development record, transfers,
    # their history, dues assessments and payments (the timeline's and the card's), attendance and
    # its counts, notifications (1), session renewal (3)
    with django_assert_max_num_queries(17):
        as_staff.get(url(world.member_a2))
