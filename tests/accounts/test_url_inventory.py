"""Every URL of the portal is accounted for: a new view cannot slip in without a login check.

The inventory walks the URL resolver, so adding a view without adding it to PUBLIC or to the
scope tests here fails this test.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from ..conftest import World

# Reachable without logging in, on purpose.
PUBLIC = {"accounts:login", "healthz", "api:token"}


def _walk(patterns: list, ns: str | None = None, prefix: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _walk(p.url_patterns, p.namespace or ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            name = f"{ns}:{p.name}" if ns else p.name
            found.append((name, prefix + str(p.pattern)))
    return found


def _concrete(route: str, pk: int) -> str | None:
    if "format" in route:
        return None  # the .json suffix twins of API routes
    path = route.replace("^", "").replace("$", "").replace("\\", "")
    path = re.sub(r"<int:pk>|\(\?P<pk>\[\^/\.\]\+\)", str(pk), path)
    if "<" in path or "(?" in path:
        return None
    return "/" + path


def _portal_routes() -> list[tuple[str, str]]:
    return [(n, r) for n, r in _walk(get_resolver().url_patterns) if not n.startswith("admin:")]


def test_every_url_needs_a_login_except_the_public_ones(client: Client, world: World) -> None:
    checked = 0
    for name, route in _portal_routes():
        url = _concrete(route, world.member_a.pk if name.startswith(("members", "api:member")) else world.branch_a.pk)
        if url is None or name in PUBLIC:
            continue
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code in (401, 403), f"{name} {url} answered {response.status_code} without login"
        else:
            assert response.status_code in (302, 405), f"{name} {url} answered {response.status_code} without login"
            if response.status_code == 302:
                assert response["Location"].startswith("/accounts/login/"), name
        checked += 1
    assert checked >= 24


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_urls_are_still_there(name: str) -> None:
    names = {n for n, _ in _portal_routes()}
    assert name in names


def test_secretary_b_gets_404_on_every_page_about_branch_a(world: World) -> None:
    """The outsider meets 'not found' on every object URL of branch A and its member."""
    client = Client()
    client.force_login(world.secretary_b)
    for name, route in _portal_routes():
        if "<int:pk>" not in route and "(?P<pk>" not in route:
            continue
        if name.startswith("notifications:"):
            continue  # a notification pk, covered in tests/portal/test_home.py
        if name == "branches:position_end":
            continue  # a position pk, covered in tests/branches/test_views.py
        pk = world.member_a.pk if name.startswith(("members", "api:member")) else world.branch_a.pk
        url = _concrete(route, pk)
        if url is None:
            continue
        response = client.get(url)
        assert response.status_code in (404, 405), f"{name} {url} answered {response.status_code}"
