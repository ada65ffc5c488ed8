"""The organization rules reach the API and the pages alike, each error next to its field."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import Organization, OrgKind, OrgStatus
from branches.services import organization_dissolve
from partybuild.accounts.models import Role, RoleAssignment
from tests.api.helpers import org_url, patch, post
from tests.conftest import World
from tests.factories import UserFactory, make_org

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _edit_data(org: Organization, **overrides: str) -> dict[str, str]:
    data = {
        "name": org.name,
        "short_name": org.short_name,
        "code": org.code,
        "kind": org.kind,
        "category": org.category,
        "founded_on": "",
        "contact_phone": "",
        "address": "",
        "term_start": f"{org.term_start:%Y-%m-%d}" if org.term_start else "",
        "term_years": str(org.term_years or ""),
        "term_extended_until": "",
        "term_adjust_note": "",
    }
    data.update(overrides)
    return data


def test_api_patch_of_a_dissolved_organization_is_400(world: World, as_staff) -> None:
    org = make_org(world.committee, OrgKind.BRANCH, short_name="将撤销支部")
    organization_dissolve(org=org, on=TODAY, reason="机构调整")
    response = patch(as_staff, org_url(org.pk), {"name": "改名"})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["该党组织已撤销，不能再修改。"]}
    org.refresh_from_db()
    assert org.name != "改名" and org.status == OrgStatus.DISSOLVED


def test_api_move_of_a_group_with_members_is_400(world: World, as_staff) -> None:
    response = post(as_staff, org_url(world.group_a1.pk, "move"), {"parent": world.branch_b.pk})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["该党小组还有党员，请先将党员调整到其他党小组后再移动。"]}
    world.group_a1.refresh_from_db()
    assert world.group_a1.path.startswith(world.branch_a.path)


def test_page_move_of_a_group_with_members_shows_the_reason(world: World, as_staff) -> None:
    response = as_staff.post(reverse("branches:move", args=[world.group_a1.pk]), {"parent": world.branch_b.pk})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["该党小组还有党员，请先将党员调整到其他党小组后再移动。"]


@pytest.mark.parametrize(("years", "message"), [("0", "每届年限至少1年。"), ("11", "每届年限不超过10年。")])
def test_api_term_years_out_of_range_is_400_in_chinese(world: World, as_staff, years: str, message: str) -> None:
    response = patch(as_staff, org_url(world.branch_a.pk), {"term_years": int(years)})
    assert response.status_code == 400
    assert response.json() == {"term_years": [message]}


@pytest.mark.parametrize(("years", "message"), [("0", "每届年限至少1年。"), ("11", "每届年限不超过10年。")])
def test_page_term_years_out_of_range_is_shown_next_to_the_field(world: World, as_staff, years: str, message: str) -> None:
    response = as_staff.post(reverse("branches:edit", args=[world.branch_a.pk]), _edit_data(world.branch_a, term_years=years))
    assert response.status_code == 200
    assert response.context["form"].errors["term_years"] == [message]
    world.branch_a.refresh_from_db()
    assert world.branch_a.term_years == 3


def test_api_far_future_term_start_is_a_field_error_not_a_500(world: World, as_staff) -> None:
    response = patch(as_staff, org_url(world.branch_a.pk), {"term_start": "9998-01-01", "term_years": 5})
    assert response.status_code == 400
    assert list(response.json()) == ["term_start"]
    assert "不能晚于" in response.json()["term_start"][0]


def test_page_far_future_term_start_is_a_field_error_not_a_500(world: World, as_staff) -> None:
    response = as_staff.post(
        reverse("branches:edit", args=[world.branch_a.pk]),
        _edit_data(world.branch_a, term_start="9998-01-01", term_years="5"),
    )
    assert response.status_code == 200
    assert "不能晚于" in response.context["form"].errors["term_start"][0]
    world.branch_a.refresh_from_db()
    assert world.branch_a.term_start == datetime.date(2025, 1, 1)


def test_api_founded_before_1921_is_400(world: World, as_staff) -> None:
    response = patch(as_staff, org_url(world.branch_a.pk), {"founded_on": "1900-01-01"})
    assert response.status_code == 400
    assert response.json() == {"founded_on": ["日期不能早于1921-07-01。"]}


def test_api_kind_change_of_a_secretarys_branch_is_400(world: World, as_staff) -> None:
    branch = make_org(world.committee, OrgKind.BRANCH, short_name="空支部")
    RoleAssignment.objects.create(user=UserFactory(), role=Role.SECRETARY, organization=branch)
    response = patch(as_staff, org_url(branch.pk), {"kind": "general_branch"})
    assert response.status_code == 400
    assert response.json() == {"kind": ["该党组织设有支部书记账号，只能是党支部；请先撤销支部书记角色，再修改类型。"]}
    branch.refresh_from_db()
    assert branch.kind == OrgKind.BRANCH
