"""Small helpers for the API tests: JSON in, JSON out."""

from __future__ import annotations

from typing import Any

from django.test import Client

ORGS = "/api/v1/organizations/"
MEMBERS = "/api/v1/members/"


def org_url(pk: int, action: str = "") -> str:
    return f"{ORGS}{pk}/" + (f"{action}/" if action else "")


def member_url(pk: int, action: str = "") -> str:
    return f"{MEMBERS}{pk}/" + (f"{action}/" if action else "")


def post(client: Client, url: str, data: Any = None, **extra: Any) -> Any:
    return client.post(url, data if data is not None else {}, content_type="application/json", **extra)


def patch(client: Client, url: str, data: Any, **extra: Any) -> Any:
    return client.patch(url, data, content_type="application/json", **extra)


def put(client: Client, url: str, data: Any, **extra: Any) -> Any:
    return client.put(url, data, content_type="application/json", **extra)


def codes(response: Any) -> list[str]:
    return [row["code"] for row in response.json()["results"]]


def names(response: Any) -> list[str]:
    return [row["name"] for row in response.json()["results"]]
