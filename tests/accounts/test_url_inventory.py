"""Every URL of the portal is accounted for: a new view cannot slip in without a login check.

The inventory walks the URL resolver, so adding a view without adding it to PUBLIC or to the
scope tests here fails this test.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from meetings.models import MeetingStatus, MeetingType
from meetings.services import attachment_add
from members.development.models import DevelopmentStage
from members.development.services import development_apply
from tests.conftest import World
from tests.factories import valid_id_number
from tests.meetings.conftest import at, hold

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
    # The router's pk pattern first: it holds a "^" of its own ([^/.]+).
    path = re.sub(r"<int:pk>|\(\?P<pk>\[\^/\.\]\+\)", str(pk), route)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    # A 发展党员 record's step and correction forms are named by a slug.
    path = path.replace("<slug:step>", "talk").replace("<slug:fact>", "talk")
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


def test_secretary_b_gets_404_on_every_page_about_branch_a(world: World, settings, tmp_path) -> None:
    """The outsider meets 'not found' on every object URL of branch A, its member, a meeting of
    branch A with its attachment (a meeting page that only takes POST is posted to as well), and a
    发展党员 record of branch A (the API's actions and the record page's forms, which only take
    POST, are posted to)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    record = development_apply(
        branch=world.branch_a,
        applied_on=datetime.date(2024, 3, 1),
        actor=world.secretary_a,
        name="陈申请",
        id_number=valid_id_number(datetime.date(1995, 5, 5)),
    )
    meeting = hold(world.branch_a, MeetingType.THEME_DAY, at(2026, 3, 5), actor=world.secretary_a)
    scan = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 scan")
    attachment = attachment_add(actor=world.secretary_a, meeting=meeting, upload=scan, kind="sign_in")
    client = Client()
    client.force_login(world.secretary_b)
    checked_meeting_routes = 0
    checked_development_actions = 0
    checked_development_forms = 0
    for name, route in _portal_routes():
        if "<int:pk>" not in route and "(?P<pk>" not in route:
            continue
        if name.startswith("notifications:"):
            continue  # a notification pk, covered in tests/portal/test_home.py
        if name == "branches:position_end":
            continue  # a position pk, covered in tests/branches/test_views.py
        about_meeting = name.startswith(("meetings:", "api:meeting"))
        if about_meeting:
            pk = meeting.pk
            route = route.replace("<int:attachment_pk>", str(attachment.pk))
        elif name.startswith(("development:", "api:development")):
            pk = record.pk
        elif name.startswith(("members", "api:member")):
            pk = world.member_a.pk
        else:
            pk = world.branch_a.pk
        url = _concrete(route, pk)
        if url is None:
            continue
        response = client.get(url)
        assert response.status_code in (404, 405), f"{name} {url} answered {response.status_code}"
        if about_meeting and response.status_code == 405 and name.startswith("meetings:"):
            response = client.post(url)
            assert response.status_code == 404, f"POST {name} {url} answered {response.status_code}"
        if name.startswith("api:development") and response.status_code == 405:
            response = client.post(url, {}, content_type="application/json")
            assert response.status_code == 404, f"POST {name} {url} answered {response.status_code}"
            checked_development_actions += 1
        if name.startswith("development:") and response.status_code == 405:
            response = client.post(url, {"talk-talked_on": "2024-03-05", "fix-talk-talked_on": "2024-03-05"})
            assert response.status_code == 404, f"POST {name} {url} answered {response.status_code}"
            checked_development_forms += 1
        checked_meeting_routes += name.startswith("meetings:")
    assert checked_meeting_routes >= 7
    assert checked_development_actions >= 15
    assert checked_development_forms >= 3  # a step, the person, a correction
    record.refresh_from_db()
    assert (record.stage, record.history.count()) == (DevelopmentStage.APPLICANT, 1)
    attachment.refresh_from_db()
    meeting.refresh_from_db()
    assert attachment.removed_at is None
    assert meeting.status == MeetingStatus.HELD
