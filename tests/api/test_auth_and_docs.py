"""Token authentication, CSRF on session writes, the OpenAPI schema and the Swagger page."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.api.helpers import MEMBERS, ORGS, member_url, patch, post
from tests.conftest import PASSWORD, World

TOKEN_URL = "/api/v1/auth/token/"


def test_token_is_issued_for_username_and_password(world: World, client: Client) -> None:
    response = post(client, TOKEN_URL, {"username": "secretary_a", "password": PASSWORD})
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=world.secretary_a).key == key


def test_wrong_password_gets_no_token_and_a_chinese_message(world: World, client: Client) -> None:
    response = post(client, TOKEN_URL, {"username": "secretary_a", "password": "wrong-password"})
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["无法使用提供的认证信息登录。"]
    assert not Token.objects.filter(user=world.secretary_a).exists()


def test_token_endpoint_locks_out_after_five_failures_like_the_login_page(world: World, client: Client) -> None:
    for _ in range(4):
        assert post(client, TOKEN_URL, {"username": "secretary_a", "password": "wrong-password"}).status_code == 400
    assert post(client, TOKEN_URL, {"username": "secretary_a", "password": "wrong-password"}).status_code == 429
    response = post(client, TOKEN_URL, {"username": "secretary_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]
    assert not Token.objects.filter(user=world.secretary_a).exists()


def test_token_reads_within_the_users_scope(world: World, client: Client) -> None:
    key = post(client, TOKEN_URL, {"username": "secretary_a", "password": PASSWORD}).json()["token"]
    api = Client()  # no session: the token alone
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    response = api.get(MEMBERS, **auth)
    assert response.status_code == 200
    assert sorted(r["name"] for r in response.json()["results"]) == ["张党员", "李同志"]
    assert api.get(member_url(world.member_b.pk), **auth).status_code == 404
    assert [r["code"] for r in api.get(ORGS, **auth).json()["results"]] == ["WA", "WA1"]


def test_token_writes_without_csrf(world: World) -> None:
    token = Token.objects.create(user=world.secretary_a)
    api = Client(enforce_csrf_checks=True)
    response = patch(api, member_url(world.member_a2.pk), {"job_post": "主任科员"}, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200, response.json()
    world.member_a2.refresh_from_db()
    assert world.member_a2.job_post == "主任科员"


def test_member_token_cannot_write(world: World) -> None:
    token = Token.objects.create(user=world.member_a_user)
    response = patch(Client(), member_url(world.member_a.pk), {"phone": "13700000000"}, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 403


def test_unknown_token_is_401(world: World, client: Client) -> None:
    response = client.get(MEMBERS, HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert response.status_code == 401
    assert response.json() == {"detail": "认证令牌无效。"}


def test_session_writes_need_the_csrf_token(world: World) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.secretary_a)
    response = patch(browser, member_url(world.member_a2.pk), {"job_post": "主任科员"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    world.member_a2.refresh_from_db()
    assert world.member_a2.job_post == ""


def test_schema_generates_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    for path in (
        "/api/v1/organizations/{id}/move/",
        "/api/v1/organizations/{id}/dissolve/",
        "/api/v1/members/{id}/change-state/",
    ):
        assert path in text


def test_schema_endpoint_renders(world: World, as_staff: Client) -> None:
    response = as_staff.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"openapi: 3.0.3" in response.content


def test_docs_render_swagger_ui_from_local_static_files(world: World, as_staff: Client) -> None:
    response = as_staff.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    # Every script, stylesheet and link is served from here: none points at another host (a check
    # for the text "cdn" failed now and then on the page's random CSRF token).
    external = [url for url in re.findall(r'(?:src|href)=["\']([^"\']+)', html) if re.match(r"(?:[a-z]+:)?//", url, re.I)]
    assert external == []
    assert "//unpkg" not in html and "jsdelivr" not in html and "cdn." not in html.lower()
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}"), asset
