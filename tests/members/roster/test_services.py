"""State changes and the history they leave."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from members.roster.choices import MemberState
from members.roster.services import member_change_state, member_create, member_update
from tests.conftest import World
from tests.factories import valid_id_number

DAY = datetime.date(2025, 3, 1)


def _reasons(member) -> list[str]:
    return list(member.history.order_by("history_date", "history_id").values_list("history_change_reason", flat=True))


def test_mobile_member_gets_destination_date_and_reason(world: World) -> None:
    member = member_change_state(
        member=world.member_a2,
        state=MemberState.MOBILE,
        on=DAY,
        reason="外出务工",
        destination="深圳市南山区",
        actor=world.secretary_a,
    )
    member.refresh_from_db()
    assert member.state == MemberState.MOBILE
    assert member.mobile_destination == "深圳市南山区"
    assert member.state_changed_on == DAY
    assert member.state_reason == "外出务工"


def test_mobile_without_destination_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        member_change_state(member=world.member_a2, state=MemberState.MOBILE, on=DAY, reason="外出", destination=" ")
    assert exc.value.message_dict["destination"] == ["流动党员须填写流入地。"]
    world.member_a2.refresh_from_db()
    assert world.member_a2.state == MemberState.NORMAL


def test_lost_contact_records_the_date_and_back_to_normal_clears_it(world: World) -> None:
    member = member_change_state(member=world.member_a2, state=MemberState.LOST, on=DAY, reason="多次联系未果")
    assert member.lost_on == DAY
    member = member_change_state(
        member=member, state=MemberState.NORMAL, on=DAY + datetime.timedelta(days=30), reason="已恢复联系"
    )
    member.refresh_from_db()
    assert member.state == MemberState.NORMAL
    assert member.lost_on is None


@pytest.mark.parametrize("ended", [MemberState.TRANSFERRED_OUT, MemberState.EXPELLED, MemberState.DECEASED])
def test_ended_membership_cannot_change_again(world: World, ended: str) -> None:
    # 已转出 only by a transfer (转出系统外); back from it only by a transfer from outside.
    by_transfer = ended == MemberState.TRANSFERRED_OUT
    member = member_change_state(member=world.member_a2, state=ended, on=DAY, reason="办理", by_transfer=by_transfer)
    assert not member.is_on_roster
    with pytest.raises(ValidationError) as exc:
        member_change_state(member=member, state=MemberState.NORMAL, on=DAY, reason="恢复")
    assert "不能直接变更为" in exc.value.message_dict["state"][0]


@pytest.mark.parametrize("state", [MemberState.NORMAL, MemberState.MOBILE, MemberState.LOST, MemberState.SUSPENDED])
def test_transferred_out_is_not_a_state_to_set_by_hand(world: World, state: str) -> None:
    member = world.member_a2
    if state != MemberState.NORMAL:
        member = member_change_state(member=member, state=state, on=DAY, reason="办理", destination="深圳市")
    with pytest.raises(ValidationError) as exc:
        member_change_state(member=member, state=MemberState.TRANSFERRED_OUT, on=DAY, reason="调往外省")
    assert exc.value.message_dict == {"state": ["转出须通过组织关系转接（转出系统外）办理，不能直接变更为“已转出”。"]}
    member.refresh_from_db()
    assert member.state == state


def test_a_transfer_sets_transferred_out_and_nothing_else(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        member_change_state(member=world.member_a2, state=MemberState.DECEASED, on=DAY, reason="病故", by_transfer=True)
    assert exc.value.message_dict == {"state": ["“正常”的党员不能直接变更为“去世”。"]}
    member = member_change_state(
        member=world.member_a2, state=MemberState.TRANSFERRED_OUT, on=DAY, reason="转出", by_transfer=True
    )
    assert member.state == MemberState.TRANSFERRED_OUT


@pytest.mark.parametrize(("offset", "accepted"), [(-1, False), (0, True), (1, True)])
def test_a_state_change_may_not_be_dated_before_the_last_one(world: World, offset: int, accepted: bool) -> None:
    member = member_change_state(
        member=world.member_a2, state=MemberState.MOBILE, on=DAY, reason="外出务工", destination="深圳市"
    )
    on = DAY + datetime.timedelta(days=offset)
    if not accepted:
        with pytest.raises(ValidationError) as exc:
            member_change_state(member=member, state=MemberState.NORMAL, on=on, reason="返回")
        assert exc.value.message_dict == {"on": ["变更日期不能早于上次状态变更日期（2025年3月1日）。"]}
        member.refresh_from_db()
        assert (member.state, member.state_changed_on) == (MemberState.MOBILE, DAY)
        assert _reasons(member)[-1] == "状态变更为流动党员：外出务工"
        return
    member = member_change_state(member=member, state=MemberState.NORMAL, on=on, reason="返回")
    member.refresh_from_db()
    assert (member.state, member.state_changed_on) == (MemberState.NORMAL, on)


def test_suspended_member_cannot_become_mobile_directly(world: World) -> None:
    member = member_change_state(member=world.member_a2, state=MemberState.SUSPENDED, on=DAY, reason="停止党籍")
    with pytest.raises(ValidationError) as exc:
        member_change_state(member=member, state=MemberState.MOBILE, on=DAY, reason="外出", destination="上海")
    assert exc.value.message_dict["state"] == ["“停止党籍”的党员不能直接变更为“流动党员”。"]


def test_same_state_missing_reason_and_early_date_are_refused_together(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        member_change_state(member=world.member_a2, state=MemberState.NORMAL, on=datetime.date(2000, 1, 1), reason=" ")
    errors = exc.value.message_dict
    assert errors["state"] == ["新状态与当前状态相同。"]
    assert errors["reason"] == ["请填写变更原因。"]
    assert errors["on"] == ["变更日期不能早于入党日期。"]


def test_history_keeps_every_change_with_who_and_why(world: World) -> None:
    member = member_create(
        name="历史党员",
        id_number=valid_id_number(datetime.date(1992, 2, 2)),
        branch=world.branch_a,
        joined_on=datetime.date(2016, 7, 1),
        confirmed_on=datetime.date(2017, 7, 1),
        actor=world.secretary_a,
    )
    member_update(member=member, phone="13800000000", reason="本人申请更新手机号", actor=world.secretary_a)
    member_change_state(member=member, state=MemberState.MOBILE, on=DAY, reason="借调", destination="省发改委", actor=world.staff)
    assert _reasons(member) == ["新增党员", "本人申请更新手机号", "状态变更为流动党员：借调"]
    latest = member.history.latest()
    assert latest.history_user == world.staff
    assert latest.state == MemberState.MOBILE
    assert latest.prev_record.phone == "13800000000"


def test_a_long_reason_is_kept_whole_in_the_history(world: World) -> None:
    """The state's reason holds 200 characters; its history row repeats it behind a prefix (a
    text column: PostgreSQL would refuse more than the library's default 100)."""
    reason = "因工作需要长期外派" * 22  # 198 characters
    member = member_change_state(
        member=world.member_a, state=MemberState.MOBILE, on=datetime.date(2026, 3, 1), reason=reason, destination="深圳市"
    )
    assert member.history.first().history_change_reason == f"状态变更为流动党员：{reason}"
