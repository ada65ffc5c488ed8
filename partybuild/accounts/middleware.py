"""Session lifetime: 30 minutes idle (SESSION_COOKIE_AGE, renewed per request) and an absolute
limit of SESSION_ABSOLUTE_MAX_AGE from login, enforced here."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

LOGIN_AT_KEY = "partybuild_login_at"


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            login_at = request.session.get(LOGIN_AT_KEY)
            if login_at is None:
                request.session[LOGIN_AT_KEY] = now
            elif now - int(login_at) > settings.SESSION_ABSOLUTE_MAX_AGE:
                logout(request)
                messages.info(request, "登录已超过12小时，请重新登录。")
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
