"""DRF permission classes that ask the access module, and the mixin every API viewset uses.

Reads are scoped in each viewset's ``get_queryset`` / ``get_object`` through
``partybuild.accounts.access``; these classes only turn away writes from users who can change
nothing at all (an ordinary 党员), so that they get 403 before any lookup.

``PortalAPIMixin`` maps what the access module and the services raise onto API answers:
Http404 → 404, PermissionDenied → 403 (keeping the Chinese message), and a service's Django
``ValidationError`` (a dict keyed by field) → 400 with the same keys.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from partybuild.accounts.access import scope_for


class CanWriteOrganizations(permissions.BasePermission):
    """Writes to organizations: 系统管理员, 党务干部 and 支部书记 (within their subtree)."""

    message = "您没有管理党组织的权限。"

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return scope_for(request.user).sees_orgs


class CanWriteMembers(permissions.BasePermission):
    """Writes to the roster: only those who manage members. A 党员 reads their own record only."""

    message = "您没有修改党员信息的权限。"

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        scope = scope_for(request.user)
        return scope.is_admin or bool(scope.paths)


def validation_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A Django ValidationError as DRF's error body: field → messages; ``__all__`` → non_field_errors."""
    if hasattr(exc, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}


class PortalAPIMixin:
    """Authenticated users only; errors from the access module and services become API answers."""

    # Token first so that a request without credentials gets 401 with ``WWW-Authenticate: Token``
    # (DRF takes that header from the first class; session authentication has none, giving 403).
    authentication_classes = [authentication.TokenAuthentication, authentication.SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    def handle_exception(self, exc: Exception) -> Response:
        converted: Any = exc
        if isinstance(exc, DjangoValidationError):
            converted = exceptions.ValidationError(validation_detail(exc))
        elif isinstance(exc, Http404):
            converted = exceptions.NotFound(str(exc) or None)
        elif isinstance(exc, DjangoPermissionDenied):
            converted = exceptions.PermissionDenied(str(exc) or None)
        elif isinstance(exc, exceptions.ParseError):
            # DRF's own text here is English ("JSON parse error - ...").
            converted = exceptions.ParseError("请求内容格式有误，无法解析（请提交有效的JSON）。")
        return super().handle_exception(converted)  # type: ignore[misc]
