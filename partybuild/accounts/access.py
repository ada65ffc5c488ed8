"""The one place that decides what a user may see and change.

Rules:
- 系统管理员 (role ``admin``, or a Django superuser): everything.
- 党务干部 and 支部书记: read and write the subtree of each organization they hold the role in.
- 党员: their own member record, read only.

Everything else does not exist for the user: ``get_*_for_user`` raise Http404 for out of scope,
exactly as for a missing row, and PermissionDenied (403) only for something the user may read but
not change. Every view, API endpoint, export and task goes through this module.

A user's scope is a short list of materialized-path prefixes, computed with one query and cached
on the user object for the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from partybuild.accounts.models import SUBTREE_WRITE_ROLES, Role, RoleAssignment

if TYPE_CHECKING:
    from branches.models import Organization
    from members.roster.models import Member

_CACHE_ATTR = "_partybuild_scope"


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
        if self.is_admin:
            return Q()
        if not self.paths:
            return Q(pk__in=[])
        q = Q()
        for p in self.paths:
            q |= Q(**{f"{prefix}path__startswith": p})
        return q


def _reduce_paths(paths: list[str]) -> tuple[str, ...]:
    kept: list[str] = []
    for p in sorted(set(paths), key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(sorted(kept))


def scope_for(user: Any) -> Scope:
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
    is_admin = user.is_superuser or any(role == Role.ADMIN for role, _, _ in rows)
    paths = _reduce_paths([path for role, _, path in rows if role in SUBTREE_WRITE_ROLES and path])
    own_member_id = None
    if any(role == Role.MEMBER for role, _, _ in rows):
        from members.roster.models import Member

        own_member_id = Member.objects.filter(user=user).values_list("pk", flat=True).first()
    scope = Scope(
        is_admin=is_admin,
        paths=paths,
        own_member_id=own_member_id,
        roles=tuple((role, org_id) for role, org_id, _ in rows),
    )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: Any) -> None:
    """Drop the cached scope (after roles change within a request, e.g. in tests)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def user_roles(user: Any) -> set[str]:
    return {role for role, _ in scope_for(user).roles} | ({Role.ADMIN.value} if scope_for(user).is_admin else set())


# --- organizations ---------------------------------------------------------------------------


def visible_orgs(user: Any) -> QuerySet[Organization]:
    from branches.models import Organization

    scope = scope_for(user)
    return Organization.objects.filter(scope.org_q())


def writable_orgs(user: Any) -> QuerySet[Organization]:
    # Today every role that sees organizations may also change them.
    return visible_orgs(user)


def can_see_org(user: Any, org: Organization) -> bool:
    return scope_for(user).covers_path(org.path)


def can_write_org(user: Any, org: Organization) -> bool:
    return scope_for(user).covers_path(org.path)


def can_create_top_level_org(user: Any) -> bool:
    return scope_for(user).is_admin


def get_org_for_user(user: Any, pk: Any, *, write: bool = False) -> Organization:
    """The organization, or 404 if it is missing or outside the scope; 403 if read-only."""
    from branches.models import Organization

    try:
        org = Organization.objects.get(pk=int(pk))
    except (Organization.DoesNotExist, TypeError, ValueError):
        raise Http404("党组织不存在") from None
    if not can_see_org(user, org):
        raise Http404("党组织不存在")
    if write and not can_write_org(user, org):
        raise PermissionDenied("您没有修改该党组织的权限")
    return org


# --- members ---------------------------------------------------------------------------------


def visible_members(user: Any) -> QuerySet[Member]:
    from members.roster.models import Member

    scope = scope_for(user)
    if scope.is_admin:
        return Member.objects.all()
    q = scope.org_q("branch__") if scope.paths else Q(pk__in=[])
    if scope.own_member_id is not None:
        q |= Q(pk=scope.own_member_id)
    return Member.objects.filter(q)


def managed_members(user: Any) -> QuerySet[Member]:
    """Members the user manages: may change, and may see unmasked 公民身份号码."""
    from members.roster.models import Member

    scope = scope_for(user)
    if scope.is_admin:
        return Member.objects.all()
    if not scope.paths:
        return Member.objects.none()
    return Member.objects.filter(scope.org_q("branch__"))


def manages_member(user: Any, member: Member) -> bool:
    return scope_for(user).covers_path(member.branch.path)


def get_member_for_user(user: Any, pk: Any, *, write: bool = False) -> Member:
    from members.roster.models import Member

    try:
        member = Member.objects.select_related("branch", "group").get(pk=int(pk))
    except (Member.DoesNotExist, TypeError, ValueError):
        raise Http404("党员不存在") from None
    scope = scope_for(user)
    manages = scope.covers_path(member.branch.path)
    if not manages and member.pk != scope.own_member_id:
        raise Http404("党员不存在")
    if write and not manages:
        raise PermissionDenied("您没有修改该党员信息的权限")
    return member


def id_number_for(user: Any, member: Member) -> str:
    """The number as this user may see it: whole for those who manage the member, masked otherwise."""
    return member.id_number if manages_member(user, member) else member.masked_id_number


# --- meetings --------------------------------------------------------------------------------


def visible_meetings(user: Any) -> QuerySet[Any]:
    """Meetings of the organizations in the user's scope (a member with no other role sees their
    own attendance on their record, not the meetings themselves)."""
    from meetings.models import Meeting

    scope = scope_for(user)
    return Meeting.objects.filter(scope.org_q("organization__"))


def get_meeting_for_user(user: Any, pk: Any, *, write: bool = False) -> Any:
    """The meeting, or 404 if it is missing or its organization is outside the scope."""
    from meetings.models import Meeting

    try:
        meeting = Meeting.objects.select_related("organization").get(pk=int(pk))
    except (Meeting.DoesNotExist, TypeError, ValueError):
        raise Http404("会议不存在") from None
    if not can_see_org(user, meeting.organization):
        raise Http404("会议不存在")
    if write and not can_write_org(user, meeting.organization):
        raise PermissionDenied("您没有修改该会议的权限")
    return meeting


def get_attachment_for_user(user: Any, meeting_pk: Any, pk: Any) -> Any:
    """An attachment that is not removed, of a meeting the user sees; 404 otherwise."""
    from meetings.models import MeetingAttachment

    meeting = get_meeting_for_user(user, meeting_pk)
    try:
        return MeetingAttachment.objects.get(pk=int(pk), meeting=meeting, removed_at__isnull=True)
    except (MeetingAttachment.DoesNotExist, TypeError, ValueError):
        raise Http404("附件不存在") from None


# --- transfers (组织关系转接) ----------------------------------------------------------------------


def visible_transfers(user: Any) -> QuerySet[Any]:
    """Transfers sent from or to the organizations in the user's scope."""
    from members.transfers.models import Transfer

    scope = scope_for(user)
    transfers = Transfer.objects.select_related("member__branch", "from_org", "to_org", "created_by")
    return transfers if scope.is_admin else transfers.filter(scope.org_q("from_org__") | scope.org_q("to_org__"))


def get_transfer_for_user(user: Any, pk: Any) -> Any:
    """The transfer, or 404 if it is missing or touches nothing in the user's scope."""
    from members.transfers.models import Transfer

    try:
        return visible_transfers(user).get(pk=int(pk))
    except (Transfer.DoesNotExist, TypeError, ValueError):
        raise Http404("转接记录不存在") from None


def transfer_sides(user: Any, transfer: Any) -> set[str]:
    """Which sides of a transfer the user acts for: 'out' (the sending 党支部 is in scope), 'in'
    (the receiving one is). A transfer from or to outside the portal has one side only."""
    scope = scope_for(user)
    sides = set()
    if transfer.from_org_id and scope.covers_path(transfer.from_org.path):
        sides.add("out")
    if transfer.to_org_id and scope.covers_path(transfer.to_org.path):
        sides.add("in")
    return sides


# --- 发展党员 ------------------------------------------------------------------------------------


def get_development_record_for_user(user: Any, pk: Any, *, write: bool = False) -> Any:
    """A development record, or 404 when it is missing or its 党支部 is outside the user's scope;
    403 when the user may read but not change it."""
    from members.development.models import DevelopmentRecord

    try:
        record = DevelopmentRecord.objects.select_related("member").get(pk=int(pk))
    except (DevelopmentRecord.DoesNotExist, TypeError, ValueError):
        raise Http404("发展党员记录不存在") from None
    try:
        record.branch = get_org_for_user(user, record.branch_id, write=write)
    except Http404:
        raise Http404("发展党员记录不存在") from None
    return record


# --- roster imports ----------------------------------------------------------------------------


def can_import_roster(user: Any) -> bool:
    """系统管理员 and 党务干部 import rosters (into organizations in their scope)."""
    scope = scope_for(user)
    return scope.is_admin or any(role == Role.STAFF for role, _ in scope.roles)


def visible_imports(user: Any) -> QuerySet[Any]:
    """Admins see every import; others the ones they uploaded."""
    from members.imports.models import RosterImport

    if scope_for(user).is_admin:
        return RosterImport.objects.all()
    if not can_import_roster(user):
        return RosterImport.objects.none()
    return RosterImport.objects.filter(created_by=user)


def get_import_for_user(user: Any, pk: Any) -> Any:
    from members.imports.models import RosterImport

    try:
        return visible_imports(user).select_related("created_by").get(pk=int(pk))
    except (RosterImport.DoesNotExist, TypeError, ValueError):
        raise Http404("导入记录不存在") from None


def notification_recipients_for_paths(org_paths: list[str]) -> dict[str, set[int]]:
    """For each organization path, the users whose scope covers it (staff and secretaries above or
    at it, and admins). Two queries whatever the number of organizations."""
    from django.contrib.auth import get_user_model

    rows = list(
        RoleAssignment.objects.filter(
            revoked_at__isnull=True, role__in=SUBTREE_WRITE_ROLES, organization__status="active"
        ).values_list("user_id", "organization__path")
    )
    by_path: dict[str, set[int]] = {}
    for user_id, path in rows:
        by_path.setdefault(path, set()).add(user_id)
    admins = set(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(role_assignments__role=Role.ADMIN, role_assignments__revoked_at__isnull=True))
        .values_list("pk", flat=True)
    )
    result: dict[str, set[int]] = {}
    for path in org_paths:
        users = set(admins)
        # Every ancestor (and the node itself) has a path that is a prefix of ``path`` on a step boundary.
        from branches.models import Organization

        step = Organization.steplen
        for end in range(step, len(path) + 1, step):
            users |= by_path.get(path[:end], set())
        result[path] = users
    return result
