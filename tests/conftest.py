"""The shared tree and its people, used by every test.

    工委 (committee)                      ← staff: 党务干部 of the whole tree
    ├── 机关党委 (committee)
    │   ├── 第一党支部 (branch A)          ← secretary_a; member_a is an ordinary member here
    │   │   └── 第一党小组 (group A1)
    │   └── 第二党支部 (branch B)          ← secretary_b: the outsider for anything in A
    └── 直属党总支 (general branch)
        └── 直属党支部 (branch C)

admin holds 系统管理员. All passwords: PASSWORD.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client

from branches.models import Organization, OrgKind
from members.roster.models import Member
from partybuild.accounts.models import Role, RoleAssignment, User
from tests.factories import MemberFactory, UserFactory, make_org

PASSWORD = "Test-pass-2026"


@dataclass
class World:
    root: Organization
    committee: Organization
    branch_a: Organization
    group_a1: Organization
    branch_b: Organization
    general: Organization
    branch_c: Organization
    admin: User
    staff: User
    secretary_a: User
    secretary_b: User
    member_a_user: User
    member_a: Member  # member_a's roster record, in branch A
    member_a2: Member  # another member of branch A, not linked to a login
    member_b: Member  # a member of branch B
    member_c: Member  # a member of branch C

    def refresh(self) -> None:
        for name in ("root", "committee", "branch_a", "group_a1", "branch_b", "general", "branch_c"):
            getattr(self, name).refresh_from_db()


def clear_cache() -> None:
    """Empty this test process's cache. On Redis only this process's keys go (its KEY_PREFIX, one per
    pytest-xdist worker): ``cache.clear()`` would FLUSHDB, emptying the other worker's cache (and the
    broker's queues) in the middle of its test."""
    backend = caches["default"]  # ``cache`` is a proxy to it, never a RedisCache itself
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{settings.CACHES['default']['KEY_PREFIX']}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Every test starts with an empty cache: a rolled-back test never commits, so it never bumps
    the tree version that keys cached views of the tree (the roster's 党组织 filter)."""
    clear_cache()


def _grant(user: User, role: str, org: Organization | None) -> None:
    RoleAssignment.objects.create(user=user, role=role, organization=org)


@pytest.fixture
def world(db) -> World:
    term = datetime.date(2025, 1, 1)
    root = make_org(
        None, OrgKind.COMMITTEE, "测试市直机关工委", code="W0", short_name="工委", term_start=datetime.date(2024, 1, 1)
    )
    committee = make_org(root, OrgKind.COMMITTEE, "测试局机关党委", code="W1", short_name="机关党委", term_start=term)
    branch_a = make_org(committee, OrgKind.BRANCH, "测试局第一党支部", code="WA", short_name="第一党支部", term_start=term)
    group_a1 = make_org(branch_a, OrgKind.GROUP, "第一党支部第一党小组", code="WA1", short_name="第一党小组")
    branch_b = make_org(committee, OrgKind.BRANCH, "测试局第二党支部", code="WB", short_name="第二党支部", term_start=term)
    general = make_org(root, OrgKind.GENERAL_BRANCH, "测试直属党总支", code="WG", short_name="直属党总支", term_start=term)
    branch_c = make_org(general, OrgKind.BRANCH, "测试直属党支部", code="WC", short_name="直属党支部", term_start=term)

    admin = UserFactory(username="admin", full_name="管理员")
    _grant(admin, Role.ADMIN, None)
    staff = UserFactory(username="staff", full_name="工委干部")
    _grant(staff, Role.STAFF, root)
    secretary_a = UserFactory(username="secretary_a", full_name="甲支部书记")
    _grant(secretary_a, Role.SECRETARY, branch_a)
    secretary_b = UserFactory(username="secretary_b", full_name="乙支部书记")
    _grant(secretary_b, Role.SECRETARY, branch_b)
    member_a_user = UserFactory(username="member_a", full_name="张党员")
    _grant(member_a_user, Role.MEMBER, branch_a)

    member_a = MemberFactory(name="张党员", branch=branch_a, group=group_a1, user=member_a_user)
    member_a2 = MemberFactory(name="李同志", branch=branch_a)
    member_b = MemberFactory(name="王乙", branch=branch_b)
    member_c = MemberFactory(name="赵丙", branch=branch_c)
    return World(
        root=root,
        committee=committee,
        branch_a=branch_a,
        group_a1=group_a1,
        branch_b=branch_b,
        general=general,
        branch_c=branch_c,
        admin=admin,
        staff=staff,
        secretary_a=secretary_a,
        secretary_b=secretary_b,
        member_a_user=member_a_user,
        member_a=member_a,
        member_a2=member_a2,
        member_b=member_b,
        member_c=member_c,
    )


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_admin(world: World) -> Client:
    return login(world.admin)


@pytest.fixture
def as_staff(world: World) -> Client:
    return login(world.staff)


@pytest.fixture
def as_secretary_a(world: World) -> Client:
    return login(world.secretary_a)


@pytest.fixture
def as_secretary_b(world: World) -> Client:
    return login(world.secretary_b)


@pytest.fixture
def as_member_a(world: World) -> Client:
    return login(world.member_a_user)
