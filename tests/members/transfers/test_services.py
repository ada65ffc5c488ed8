"""组织关系转接 through every state, seen and acted on from each side's scope."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from branches.models import Position, PositionTitle
from branches.services import position_assign
from members.development.selectors import get_development_record_for_user
from members.roster.choices import MemberState
from members.roster.models import Member
from members.roster.services import member_change_state, member_create
from members.roster.validators import make_id_number
from members.transfers.application_services import transfer_apply
from members.transfers.models import Transfer, TransferKind, TransferStatus
from members.transfers.reminders import transfer_reminders_run
from members.transfers.selectors import get_transfer_for_user, transfer_sides, visible_transfers
from members.transfers.sides import waiting_on
from members.transfers.step_services import (
    transfer_accept,
    transfer_approve_out,
    transfer_resume,
    transfer_return,
    transfer_suspend,
)
from partybuild.notifications.models import Notification
from tests.conftest import World

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment, Beijing time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def _reasons(member: Member) -> list[str]:
    # By id: the tests travel in time, the world's rows are dated today.
    return list(member.history.order_by("history_id").values_list("history_change_reason", flat=True))


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
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
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
    with time_machine.travel(at(2026, 11, 1), tick=False):
        transfer = transfer_approve_out(
            transfer=_a_to_b(world, valid_until=timezone.localdate() + datetime.timedelta(days=3)), actor=world.secretary_a
        )
    with time_machine.travel(at(2026, 11, 6), tick=False), pytest.raises(ValidationError) as exc:
        transfer_accept(transfer=transfer, actor=world.secretary_b)
    assert exc.value.message_dict == {"valid_until": ["介绍信已于2026-11-04过期，请退回并重新开具。"]}
    assert Member.objects.get(pk=world.member_a2.pk).branch == world.branch_a


@pytest.mark.parametrize(("accepted_at", "accepted"), [(at(2026, 11, 20, 23, 50), True), (at(2026, 11, 21, 0, 10), False)])
def test_a_letter_is_valid_through_its_last_day_in_beijing_time(
    world: World, accepted_at: datetime.datetime, accepted: bool
) -> None:
    """介绍信有效期至 2026-11-20: accepted that day (Beijing time), refused from the next. Ten past
    midnight in Beijing is still the 20th in UTC: the services count days in local time."""
    with time_machine.travel(at(2026, 11, 20, 9), tick=False):
        transfer = transfer_approve_out(transfer=_a_to_b(world, valid_until=timezone.localdate()), actor=world.secretary_a)
    assert transfer.valid_until == datetime.date(2026, 11, 20)
    with time_machine.travel(accepted_at, tick=False):
        if accepted:
            assert transfer_accept(transfer=transfer, actor=world.secretary_b).status == TransferStatus.ACCEPTED
            return
        with pytest.raises(ValidationError) as exc:
            transfer_accept(transfer=transfer, actor=world.secretary_b)
    assert exc.value.message_dict == {"valid_until": ["介绍信已于2026-11-20过期，请退回并重新开具。"]}
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.OUT_APPROVED


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

    from members.transfers.reminders import transfer_reminders_run
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


def test_the_reminder_counts_more_than_7_whole_days(world: World) -> None:
    """Waiting since 1 November: on the 8th (7 days) not yet; on the 9th (8 days) reminded."""
    with time_machine.travel(at(2026, 11, 1, 23, 30), tick=False):
        transfer_approve_out(transfer=_a_to_b(world), actor=world.secretary_a)
    assert transfer_reminders_run(datetime.date(2026, 11, 8)) == {"waiting": 0, "notifications": 0}
    assert transfer_reminders_run(datetime.date(2026, 11, 9))["waiting"] == 1
    assert list(Notification.objects.filter(recipient=world.secretary_b).values_list("title", flat=True)) == [
        "李同志的组织关系转接已等待接收8天（第二党支部）"
    ]


def test_a_transfer_suspended_and_resumed_is_reminded_again_after_7_more_days(world: World) -> None:
    with time_machine.travel(at(2026, 11, 1), tick=False):
        transfer = transfer_approve_out(transfer=_a_to_b(world), actor=world.secretary_a)

    def reminded() -> int:
        return Notification.objects.filter(recipient=world.secretary_b).count()

    assert transfer_reminders_run(datetime.date(2026, 11, 10))["waiting"] == 1
    assert reminded() == 1
    with time_machine.travel(at(2026, 11, 11), tick=False):
        transfer = transfer_suspend(transfer=transfer, actor=world.secretary_b, reason="党费未交清")
    assert transfer_reminders_run(datetime.date(2026, 11, 12)) == {"waiting": 0, "notifications": 0}
    with time_machine.travel(at(2026, 11, 13), tick=False):
        transfer_resume(transfer=transfer, actor=world.secretary_b)  # waiting on B again, from the 13th
    assert transfer_reminders_run(datetime.date(2026, 11, 20)) == {"waiting": 0, "notifications": 0}  # 7 days
    assert transfer_reminders_run(datetime.date(2026, 11, 21))["waiting"] == 1  # 8 days
    assert reminded() == 2
    assert transfer_reminders_run(datetime.date(2026, 11, 21)) == {"waiting": 1, "notifications": 0}  # the same day
    assert reminded() == 2
    assert list(Notification.objects.filter(recipient=world.secretary_b).order_by("pk").values_list("title", flat=True)) == [
        "李同志的组织关系转接已等待接收9天（第二党支部）",
        "李同志的组织关系转接已等待接收8天（第二党支部）",
    ]
    assert not Notification.objects.filter(recipient=world.secretary_a).exists()


# --- the scope ------------------------------------------------------------------------------------


def test_within_the_committee_only_between_branches_of_the_same_committee(world: World) -> None:
    """A and B are under 机关党委; C is under 直属党总支, directly under the 工委."""
    with pytest.raises(ValidationError) as exc:
        transfer_apply(
            actor=world.secretary_a,
            kind=TransferKind.INTERNAL,
            scope="within_committee",
            member=world.member_a,
            to_org=world.branch_c,
            reason="调动",
        )
    assert exc.value.message_dict == {"scope": ["测试局第一党支部与测试直属党支部不属于同一党委，转接范围不能选“本党委内”。"]}
    assert not Transfer.objects.exists()
    to_c = transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.INTERNAL,
        scope="within_province",
        member=world.member_a,
        to_org=world.branch_c,
        reason="调动",
    )
    assert to_c.get_scope_display() == "省（系统）内"


@pytest.mark.parametrize(("to", "scope"), [("branch_b", "本党委内"), ("branch_c", "省（系统）内")])
def test_an_internal_transfer_without_a_scope_takes_it_from_the_two_branches(world: World, to: str, scope: str) -> None:
    transfer = transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.INTERNAL,
        scope="",
        member=world.member_a2,
        to_org=getattr(world, to),
        reason="调动",
    )
    assert transfer.get_scope_display() == scope
    # Out of the portal, the scope is still the user's to say.
    with pytest.raises(ValidationError) as exc:
        transfer_apply(
            actor=world.secretary_a, kind=TransferKind.OUT, scope="", member=world.member_a, to_name="外省", reason="迁居"
        )
    assert exc.value.message_dict == {"scope": ["请选择转接范围。"]}


# --- what an internal transfer takes along --------------------------------------------------------


def test_accepted_the_positions_in_the_old_branch_end_and_those_above_stay(world: World) -> None:
    started = datetime.date(2025, 1, 1)
    with time_machine.travel(at(2026, 11, 1), tick=False):
        leader = position_assign(org=world.group_a1, member=world.member_a, title=PositionTitle.GROUP_LEADER, started_on=started)
        organizer = position_assign(
            org=world.branch_a, member=world.member_a, title=PositionTitle.ORGANIZATION, started_on=started
        )
        above = position_assign(org=world.committee, member=world.member_a, title=PositionTitle.MEMBER, started_on=started)
    with time_machine.travel(at(2026, 11, 2), tick=False):
        transfer = transfer_approve_out(
            transfer=transfer_apply(
                actor=world.secretary_a,
                kind=TransferKind.INTERNAL,
                scope="within_committee",
                member=world.member_a,
                to_org=world.branch_b,
                reason="工作调动",
            ),
            actor=world.secretary_a,
        )
    with time_machine.travel(at(2026, 11, 5), tick=False):
        transfer_accept(transfer=transfer, actor=world.secretary_b)
    ended = {p.pk: (p.ended_on, p.end_reason) for p in Position.objects.filter(pk__in=[leader.pk, organizer.pk, above.pk])}
    assert ended == {
        leader.pk: (datetime.date(2026, 11, 5), "组织关系转出"),
        organizer.pk: (datetime.date(2026, 11, 5), "组织关系转出"),
        above.pk: (None, ""),  # the 机关党委 covers branch B too
    }
    assert Position.history.filter(id=organizer.pk).latest().history_user == world.secretary_b


def test_a_probationary_members_development_record_goes_with_them(
    world: World, as_secretary_a: Client, as_secretary_b: Client
) -> None:
    from members.development.reminders import development_reminders_run
    from tests.members.development.test_services import to_probationary

    with time_machine.travel(at(2026, 11, 20), tick=False):
        record = to_probationary(world, voted_on=datetime.date(2025, 12, 1))
        member = record.member
        assert (member.member_type, member.branch) == ("probationary", world.branch_a)
        transfer = transfer_apply(
            actor=world.secretary_a,
            kind=TransferKind.INTERNAL,
            scope="",
            member=member,
            to_org=world.branch_b,
            reason="工作调动",
        )
        transfer_accept(transfer=transfer_approve_out(transfer=transfer, actor=world.secretary_a), actor=world.secretary_b)
    record.refresh_from_db()
    assert record.branch == world.branch_b
    latest = record.history.latest()
    assert (latest.history_change_reason, latest.history_user) == (
        "组织关系转接：从测试局第一党支部转入测试局第二党支部",
        world.secretary_b,
    )
    # The new branch keeps the record (and records the 转正); the old one no longer sees it.
    assert get_development_record_for_user(world.secretary_b, record.pk, write=True) == record
    with pytest.raises(Http404):
        get_development_record_for_user(world.secretary_a, record.pk)
    assert as_secretary_b.get(reverse("development:detail", args=[record.pk])).status_code == 200
    assert as_secretary_a.get(reverse("development:detail", args=[record.pk])).status_code == 404
    # The 预备期 ends on 2026-12-01: the reminder goes to the new branch.
    with time_machine.travel(at(2026, 11, 20), tick=False):
        assert development_reminders_run()["notifications"] > 0
    assert Notification.objects.filter(recipient=world.secretary_b, title__contains="预备期").exists()
    assert not Notification.objects.filter(recipient=world.secretary_a).exists()


def test_a_probationary_member_transferred_out_of_the_portal_ends_the_record_here(world: World, as_secretary_a: Client) -> None:
    from members.development.models import DevelopmentStage
    from members.development.reminders import development_reminders_run
    from members.development.selectors import development_deadlines, development_pipeline
    from tests.members.development.test_services import to_probationary

    with time_machine.travel(at(2026, 11, 20), tick=False):
        record = to_probationary(world, voted_on=datetime.date(2025, 12, 1))
        transfer = transfer_apply(
            actor=world.secretary_a,
            kind=TransferKind.OUT,
            scope="nationwide",
            member=record.member,
            to_name="外省某厅机关党委",
            reason="调往外省工作",
        )
        transfer_approve_out(transfer=transfer, actor=world.secretary_a)
        record.refresh_from_db()
        assert (record.stage, record.ended_on, record.end_reason) == (
            DevelopmentStage.TRANSFERRED_OUT,
            datetime.date(2026, 11, 20),
            "组织关系转出至外省某厅机关党委",
        )
        # Out of the branch's pipeline and reminders (the 预备期 would end on 2026-12-01).
        orgs = world.branch_a.__class__.objects.filter(pk=world.branch_a.pk)
        assert development_pipeline(orgs).total == 0
        assert development_deadlines(orgs, datetime.date(2026, 11, 20)) == []
        assert development_reminders_run()["notifications"] == 0
    page = as_secretary_a.get(reverse("development:detail", args=[record.pk])).content.decode()
    assert "组织关系已转出" in page and "发展党员记录在本系统结束（组织关系转出）" in page


# --- leaving the party closes the transfer ---------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "state", "label"),
    [("applied", "expelled", "出党"), ("out_approved", "deceased", "去世"), ("suspended", "deceased", "去世")],
)
def test_a_member_who_dies_or_leaves_the_party_has_their_open_transfer_ended(
    world: World, step: str, state: str, label: str
) -> None:
    transfer = _a_to_b(world)
    if step != "applied":
        transfer = transfer_approve_out(transfer=transfer, actor=world.secretary_a)
    if step == "suspended":
        transfer = transfer_suspend(transfer=transfer, actor=world.secretary_b, reason="党费未交清")
    member_change_state(member=world.member_a2, state=state, on=timezone.localdate(), reason="办理", actor=world.secretary_a)
    transfer.refresh_from_db()
    assert (transfer.status, transfer.status_reason) == (TransferStatus.RETURNED, f"党员已{label}，转接终止")
    latest = transfer.history.latest()
    assert (latest.history_change_reason, latest.history_user) == (f"退回：党员已{label}，转接终止", world.secretary_a)
    assert waiting_on(transfer) == ""
    with pytest.raises(ValidationError):
        transfer_accept(transfer=transfer, actor=world.secretary_b)


def test_a_closed_transfer_is_left_as_it_was_when_the_member_dies(world: World) -> None:
    done = transfer_accept(
        transfer=transfer_approve_out(transfer=_a_to_b(world), actor=world.secretary_a), actor=world.secretary_b
    )
    member_change_state(member=world.member_a2, state="deceased", on=timezone.localdate(), reason="病故")
    done.refresh_from_db()
    assert done.status == TransferStatus.ACCEPTED


@pytest.mark.parametrize("entry", ["state form", "API"])
def test_the_state_form_and_the_api_end_the_open_transfer_of_a_member_who_leaves_the_party(
    world: World, as_secretary_a: Client, entry: str
) -> None:
    """The state form and the API call the roster's state change, whose signal ends the transfer."""
    transfer = _a_to_b(world)
    data = {"state": "expelled", "on": timezone.localdate().isoformat(), "reason": "办理"}
    if entry == "state form":
        response = as_secretary_a.post(reverse("members:state", args=[world.member_a2.pk]), data)
        assert response.status_code == 302
    else:
        response = as_secretary_a.post(
            f"/api/v1/members/{world.member_a2.pk}/change-state/", data, content_type="application/json"
        )
        assert response.status_code == 200, response.json()
    transfer.refresh_from_db()
    assert (transfer.status, transfer.status_reason) == (TransferStatus.RETURNED, "党员已出党，转接终止")


# --- out of the portal, and back -----------------------------------------------------------------


def _out(world: World, member: Member) -> Transfer:
    return transfer_approve_out(
        transfer=transfer_apply(
            actor=world.secretary_a,
            kind=TransferKind.OUT,
            scope="nationwide",
            member=member,
            to_name="中共某省某县委组织部",
            reason="随配偶迁居外省",
        ),
        actor=world.secretary_a,
    )


def _back(world: World, member: Member, **facts: object) -> Transfer:
    return transfer_apply(
        actor=world.secretary_b,
        kind=TransferKind.IN,
        scope="nationwide",
        to_org=world.branch_b,
        from_name="中共某省某县委组织部",
        reason="调回本市工作",
        incoming={
            "name": member.name,
            "id_number": member.id_number,
            "joined_on": member.joined_on,
            "confirmed_on": member.confirmed_on,
            **facts,
        },
    )


def test_a_member_who_left_the_portal_comes_back_to_the_same_record(world: World, as_secretary_b: Client) -> None:
    member = world.member_a  # in 第一党小组 of branch A
    with time_machine.travel(at(2026, 3, 2), tick=False):
        out = _out(world, member)
    member.refresh_from_db()
    assert (member.state, member.state_changed_on) == (MemberState.TRANSFERRED_OUT, datetime.date(2026, 3, 2))
    with time_machine.travel(at(2026, 11, 16), tick=False):
        back = _back(world, member, phone="13900001111", work_unit_position="市发改委 科员")
        assert (back.status, back.member) == (TransferStatus.OUT_APPROVED, None)
    with time_machine.travel(at(2026, 11, 18), tick=False):
        back = transfer_accept(transfer=back, actor=world.secretary_b)
    # The same record, not a second one.
    assert back.member_id == member.pk
    assert Member.objects.filter(id_number=member.id_number).count() == 1
    member.refresh_from_db()
    assert (member.state, member.state_changed_on, member.branch, member.group) == (
        MemberState.NORMAL,
        datetime.date(2026, 11, 18),
        world.branch_b,
        None,
    )
    assert (member.phone, member.work_unit_position, member.state_reason) == (
        "13900001111",
        "市发改委 科员",
        "从中共某省某县委组织部转回：调回本市工作",
    )
    # Its history keeps both ways, by whom.
    assert _reasons(member)[-3:] == [
        "状态变更为已转出：组织关系转出至中共某省某县委组织部：随配偶迁居外省",
        "状态变更为正常：从中共某省某县委组织部转回：调回本市工作",
        "从中共某省某县委组织部转回",
    ]
    assert member.history.order_by("-history_id").first().history_user == world.secretary_b
    assert [t.status for t in Transfer.objects.filter(member=member).order_by("pk")] == [
        TransferStatus.COMPLETED,
        TransferStatus.ACCEPTED,
    ]
    # The record page (branch B's secretary manages the member now) shows both on its timeline.
    response = as_secretary_b.get(reverse("members:detail", args=[member.pk]))
    assert response.status_code == 200
    steps = [(t.on, t.title) for t in response.context["timeline"] if t.category in ("transfer", "state")]
    assert steps == [
        (datetime.date(2026, 3, 2), "申请组织关系转接（转出系统外）"),
        (datetime.date(2026, 3, 2), "组织关系转出系统"),
        (datetime.date(2026, 11, 16), "申请组织关系转接（从系统外转入）"),
        (datetime.date(2026, 11, 16), "转出方审核同意"),  # the letter from outside
        (datetime.date(2026, 11, 18), "接收转入，列入党员花名册"),
        (datetime.date(2026, 11, 18), "恢复正常状态"),
    ]
    came_back = response.context["timeline"][-1] if response.context["timeline"][-1].title == "恢复正常状态" else None
    came_back = came_back or next(t for t in response.context["timeline"] if t.title == "恢复正常状态")
    assert came_back.facts == [("原状态", "已转出"), ("原因", "从中共某省某县委组织部转回：调回本市工作")]
    assert out.pk != back.pk


def test_a_letter_for_a_number_on_the_roster_or_of_a_member_who_left_the_party_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        _back(world, world.member_a)
    assert exc.value.message_dict == {"incoming.id_number": ["该公民身份号码已在花名册中，请使用系统内转接。"]}
    for state, message in (
        (MemberState.EXPELLED, "该公民身份号码的党员已出党，不能办理转入。"),
        (MemberState.DECEASED, "该公民身份号码的党员已去世，不能办理转入。"),
    ):
        member = Member.objects.get(pk=world.member_a2.pk)
        Member.objects.filter(pk=member.pk).update(state=state)
        with pytest.raises(ValidationError) as exc:
            _back(world, member)
        assert exc.value.message_dict == {"incoming.id_number": [message]}
    assert not Transfer.objects.exists()


def test_one_open_letter_per_person_coming_back(world: World) -> None:
    _out(world, world.member_a2)
    member = Member.objects.get(pk=world.member_a2.pk)
    _back(world, member)
    with pytest.raises(ValidationError) as exc:
        _back(world, member)
    assert exc.value.message_dict == {"incoming.id_number": ["该公民身份号码已有一条正在办理的组织关系转接。"]}


def test_a_number_put_on_the_roster_after_the_letter_was_recorded_is_refused_at_acceptance(world: World) -> None:
    number = make_id_number("110101", datetime.date(1988, 3, 8), 21)
    letter = transfer_apply(
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
    )
    member_create(
        name="钱转入",
        id_number=number,
        branch=world.branch_b,
        joined_on=datetime.date(2012, 7, 1),
        confirmed_on=datetime.date(2013, 7, 1),
    )
    with pytest.raises(ValidationError) as exc:
        transfer_accept(transfer=letter, actor=world.secretary_b)
    assert exc.value.message_dict == {"incoming.id_number": ["该公民身份号码已在花名册中，请使用系统内转接。"]}
    letter.refresh_from_db()
    assert (letter.status, letter.member) == (TransferStatus.OUT_APPROVED, None)


def test_a_secretary_who_transfers_away_loses_the_old_branchs_scope(world: World) -> None:
    """The login of a 支部书记 who moves to branch B keeps its 党员 role but no longer sees branch A."""
    from members.roster.selectors import visible_members
    from partybuild.accounts.access import forget_scope, scope_for
    from partybuild.accounts.models import Role, RoleAssignment

    user = world.secretary_a
    Member.objects.filter(pk=world.member_a2.pk).update(user=user)
    RoleAssignment.objects.create(user=user, role=Role.MEMBER, organization=world.branch_a)
    forget_scope(user)
    assert scope_for(user).covers_path(world.branch_a.path)
    transfer = transfer_approve_out(transfer=_a_to_b(world), actor=world.secretary_a)
    transfer_accept(transfer=transfer, actor=world.secretary_b)

    forget_scope(user)
    scope = scope_for(user)
    assert not scope.sees_orgs and scope.own_member_id == world.member_a2.pk
    assert list(visible_members(user)) == [Member.objects.get(pk=world.member_a2.pk)]
    revoked = RoleAssignment.objects.get(user=user, role=Role.SECRETARY)
    assert revoked.revoked_at is not None  # kept, not deleted
    assert revoked.history.first().history_change_reason == "组织关系转出测试局第一党支部"


def test_a_member_who_leaves_the_party_loses_the_secretary_and_staff_roles(world: World) -> None:
    from members.roster.services import member_change_state
    from partybuild.accounts.access import forget_scope, scope_for
    from partybuild.accounts.models import Role, RoleAssignment

    user = world.secretary_a
    Member.objects.filter(pk=world.member_a2.pk).update(user=user)
    RoleAssignment.objects.create(user=user, role=Role.STAFF, organization=world.committee)
    member_change_state(
        member=Member.objects.get(pk=world.member_a2.pk),
        state=MemberState.EXPELLED,
        on=datetime.date(2026, 11, 1),
        reason="严重违纪",
        actor=world.staff,
    )
    forget_scope(user)
    assert not scope_for(user).sees_orgs
    assert set(RoleAssignment.objects.filter(user=user, revoked_at__isnull=False).values_list("role", flat=True)) == {
        Role.SECRETARY,
        Role.STAFF,
    }


def test_a_member_moved_to_another_branch_while_the_transfer_is_open_stops_it(world: World) -> None:
    from members.roster.services import member_update

    transfer = _a_to_b(world)
    moved = member_update(member=world.member_a2, actor=world.staff, reason="调整支部", branch=world.branch_c, group=None)
    message = {"member": [f"{moved.name}所在党支部已变更，不再是测试局第一党支部，请退回后重新申请转接。"]}
    with pytest.raises(ValidationError) as exc:
        transfer_approve_out(transfer=transfer, actor=world.secretary_a)
    assert exc.value.message_dict == message
    Transfer.objects.filter(pk=transfer.pk).update(status=TransferStatus.OUT_APPROVED)  # approved before the move
    with pytest.raises(ValidationError) as exc:
        transfer_accept(transfer=transfer, actor=world.secretary_b)
    assert exc.value.message_dict == message
    assert Member.objects.get(pk=moved.pk).branch == world.branch_c  # nothing moved
    assert transfer_return(transfer=transfer, actor=world.secretary_b, reason="所在支部已变更").status == TransferStatus.RETURNED
