"""The organization rules: where each kind may sit, terms and their status, moves, dissolving,
codes, positions, and the warnings shown on the detail page."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from branches import selectors
from branches.models import Organization, OrgCategory, OrgKind, OrgStatus, PositionTitle, TermStatus
from branches.services import (
    organization_dissolve,
    organization_move,
    organization_update,
    position_assign,
    refresh_term_statuses,
)
from members.roster.choices import MemberState, MemberType
from partybuild.accounts.models import Role, RoleAssignment
from partybuild.periods import add_months
from tests.conftest import World
from tests.factories import MemberFactory, UserFactory, make_org

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def _parent(org: Organization) -> Organization | None:
    org.refresh_from_db()
    return Organization.objects.filter(path=org.path[: -Organization.steplen]).first()


# --- parent kinds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parent_name", "kind"),
    [
        ("root", OrgKind.COMMITTEE),
        ("root", OrgKind.GENERAL_BRANCH),
        ("root", OrgKind.BRANCH),  # a 党支部 may sit directly under a 党委
        ("general", OrgKind.BRANCH),
        ("branch_a", OrgKind.GROUP),
    ],
)
def test_allowed_parent_kinds(world: World, parent_name: str, kind: str) -> None:
    org = make_org(getattr(world, parent_name), kind)
    assert _parent(org) == getattr(world, parent_name)


@pytest.mark.parametrize(
    ("parent_name", "kind", "message"),
    [
        (None, OrgKind.BRANCH, "党支部不能作为最高一级党组织，请选择上级党组织。"),
        (None, OrgKind.GENERAL_BRANCH, "党总支不能作为最高一级党组织，请选择上级党组织。"),
        ("group_a1", OrgKind.GROUP, "党小组下不能再设党组织。"),
        ("general", OrgKind.GENERAL_BRANCH, "党总支只能设在党委之下，不能设在党总支之下。"),
        ("root", OrgKind.GROUP, "党小组只能设在党支部之下，不能设在党委之下。"),
        ("branch_a", OrgKind.BRANCH, "党支部只能设在党委、党总支之下，不能设在党支部之下。"),
    ],
)
def test_refused_parent_kinds_say_why(world: World, parent_name: str | None, kind: str, message: str) -> None:
    parent = getattr(world, parent_name) if parent_name else None
    with pytest.raises(ValidationError) as exc:
        make_org(parent, kind)
    assert _errors(exc) == {"parent": [message]}


def test_nothing_is_created_under_a_dissolved_org(world: World) -> None:
    org = make_org(world.committee, OrgKind.BRANCH)
    organization_dissolve(org=org, on=datetime.date(2026, 1, 1), reason="合并")
    with pytest.raises(ValidationError) as exc:
        make_org(org, OrgKind.GROUP)
    assert _errors(exc) == {"parent": ["不能在已撤销的党组织下新建下级组织。"]}


# --- codes -----------------------------------------------------------------------------------


def test_duplicate_code_is_refused_in_chinese(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        make_org(world.committee, OrgKind.BRANCH, code="WA")
    assert _errors(exc) == {"code": ["该党组织编码已被使用。"]}
    with pytest.raises(ValidationError) as exc:
        organization_update(org=world.branch_b, code="WA")
    assert _errors(exc)["code"] == ["该党组织编码已被使用。"]


# --- terms -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "category", "years"),
    [
        (OrgKind.COMMITTEE, OrgCategory.GOVERNMENT, 5),
        (OrgKind.GENERAL_BRANCH, OrgCategory.GOVERNMENT, 3),
        (OrgKind.BRANCH, OrgCategory.GOVERNMENT, 3),
        (OrgKind.BRANCH, OrgCategory.COMMUNITY, 5),
        (OrgKind.BRANCH, OrgCategory.VILLAGE, 5),
    ],
)
def test_term_years_default_by_kind_and_category(world: World, kind: str, category: str, years: int) -> None:
    org = make_org(world.root, kind, category=category, term_start=datetime.date(2024, 3, 1))
    assert org.term_years == years
    assert org.term_end == datetime.date(2024 + years, 3, 1)


def test_explicit_term_years_win_over_default(world: World) -> None:
    org = make_org(world.root, OrgKind.BRANCH, term_start=datetime.date(2024, 3, 1), term_years=2)
    assert org.term_end == datetime.date(2026, 3, 1)


def test_term_from_29_february_ends_on_28_february(world: World) -> None:
    org = make_org(world.root, OrgKind.BRANCH, term_start=datetime.date(2024, 2, 29))
    assert org.term_end == datetime.date(2027, 2, 28)


def test_group_has_no_term(world: World) -> None:
    assert world.group_a1.term_end is None and world.group_a1.term_status == TermStatus.NONE


def _org_ending(end: datetime.date, **fields: object) -> Organization:
    return Organization(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE, term_end=end, **fields)


TODAY = datetime.date(2026, 5, 20)


@pytest.mark.parametrize(
    ("end", "status"),
    [
        (add_months(TODAY, 6) + datetime.timedelta(days=1), TermStatus.NORMAL),
        (add_months(TODAY, 6), TermStatus.DUE_SOON),  # exactly 6 months from today
        (TODAY, TermStatus.DUE_SOON),  # ends today: not yet overdue
        (TODAY - datetime.timedelta(days=1), TermStatus.OVERDUE),  # ended yesterday
    ],
)
def test_term_status_at_boundaries(end: datetime.date, status: str) -> None:
    assert _org_ending(end).compute_term_status(TODAY) == status


@pytest.mark.parametrize(
    ("end", "status"),
    [
        (add_months(TODAY, 6) + datetime.timedelta(days=1), "正常"),
        (add_months(TODAY, 6), "6个月内到期"),
        (TODAY - datetime.timedelta(days=1), "已超期"),
    ],
)
def test_daily_refresh_agrees_at_boundaries(world: World, end: datetime.date, status: str) -> None:
    organization_update(org=world.branch_a, term_start=end.replace(year=end.year - 3), term_years=3)
    world.branch_a.refresh_from_db()
    assert world.branch_a.term_end == end
    refresh_term_statuses(TODAY)
    world.branch_a.refresh_from_db()
    assert world.branch_a.get_term_status_display() == status


def test_approved_extension_moves_the_end_and_the_status() -> None:
    org = _org_ending(TODAY - datetime.timedelta(days=10), term_extended_until=add_months(TODAY, 8))
    assert org.effective_term_end == add_months(TODAY, 8)
    assert org.compute_term_status(TODAY) == TermStatus.NORMAL


def test_extension_needs_approval_note_and_at_most_a_year(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        organization_update(org=world.branch_a, term_extended_until=datetime.date(2028, 6, 1))
    assert _errors(exc)["term_adjust_note"] == ["延期换届须填写批准情况。"]
    with pytest.raises(ValidationError) as exc:
        organization_update(org=world.branch_a, term_extended_until=datetime.date(2029, 1, 2), term_adjust_note="批准")
    assert _errors(exc)["term_extended_until"] == ["延期换届一般不超过1年。"]


def test_dissolved_org_has_no_term_status() -> None:
    org = _org_ending(TODAY - datetime.timedelta(days=100))
    org.status = OrgStatus.DISSOLVED
    assert org.compute_term_status(TODAY) == TermStatus.NONE


# --- moves -----------------------------------------------------------------------------------


def test_move_takes_the_subtree_along(world: World) -> None:
    organization_move(org=world.branch_a, new_parent=world.general)
    world.refresh()
    assert _parent(world.branch_a) == world.general
    assert _parent(world.group_a1) == world.branch_a
    assert world.group_a1.path.startswith(world.general.path)
    counts = selectors.subtree_member_counts([world.general, world.committee])
    assert counts == {world.general.pk: 3, world.committee.pk: 1}


@pytest.mark.parametrize(
    ("org_name", "target_name", "message"),
    [
        ("committee", "branch_a", "不能移动到本组织或其下级组织之下。"),
        ("committee", "committee", "不能移动到本组织或其下级组织之下。"),
        ("branch_a", "committee", "该党组织已在所选上级党组织之下。"),
    ],
)
def test_move_rules(world: World, org_name: str, target_name: str, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        organization_move(org=getattr(world, org_name), new_parent=getattr(world, target_name))
    assert _errors(exc) == {"parent": [message]}


def test_move_group_under_committee_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        organization_move(org=world.group_a1, new_parent=world.committee)
    assert _errors(exc) == {"parent": ["党小组只能设在党支部之下，不能设在党委之下。"]}
    world.refresh()
    assert _parent(world.group_a1) == world.branch_a


def test_move_under_dissolved_org_is_refused(world: World) -> None:
    empty = make_org(world.committee, OrgKind.BRANCH)
    organization_dissolve(org=empty, on=datetime.date(2026, 1, 1), reason="合并")
    with pytest.raises(ValidationError) as exc:
        organization_move(org=world.group_a1, new_parent=empty)
    assert _errors(exc) == {"parent": ["不能移动到已撤销的党组织之下。"]}


# --- dissolving ------------------------------------------------------------------------------


def test_dissolve_refused_while_members_on_roster(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        organization_dissolve(org=world.branch_c, on=datetime.date(2026, 1, 1), reason="合并")
    assert _errors(exc) == {"dissolve_reason": ["该党组织还有党员，请先将党员转到其他党支部。"]}


def test_dissolve_allowed_when_members_have_left_the_roster(world: World) -> None:
    world.member_c.state = MemberState.TRANSFERRED_OUT
    world.member_c.save()
    org = organization_dissolve(org=world.branch_c, on=datetime.date(2026, 1, 1), reason="合并")
    assert org.status == OrgStatus.DISSOLVED
    assert Organization.objects.filter(pk=org.pk).exists()  # kept, not deleted


def test_dissolve_refused_with_active_children_but_not_dissolved_ones(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        organization_dissolve(org=world.general, on=datetime.date(2026, 1, 1), reason="合并")
    assert "还有下级党组织" in _errors(exc)["dissolve_reason"][0]
    world.member_c.state = MemberState.TRANSFERRED_OUT
    world.member_c.save()
    organization_dissolve(org=world.branch_c, on=datetime.date(2026, 1, 1), reason="合并")
    world.general.refresh_from_db()
    assert organization_dissolve(org=world.general, on=datetime.date(2026, 1, 2), reason="合并").status == OrgStatus.DISSOLVED


def test_dissolve_twice_is_refused(world: World) -> None:
    org = make_org(world.committee, OrgKind.BRANCH)
    organization_dissolve(org=org, on=datetime.date(2026, 1, 1), reason="合并")
    with pytest.raises(ValidationError) as exc:
        organization_dissolve(org=org, on=datetime.date(2026, 2, 1), reason="再次")
    assert _errors(exc) == {"dissolve_reason": ["该党组织已撤销。"]}


# --- positions -------------------------------------------------------------------------------


def test_committee_may_appoint_from_its_subtree_but_branch_not_from_elsewhere(world: World) -> None:
    assert position_assign(org=world.committee, member=world.member_b, title=PositionTitle.SECRETARY, started_on=TODAY)
    with pytest.raises(ValidationError) as exc:
        position_assign(org=world.branch_a, member=world.member_b, title=PositionTitle.SECRETARY, started_on=TODAY)
    assert _errors(exc) == {"member": ["班子成员应为本组织或其下级组织的党员。"]}


def test_member_off_the_roster_cannot_be_appointed(world: World) -> None:
    world.member_a2.state = MemberState.DECEASED
    world.member_a2.save()
    with pytest.raises(ValidationError) as exc:
        position_assign(org=world.branch_a, member=world.member_a2, title=PositionTitle.SECRETARY, started_on=TODAY)
    assert "已不在册" in _errors(exc)["member"][0]


def test_group_leader_only_in_a_group(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        position_assign(org=world.branch_a, member=world.member_a, title=PositionTitle.GROUP_LEADER, started_on=TODAY)
    assert _errors(exc) == {"title": ["党小组组长只能设在党小组。"]}
    assert position_assign(org=world.group_a1, member=world.member_a, title=PositionTitle.GROUP_LEADER, started_on=TODAY)


# --- warnings --------------------------------------------------------------------------------


def _warnings(org: Organization, today: datetime.date = TODAY) -> list[str]:
    current = list(org.positions.filter(ended_on__isnull=True).select_related("member"))
    return selectors.org_warnings(org, stats=selectors.org_member_stats(org), positions=current, today=today)


def test_branch_with_fewer_than_three_full_members_is_warned(world: World) -> None:
    MemberFactory(branch=world.branch_a, member_type=MemberType.PROBATIONARY, confirmed_on=None)
    assert any("正式党员2人，不足3人" in w for w in _warnings(world.branch_a))


def test_branch_of_seven_needs_committee_of_three_to_five(world: World) -> None:
    members = [MemberFactory(branch=world.branch_a) for _ in range(5)]  # 7 正式党员 now
    assert any("7人以上）应设立支部委员会" in w and "现有班子成员0人" in w for w in _warnings(world.branch_a))
    for title, member in zip(
        (PositionTitle.SECRETARY, PositionTitle.ORGANIZATION, PositionTitle.PUBLICITY), members, strict=False
    ):
        position_assign(org=world.branch_a, member=member, title=title, started_on=TODAY, trained_on=TODAY)
    assert not any("支部委员会" in w for w in _warnings(world.branch_a))


def test_branch_over_fifty_should_be_split(world: World) -> None:
    MemberFactory.create_batch(50, branch=world.branch_b)
    assert any("在册党员51人，超过50人，应考虑分设党支部" in w for w in _warnings(world.branch_b))


def test_secretary_training_warnings(world: World) -> None:
    position = position_assign(
        org=world.branch_a, member=world.member_a, title=PositionTitle.SECRETARY, started_on=add_months(TODAY, -6)
    )
    assert not any("培训" in w for w in _warnings(world.branch_a))  # exactly 6 months: still in time
    assert any("超过6个月尚未参加培训" in w for w in _warnings(world.branch_a, TODAY + datetime.timedelta(days=1)))
    position.trained_on = datetime.date(TODAY.year - 1, TODAY.month, TODAY.day)
    position.save()
    assert not any("培训" in w for w in _warnings(world.branch_a))
    assert any("已超过一年" in w for w in _warnings(world.branch_a, TODAY + datetime.timedelta(days=1)))


def test_org_without_secretary_is_warned_but_group_is_not(world: World) -> None:
    assert "尚未配备书记。" in _warnings(world.committee)
    assert _warnings(world.group_a1) == []


# --- history and tree selectors ---------------------------------------------------------------


def test_history_names_who_and_which_field_changed(world: World) -> None:
    organization_update(org=world.branch_b, actor=world.staff, name="新名称", category=OrgCategory.COMMUNITY)
    entry = selectors.org_history(world.branch_b)[0]
    assert entry["who"] == "工委干部" and entry["action"] == "修改"
    changes = {c["label"]: (c["old"], c["new"]) for c in entry["changes"]}
    assert changes["全称"] == ("测试局第二党支部", "新名称")
    assert changes["单位类别"] == ("机关", "街道社区")
    assert selectors.org_history(world.branch_b)[-1]["action"] == "创建"


def test_tree_roots_at_different_depths_each_get_their_levels(world: World) -> None:
    user = UserFactory(username="two_roles")
    RoleAssignment.objects.create(user=user, role=Role.STAFF, organization=world.general)
    RoleAssignment.objects.create(user=user, role=Role.SECRETARY, organization=world.branch_a)
    forest = selectors.tree_forest(user, levels=2)
    assert [n["org"] for n in forest] == [world.branch_a, world.general]
    assert [c["org"] for c in forest[0]["children"]] == [world.group_a1]
    assert [c["org"] for c in forest[1]["children"]] == [world.branch_c]
    assert forest[1]["children"][0]["children"] is None  # loaded on demand


def test_search_is_limited_to_scope(world: World) -> None:
    names = [r["org"].name for r in selectors.search_orgs(world.secretary_b, "党支部")]
    assert names == [world.branch_b.name]


def test_group_counts_its_own_members(world: World) -> None:
    counts = selectors.subtree_member_counts([world.group_a1])
    assert counts == {world.group_a1.pk: 1}  # member_a is in group A1, member_a2 is not
    counts = selectors.subtree_member_counts([world.branch_a, world.group_a1, world.root])
    assert counts == {world.branch_a.pk: 2, world.group_a1.pk: 1, world.root.pk: 4}
    assert selectors.org_member_stats(world.group_a1)["total"] == 1
