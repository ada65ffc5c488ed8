"""Writes to roles. Roles are never deleted: revoking sets ``revoked_at`` (history kept)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from partybuild.accounts.access import forget_scope
from partybuild.accounts.models import Role, RoleAssignment, User


def roles_revoke_for_member(*, member: Any, reason: str, actor: User, within_path: str | None = None) -> int:
    """A member's login loses the roles that came with a place they no longer hold: the 支部书记
    role of organizations under ``within_path`` (the branch they left), or, with no path (they left
    the roster), every 支部书记 and 党务干部 role. The 党员 role stays: they keep reading their own
    record. Returns how many were revoked."""
    user_id = getattr(member, "user_id", None)
    if not user_id:
        return 0
    roles = [Role.SECRETARY] if within_path is not None else [Role.SECRETARY, Role.STAFF]
    held = RoleAssignment.objects.select_for_update().filter(user_id=user_id, role__in=roles, revoked_at__isnull=True)
    if within_path is not None:
        held = held.filter(organization__path__startswith=within_path)
    now = timezone.now()
    count = 0
    for assignment in held:
        assignment.revoked_at = now
        assignment._history_user = actor  # type: ignore[attr-defined]
        assignment._change_reason = reason  # type: ignore[attr-defined]
        assignment.save(update_fields=["revoked_at"])
        count += 1
    if count:
        forget_scope(member.user)
    return count
