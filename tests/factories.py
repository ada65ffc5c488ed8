"""factory-boy factories for variations on the shared fixture's tree."""

from __future__ import annotations

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model

from branches.models import Organization, OrgKind
from branches.services import organization_create
from members.roster.choices import MemberType
from members.roster.models import Member
from members.roster.validators import id_number_gender, make_id_number
from partybuild.accounts.models import RoleAssignment

_codes = itertools.count(1)
# ID sequence numbers for members; 3 is skipped: with the default birth date it would make
# 110101198506150035, the example row of the import template, which tests import as a new member.
_seq = (n for n in itertools.count(1) if n % 1000 != 3)


def next_code() -> str:
    return f"T{next(_codes):06d}"


def make_org(parent: Organization | None, kind: str = OrgKind.BRANCH, name: str | None = None, **fields: object) -> Organization:
    """Create an organization through the service (treebeard needs add_root/add_child)."""
    code = str(fields.pop("code", next_code()))
    name = name or f"测试{OrgKind(kind).label}{code}"
    if parent is not None:
        parent.refresh_from_db()
    return organization_create(
        parent=parent,
        code=code,
        kind=kind,
        name=name,
        short_name=str(fields.pop("short_name", name[:20])),
        **fields,  # type: ignore[arg-type]
    )


def valid_id_number(birth: datetime.date | None = None) -> str:
    birth = birth or datetime.date(1985, 6, 15)
    return make_id_number("110101", birth, next(_seq))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("Test-pass-2026")


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = "staff"


class MemberFactory(factory.django.DjangoModelFactory):
    """Needs ``branch=``; builds a valid 正式党员 born 1985-06-15."""

    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"党员{n:04d}")
    birth_date = datetime.date(1985, 6, 15)
    id_number = factory.LazyAttribute(lambda o: valid_id_number(o.birth_date))
    gender = factory.LazyAttribute(lambda o: id_number_gender(o.id_number))
    member_type = MemberType.FULL
    joined_on = datetime.date(2010, 7, 1)
    confirmed_on = datetime.date(2011, 7, 1)
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    education = "undergraduate"
