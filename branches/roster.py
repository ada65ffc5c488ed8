"""What the tree pages need to know about the members under an organization, without importing members.

branches sits below members in the order of layers, yet its pages show subtree member counts and offer the
members who may hold a position, and its services refuse to dissolve an organization that still has members
on the roster. Those reads belong to members (they are queries over members); branches declares here the
small interface it uses, and members hands in its implementation when the app registry is ready
(``MembersConfig.ready``). Every page, query and message stays as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypedDict

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from branches.models import Organization


class MemberStats(TypedDict):
    """Members on the roster in a subtree: total, 正式, 预备."""

    total: int
    full: int
    probationary: int


class ChildRow(TypedDict):
    org: Organization
    member_count: int


class Candidate(Protocol):
    """A member as the position form shows one: 姓名（党支部简称）."""

    pk: Any
    name: str
    branch: Organization


class Roster(Protocol):
    """The reads over members that the tree's pages and services use. Implemented in members."""

    def subtree_member_counts(self, orgs: Iterable[Organization]) -> dict[int, int]:
        """Members on the roster in each organization's whole subtree, by organization pk. One query."""
        ...

    def org_member_stats(self, org: Organization) -> MemberStats:
        """Members on the roster in the organization's subtree: total, 正式, 预备. One query."""
        ...

    def org_children_and_stats(self, org: Organization) -> tuple[list[ChildRow], MemberStats]:
        """The direct children with their subtree member counts, and ``org_member_stats``. Two queries."""
        ...

    def position_candidates(self, org: Organization) -> QuerySet[Any]:
        """Members on the roster who may hold a position in ``org`` (a queryset of members)."""
        ...

    def search_position_candidates(self, org: Organization, text: str, *, limit: int) -> tuple[list[Candidate], bool]:
        """Up to ``limit`` candidates whose name or phone contains ``text``, and whether there were more."""
        ...

    def has_members_on_roster(self, org: Organization) -> bool:
        """Whether members on the roster belong to ``org`` as their 党支部."""
        ...

    def group_has_members_on_roster(self, group: Organization) -> bool:
        """Whether members on the roster are assigned to the 党小组 ``group``."""
        ...


_roster: Roster | None = None


def register_roster(roster: Roster) -> None:
    """Called once by members when the app registry is ready."""
    global _roster
    _roster = roster


def roster() -> Roster:
    if _roster is None:
        raise ImproperlyConfigured("branches.roster: no Roster registered (is 'members' in INSTALLED_APPS?)")
    return _roster
