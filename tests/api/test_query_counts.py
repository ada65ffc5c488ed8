"""List endpoints cost the same number of queries for 5 rows as for 100."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from branches.models import OrgKind
from tests.api.helpers import MEMBERS, ORGS, org_url
from tests.conftest import World
from tests.factories import MemberFactory, make_org


def _queries(client: Client, url: str, params: dict | None = None) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json()["results"])


def _add_branches(world: World, n: int) -> None:
    for _ in range(n):
        branch = make_org(world.committee, OrgKind.BRANCH)
        group = make_org(branch, OrgKind.GROUP)
        MemberFactory(branch=branch, group=group)


# Session, user, scope, count, page, subtree member counts, visible parents; plus the session's
# save (SESSION_SAVE_EVERY_REQUEST) in a savepoint.
ORG_LIST_MAX = 10
MEMBER_LIST_MAX = 9


def test_organization_list_same_queries_for_5_and_100_rows(world: World, as_staff: Client, django_assert_max_num_queries) -> None:
    params = {"within": world.committee.pk, "kind": "branch"}
    _add_branches(world, 3)
    few, rows = _queries(as_staff, ORGS, params)
    assert rows == 5
    _add_branches(world, 95)
    many, rows = _queries(as_staff, ORGS, {**params, "page": 2})
    assert rows == 50
    assert many == few
    with django_assert_max_num_queries(ORG_LIST_MAX):
        as_staff.get(ORGS)


def test_children_queries_do_not_grow_with_rows(world: World, as_staff: Client) -> None:
    few, rows = _queries(as_staff, org_url(world.committee.pk, "children"))
    assert rows == 2
    _add_branches(world, 60)
    many, rows = _queries(as_staff, org_url(world.committee.pk, "children"))
    assert rows == 50
    assert many == few


def test_member_list_same_queries_for_5_and_100_rows(
    world: World, as_secretary_a: Client, as_staff: Client, django_assert_max_num_queries
) -> None:
    MemberFactory.create_batch(3, branch=world.branch_a, group=world.group_a1)
    few, rows = _queries(as_secretary_a, MEMBERS)
    assert rows == 5
    MemberFactory.create_batch(95, branch=world.branch_a, group=world.group_a1)
    many, rows = _queries(as_secretary_a, MEMBERS, {"page": 2})
    assert rows == 50
    assert many == few
    with django_assert_max_num_queries(MEMBER_LIST_MAX):
        as_secretary_a.get(MEMBERS)
    # Filters and search do not add queries per row either.
    filtered, rows = _queries(as_staff, MEMBERS, {"org": world.committee.pk, "search": "党员", "age_min": 18})
    assert rows == 50
    assert filtered == few + 1  # the scoped lookup of the org filter's organization
