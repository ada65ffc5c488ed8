"""The portal home (工作台), health check and error pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.selectors import home_summary


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Every logged-in user. Staff and secretaries see their subtree's figures; a member sees a
    link to their own record."""
    return render(request, "portal/home.html", home_summary(request.user))


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Load balancer and compose health check: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return render(request, "403.html", {"reason": str(exception) if exception else ""}, status=403)
