"""Settings read the environment and fail loudly on bad values (checked in a fresh process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management.utils import get_random_secret_key

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 60


def _django(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    base.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "env,message",
    [
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"DATABASE_URL": "mysql://x@localhost/db"}, "DATABASE_URL must be a postgres"),
        ({"REDIS_URL": "http://localhost"}, "REDIS_URL must start with"),
        ({"SECRET_KEY_FILE": "/nonexistent/secret"}, "cannot be read"),
        ({"LOG_LEVEL": "LOUD"}, "is not a logging level"),
    ],
)
def test_bad_environment_values_stop_start_up(env: dict[str, str], message: str) -> None:
    result = _django(env, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_production_requires_a_secret_key() -> None:
    result = _django({"DJANGO_SETTINGS_MODULE": "partybuild.settings.production", "ALLOWED_HOSTS": "dj.example.org"}, "check")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_secret_key_file_is_read(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text(GOOD_KEY + "\n")
    result = _django(
        {
            "DJANGO_SETTINGS_MODULE": "partybuild.settings.production",
            "SECRET_KEY_FILE": str(secret),
            "ALLOWED_HOSTS": "dj.example.org",
        },
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY == 'k' * 60)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True")


def test_production_settings_pass_check_deploy_with_no_warning() -> None:
    result = _django(
        {
            "DJANGO_SETTINGS_MODULE": "partybuild.settings.production",
            "SECRET_KEY": get_random_secret_key() + get_random_secret_key(),
            "ALLOWED_HOSTS": "dj.example.org",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
