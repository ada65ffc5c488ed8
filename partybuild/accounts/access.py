"""The one place that decides what a user may see and change.

Rules:
- 系统管理员 (role ``admin``, or a Django superuser): everything.
- 党务干部 and 支部书记: read and write the subtree of each organization they hold the role in.
- 党员: their own member record, read only.

Everything else does not exist for the user: ``get_in_scope`` raises Http404 for out of scope,
exactly as for a missing row, and PermissionDenied (403) only for something the user may read but
not change.

This module imports nothing above ``partybuild``: each app hands it its own queryset and the path
of the organization that scopes it (``"path"`` for an organization, ``"branch__path"`` for a
member, ``("from_org__path", "to_org__path")`` for a transfer's two sides), through thin functions
in its selectors (``branches.selectors.get_org_for_user``, ``members.roster.selectors.visible_members``,
…). Every view, API endpoint, export and task goes through those.

A user's scope is a short list of materialized-path prefixes, computed with one query and cached
on the user object for the request.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from partybuild.accounts.models import SUBTREE_WRITE_ROLES, Role, RoleAssignment, User

_CACHE_ATTR = "_partybuild_scope"

M = TypeVar("M", bound=Model)

# A user as views, APIs and tasks hand it over: a login, or nobody (an anonymous request).
AnyUser = User | AbstractBaseUser | AnonymousUser | None


class HasPath(Protocol):
    """An organization as access sees it: a materialized path."""

    path: str


@dataclass(frozen=True)
class Scope:
    is_admin: bool = False
    # Materialized paths of the organizations whose subtree the user may read and write,
    # reduced so that no prefix contains another.
    paths: tuple[str, ...] = ()
    own_member_id: int | None = None
    roles: tuple[tuple[str, int | None], ...] = field(default=())

    @property
    def sees_orgs(self) -> bool:
        return self.is_admin or bool(self.paths)

    def covers_path(self, path: str) -> bool:
        return self.is_admin or any(path.startswith(p) for p in self.paths)

    def org_q(self, prefix: str = "") -> Q:
        """A Q over an Organization (or a relation to one, via ``prefix``) limited to the scope."""
        return self.path_q(f"{prefix}path")

    def path_q(self, org_path: str) -> Q:
        """A Q limited to the rows whose organization path (the lookup ``org_path``, e.g.
        ``"branch__path"``) lies in the scope."""
        if self.is_admin:
            return Q()
        if not self.paths:
            return Q(pk__in=[])
        q = Q()
        for p in self.paths:
            q |= Q(**{f"{org_path}__startswith": p})
        return q


def _reduce_paths(paths: list[str]) -> tuple[str, ...]:
    kept: list[str] = []
    for p in sorted(set(paths), key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(sorted(kept))


def scope_for(user: AnyUser) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    rows = list(
        RoleAssignment.objects.filter(user=user, revoked_at__isnull=True)
        .filter(Q(organization__isnull=True) | Q(organization__status="active"))
        .values_list("role", "organization_id", "organization__path")
    )
    is_admin = getattr(user, "is_superuser", False) or any(role == Role.ADMIN for role, _, _ in rows)
    paths = _reduce_paths([path for role, _, path in rows if role in SUBTREE_WRITE_ROLES and path])
    own_member_id = None
    if any(role == Role.MEMBER for role, _, _ in rows):
        # The member record linked to this login (Member.user, related_name "member").
        own_member_id = User.objects.filter(pk=user.pk, member__isnull=False).values_list("member", flat=True).first()
    scope = Scope(
        is_admin=is_admin,
        paths=paths,
        own_member_id=own_member_id,
        roles=tuple((role, org_id) for role, org_id, _ in rows),
    )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: AnyUser) -> None:
    """Drop the cached scope (after roles change within a request, e.g. in tests)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def user_roles(user: AnyUser) -> set[str]:
    return {role for role, _ in scope_for(user).roles} | ({Role.ADMIN.value} if scope_for(user).is_admin else set())


# --- pages about organizations --------------------------------------------------------------


def require_org_scope(user: AnyUser) -> None:
    """Pages about organizations exist only for those who see some (staff, secretaries, admins):
    a user who sees none (a member with no other role) finds nothing there (404)."""
    if not scope_for(user).sees_orgs:
        raise Http404("页面不存在")


def secretary_org_ids(user: AnyUser) -> list[int]:
    """The organizations the user is 支部书记 of: their own 党支部, where their pages open."""
    return [org_id for role, org_id in scope_for(user).roles if role == Role.SECRETARY and org_id]


def sole_scope_path(user: AnyUser) -> str | None:
    """The path of the one organization whose subtree a user with one scope holds (a secretary's
    党支部, staff's committee); None for admins and for several or no scopes."""
    paths = scope_for(user).paths
    return paths[0] if len(paths) == 1 else None


# --- organizations (anything with a path) ---------------------------------------------------


def can_see_org(user: AnyUser, org: HasPath) -> bool:
    return scope_for(user).covers_path(org.path)


def can_write_org(user: AnyUser, org: HasPath) -> bool:
    return scope_for(user).covers_path(org.path)


def can_create_top_level_org(user: AnyUser) -> bool:
    return scope_for(user).is_admin


def covers_path(user: AnyUser, path: str) -> bool:
    """Whether the organization at ``path`` lies in the user's scope."""
    return scope_for(user).covers_path(path)


# --- the generic lookup -----------------------------------------------------------------------


def _org_paths(org_path: str | Sequence[str]) -> tuple[str, ...]:
    return (org_path,) if isinstance(org_path, str) else tuple(org_path)


def _orgs_of(obj: Model, org_paths: tuple[str, ...]) -> list[HasPath]:
    """The organizations ``obj`` reaches through each ``…__path`` lookup (``"path"``: itself);
    an empty relation (a transfer from outside the portal) reaches none."""
    orgs: list[HasPath] = []
    for org_path in org_paths:
        target: object = obj
        for name in org_path.split("__")[:-1]:
            target = getattr(target, name)
            if target is None:
                break
        if target is not None:
            orgs.append(target)  # type: ignore[arg-type]
    return orgs


def filter_in_scope(
    user: AnyUser, queryset: QuerySet[M], *, org_path: str | Sequence[str], own_member: str | None = None
) -> QuerySet[M]:
    """``queryset`` limited to the rows whose organization (at ``org_path``, or at any of several
    paths) lies in the user's scope; with ``own_member`` (the lookup of a member id, e.g. ``"pk"``),
    also the row of the user's own member record. Admins: the whole queryset."""
    scope = scope_for(user)
    if scope.is_admin:
        return queryset
    q = Q(pk__in=[])
    if scope.paths:
        q = Q()
        for path in _org_paths(org_path):
            q |= scope.path_q(path)
    if own_member is not None and scope.own_member_id is not None:
        q |= Q(**{own_member: scope.own_member_id})
    return queryset.filter(q)


def get_in_scope(
    user: AnyUser,
    queryset: QuerySet[M],
    pk: int | str,
    *,
    org_path: str | Sequence[str],
    missing: str,
    read_only: str = "",
    write: bool = False,
    own_member: str | None = None,
) -> M:
    """The row ``pk`` of ``queryset``, or Http404(``missing``) when it is missing or its organization
    (at ``org_path``; with several paths, any of them) lies outside the user's scope, exactly alike.
    With ``own_member`` (the attribute holding a member id, e.g. ``"pk"``) the user's own member
    record is readable too. With ``write``: PermissionDenied(``read_only``) when the user may read
    the row but not change it."""
    try:
        obj = queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, TypeError, ValueError):
        raise Http404(missing) from None
    orgs = _orgs_of(obj, _org_paths(org_path))
    scope = scope_for(user)
    is_own = own_member is not None and scope.own_member_id is not None and getattr(obj, own_member) == scope.own_member_id
    if not (scope.is_admin or is_own or any(can_see_org(user, org) for org in orgs)):
        raise Http404(missing)
    if write and not (scope.is_admin or any(can_write_org(user, org) for org in orgs)):
        raise PermissionDenied(read_only)
    return obj


def sides_in_scope(user: AnyUser, sides: Mapping[str, str | None]) -> set[str]:
    """Which sides of something with several (side → its organization's path, None where the side
    is outside the portal) the user acts for: those whose organization lies in the scope."""
    scope = scope_for(user)
    return {side for side, path in sides.items() if path is not None and scope.covers_path(path)}


def require_side(user: AnyUser, sides: Mapping[str, str | None], allowed: Collection[str], denied: Callable[[], str]) -> set[str]:
    """The sides the user acts for, if one of them is ``allowed``; else PermissionDenied with the
    message ``denied()`` (built only then: it may name the other side)."""
    mine = sides_in_scope(user, sides)
    if not mine & set(allowed):
        raise PermissionDenied(denied())
    return mine


def is_owner(user: AnyUser, owner_id: int | None) -> bool:
    """Whether ``user`` is the one who started something (e.g. uploaded an import): only they may
    carry it on."""
    return owner_id is not None and user is not None and owner_id == user.pk


def require_owner(user: AnyUser, owner_id: int | None, denied: str) -> None:
    if not is_owner(user, owner_id):
        raise PermissionDenied(denied)


# --- roster imports ----------------------------------------------------------------------------


def can_import_roster(user: AnyUser) -> bool:
    """系统管理员 and 党务干部 import rosters (into organizations in their scope)."""
    scope = scope_for(user)
    return scope.is_admin or any(role == Role.STAFF for role, _ in scope.roles)


def imports_q(user: AnyUser, *, owner: str = "created_by") -> Q | None:
    """Which imports the user sees, as a Q over the owner lookup: admins every one (``Q()``), other
    importers the ones they uploaded; None for those who import nothing."""
    if scope_for(user).is_admin:
        return Q()
    if not can_import_roster(user) or user is None:
        return None
    return Q(**{owner: user})


# --- notifications -----------------------------------------------------------------------------


def notification_recipients_for_paths(org_paths: list[str]) -> dict[str, set[int]]:
    """For each organization path, the users whose scope covers it (staff and secretaries above or
    at it, and admins). Two queries whatever the number of organizations."""
    rows = list(
        RoleAssignment.objects.filter(
            revoked_at__isnull=True, role__in=SUBTREE_WRITE_ROLES, organization__status="active"
        ).values_list("user_id", "organization__path")
    )
    by_path: dict[str, set[int]] = {}
    for user_id, path in rows:
        by_path.setdefault(path, set()).add(user_id)
    admins = set(
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(role_assignments__role=Role.ADMIN, role_assignments__revoked_at__isnull=True))
        .values_list("pk", flat=True)
    )
    result: dict[str, set[int]] = {}
    for path in org_paths:
        users = set(admins)
        # In a materialized-path tree an organization's ancestors (and itself) are exactly the
        # organizations whose path is a prefix of its own: look every prefix up.
        for end in range(1, len(path) + 1):
            users |= by_path.get(path[:end], set())
        result[path] = users
    return result
