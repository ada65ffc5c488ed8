"""The one DRF permission class of the portal's API, parameterized by what it guards.

Reads are scoped in each viewset's ``get_queryset`` / ``get_object`` through
``partybuild.accounts.access``; this class only turns away writes from users who can change
nothing at all (an ordinary 党员), so that they get 403 before any lookup. It decides nothing
itself: the access module's scope says whether the user manages any organization.

    permission_classes = [*PortalAPIMixin.permission_classes, CanWrite.guarding("登记会议")]
"""

from __future__ import annotations

from typing import ClassVar

from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from partybuild.accounts.access import scope_for


class CanWrite(permissions.BasePermission):
    """Reads pass; a write needs a user who manages organizations (系统管理员, 党务干部, 支部书记),
    else 403 with 您没有<what it guards>的权限。"""

    guards: ClassVar[str] = ""
    message = "您没有修改的权限。"

    @classmethod
    def guarding(cls, what: str) -> type[CanWrite]:
        """The permission for writes to ``what`` (in the words of the 403: 登记会议, 核定或登记党费)."""
        return type(f"CanWrite<{what}>", (cls,), {"guards": what, "message": f"您没有{what}的权限。"})

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return scope_for(request.user).sees_orgs
