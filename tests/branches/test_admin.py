"""The Django admin cannot go around the services: tree, kind, status and term fields of an
organization and the state and ID number of a member are read only there, saves go through the
services, and history is shown but never reverted."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from branches.models import Organization, OrgKind, OrgStatus
from members.roster.choices import MemberState
from members.roster.models import Member
from members.roster.services import member_change_state
from tests.conftest import World
from tests.factories import UserFactory, make_org

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def as_superuser(world: World) -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _post_data(form: Any, **overrides: Any) -> dict[str, Any]:
    """The admin change form as shown, with changes."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, datetime.date):
            value = value.isoformat()
        data[name] = "" if value is None else value
    data.update(overrides)
    return data


ORG_READ_ONLY = {"kind", "status", "dissolved_on", "dissolve_reason", "term_end", "term_status", "path", "depth", "numchild"}
MEMBER_READ_ONLY = {"state", "state_changed_on", "state_reason", "mobile_destination", "lost_on", "id_number"}


def test_organization_admin_shows_tree_kind_status_and_term_fields_read_only(world: World, as_superuser: Client) -> None:
    response = as_superuser.get(reverse("admin:branches_organization_change", args=[world.branch_a.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert not ORG_READ_ONLY & set(form.fields)
    assert {"name", "short_name", "code", "term_start"} <= set(form.fields)


def test_organization_admin_save_goes_through_the_service_and_keeps_the_tree(world: World, as_superuser: Client) -> None:
    url = reverse("admin:branches_organization_change", args=[world.branch_b.pk])
    form = as_superuser.get(url).context["adminform"].form
    make_org(world.branch_b, OrgKind.GROUP, short_name="新党小组")  # numchild changes after the form was shown
    data = _post_data(form, name="测试局第二党支部（改）", kind=OrgKind.GROUP, status=OrgStatus.DISSOLVED, numchild="0")
    response = as_superuser.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    org = Organization.objects.get(pk=world.branch_b.pk)
    assert org.name == "测试局第二党支部（改）"
    assert org.kind == OrgKind.BRANCH and org.status == OrgStatus.ACTIVE and org.numchild == 1
    assert org.history.first().history_user.username == "root"
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_a_dissolved_organization_is_view_only_in_the_admin(world: World, as_superuser: Client) -> None:
    from branches.services import organization_dissolve

    org = organization_dissolve(org=make_org(world.committee, OrgKind.BRANCH), on=TODAY, reason="机构调整")
    url = reverse("admin:branches_organization_change", args=[org.pk])
    assert as_superuser.get(url).context["has_change_permission"] is False
    assert as_superuser.post(url, {"name": "改名"}).status_code == 403


def test_organization_history_cannot_be_reverted(world: World, as_superuser: Client) -> None:
    from branches.services import organization_update

    first = world.branch_a.history.order_by("history_id").first()
    organization_update(org=world.branch_a, name="改过的名字")
    url = reverse("admin:branches_organization_simple_history", args=[world.branch_a.pk, first.history_id])
    page = as_superuser.get(url)
    assert page.status_code == 200 and page.context["revert_disabled"] is True
    form = page.context["adminform"].form
    response = as_superuser.post(url, _post_data(form, name=first.name))
    assert response.status_code == 403
    assert Organization.objects.get(pk=world.branch_a.pk).name == "改过的名字"


def test_member_admin_shows_state_and_id_number_read_only_and_has_no_add(world: World, as_superuser: Client) -> None:
    response = as_superuser.get(reverse("admin:members_member_change", args=[world.member_a2.pk]))
    form = response.context["adminform"].form
    assert not MEMBER_READ_ONLY & set(form.fields)
    assert {"name", "phone", "branch", "gender"} <= set(form.fields)
    assert as_superuser.get(reverse("admin:members_member_add")).status_code == 403


def test_member_admin_save_goes_through_the_service(world: World, as_superuser: Client) -> None:
    url = reverse("admin:members_member_change", args=[world.member_a2.pk])
    form = as_superuser.get(url).context["adminform"].form
    member_change_state(member=world.member_a2, state=MemberState.LOST, on=TODAY, reason="联系不上")
    response = as_superuser.post(url, _post_data(form, job_post="科员", state=MemberState.NORMAL, phone="12"))
    assert response.status_code == 200  # the phone rule of the model shows on the admin form
    assert "phone" in response.context["adminform"].form.errors
    response = as_superuser.post(url, _post_data(form, job_post="科员", state=MemberState.NORMAL))
    assert response.status_code == 302
    member = Member.objects.get(pk=world.member_a2.pk)
    assert member.job_post == "科员" and member.state == MemberState.LOST and member.lost_on == TODAY


def test_member_admin_refuses_a_gender_contradicting_the_id_number(world: World, as_superuser: Client) -> None:
    url = reverse("admin:members_member_change", args=[world.member_a2.pk])
    form = as_superuser.get(url).context["adminform"].form
    wrong = "F" if world.member_a2.gender == "M" else "M"
    response = as_superuser.post(url, _post_data(form, gender=wrong))
    assert response.status_code == 200
    assert "gender" in response.context["adminform"].form.errors
    assert Member.objects.get(pk=world.member_a2.pk).gender == world.member_a2.gender


def test_an_ended_member_is_view_only_in_the_admin(world: World, as_superuser: Client) -> None:
    member_change_state(member=world.member_a2, state=MemberState.DECEASED, on=TODAY, reason="病故")
    url = reverse("admin:members_member_change", args=[world.member_a2.pk])
    assert as_superuser.get(url).context["has_change_permission"] is False
    assert as_superuser.post(url, {"name": "改名"}).status_code == 403


def test_member_history_cannot_be_reverted(world: World, as_superuser: Client) -> None:
    first = world.member_a2.history.order_by("history_id").first()
    member_change_state(member=world.member_a2, state=MemberState.LOST, on=TODAY, reason="联系不上")
    url = reverse("admin:members_member_simple_history", args=[world.member_a2.pk, first.history_id])
    form = as_superuser.get(url).context["adminform"].form
    assert as_superuser.post(url, _post_data(form)).status_code == 403
    assert Member.objects.get(pk=world.member_a2.pk).state == MemberState.LOST
