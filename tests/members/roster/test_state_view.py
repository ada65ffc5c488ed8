"""Changing a member's state: the only way a member leaves the roster."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from members.roster.choices import MemberState
from members.roster.models import Member
from tests.conftest import World


def url(member) -> str:
    return reverse("members:state", args=[member.pk])


def test_state_form_offers_only_allowed_transitions(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(url(world.member_a2))
    assert response.status_code == 200
    offered = {value for value, _ in response.context["form"].fields["state"].choices if value}
    assert offered == {"mobile", "lost", "suspended", "expelled", "deceased"}
    # 转出 goes through the transfer pages: the page says so and links there.
    html = response.content.decode()
    assert "已转出" not in html
    assert f"{reverse('transfers:new')}?member={world.member_a2.pk}&amp;kind=out" in html


def test_member_cannot_change_own_state(world: World, as_member_a: Client) -> None:
    assert as_member_a.get(url(world.member_a)).status_code == 403
    response = as_member_a.post(url(world.member_a), {"state": "deceased", "on": "2025-01-01", "reason": "x"})
    assert response.status_code == 403
    world.member_a.refresh_from_db()
    assert world.member_a.state == MemberState.NORMAL


def test_other_branch_secretary_gets_404(world: World, as_secretary_b: Client) -> None:
    response = as_secretary_b.post(
        url(world.member_a), {"state": "mobile", "on": "2025-01-01", "reason": "x", "destination": "y"}
    )
    assert response.status_code == 404
    world.member_a.refresh_from_db()
    assert world.member_a.state == MemberState.NORMAL


def test_state_wrong_method(world: World, as_secretary_a: Client) -> None:
    assert as_secretary_a.put(url(world.member_a)).status_code == 405


def test_becoming_mobile_records_destination_and_reason(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(
        url(world.member_a2), {"state": "mobile", "on": "2025-04-01", "reason": "外出务工", "destination": "深圳市南山区"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[world.member_a2.pk])
    world.member_a2.refresh_from_db()
    assert world.member_a2.state == MemberState.MOBILE
    assert world.member_a2.mobile_destination == "深圳市南山区"
    assert world.member_a2.state_changed_on == datetime.date(2025, 4, 1)
    latest = world.member_a2.history.latest()
    assert latest.history_change_reason == "状态变更为流动党员：外出务工"
    assert latest.history_user == world.secretary_a


def test_mobile_without_destination_is_refused_next_to_the_field(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(url(world.member_a2), {"state": "mobile", "on": "2025-04-01", "reason": "外出务工"})
    assert response.status_code == 200
    assert response.context["form"].errors["destination"] == ["流动党员须填写流入地。"]
    assert 'value="2025-04-01"' in response.content.decode()
    world.member_a2.refresh_from_db()
    assert world.member_a2.state == MemberState.NORMAL


def test_date_before_joining_comes_back_from_the_service_next_to_the_date(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(url(world.member_a2), {"state": "lost", "on": "2001-01-01", "reason": "失联"})
    assert response.context["form"].errors["on"] == ["变更日期不能早于入党日期。"]
    world.member_a2.refresh_from_db()
    assert world.member_a2.state == MemberState.NORMAL


def test_future_date_and_missing_reason_are_refused(world: World, as_secretary_a: Client) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = as_secretary_a.post(url(world.member_a2), {"state": "lost", "on": tomorrow.isoformat(), "reason": ""})
    errors = response.context["form"].errors
    assert errors["on"] == ["变更日期不能晚于今天。"]
    assert "reason" in errors


def test_transfer_out_cannot_be_chosen_on_the_state_form(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(url(world.member_a2), {"state": "transferred_out", "on": "2025-06-30", "reason": "调往外省"})
    assert response.status_code == 200
    assert response.context["form"].errors["state"] == ["请从列表中选择新状态；转出须通过组织关系转接办理。"]
    world.member_a2.refresh_from_db()
    assert world.member_a2.state == MemberState.NORMAL


def test_leaving_the_party_takes_the_member_off_the_roster_but_keeps_the_record(world: World, as_secretary_a: Client) -> None:
    as_secretary_a.post(url(world.member_a2), {"state": "expelled", "on": "2025-06-30", "reason": "受到开除党籍处分"})
    world.member_a2.refresh_from_db()
    assert world.member_a2.state == MemberState.EXPELLED
    assert Member.objects.filter(pk=world.member_a2.pk).exists()
    listed = {m.name for m in as_secretary_a.get(reverse("members:list")).context["page"].object_list}
    assert "李同志" not in listed
    detail = as_secretary_a.get(reverse("members:detail", args=[world.member_a2.pk]))
    assert detail.status_code == 200
    assert "受到开除党籍处分" in detail.content.decode()


def test_a_date_before_the_last_state_change_is_refused_next_to_the_date(world: World, as_secretary_a: Client) -> None:
    as_secretary_a.post(url(world.member_a2), {"state": "lost", "on": "2025-04-01", "reason": "失联"})
    response = as_secretary_a.post(url(world.member_a2), {"state": "normal", "on": "2025-03-31", "reason": "恢复联系"})
    assert response.context["form"].errors["on"] == ["变更日期不能早于上次状态变更日期（2025年4月1日）。"]
    world.member_a2.refresh_from_db()
    assert world.member_a2.state == MemberState.LOST
    response = as_secretary_a.post(url(world.member_a2), {"state": "normal", "on": "2025-04-01", "reason": "恢复联系"})
    assert response.status_code == 302
    world.member_a2.refresh_from_db()
    assert (world.member_a2.state, world.member_a2.state_changed_on) == (MemberState.NORMAL, datetime.date(2025, 4, 1))


def test_ended_member_cannot_change_state_again(world: World, as_secretary_a: Client) -> None:
    as_secretary_a.post(url(world.member_a2), {"state": "deceased", "on": "2025-06-30", "reason": "病故"})
    page = as_secretary_a.get(url(world.member_a2))
    assert "状态不能再变更" in page.content.decode()
    response = as_secretary_a.post(url(world.member_a2), {"state": "normal", "on": "2025-07-01", "reason": "误操作"})
    assert "state" in response.context["form"].errors
    world.member_a2.refresh_from_db()
    assert world.member_a2.state == MemberState.DECEASED


def test_there_is_no_delete_anywhere(world: World, as_admin: Client) -> None:
    with pytest.raises(NoReverseMatch):
        reverse("members:delete", args=[world.member_a.pk])
    for name in ("detail", "edit", "state"):
        assert as_admin.delete(reverse(f"members:{name}", args=[world.member_a.pk])).status_code == 405
    assert Member.objects.filter(pk=world.member_a.pk).exists()
