"""Rules the services enforce for every caller (pages, API, admin): moving 党小组 with people in
them, dissolved organizations, stale instances, a secretary's branch, term and date ranges."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from branches.models import Organization, OrgKind, OrgStatus, PositionTitle
from branches.services import (
    organization_create,
    organization_dissolve,
    organization_move,
    organization_update,
    position_assign,
    position_end,
)
from members.roster.choices import MemberState
from members.roster.services import member_change_state
from partybuild.accounts.models import Role, RoleAssignment
from partybuild.periods import add_months, add_years
from tests.conftest import World
from tests.factories import MemberFactory, UserFactory, make_org

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def _tree_is_sound() -> None:
    assert Organization.objects.find_problems() == ([], [], [], [], [])


# --- moving a 党小组 --------------------------------------------------------------------------


def test_moving_a_group_that_still_has_members_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        organization_move(org=world.group_a1, new_parent=world.branch_b)
    assert _errors(exc) == {NON_FIELD_ERRORS: ["该党小组还有党员，请先将党员调整到其他党小组后再移动。"]}
    world.group_a1.refresh_from_db()
    assert world.group_a1.path.startswith(world.branch_a.path)


def test_moving_a_group_with_a_current_group_leader_is_refused(world: World) -> None:
    group = make_org(world.branch_a, OrgKind.GROUP, short_name="第二党小组")
    position_assign(org=group, member=world.member_a2, title=PositionTitle.GROUP_LEADER, started_on=TODAY)
    with pytest.raises(ValidationError) as exc:
        organization_move(org=group, new_parent=world.branch_b)
    assert "党小组组长" in _errors(exc)[NON_FIELD_ERRORS][0]


def test_an_empty_group_moves_and_members_who_left_do_not_block_it(world: World) -> None:
    group = make_org(world.branch_a, OrgKind.GROUP, short_name="第二党小组")
    gone = MemberFactory(branch=world.branch_a, group=group)
    member_change_state(member=gone, state=MemberState.DECEASED, on=TODAY, reason="病故")
    moved = organization_move(org=group, new_parent=world.branch_b)
    world.branch_b.refresh_from_db()
    assert moved.path.startswith(world.branch_b.path)
    _tree_is_sound()


# --- dissolved organizations ---------------------------------------------------------------------


@pytest.fixture
def dissolved(world: World) -> Organization:
    org = make_org(world.committee, OrgKind.BRANCH, short_name="将撤销支部", term_start=datetime.date(2025, 1, 1))
    return organization_dissolve(org=org, on=TODAY, reason="机构调整")


def test_a_dissolved_organization_cannot_be_updated(dissolved: Organization) -> None:
    with pytest.raises(ValidationError) as exc:
        organization_update(org=dissolved, name="改名")
    assert _errors(exc) == {NON_FIELD_ERRORS: ["该党组织已撤销，不能再修改。"]}
    dissolved.refresh_from_db()
    assert dissolved.short_name == "将撤销支部" and dissolved.name != "改名"


def test_a_dissolved_organization_cannot_be_moved(world: World, dissolved: Organization) -> None:
    with pytest.raises(ValidationError) as exc:
        organization_move(org=dissolved, new_parent=world.general)
    assert _errors(exc) == {NON_FIELD_ERRORS: ["该党组织已撤销，不能再修改。"]}


def test_positions_cannot_be_added_to_a_dissolved_organization(world: World, dissolved: Organization) -> None:
    member = MemberFactory(branch=world.branch_b)
    with pytest.raises(ValidationError) as exc:
        position_assign(org=dissolved, member=member, title=PositionTitle.SECRETARY, started_on=TODAY)
    assert "已撤销" in _errors(exc)[NON_FIELD_ERRORS][0]


def test_positions_of_a_dissolved_organization_cannot_be_ended(world: World) -> None:
    org = make_org(world.committee, OrgKind.BRANCH, short_name="将撤销支部")
    member = MemberFactory(branch=org)
    position = position_assign(org=org, member=member, title=PositionTitle.MEMBER, started_on=TODAY)
    Organization.objects.filter(pk=org.pk).update(status=OrgStatus.DISSOLVED, dissolved_on=TODAY)
    with pytest.raises(ValidationError) as exc:
        position_end(position=position, ended_on=TODAY, reason="撤销")
    assert "已撤销" in _errors(exc)[NON_FIELD_ERRORS][0]
    position.refresh_from_db()
    assert position.ended_on is None


# --- stale instances --------------------------------------------------------------------------


def test_update_with_a_stale_instance_keeps_the_tree_fields(world: World) -> None:
    stale = Organization.objects.get(pk=world.branch_b.pk)
    assert stale.numchild == 0
    make_org(world.branch_b, OrgKind.GROUP, short_name="新党小组")  # numchild is now 1 in the database
    organization_update(org=stale, name="测试局第二党支部（改名）")
    fresh = Organization.objects.get(pk=world.branch_b.pk)
    assert fresh.numchild == 1 and fresh.name == "测试局第二党支部（改名）"
    _tree_is_sound()


def test_dissolve_with_a_stale_instance_keeps_the_tree_fields(world: World) -> None:
    branch = make_org(world.committee, OrgKind.BRANCH, short_name="将撤销支部")
    stale = Organization.objects.get(pk=branch.pk)
    group = make_org(branch, OrgKind.GROUP, short_name="小组")
    organization_dissolve(org=group, on=TODAY, reason="并入")
    organization_dissolve(org=stale, on=TODAY, reason="机构调整")
    fresh = Organization.objects.get(pk=branch.pk)
    assert fresh.status == OrgStatus.DISSOLVED and fresh.numchild == 1
    _tree_is_sound()


def test_update_does_not_write_back_the_status_of_a_stale_instance(world: World) -> None:
    branch = make_org(world.committee, OrgKind.BRANCH, short_name="将撤销支部")
    stale = Organization.objects.get(pk=branch.pk)
    organization_dissolve(org=branch, on=TODAY, reason="机构调整")
    with pytest.raises(ValidationError):
        organization_update(org=stale, name="改名")
    assert Organization.objects.get(pk=branch.pk).status == OrgStatus.DISSOLVED


# --- a secretary's branch ------------------------------------------------------------------------


def test_the_kind_of_a_branch_with_a_secretary_account_cannot_change(world: World) -> None:
    branch = make_org(world.committee, OrgKind.BRANCH, short_name="空支部")
    role = RoleAssignment.objects.create(user=UserFactory(), role=Role.SECRETARY, organization=branch)
    with pytest.raises(ValidationError) as exc:
        organization_update(org=branch, kind=OrgKind.GENERAL_BRANCH)
    assert "支部书记" in _errors(exc)["kind"][0]
    branch.refresh_from_db()
    assert branch.kind == OrgKind.BRANCH

    role.revoked_at = timezone.now()
    role.save()
    assert organization_update(org=branch, kind=OrgKind.GENERAL_BRANCH).kind == OrgKind.GENERAL_BRANCH


# --- term length and dates ----------------------------------------------------------------------


@pytest.mark.parametrize(("years", "message"), [(0, "每届年限至少1年。"), (11, "每届年限不超过10年。")])
def test_term_years_must_be_between_1_and_10(world: World, years: int, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        organization_update(org=world.branch_a, term_start=datetime.date(2025, 1, 1), term_years=years)
    assert _errors(exc)["term_years"] == [message]


@pytest.mark.parametrize("field", ["founded_on", "term_start"])
def test_org_dates_before_the_founding_of_the_party_are_refused(world: World, field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        organization_update(org=world.branch_a, **{field: datetime.date(1921, 6, 30)})
    assert _errors(exc)[field] == ["日期不能早于1921-07-01。"]
    organization_update(org=world.branch_a, founded_on=datetime.date(1921, 7, 1))


def test_a_term_start_far_in_the_future_is_a_field_error_not_a_crash(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        organization_update(org=world.branch_a, term_start=datetime.date(9998, 1, 1), term_years=5)
    assert "不能晚于" in _errors(exc)["term_start"][0]


def test_an_extension_more_than_ten_years_ahead_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        organization_create(
            parent=world.committee,
            name="新支部",
            short_name="新支部",
            code="NEW1",
            kind=OrgKind.BRANCH,
            term_start=TODAY,
            term_years=3,
            term_extended_until=add_years(TODAY, 11),
            term_adjust_note="批准",
        )
    assert "不能晚于" in _errors(exc)["term_extended_until"][0]


def test_term_values_for_a_group_are_refused_not_dropped(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        organization_update(org=world.group_a1, term_start=datetime.date(2025, 1, 1))
    assert _errors(exc) == {"term_start": ["党小组不设届期，请清空届期各项。"]}


def test_term_years_without_a_start_date_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        organization_update(org=world.branch_a, term_start=None, term_years=3)
    assert _errors(exc)["term_start"] == ["填写每届年限时请同时填写本届开始日期。"]


def test_date_arithmetic_clamps_at_the_ends_of_the_calendar() -> None:
    assert add_years(datetime.date(9998, 1, 1), 5) == datetime.date.max
    assert add_years(datetime.date(2, 1, 1), -5) == datetime.date.min
    assert add_years(datetime.date(2024, 2, 29), 1) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(9999, 11, 30), 6) == datetime.date.max
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
