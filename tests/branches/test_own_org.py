"""Where a user's pages open without ?org=: branches.selectors.own_org."""

from __future__ import annotations

from branches.models import OrgKind, OrgStatus
from branches.selectors import own_org
from partybuild.accounts.access import forget_scope
from partybuild.accounts.models import Role, RoleAssignment
from tests.conftest import World


def test_a_secretary_opens_on_her_branch_and_staff_on_their_committee(world: World, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(2):  # the scope, then one query for the organization
        assert own_org(world.secretary_a) == world.branch_a
    assert own_org(world.staff) == world.root
    assert own_org(world.staff, kind=OrgKind.BRANCH) is None


def test_an_admin_or_a_member_has_no_own_organization(world: World) -> None:
    assert own_org(world.admin) is None
    assert own_org(world.member_a_user) is None


def test_a_secretary_who_is_also_staff_opens_on_her_branch(world: World) -> None:
    RoleAssignment.objects.create(user=world.secretary_a, role=Role.STAFF, organization=world.committee)
    forget_scope(world.secretary_a)
    assert own_org(world.secretary_a) == world.branch_a


def test_a_dissolved_branch_is_no_ones_own(world: World) -> None:
    type(world.branch_a).objects.filter(pk=world.branch_a.pk).update(status=OrgStatus.DISSOLVED)
    forget_scope(world.secretary_a)
    assert own_org(world.secretary_a) is None
