"""Helpers for the roster page tests."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from branches.models import OrgKind
from members.roster.models import Member
from tests.conftest import World
from tests.factories import MemberFactory, make_org, valid_id_number


def form_data(world: World, **overrides: object) -> dict[str, object]:
    """What a secretary of branch A would type on the new-member form."""
    data: dict[str, object] = {
        "name": "刘新党员",
        "id_number": valid_id_number(datetime.date(1991, 4, 8)),
        "gender": "",
        "birth_date": "",
        "ethnicity": "汉族",
        "native_place": "江苏南京",
        "education": "undergraduate",
        "degree": "bachelor",
        "phone": "13912345678",
        "residence": "",
        "household_registration": "",
        "member_type": "full",
        "branch": world.branch_a.pk,
        "group": "",
        "joined_on": "2016-07-01",
        "confirmed_on": "2017-07-01",
        "dues_category": "employed",
        "work_unit_position": "市发改委 科员",
        "job_post": "",
        "work_started_on": "",
        "reason": "",
    }
    data.update(overrides)
    return data


def member_form_data(member: Member, **overrides: object) -> dict[str, object]:
    """The edit form as it is shown for ``member``, with changes."""
    data: dict[str, object] = {
        "name": member.name,
        "id_number": member.id_number,
        "gender": member.gender,
        "birth_date": member.birth_date.isoformat(),
        "ethnicity": member.ethnicity,
        "native_place": member.native_place,
        "education": member.education,
        "degree": member.degree,
        "phone": member.phone,
        "residence": member.residence,
        "household_registration": member.household_registration,
        "member_type": member.member_type,
        "branch": member.branch_id,
        "group": member.group_id or "",
        "joined_on": member.joined_on.isoformat(),
        "confirmed_on": member.confirmed_on.isoformat() if member.confirmed_on else "",
        "dues_category": member.dues_category,
        "work_unit_position": member.work_unit_position,
        "job_post": member.job_post,
        "work_started_on": "",
        "reason": "",
    }
    if member.is_leader:
        data["is_leader"] = "on"
    data.update(overrides)
    return data


@pytest.fixture
def big_branch_a(world: World) -> list[Member]:
    """120 more members in branch A, spread over two groups, ages and join years."""
    group_a2 = make_org(world.branch_a, OrgKind.GROUP, "第一党支部第二党小组", short_name="第二党小组")
    today = timezone.localdate()
    members = []
    for i in range(120):
        birth = datetime.date(today.year - 25 - (i % 40), 1 + i % 12, 1 + i % 27)
        members.append(
            MemberFactory(
                branch=world.branch_a,
                group=world.group_a1 if i % 2 else group_a2,
                birth_date=birth,
                id_number=valid_id_number(birth),
                joined_on=datetime.date(2000 + i % 20, 7, 1),
                confirmed_on=datetime.date(2001 + i % 20, 7, 1),
            )
        )
    return members
