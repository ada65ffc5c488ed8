"""The member picker of the new-position page: a search that loads at most 30 members of the
organization's subtree, instead of a <select> with every member of it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from branches.models import Position
from members.roster.choices import MemberState
from members.roster.services import member_change_state
from tests.conftest import World
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _url(pk: int, q: str | None = None) -> str:
    url = reverse("branches:position_candidates", args=[pk])
    return f"{url}?q={q}" if q is not None else url


def _options(html: str) -> list[str]:
    """The values of the non-empty <option>s."""
    return [v for v in re.findall(r'<option value="([^"]*)"', html) if v]


@pytest.fixture
def many_in_branch_a(world: World) -> list:
    return [MemberFactory(branch=world.branch_a, name=f"王候选{i:02d}") for i in range(40)]


def test_search_by_name_returns_matching_members_of_the_subtree(world: World, as_secretary_a) -> None:
    response = as_secretary_a.get(_url(world.branch_a.pk, "李"))
    assert response.status_code == 200
    assert _options(response.content.decode()) == [str(world.member_a2.pk)]
    assert "李同志（第一党支部）" in response.content.decode()


def test_search_by_phone_digits(world: World, as_secretary_a) -> None:
    phone = world.member_a.phone
    response = as_secretary_a.get(_url(world.branch_a.pk, phone[-6:]))
    assert _options(response.content.decode()) == [str(world.member_a.pk)]


def test_search_never_reaches_outside_the_subtree_or_off_the_roster(world: World, as_staff) -> None:
    member_change_state(member=world.member_a2, state=MemberState.DECEASED, on=world.member_a2.joined_on, reason="病故")
    html = as_staff.get(_url(world.branch_a.pk, "")).content.decode()
    assert _options(html) == [str(world.member_a.pk)]  # not member_b (branch B), not the deceased
    html = as_staff.get(_url(world.committee.pk, "王")).content.decode()
    assert _options(html) == [str(world.member_b.pk)]  # 赵丙 of branch C is outside the committee


def test_results_are_capped_at_30_with_a_hint(world: World, as_secretary_a, many_in_branch_a) -> None:
    html = as_secretary_a.get(_url(world.branch_a.pk, "王候选")).content.decode()
    assert len(_options(html)) == 30
    assert "仅列出前30名" in html


def test_no_match_says_so(world: World, as_secretary_a) -> None:
    html = as_secretary_a.get(_url(world.branch_a.pk, "不存在的人")).content.decode()
    assert _options(html) == [] and "没有姓名或手机号含“不存在的人”的在册党员" in html


def test_candidates_out_of_scope_are_404(world: World, as_secretary_b) -> None:
    assert as_secretary_b.get(_url(world.branch_a.pk, "张")).status_code == 404


def test_a_plain_member_gets_404(world: World, as_member_a) -> None:
    assert as_member_a.get(_url(world.branch_a.pk, "张")).status_code == 404


def test_candidates_wrong_method_is_405(world: World, as_secretary_a) -> None:
    assert as_secretary_a.post(_url(world.branch_a.pk)).status_code == 405


def test_position_page_draws_at_most_30_members_and_a_search_box(world: World, as_staff, many_in_branch_a) -> None:
    response = as_staff.get(reverse("branches:position_add", args=[world.committee.pk]))
    html = response.content.decode()
    select = html[html.index('name="member"') : html.index("</select>", html.index('name="member"'))]
    assert len(_options(select)) == 30
    assert reverse("branches:position_candidates", args=[world.committee.pk]) in html
    assert 'hx-target="#id_member"' in html


def test_a_member_found_by_search_can_be_appointed(world: World, as_staff, many_in_branch_a) -> None:
    last = many_in_branch_a[-1]  # not among the 30 drawn on the page
    response = as_staff.post(
        reverse("branches:position_add", args=[world.committee.pk]),
        {"title": "member", "member": last.pk, "started_on": "2026-01-10"},
    )
    assert response.status_code == 302
    assert Position.objects.get(organization=world.committee).member == last


def test_a_posted_member_outside_the_subtree_is_still_refused(world: World, as_staff) -> None:
    response = as_staff.post(
        reverse("branches:position_add", args=[world.committee.pk]),
        {"title": "member", "member": world.member_c.pk, "started_on": "2026-01-10"},
    )
    assert response.status_code == 200 and "member" in response.context["form"].errors
    assert not Position.objects.exists()


def test_an_invalid_submission_keeps_the_chosen_member_selected(world: World, as_staff, many_in_branch_a) -> None:
    last = many_in_branch_a[-1]
    response = as_staff.post(reverse("branches:position_add", args=[world.committee.pk]), {"title": "member", "member": last.pk})
    assert response.status_code == 200
    assert f'<option value="{last.pk}" selected>' in response.content.decode()


def test_candidate_search_costs_the_same_few_queries_for_40_members(
    world: World, as_staff, many_in_branch_a, django_assert_max_num_queries
) -> None:
    # session, user, middleware, scope, the organization, then one query for the members and their branches
    with django_assert_max_num_queries(8):
        as_staff.get(_url(world.root.pk, "王"))
