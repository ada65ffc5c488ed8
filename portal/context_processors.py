"""Values every page needs: portal name, the user's roles, unread notifications for the top bar."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from partybuild.accounts.access import can_import_roster, scope_for, user_roles
from partybuild.notifications.selectors import Unread, unread_for

UNREAD_SHOWN = 6  # unread notifications listed in the top bar


def portal(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"PORTAL_NAME": settings.PORTAL_NAME}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    loaded: list[Unread] = []

    def _load() -> Unread:
        # One query for the top bar, made only when a template asks for it.
        if not loaded:
            loaded.append(unread_for(user, limit=UNREAD_SHOWN))
        return loaded[0]

    scope = scope_for(user)
    context.update(
        {
            "user_scope": scope,
            "user_roles": user_roles(user),
            "can_import_roster": can_import_roster(user),
            # Evaluated lazily by the template, so pages that don't render the bar pay nothing.
            "unread_notifications": lambda: _load().rows,
            "unread_notification_count": lambda: _load().total,
            "unread_by_level": lambda: _load().levels,
            "unread_top_level": lambda: _load().top_level,
        }
    )
    return context
