"""Values every page needs: portal name, the user's roles, unread notifications for the top bar."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"PORTAL_NAME": settings.PORTAL_NAME}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    from partybuild.accounts.access import can_import_roster, scope_for, user_roles
    from partybuild.notifications.models import Notification

    def _unread() -> list[Notification]:
        return list(Notification.objects.filter(recipient=user, read_at__isnull=True).order_by("-created_at", "-id")[:6])

    def _unread_count() -> int:
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    scope = scope_for(user)
    context.update(
        {
            "user_scope": scope,
            "user_roles": user_roles(user),
            "can_import_roster": can_import_roster(user),
            # Evaluated lazily by the template, so pages that don't render the bar pay nothing.
            "unread_notifications": _unread,
            "unread_notification_count": _unread_count,
        }
    )
    return context
