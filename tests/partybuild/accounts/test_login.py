from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from partybuild.accounts.middleware import LOGIN_AT_KEY
from tests.conftest import PASSWORD, World


def test_login_page_is_in_chinese(client: Client, db) -> None:
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "用户名" in body and "密码" in body and "登录" in body


def test_login_with_right_password_reaches_home(client: Client, world: World) -> None:
    response = client.post(reverse("accounts:login"), {"username": "staff", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert "工作台" in response.content.decode()


def test_wrong_password_shows_chinese_error(client: Client, world: World) -> None:
    response = client.post(reverse("accounts:login"), {"username": "staff", "password": "wrong-one"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_five_failures_lock_the_account_even_with_the_right_password(client: Client, world: World) -> None:
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "secretary_a", "password": "nope"}, REMOTE_ADDR="10.1.1.1")
    response = client.post(reverse("accounts:login"), {"username": "secretary_a", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    # Keyed on username and IP: the same user from another address is not locked out.
    other = Client()
    ok = other.post(reverse("accounts:login"), {"username": "secretary_a", "password": PASSWORD}, REMOTE_ADDR="10.1.1.2")
    assert ok.status_code == 302


def test_pages_need_login(client: Client, db) -> None:
    for name in ("portal:home", "branches:tree", "members:list", "notifications:list"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_idle_timeout_is_30_minutes_and_renewed_per_request(settings) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_session_ends_12_hours_after_login_even_if_active(client: Client, world: World) -> None:
    client.post(reverse("accounts:login"), {"username": "staff", "password": PASSWORD})
    assert client.get(reverse("portal:home")).status_code == 200
    session = client.session
    session[LOGIN_AT_KEY] = int(time.time()) - 12 * 3600 - 5
    session.save()
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert client.get(reverse("portal:home")).status_code == 302  # logged out for good


def test_the_12_hours_count_from_the_login_itself(client: Client, world: World) -> None:
    before = int(time.time())
    client.post(reverse("accounts:login"), {"username": "staff", "password": PASSWORD})
    # Stamped by the login (the user_logged_in receiver), not first by a later request.
    assert before <= client.session[LOGIN_AT_KEY] <= int(time.time())


def test_logout_is_post_only(as_staff: Client) -> None:
    assert as_staff.get(reverse("accounts:logout")).status_code == 405
    assert as_staff.post(reverse("accounts:logout")).status_code == 302
    assert as_staff.get(reverse("portal:home")).status_code == 302


@pytest.mark.parametrize(
    "password,ok",
    [("short1", False), ("1234567890", False), ("password123", False), ("Dangjian@2026x", True)],
)
def test_password_validators_are_on(db, password: str, ok: bool) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)
