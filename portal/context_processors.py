"""Values every page needs: portal name, the user's roles, unread notifications for the top bar."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, Window
from django.http import HttpRequest

from partybuild.accounts.access import can_import_roster, scope_for, user_roles
from partybuild.notifications.models import Notification

UNREAD_SHOWN = 6  # unread notifications listed in the top bar


def portal(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"PORTAL_NAME": settings.PORTAL_NAME}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    loaded: dict[str, Any] = {}

    def _load() -> dict[str, Any]:
        # One query for the top bar: the six latest unread, each carrying the count of all unread
        # (a window over the filtered rows, computed before the LIMIT).
        if not loaded:
            rows = list(
                Notification.objects.filter(recipient=user, read_at__isnull=True)
                .annotate(unread_total=Window(Count("pk")))
                .order_by("-created_at", "-id")[:UNREAD_SHOWN]
            )
            loaded.update(rows=rows, count=rows[0].unread_total if rows else 0)  # type: ignore[attr-defined]
        return loaded

    def _unread() -> list[Notification]:
        return _load()["rows"]

    def _unread_count() -> int:
        return _load()["count"]

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
