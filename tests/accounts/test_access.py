from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from branches.selectors import get_org_for_user, visible_orgs
from members.roster.selectors import get_member_for_user, id_number_for, visible_members
from partybuild.accounts import access
from tests.conftest import World


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
