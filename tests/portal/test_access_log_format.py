"""gunicorn's access log leaves out query strings: searches carry names, phone numbers and
ID-number tails, and access logs are kept and shipped elsewhere."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'


def test_dockerfile_gunicorn_logs_the_path_without_the_query_string() -> None:
    text = (ROOT / "Dockerfile").read_text()
    cmd = json.loads(text[text.index("\nCMD ") + 5 :].replace("\\\n", ""))
    assert cmd[0] == "gunicorn"
    assert cmd[cmd.index("--access-logformat") + 1] == FORMAT


def test_compose_gunicorn_logs_the_path_without_the_query_string() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert f"--access-logformat '{FORMAT}'" in text
    assert "%(r)s" not in text and "%(q)s" not in text
