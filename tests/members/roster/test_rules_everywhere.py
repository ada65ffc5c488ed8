"""Roster rules the services and the model enforce for every caller (pages, API, admin): gender
against the ID number, phone format, state dates, ended records, stale instances, the unique ID
number message, the ID-tail search and links to the branch."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.roster.choices import MemberState
from members.roster.models import Member
from members.roster.selectors import search_q
from members.roster.services import member_change_state, member_create, member_update
from members.roster.validators import id_number_gender, make_id_number
from partybuild.accounts.access import forget_scope
from partybuild.accounts.models import Role, RoleAssignment
from tests.api.helpers import MEMBERS, member_url, patch, post
from tests.conftest import World
from tests.members.conftest import form_data, member_form_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
MALE_ID = make_id_number("110101", datetime.date(1990, 3, 8), 123)  # odd 17th digit
GENDER_ERROR = "性别与公民身份号码不符（第17位奇数为男，偶数为女）。"
PHONE_ERROR = "请填写11位手机号码（以1开头），或带区号的固定电话（如010-12345678）。"


def _api_member(world: World, **overrides: object) -> dict:
    data = {
        "name": "钱新人",
        "id_number": MALE_ID,
        "branch": world.branch_a.pk,
        "member_type": "probationary",
        "joined_on": "2026-07-01",
    }
    data.update(overrides)
    return data


# --- gender and the ID number ---------------------------------------------------------------------


def test_api_create_with_gender_contradicting_the_id_number_is_400(world: World, as_secretary_a) -> None:
    response = post(as_secretary_a, MEMBERS, _api_member(world, gender="F"))
    assert response.status_code == 400
    assert response.json() == {"gender": [GENDER_ERROR]}
    assert not Member.objects.filter(id_number=MALE_ID).exists()


def test_api_patch_of_gender_contradicting_the_id_number_is_400(world: World, as_secretary_a) -> None:
    wrong = "F" if world.member_a2.gender == "M" else "M"
    response = patch(as_secretary_a, member_url(world.member_a2.pk), {"gender": wrong})
    assert response.status_code == 400
    assert response.json() == {"gender": [GENDER_ERROR]}
    world.member_a2.refresh_from_db()
    assert world.member_a2.gender == id_number_gender(world.member_a2.id_number)


def test_a_legacy_record_that_disagrees_stays_editable_in_other_fields(world: World) -> None:
    wrong = "F" if world.member_a2.gender == "M" else "M"
    Member.objects.filter(pk=world.member_a2.pk).update(gender=wrong)
    updated = member_update(member=world.member_a2, job_post="科员")
    assert updated.job_post == "科员" and updated.gender == wrong


def test_page_shows_the_gender_error_next_to_gender(world: World, as_secretary_a: Client) -> None:
    wrong = "F" if world.member_a2.gender == "M" else "M"
    response = as_secretary_a.post(
        reverse("members:edit", args=[world.member_a2.pk]), member_form_data(world.member_a2, gender=wrong)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["gender"] == [GENDER_ERROR]


# --- phone ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["12345", "1390000111", "139000011112", "23900001111", "abc", "+8613900001111"])
def test_api_refuses_a_malformed_phone(world: World, as_secretary_a, phone: str) -> None:
    response = patch(as_secretary_a, member_url(world.member_a2.pk), {"phone": phone})
    assert response.status_code == 400
    assert response.json() == {"phone": [PHONE_ERROR]}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("13900001111", "13900001111"), ("010-12345678", "010-12345678"), ("0571-8765432", "0571-8765432"), ("", "")],
)
def test_mobile_landline_and_blank_phones_are_accepted(world: World, as_secretary_a, typed: str, stored: str) -> None:
    response = patch(as_secretary_a, member_url(world.member_a2.pk), {"phone": typed})
    assert response.status_code == 200, response.json()
    world.member_a2.refresh_from_db()
    assert world.member_a2.phone == stored


def test_full_width_and_spaced_phone_is_normalized(world: World) -> None:
    assert member_update(member=world.member_a2, phone="１３９ ０００ ０１１１１").phone == "13900001111"


def test_page_shows_the_phone_error_next_to_the_phone(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(reverse("members:create"), form_data(world, phone="12345"))
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [PHONE_ERROR]


# --- state changes -----------------------------------------------------------------------------


def test_api_state_change_dated_tomorrow_is_400(world: World, as_secretary_a) -> None:
    tomorrow = TODAY + datetime.timedelta(days=1)
    response = post(
        as_secretary_a,
        member_url(world.member_a2.pk, "change-state"),
        {"state": "lost", "on": tomorrow.isoformat(), "reason": "联系不上"},
    )
    assert response.status_code == 400
    assert response.json() == {"on": ["变更日期不能晚于今天。"]}
    world.member_a2.refresh_from_db()
    assert world.member_a2.state == MemberState.NORMAL


# --- ended membership ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (MemberState.TRANSFERRED_OUT, "该党员已转出，档案不能再修改。"),
        (MemberState.EXPELLED, "该党员已出党，档案不能再修改。"),
        (MemberState.DECEASED, "该党员已去世，档案不能再修改。"),
    ],
)
def test_an_ended_record_cannot_be_edited(world: World, state: str, message: str) -> None:
    by_transfer = state == MemberState.TRANSFERRED_OUT  # as a 转出系统外 does
    member_change_state(member=world.member_a2, state=state, on=TODAY, reason="办理", by_transfer=by_transfer)
    with pytest.raises(ValidationError) as exc:
        member_update(member=world.member_a2, job_post="科员")
    assert exc.value.message_dict == {NON_FIELD_ERRORS: [message]}


def test_api_patch_of_an_ended_record_is_400(world: World, as_secretary_a) -> None:
    member_change_state(member=world.member_a2, state=MemberState.DECEASED, on=TODAY, reason="病故")
    response = patch(as_secretary_a, member_url(world.member_a2.pk), {"job_post": "科员"})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["该党员已去世，档案不能再修改。"]}


def test_edit_page_of_an_ended_record_is_403_and_detail_has_no_edit_link(world: World, as_secretary_a: Client) -> None:
    member_change_state(member=world.member_a2, state=MemberState.TRANSFERRED_OUT, on=TODAY, reason="调出", by_transfer=True)
    edit = reverse("members:edit", args=[world.member_a2.pk])
    assert as_secretary_a.get(edit).status_code == 403
    assert as_secretary_a.post(edit, member_form_data(world.member_a2, job_post="科员")).status_code == 403
    html = as_secretary_a.get(reverse("members:detail", args=[world.member_a2.pk])).content.decode()
    assert edit not in html and "该党员已转出，档案不能再修改。" in html


# --- stale instances --------------------------------------------------------------------------------


def test_an_edit_with_a_stale_instance_does_not_undo_a_state_change(world: World) -> None:
    stale = Member.objects.get(pk=world.member_a2.pk)
    member_change_state(member=world.member_a2, state=MemberState.MOBILE, on=TODAY, reason="外出务工", destination="深圳")
    member_update(member=stale, job_post="科员")
    fresh = Member.objects.get(pk=world.member_a2.pk)
    assert fresh.job_post == "科员"
    assert fresh.state == MemberState.MOBILE and fresh.mobile_destination == "深圳" and fresh.state_changed_on == TODAY


def test_an_edit_never_writes_state_fields_set_on_the_instance(world: World) -> None:
    member = Member.objects.get(pk=world.member_a2.pk)
    member.state = MemberState.DECEASED  # e.g. a tampered instance; the edit does not carry it
    member_update(member=member, job_post="科员")
    assert Member.objects.get(pk=member.pk).state == MemberState.NORMAL


# --- the unique ID number ------------------------------------------------------------------------


def test_an_id_number_already_on_the_roster_has_a_chinese_message(world: World, as_secretary_a: Client) -> None:
    with pytest.raises(ValidationError) as exc:
        member_create(
            name="重复",
            id_number=world.member_b.id_number,
            branch=world.branch_a,
            member_type="probationary",
            joined_on=datetime.date(2020, 7, 1),
        )
    assert exc.value.message_dict["id_number"] == ["该公民身份号码已登记，不能重复录入。"]
    response = as_secretary_a.post(reverse("members:create"), form_data(world, id_number=world.member_b.id_number))
    assert response.context["form"].errors["id_number"] == ["该公民身份号码已登记，不能重复录入。"]


# --- ID number search -------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [4, 5, 6])
def test_four_to_six_characters_search_the_id_number_tail(world: World, length: int) -> None:
    tail = world.member_a2.id_number[-length:]
    assert Member.objects.filter(search_q(tail)).filter(pk=world.member_a2.pk).exists()


@pytest.mark.parametrize("length", [7, 12, 18])
def test_longer_strings_never_search_the_id_number(world: World, length: int) -> None:
    text = world.member_a2.id_number[-length:]
    assert not Member.objects.filter(search_q(text)).filter(pk=world.member_a2.pk).exists()
    assert "id_number" not in str(search_q(text))


# --- link to the branch ------------------------------------------------------------------------------


def test_own_record_does_not_link_to_a_branch_the_user_cannot_see(world: World, as_member_a: Client) -> None:
    # member_a also becomes secretary of branch B: they see organizations, but not branch A.
    RoleAssignment.objects.create(user=world.member_a_user, role=Role.SECRETARY, organization=world.branch_b)
    forget_scope(world.member_a_user)
    html = as_member_a.get(reverse("members:detail", args=[world.member_a.pk])).content.decode()
    assert world.branch_a.name in html
    assert reverse("branches:detail", args=[world.branch_a.pk]) not in html
    assert f"?org={world.branch_a.pk}" not in html


def test_those_who_see_the_branch_get_the_link(world: World, as_secretary_a: Client) -> None:
    html = as_secretary_a.get(reverse("members:detail", args=[world.member_a.pk])).content.decode()
    assert reverse("branches:detail", args=[world.branch_a.pk]) in html
