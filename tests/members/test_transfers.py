"""组织关系转接 through every state, seen and acted on from each side's scope."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from branches.models import PositionTitle
from branches.services import position_assign
from members.models import Member, MemberState, Transfer, TransferKind, TransferStatus
from members.transfers import (
    transfer_accept,
    transfer_apply,
    transfer_approve_out,
    transfer_resume,
    transfer_return,
    transfer_suspend,
    waiting_on,
)
from members.validators import make_id_number
from partybuild.accounts.access import get_transfer_for_user, transfer_sides, visible_transfers
from tests.conftest import World


def _a_to_b(world: World, **extra) -> Transfer:
    return transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.INTERNAL,
        scope="within_committee",
        member=world.member_a2,
        to_org=world.branch_b,
        reason="工作调动",
        dues_paid_to=datetime.date(2026, 10, 15),
        **extra,
    )


def test_a_transfer_from_branch_a_accepted_by_branch_b(world: World) -> None:
    transfer = _a_to_b(world)
    assert (transfer.status, transfer.from_org, transfer.dues_paid_to) == (
        TransferStatus.APPLIED,
        world.branch_a,
        datetime.date(2026, 10, 1),
    )
    # Each side sees it; only the sending side acts first.
    assert transfer_sides(world.secretary_a, transfer) == {"out"} and transfer_sides(world.secretary_b, transfer) == {"in"}
    assert transfer_sides(world.staff, transfer) == {"out", "in"}
    assert waiting_on(transfer) == "out"
    assert get_transfer_for_user(world.secretary_b, transfer.pk) == transfer
    with pytest.raises(ValidationError):
        transfer_accept(transfer=transfer, actor=world.secretary_b)  # not approved yet
    transfer = transfer_approve_out(transfer=transfer, actor=world.secretary_a)
    assert (transfer.status, waiting_on(transfer)) == (TransferStatus.OUT_APPROVED, "in")
    transfer = transfer_accept(transfer=transfer, actor=world.secretary_b)
    member = Member.objects.get(pk=world.member_a2.pk)
    assert (transfer.status, member.branch, member.group) == (TransferStatus.ACCEPTED, world.branch_b, None)
    assert "从测试局第一党支部转入" in member.history.first().history_change_reason
    assert [h.status for h in transfer.history.order_by("history_date")] == ["applied", "out_approved", "accepted"]


def test_out_of_the_portal_ends_the_membership_here_and_the_positions(world: World) -> None:
    position_assign(
        org=world.branch_a, member=world.member_a2, title=PositionTitle.PUBLICITY, started_on=datetime.date(2025, 1, 1)
    )
    transfer = transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.OUT,
        scope="nationwide",
        member=world.member_a2,
        to_name="中共某省某县委组织部",
        reason="随配偶迁居外省",
        letter_no="组转〔2026〕15号",
    )
    transfer = transfer_approve_out(transfer=transfer, actor=world.secretary_a)
    member = Member.objects.get(pk=world.member_a2.pk)
    assert (transfer.status, member.state) == (TransferStatus.COMPLETED, MemberState.TRANSFERRED_OUT)
    assert not member.positions.filter(ended_on__isnull=True).exists()
    assert member.pk and Member.objects.filter(pk=member.pk).exists()  # kept, never deleted


def test_in_from_outside_creates_the_member_on_acceptance(world: World) -> None:
    number = make_id_number("110101", datetime.date(1988, 3, 8), 21)
    transfer = transfer_apply(
        actor=world.secretary_b,
        kind=TransferKind.IN,
        scope="within_province",
        to_org=world.branch_b,
        from_name="中共某区教育局机关支部委员会",
        reason="调入",
        incoming={
            "name": "钱转入",
            "id_number": number,
            "joined_on": datetime.date(2012, 7, 1),
            "confirmed_on": datetime.date(2013, 7, 1),
        },
        valid_until=datetime.date.today() + datetime.timedelta(days=30),
    )
    assert (transfer.status, transfer.member) == (TransferStatus.OUT_APPROVED, None)
    assert transfer_sides(world.secretary_b, transfer) == {"in"}
    with pytest.raises(Http404):
        get_transfer_for_user(world.secretary_a, transfer.pk)  # nothing of A's is involved
    transfer = transfer_accept(transfer=transfer, actor=world.secretary_b)
    member = transfer.member
    assert (member.name, member.branch, member.id_number, member.birth_date) == (
        "钱转入",
        world.branch_b,
        number,
        datetime.date(1988, 3, 8),
    )
    assert Member.objects.filter(id_number=number).count() == 1


def test_returned_and_suspended_with_reasons_and_resumed_where_it_was(world: World) -> None:
    transfer = transfer_approve_out(transfer=_a_to_b(world), actor=world.secretary_a)
    with pytest.raises(ValidationError) as exc:
        transfer_suspend(transfer=transfer, actor=world.secretary_b, reason=" ")
    assert exc.value.message_dict == {"status_reason": ["请填写挂起原因。"]}
    transfer = transfer_suspend(transfer=transfer, actor=world.secretary_b, reason="党费未交清")
    assert (transfer.status, transfer.status_reason) == (TransferStatus.SUSPENDED, "党费未交清")
    transfer = transfer_resume(transfer=transfer, actor=world.secretary_b)
    assert transfer.status == TransferStatus.OUT_APPROVED  # where it was
    transfer = transfer_return(transfer=transfer, actor=world.secretary_b, reason="接收单位信息有误")
    assert transfer.status == TransferStatus.RETURNED
    assert Member.objects.get(pk=world.member_a2.pk).branch == world.branch_a  # nothing moved
    with pytest.raises(ValidationError):
        transfer_accept(transfer=transfer, actor=world.secretary_b)
    # Returned, the member may apply again.
    assert _a_to_b(world).status == TransferStatus.APPLIED


def test_the_rules_of_a_transfer(world: World) -> None:
    _a_to_b(world)
    with pytest.raises(ValidationError) as exc:
        _a_to_b(world)
    assert exc.value.message_dict["member"] == ["李同志已有一条正在办理的组织关系转接。"]
    with pytest.raises(ValidationError) as exc:
        transfer_apply(
            actor=world.secretary_a,
            kind=TransferKind.INTERNAL,
            scope="within_committee",
            member=world.member_a,
            to_org=world.group_a1,
            reason="",
        )
    assert exc.value.message_dict == {"reason": ["请填写转接原因。"], "to_org": ["只能转入（转出）正常状态的党支部。"]}
    with pytest.raises(ValidationError) as exc:
        transfer_apply(
            actor=world.secretary_a,
            kind=TransferKind.INTERNAL,
            scope="within_committee",
            member=world.member_a,
            to_org=world.branch_a,
            reason="调动",
        )
    assert exc.value.message_dict == {"to_org": ["转入党支部与所在党支部相同。"]}


def test_an_expired_letter_cannot_be_accepted(world: World) -> None:
    import time_machine

    transfer = transfer_approve_out(
        transfer=_a_to_b(world, valid_until=datetime.date.today() + datetime.timedelta(days=3)), actor=world.secretary_a
    )
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=5)
    with time_machine.travel(later), pytest.raises(ValidationError) as exc:
        transfer_accept(transfer=transfer, actor=world.secretary_b)
    assert "已于" in exc.value.message_dict["valid_until"][0] and "过期" in exc.value.message_dict["valid_until"][0]


def test_each_side_sees_only_transfers_touching_its_scope(world: World) -> None:
    a_to_b = _a_to_b(world)
    a_to_c = transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.INTERNAL,
        scope="within_province",
        member=world.member_a,
        to_org=world.branch_c,
        reason="调动",
    )
    assert set(visible_transfers(world.secretary_b)) == {a_to_b}
    assert set(visible_transfers(world.secretary_a)) == {a_to_b, a_to_c}
    assert set(visible_transfers(world.member_a_user)) == set()


def test_a_transfer_from_outside_with_a_bad_id_number_is_refused_at_once(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        transfer_apply(
            actor=world.secretary_b,
            kind=TransferKind.IN,
            scope="nationwide",
            to_org=world.branch_b,
            from_name="外省某支部",
            reason="调入",
            incoming={"name": "某", "id_number": "110101198803080001", "joined_on": datetime.date(2012, 7, 1)},
        )
    assert exc.value.message_dict["incoming.id_number"] == ["公民身份号码校验位不正确，请核对。"]


def test_a_letter_from_outside_is_checked_by_the_roster_rules_when_recorded(world: World) -> None:
    number = make_id_number("110101", datetime.date(1988, 3, 8), 21)
    with pytest.raises(ValidationError) as exc:
        transfer_apply(
            actor=world.secretary_b,
            kind=TransferKind.IN,
            scope="nationwide",
            to_org=world.branch_b,
            from_name="外省某支部",
            reason="调入",
            incoming={"name": "某", "id_number": number, "joined_on": datetime.date(2012, 7, 1), "phone": "12345"},
        )
    errors = exc.value.message_dict
    assert errors["incoming.confirmed_on"] == ["正式党员必须填写转正日期。"]
    assert "incoming.phone" in errors
    assert not Transfer.objects.exists()


def test_a_transfer_waiting_more_than_7_days_is_notified_to_the_side_that_must_act(world: World) -> None:
    import time_machine

    from members.services import transfer_reminders_run
    from partybuild.notifications.models import Notification

    with time_machine.travel(datetime.datetime(2026, 11, 1, 2, tzinfo=datetime.UTC)):
        transfer_approve_out(transfer=_a_to_b(world), actor=world.secretary_a)  # now waiting on B
    assert transfer_reminders_run(datetime.date(2026, 11, 8))["waiting"] == 0  # 7 days: not yet
    result = transfer_reminders_run(datetime.date(2026, 11, 10))
    assert result["waiting"] == 1
    assert list(Notification.objects.filter(recipient=world.secretary_b).values_list("title", flat=True)) == [
        "李同志的组织关系转接已等待接收9天（第二党支部）"
    ]
    assert not Notification.objects.filter(recipient=world.secretary_a).exists()
    assert transfer_reminders_run(datetime.date(2026, 11, 10))["notifications"] == 0
