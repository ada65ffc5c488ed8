from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from branches.models import Organization
from branches.selectors import get_org_for_user, visible_orgs
from members.roster.models import Member
from members.roster.selectors import get_member_for_user, id_number_for, visible_members
from members.transfers.models import Transfer, TransferKind, TransferScope
from partybuild.accounts import access
from tests.conftest import World
from tests.factories import MemberFactory, UserFactory


def test_secretary_sees_only_own_branch_and_its_groups(world: World) -> None:
    names = set(visible_orgs(world.secretary_a).values_list("code", flat=True))
    assert names == {"WA", "WA1"}


def test_staff_sees_whole_subtree(world: World) -> None:
    assert visible_orgs(world.staff).count() == 7


def test_member_sees_no_organizations_and_only_own_record(world: World) -> None:
    assert visible_orgs(world.member_a_user).count() == 0
    assert list(visible_members(world.member_a_user)) == [world.member_a]


def test_out_of_scope_is_404_and_read_only_is_403(world: World) -> None:
    with pytest.raises(Http404):
        get_member_for_user(world.secretary_b, world.member_a.pk)
    with pytest.raises(Http404):
        get_org_for_user(world.secretary_b, world.branch_a.pk)
    assert get_member_for_user(world.member_a_user, world.member_a.pk) == world.member_a
    with pytest.raises(PermissionDenied):
        get_member_for_user(world.member_a_user, world.member_a.pk, write=True)


def test_id_number_masked_unless_managed(world: World) -> None:
    full = world.member_a.id_number
    assert id_number_for(world.secretary_a, world.member_a) == full
    assert id_number_for(world.member_a_user, world.member_a) == full[:4] + "*" * 10 + full[-4:]


def test_revoked_role_grants_nothing(world: World) -> None:
    from django.utils import timezone

    world.secretary_a.role_assignments.update(revoked_at=timezone.now())
    access.forget_scope(world.secretary_a)
    assert visible_orgs(world.secretary_a).count() == 0


# --- the generic helpers: each app hands access its own queryset and organization path ---------


def test_get_in_scope_answers_404_with_the_callers_message_for_missing_and_out_of_scope_alike(world: World) -> None:
    members = Member.objects.select_related("branch")
    for pk in (world.member_a.pk, 999999, "abc"):
        with pytest.raises(Http404, match=r"^党员不存在$"):
            access.get_in_scope(world.secretary_b, members, pk, org_path="branch__path", missing="党员不存在")
    assert (
        access.get_in_scope(world.secretary_a, members, world.member_a.pk, org_path="branch__path", missing="x") == world.member_a
    )


def test_get_in_scope_answers_403_with_the_callers_message_for_read_only(world: World) -> None:
    members = Member.objects.select_related("branch")
    own = {"org_path": "branch__path", "own_member": "pk", "missing": "党员不存在", "read_only": "只读"}
    assert access.get_in_scope(world.member_a_user, members, world.member_a.pk, **own) == world.member_a
    with pytest.raises(PermissionDenied, match=r"^只读$"):
        access.get_in_scope(world.member_a_user, members, world.member_a.pk, write=True, **own)
    with pytest.raises(Http404):  # someone else's record is not theirs to read
        access.get_in_scope(world.member_a_user, members, world.member_a2.pk, **own)


def test_get_in_scope_reads_the_organization_itself_and_returns_the_model(world: World) -> None:
    org = access.get_in_scope(world.secretary_a, Organization.objects.all(), str(world.group_a1.pk), org_path="path", missing="x")
    assert isinstance(org, Organization) and org == world.group_a1
    with pytest.raises(Http404):
        access.get_in_scope(world.secretary_a, Organization.objects.all(), world.committee.pk, org_path="path", missing="x")
    assert (
        access.get_in_scope(world.admin, Organization.objects.all(), world.branch_b.pk, org_path="path", missing="x")
        == world.branch_b
    )


def test_get_in_scope_lets_an_admin_write_a_row_that_no_organization_path_reaches(world: World) -> None:
    member = MemberFactory(branch=world.branch_b, group=None)  # its 党小组 path is empty
    found = access.get_in_scope(world.admin, Member.objects.all(), member.pk, org_path="group__path", missing="x", write=True)
    assert found == member


def test_get_in_scope_with_several_paths_needs_any_one_in_scope_and_skips_an_empty_side(world: World) -> None:
    transfer = Transfer.objects.create(
        member=world.member_a,
        kind=TransferKind.OUT,
        scope=TransferScope.NATIONWIDE,
        from_org=world.branch_a,
        to_name="外省某党支部",
        reason="工作调动",
        created_by=world.secretary_a,
    )
    transfers = Transfer.objects.select_related("from_org", "to_org")
    paths = ("from_org__path", "to_org__path")
    assert access.get_in_scope(world.secretary_a, transfers, transfer.pk, org_path=paths, missing="x") == transfer
    with pytest.raises(Http404):
        access.get_in_scope(world.secretary_b, transfers, transfer.pk, org_path=paths, missing="x")
    assert list(access.filter_in_scope(world.secretary_a, transfers, org_path=paths)) == [transfer]
    assert list(access.filter_in_scope(world.secretary_b, transfers, org_path=paths)) == []


def test_filter_in_scope_keeps_the_rows_whose_organization_is_in_scope(world: World) -> None:
    members = Member.objects.all()
    in_a = {world.member_a, world.member_a2}
    assert set(access.filter_in_scope(world.secretary_a, members, org_path="branch__path")) == in_a
    assert set(access.filter_in_scope(world.staff, members, org_path="branch__path")) == set(members)
    assert set(access.filter_in_scope(world.admin, members, org_path="branch__path")) == set(members)
    assert list(access.filter_in_scope(world.member_a_user, members, org_path="branch__path")) == []
    own = access.filter_in_scope(world.member_a_user, members, org_path="branch__path", own_member="pk")
    assert list(own) == [world.member_a]
    nobody = UserFactory(username="nobody")
    assert list(access.filter_in_scope(nobody, members, org_path="branch__path", own_member="pk")) == []
    assert list(access.filter_in_scope(AnonymousUser(), members, org_path="branch__path")) == []


def test_scope_reads_the_own_member_record_through_the_login(world: World) -> None:
    assert access.scope_for(world.member_a_user).own_member_id == world.member_a.pk
    assert access.scope_for(world.secretary_a).own_member_id is None


# --- the decisions that had leaked out of access ----------------------------------------------


def test_pages_about_organizations_are_404_for_a_user_who_sees_none(world: World) -> None:
    with pytest.raises(Http404, match=r"^页面不存在$"):
        access.require_org_scope(world.member_a_user)
    with pytest.raises(Http404):
        access.require_org_scope(AnonymousUser())
    for user in (world.admin, world.staff, world.secretary_a):
        access.require_org_scope(user)


def test_own_organization_is_the_secretarys_branch_or_the_one_scope(world: World) -> None:
    assert access.secretary_org_ids(world.secretary_a) == [world.branch_a.pk]
    assert access.secretary_org_ids(world.staff) == []
    assert access.sole_scope_path(world.secretary_a) == world.branch_a.path
    assert access.sole_scope_path(world.staff) == world.root.path
    assert access.sole_scope_path(world.admin) is None
    assert access.sole_scope_path(world.member_a_user) is None


def test_sides_are_those_whose_organization_is_in_scope(world: World) -> None:
    sides = {"out": world.branch_a.path, "in": world.branch_b.path}
    assert access.sides_in_scope(world.secretary_a, sides) == {"out"}
    assert access.sides_in_scope(world.staff, sides) == {"out", "in"}
    assert access.sides_in_scope(world.secretary_a, {"out": None, "in": world.branch_a.path}) == {"in"}
    assert access.require_side(world.secretary_b, sides, {"in"}, lambda: "不会用到") == {"in"}
    with pytest.raises(PermissionDenied, match=r"^只有转入方可以接收$"):
        access.require_side(world.secretary_a, sides, {"in"}, lambda: "只有转入方可以接收")


def test_only_the_owner_carries_on(world: World) -> None:
    assert access.is_owner(world.staff, world.staff.pk)
    assert not access.is_owner(world.admin, world.staff.pk)
    assert not access.is_owner(AnonymousUser(), None)
    access.require_owner(world.staff, world.staff.pk, "只能由上传人确认导入。")
    with pytest.raises(PermissionDenied, match=r"^只能由上传人确认导入。$"):
        access.require_owner(world.admin, world.staff.pk, "只能由上传人确认导入。")


def test_notification_recipients_are_admins_and_those_above_or_at_the_organization(world: World) -> None:
    found = access.notification_recipients_for_paths([world.group_a1.path, world.branch_c.path])
    assert found[world.group_a1.path] == {world.admin.pk, world.staff.pk, world.secretary_a.pk}
    assert found[world.branch_c.path] == {world.admin.pk, world.staff.pk}


def test_access_imports_nothing_above_partybuild() -> None:
    tree = ast.parse(Path(access.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    tops = {name.split(".")[0] for name in imported}
    assert tops <= {"__future__", "collections", "dataclasses", "typing", "django", "partybuild"}, tops
