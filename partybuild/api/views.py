"""The mixin every API viewset uses, and how a service's ValidationError reads in the API.

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
from rest_framework.response import Response
from rest_framework.settings import api_settings


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
