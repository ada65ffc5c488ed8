"""Member.clean rules, checked through the services that every write goes through."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from branches.models import OrgKind
from members.roster.choices import MemberType
from members.roster.field_checks import field_errors
from members.roster.models import Member
from members.roster.services import member_create, member_update
from members.roster.validators import make_id_number
from tests.conftest import World
from tests.factories import make_org, valid_id_number


def _fields(world: World, **overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "name": "新党员",
        "id_number": valid_id_number(datetime.date(1990, 5, 20)),
        "branch": world.branch_a,
        "member_type": MemberType.FULL,
        "joined_on": datetime.date(2015, 7, 1),
        "confirmed_on": datetime.date(2016, 7, 1),
    }
    fields.update(overrides)
    return fields


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_birth_date_and_gender_left_empty_are_taken_from_the_number(world: World) -> None:
    number = make_id_number("110101", datetime.date(1990, 5, 20), 21)  # odd: male
    member = member_create(**_fields(world, id_number=number))
    assert member.birth_date == datetime.date(1990, 5, 20)
    assert member.gender == "M"


def test_birth_date_that_contradicts_the_number_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        member_create(**_fields(world, birth_date=datetime.date(1990, 5, 21)))
    assert "号码中为1990-05-20" in _errors(exc)["birth_date"][0]
    assert not Member.objects.filter(name="新党员").exists()


def test_lower_case_x_is_stored_upper_case(world: World) -> None:
    number = next(n for n in (make_id_number("110101", datetime.date(1980, 1, 1), s) for s in range(1000)) if n.endswith("X"))
    member = member_create(**_fields(world, id_number=number.lower()))
    member.refresh_from_db()
    assert member.id_number == number


def test_full_width_digits_are_stored_half_width(world: World) -> None:
    number = make_id_number("110101", datetime.date(1990, 5, 20), 31)
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in number)
    member = member_create(**_fields(world, id_number=full_width))
    member.refresh_from_db()
    assert member.id_number == number


def test_unknown_region_code_with_valid_checksum_is_stored(world: World) -> None:
    number = make_id_number("999999", datetime.date(1990, 5, 20), 41)
    assert member_create(**_fields(world, id_number=number)).id_number == number


def test_bad_checksum_is_refused_on_the_id_number_field(world: World) -> None:
    number = make_id_number("110101", datetime.date(1990, 5, 20), 41)
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        member_create(**_fields(world, id_number=bad))
    assert "校验位" in _errors(exc)["id_number"][0]


def test_full_member_needs_a_confirmation_date(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        member_create(**_fields(world, confirmed_on=None))
    assert _errors(exc)["confirmed_on"] == ["正式党员必须填写转正日期。"]


def test_probationary_member_has_no_confirmation_date(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        member_create(**_fields(world, member_type=MemberType.PROBATIONARY))
    assert _errors(exc)["confirmed_on"] == ["预备党员不应填写转正日期。"]
    member = member_create(**_fields(world, member_type=MemberType.PROBATIONARY, confirmed_on=None))
    assert member.member_type == MemberType.PROBATIONARY


@pytest.mark.parametrize("confirmed", [datetime.date(2015, 7, 1), datetime.date(2014, 7, 1)])
def test_confirmation_must_come_after_joining(world: World, confirmed: datetime.date) -> None:
    with pytest.raises(ValidationError) as exc:
        member_create(**_fields(world, confirmed_on=confirmed))
    assert _errors(exc)["confirmed_on"] == ["转正日期必须晚于入党日期。"]


@pytest.mark.parametrize("org_name", ["committee", "general", "group_a1"])
def test_branch_must_be_a_party_branch(world: World, org_name: str) -> None:
    with pytest.raises(ValidationError) as exc:
        member_create(**_fields(world, branch=getattr(world, org_name)))
    assert "必须是党支部" in _errors(exc)["branch"][0]


def test_group_must_belong_to_the_branch(world: World) -> None:
    group_b1 = make_org(world.branch_b, OrgKind.GROUP, "第二党支部第一党小组")
    with pytest.raises(ValidationError) as exc:
        member_create(**_fields(world, group=group_b1))
    assert _errors(exc)["group"] == ["所选党小组不属于该党支部。"]
    assert member_create(**_fields(world, group=world.group_a1)).group == world.group_a1


def test_update_refuses_a_contradiction_and_changes_nothing(world: World) -> None:
    member = world.member_a
    before = member.birth_date
    with pytest.raises(ValidationError):
        member_update(member=member, birth_date=datetime.date(2000, 1, 1))
    member.refresh_from_db()
    assert member.birth_date == before


def test_update_with_birth_date_and_gender_cleared_derives_them_again(world: World) -> None:
    member = world.member_a
    member_update(member=member, birth_date=None, gender="")
    member.refresh_from_db()
    assert member.birth_date == datetime.date(1985, 6, 15)
    assert member.gender in {"M", "F"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("name", "张" * 51),
        ("name", ""),
        ("gender", "X"),
        ("gender", ""),
        ("education", "大学"),
        ("education", ""),
        ("phone", "1380013800"),
        ("phone", "13800138000"),
        ("phone", ""),
        ("member_type", "full"),
        ("member_type", "正式党员"),
        ("residence", "路" * 201),
        ("ethnicity", "汉族"),
        ("dues_category", None),
    ],
)
def test_the_fast_field_checks_say_exactly_what_django_says(name: str, value: object) -> None:
    """The import's shortcut past Field.clean must neither miss an error nor change its words."""
    try:
        Member._meta.get_field(name).clean(value, None)
        expected = {}
    except ValidationError as exc:
        expected = {name: exc.messages[0]}
    assert field_errors({name: value}) == expected
