"""partybuild.api.permissions.CanWrite: reads pass, writes need a user who manages organizations."""

from __future__ import annotations

import pytest
from rest_framework.test import APIRequestFactory

from partybuild.accounts.models import User
from partybuild.api.permissions import CanWrite
from tests.conftest import World

factory = APIRequestFactory()


def _allows(permission: type[CanWrite], method: str, user: User) -> bool:
    request = getattr(factory, method)("/api/anything/")
    request.user = user
    return permission().has_permission(request, view=None)  # type: ignore[arg-type]


def test_guarding_names_what_it_guards_in_the_403_message() -> None:
    permission = CanWrite.guarding("登记会议")
    assert issubclass(permission, CanWrite)
    assert (permission.guards, permission.message) == ("登记会议", "您没有登记会议的权限。")
    assert CanWrite.guarding("核定或登记党费").message == "您没有核定或登记党费的权限。"


@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_an_ordinary_member_reads(world: World, method: str) -> None:
    assert _allows(CanWrite.guarding("登记会议"), method, world.member_a_user)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_an_ordinary_member_writes_nothing(world: World, method: str) -> None:
    assert not _allows(CanWrite.guarding("登记会议"), method, world.member_a_user)


@pytest.mark.parametrize("who", ["admin", "staff", "secretary_a", "secretary_b"])
def test_those_who_manage_organizations_may_write(world: World, who: str) -> None:
    assert _allows(CanWrite.guarding("登记会议"), "post", getattr(world, who))
