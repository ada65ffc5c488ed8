"""Member counts of the tree (one query, grouped by branch id) and the tree version that keys
cached views of the tree."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache

from branches import selectors
from branches.models import OrgKind, PositionTitle
from branches.services import organization_dissolve, organization_move, organization_update, position_assign
from members.roster.choices import MemberState, MemberType
from members.roster.services import member_change_state
from tests.conftest import World, clear_cache
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db


# --- subtree member counts -------------------------------------------------------------------


def test_counts_of_branches_and_groups_together_take_one_query(world: World, django_assert_num_queries) -> None:
    orgs = [world.root, world.committee, world.branch_a, world.group_a1, world.branch_b, world.general, world.branch_c]
    with django_assert_num_queries(1):
        counts = selectors.subtree_member_counts(orgs)
    assert counts == {
        world.root.pk: 4,
        world.committee.pk: 3,
        world.branch_a.pk: 2,
        world.group_a1.pk: 1,
        world.branch_b.pk: 1,
        world.general.pk: 1,
        world.branch_c.pk: 1,
    }


def test_counts_leave_out_members_who_left_the_roster(world: World) -> None:
    member_change_state(member=world.member_a, state=MemberState.DECEASED, on=datetime.date(2025, 1, 2), reason="病故")
    counts = selectors.subtree_member_counts([world.branch_a, world.group_a1, world.root])
    assert counts == {world.branch_a.pk: 1, world.group_a1.pk: 0, world.root.pk: 3}


def test_counts_of_many_siblings_are_right(world: World) -> None:
    """More than a handful of roots: the members are read from the subtree that holds them all."""
    branches = [make_org(world.general, OrgKind.BRANCH, f"支部{i}") for i in range(6)]
    for i, branch in enumerate(branches):
        for _ in range(i):
            MemberFactory(branch=branch)
    counts = selectors.subtree_member_counts([*branches, world.branch_b])
    assert [counts[b.pk] for b in branches] == [0, 1, 2, 3, 4, 5]
    assert counts[world.branch_b.pk] == 1


def test_counts_of_an_empty_list_take_no_query(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        assert selectors.subtree_member_counts([]) == {}


# --- the detail page's figures -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["root", "committee", "branch_a", "general", "group_a1"])
def test_detail_figures_agree_with_the_separate_counts(world: World, name: str) -> None:
    MemberFactory(branch=world.branch_a, group=world.group_a1, member_type=MemberType.PROBATIONARY, confirmed_on=None)
    make_org(world.branch_a, OrgKind.GROUP, "第二党小组")
    org = getattr(world, name)
    children, stats = selectors.org_children_and_stats(org)
    assert stats == selectors.org_member_stats(org)
    kids = [row["org"] for row in children]
    assert {row["org"].pk: row["member_count"] for row in children} == selectors.subtree_member_counts(kids)


def test_detail_figures_count_full_and_probationary_members(world: World, django_assert_num_queries) -> None:
    MemberFactory(branch=world.branch_b, member_type=MemberType.PROBATIONARY, confirmed_on=None)
    with django_assert_num_queries(2):  # the children, and one count for both
        children, stats = selectors.org_children_and_stats(world.committee)
    assert stats == {"total": 4, "full": 3, "probationary": 1}
    assert [(row["org"].pk, row["member_count"]) for row in children] == [(world.branch_a.pk, 2), (world.branch_b.pk, 2)]


# --- tree version ------------------------------------------------------------------------------


def test_tree_version_starts_by_itself_and_stays_until_a_write(world: World) -> None:
    clear_cache()
    first = selectors.tree_version()
    assert first > 0
    assert selectors.tree_version() == first


@pytest.mark.parametrize("write", ["create", "update", "move", "dissolve"])
def test_every_write_to_the_tree_bumps_the_version_once_committed(
    world: World, write: str, django_capture_on_commit_callbacks
) -> None:
    before = selectors.tree_version()
    actions = {
        "create": lambda: make_org(world.general, OrgKind.BRANCH, "新支部"),
        "update": lambda: organization_update(org=world.branch_c, short_name="直属支部"),
        "move": lambda: organization_move(org=world.branch_b, new_parent=world.general),
        "dissolve": lambda: organization_dissolve(org=make_org(world.general), on=datetime.date(2026, 1, 5), reason="合并"),
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions[write]()
    assert selectors.tree_version() == before  # nothing until the transaction commits
    for callback in callbacks:
        callback()
    assert selectors.tree_version() > before


def test_a_position_change_does_not_bump_the_version(world: World, django_capture_on_commit_callbacks) -> None:
    before = selectors.tree_version()
    with django_capture_on_commit_callbacks(execute=True):
        position_assign(
            org=world.branch_a, member=world.member_a, title=PositionTitle.SECRETARY, started_on=datetime.date(2025, 1, 5)
        )
    assert selectors.tree_version() == before


def test_bump_without_a_version_yet_starts_one(world: World) -> None:
    cache.delete(selectors.TREE_VERSION_KEY)
    selectors.bump_tree_version()
    assert cache.get(selectors.TREE_VERSION_KEY) is not None


def test_a_second_top_level_tree_counts_apart(world: World) -> None:
    other = make_org(None, OrgKind.COMMITTEE, "另一工委")
    other_branch = make_org(other, OrgKind.BRANCH, "另一支部")
    MemberFactory(branch=other_branch)
    assert selectors.subtree_member_counts([world.root, other]) == {world.root.pk: 4, other.pk: 1}
    assert selectors.org_member_stats(world.root)["total"] == 4
    _children, stats = selectors.org_children_and_stats(world.root)
    assert stats["total"] == 4
    assert selectors.org_children_and_stats(other)[1]["total"] == 1
