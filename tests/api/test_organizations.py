"""/api/v1/organizations/: list, retrieve, create, partial update, move, dissolve, children."""

from __future__ import annotations

import datetime

from branches.models import Organization, OrgKind, OrgStatus
from tests.api.helpers import ORGS, codes, org_url, patch, post, put
from tests.conftest import World
from tests.factories import make_org

# --- list -----------------------------------------------------------------------------------


def test_staff_lists_whole_tree_in_tree_order_with_subtree_member_counts(world: World, as_staff) -> None:
    response = as_staff.get(ORGS)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 7
    assert codes(response) == ["W0", "W1", "WA", "WA1", "WB", "WG", "WC"]
    counts = {row["code"]: row["member_count"] for row in body["results"]}
    # A 党小组 counts the members assigned to it: member_a is in group A1.
    assert counts == {"W0": 4, "W1": 3, "WA": 2, "WA1": 1, "WB": 1, "WG": 1, "WC": 1}


def test_list_items_carry_term_fields_status_and_parent(world: World, as_staff) -> None:
    rows = {row["code"]: row for row in as_staff.get(ORGS).json()["results"]}
    branch_a = rows["WA"]
    assert branch_a["kind"] == "branch" and branch_a["kind_display"] == "党支部"
    assert branch_a["parent"] == world.committee.pk
    assert branch_a["term_start"] == "2025-01-01"
    assert branch_a["term_years"] == 3
    assert branch_a["term_end"] == "2028-01-01"
    assert branch_a["term_status"] == world.branch_a.term_status
    assert branch_a["status"] == "active" and branch_a["status_display"] == "正常"
    assert rows["W0"]["parent"] is None
    assert rows["WA1"]["term_status"] == "none"


def test_secretary_lists_only_own_branch_and_parent_outside_scope_is_hidden(world: World, as_secretary_a) -> None:
    response = as_secretary_a.get(ORGS)
    assert codes(response) == ["WA", "WA1"]
    rows = {row["code"]: row for row in response.json()["results"]}
    assert rows["WA"]["parent"] is None  # the 机关党委 is outside secretary_a's scope
    assert rows["WA1"]["parent"] == world.branch_a.pk


def test_member_lists_no_organizations(world: World, as_member_a) -> None:
    response = as_member_a.get(ORGS)
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_anonymous_gets_401_asking_for_a_token(world: World, client) -> None:
    response = client.get(ORGS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_filter_by_kind_category_status_and_term_status(world: World, as_staff) -> None:
    assert codes(as_staff.get(ORGS, {"kind": "branch"})) == ["WA", "WB", "WC"]
    assert codes(as_staff.get(ORGS, {"category": "village"})) == []
    assert len(codes(as_staff.get(ORGS, {"status": "active"}))) == 7
    assert codes(as_staff.get(ORGS, {"term_status": "none"})) == ["WA1"]


def test_filter_with_an_unknown_choice_is_400_in_chinese(world: World, as_staff) -> None:
    response = as_staff.get(ORGS, {"kind": "club"})
    assert response.status_code == 400
    assert "选择" in response.json()["kind"][0]


def test_filter_within_gives_the_subtree(world: World, as_staff) -> None:
    assert codes(as_staff.get(ORGS, {"within": world.committee.pk})) == ["W1", "WA", "WA1", "WB"]


def test_filter_parent_gives_direct_children(world: World, as_staff) -> None:
    assert codes(as_staff.get(ORGS, {"parent": world.committee.pk})) == ["WA", "WB"]


def test_filter_within_an_org_outside_scope_matches_nothing(world: World, as_secretary_a) -> None:
    # The 机关党委 contains branch A, but secretary_a may not learn it exists.
    assert codes(as_secretary_a.get(ORGS, {"within": world.committee.pk})) == []
    assert codes(as_secretary_a.get(ORGS, {"parent": world.committee.pk})) == []


def test_search_by_name_short_name_and_code(world: World, as_staff) -> None:
    assert codes(as_staff.get(ORGS, {"search": "第二党支部"})) == ["WB"]
    assert codes(as_staff.get(ORGS, {"search": "直属"})) == ["WG", "WC"]
    assert codes(as_staff.get(ORGS, {"search": "WA1"})) == ["WA1"]


def test_ordering(world: World, as_staff) -> None:
    assert codes(as_staff.get(ORGS, {"ordering": "-code"})) == ["WG", "WC", "WB", "WA1", "WA", "W1", "W0"]


def test_list_wrong_methods_are_405(world: World, as_admin) -> None:
    assert as_admin.delete(ORGS).status_code == 405
    assert put(as_admin, ORGS, {}).status_code == 405


# --- retrieve -------------------------------------------------------------------------------


def test_secretary_retrieves_own_branch(world: World, as_secretary_a) -> None:
    response = as_secretary_a.get(org_url(world.branch_a.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "测试局第一党支部"
    assert body["member_count"] == 2
    assert body["has_children"] is True
    assert body["effective_term_end"] == "2028-01-01"


def test_retrieve_out_of_scope_is_404_as_if_missing(world: World, as_secretary_b) -> None:
    response = as_secretary_b.get(org_url(world.branch_a.pk))
    assert response.status_code == 404
    assert response.json() == {"detail": "党组织不存在"}
    assert as_secretary_b.get(org_url(999999)).json() == {"detail": "党组织不存在"}


def test_member_cannot_retrieve_organizations(world: World, as_member_a) -> None:
    assert as_member_a.get(org_url(world.branch_a.pk)).status_code == 404


def test_delete_and_put_on_an_organization_are_405_and_nothing_changes(world: World, as_admin) -> None:
    assert as_admin.delete(org_url(world.branch_b.pk)).status_code == 405
    assert put(as_admin, org_url(world.branch_b.pk), {"name": "改名"}).status_code == 405
    world.branch_b.refresh_from_db()
    assert world.branch_b.name == "测试局第二党支部"
    assert world.branch_b.status == OrgStatus.ACTIVE


# --- create ---------------------------------------------------------------------------------


def test_secretary_creates_a_party_group_under_own_branch(world: World, as_secretary_a) -> None:
    response = post(
        as_secretary_a,
        ORGS,
        {"parent": world.branch_a.pk, "kind": "group", "name": "第一党支部第二党小组", "short_name": "第二党小组", "code": "WA2"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["parent"] == world.branch_a.pk
    assert body["member_count"] == 0
    created = Organization.objects.get(code="WA2")
    assert Organization.objects.get_parent(created) == world.branch_a
    assert created.kind == OrgKind.GROUP
    assert created.history.first().history_user == world.secretary_a


def test_created_branch_gets_term_length_from_the_rules(world: World, as_staff) -> None:
    response = post(
        as_staff,
        ORGS,
        {
            "parent": world.committee.pk,
            "kind": "branch",
            "name": "测试局第三党支部",
            "short_name": "第三党支部",
            "code": "WD",
            "term_start": "2026-03-01",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["term_years"] == 3
    assert response.json()["term_end"] == "2029-03-01"
    created = Organization.objects.get(code="WD")
    assert created.term_end == datetime.date(2029, 3, 1)


def test_admin_creates_a_top_level_committee(world: World, as_admin) -> None:
    response = post(as_admin, ORGS, {"kind": "committee", "name": "另一机关工委", "short_name": "另一工委", "code": "X0"})
    assert response.status_code == 201, response.json()
    assert Organization.objects.get(code="X0").depth == 1


def test_non_admin_cannot_create_top_level_org(world: World, as_staff) -> None:
    response = post(as_staff, ORGS, {"kind": "committee", "name": "自建工委", "short_name": "自建", "code": "X1"})
    assert response.status_code == 403
    assert "系统管理员" in response.json()["detail"]
    assert not Organization.objects.filter(code="X1").exists()


def test_create_under_org_outside_scope_is_refused_as_if_it_did_not_exist(world: World, as_secretary_b) -> None:
    response = post(
        as_secretary_b,
        ORGS,
        {"parent": world.branch_a.pk, "kind": "group", "name": "越权党小组", "short_name": "越权", "code": "X2"},
    )
    assert response.status_code == 400
    assert response.json() == {"parent": ["所选党组织不存在。"]}
    assert not Organization.objects.filter(code="X2").exists()


def test_member_cannot_create_organizations(world: World, as_member_a) -> None:
    response = post(
        as_member_a, ORGS, {"parent": world.branch_a.pk, "kind": "group", "name": "党小组", "short_name": "小组", "code": "X3"}
    )
    assert response.status_code == 403
    assert not Organization.objects.filter(code="X3").exists()


def test_create_with_wrong_parent_kind_is_400_from_the_service(world: World, as_staff) -> None:
    response = post(
        as_staff, ORGS, {"parent": world.committee.pk, "kind": "group", "name": "错位党小组", "short_name": "错位", "code": "X4"}
    )
    assert response.status_code == 400
    assert response.json() == {"parent": ["党小组只能设在党支部之下，不能设在党委之下。"]}
    assert not Organization.objects.filter(code="X4").exists()


def test_create_with_a_code_in_use_is_400(world: World, as_staff) -> None:
    response = post(
        as_staff, ORGS, {"parent": world.committee.pk, "kind": "branch", "name": "重号支部", "short_name": "重号", "code": "WA"}
    )
    assert response.status_code == 400
    assert response.json() == {"code": ["该党组织编码已被使用。"]}


def test_create_with_a_body_that_is_not_an_object_is_400(world: World, as_staff) -> None:
    response = post(as_staff, ORGS, [1, 2])
    assert response.status_code == 400
    assert "字典" in response.json()["non_field_errors"][0]


def test_malformed_json_is_400_in_chinese(world: World, as_staff) -> None:
    response = as_staff.post(ORGS, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "请求内容格式有误，无法解析（请提交有效的JSON）。"}


def test_filter_ids_must_be_whole_numbers(world: World, as_staff) -> None:
    response = as_staff.get(ORGS, {"within": "1.5"})
    assert response.status_code == 400
    assert response.json() == {"within": ["输入整数。"]}


def test_create_missing_fields_is_400_in_chinese(world: World, as_staff) -> None:
    response = post(as_staff, ORGS, {"parent": world.committee.pk})
    assert response.status_code == 400
    body = response.json()
    assert body["name"] == ["该字段是必填项。"]
    assert set(body) == {"name", "short_name", "code", "kind"}


# --- partial update -------------------------------------------------------------------------


def test_secretary_renames_own_branch(world: World, as_secretary_a) -> None:
    response = patch(as_secretary_a, org_url(world.branch_a.pk), {"short_name": "一支部", "contact_phone": "010-12345678"})
    assert response.status_code == 200, response.json()
    assert response.json()["short_name"] == "一支部"
    world.branch_a.refresh_from_db()
    assert world.branch_a.short_name == "一支部"
    assert world.branch_a.contact_phone == "010-12345678"


def test_update_out_of_scope_is_404_and_nothing_changes(world: World, as_secretary_b) -> None:
    response = patch(as_secretary_b, org_url(world.branch_a.pk), {"short_name": "被改"})
    assert response.status_code == 404
    world.branch_a.refresh_from_db()
    assert world.branch_a.short_name == "第一党支部"


def test_member_cannot_update_organizations(world: World, as_member_a) -> None:
    response = patch(as_member_a, org_url(world.branch_a.pk), {"short_name": "被改"})
    assert response.status_code == 403
    world.branch_a.refresh_from_db()
    assert world.branch_a.short_name == "第一党支部"


def test_term_extension_without_approval_note_is_400_and_nothing_changes(world: World, as_staff) -> None:
    response = patch(as_staff, org_url(world.branch_a.pk), {"term_extended_until": "2028-06-01"})
    assert response.status_code == 400
    assert response.json() == {"term_adjust_note": ["延期换届须填写批准情况。"]}
    world.branch_a.refresh_from_db()
    assert world.branch_a.term_extended_until is None


def test_term_extension_with_note_moves_the_effective_end(world: World, as_staff) -> None:
    response = patch(
        as_staff, org_url(world.branch_a.pk), {"term_extended_until": "2028-06-01", "term_adjust_note": "机关党委批准延期"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["effective_term_end"] == "2028-06-01"
    world.branch_a.refresh_from_db()
    assert world.branch_a.term_extended_until == datetime.date(2028, 6, 1)


# --- move -----------------------------------------------------------------------------------


def test_staff_moves_a_branch_with_its_members(world: World, as_staff) -> None:
    response = post(as_staff, org_url(world.branch_b.pk, "move"), {"parent": world.general.pk})
    assert response.status_code == 200, response.json()
    assert response.json()["parent"] == world.general.pk
    world.branch_b.refresh_from_db()
    assert Organization.objects.get_parent(world.branch_b) == world.general
    counts = {row["code"]: row["member_count"] for row in as_staff.get(ORGS).json()["results"]}
    assert counts["W1"] == 2 and counts["WG"] == 2


def test_move_out_of_scope_is_404(world: World, as_secretary_b) -> None:
    response = post(as_secretary_b, org_url(world.group_a1.pk, "move"), {"parent": world.branch_b.pk})
    assert response.status_code == 404
    world.group_a1.refresh_from_db()
    assert Organization.objects.get_parent(world.group_a1) == world.branch_a


def test_member_cannot_move(world: World, as_member_a) -> None:
    response = post(as_member_a, org_url(world.group_a1.pk, "move"), {"parent": world.branch_b.pk})
    assert response.status_code == 403


def test_move_to_a_parent_outside_scope_is_400(world: World, as_secretary_a) -> None:
    response = post(as_secretary_a, org_url(world.group_a1.pk, "move"), {"parent": world.branch_b.pk})
    assert response.status_code == 400
    assert response.json() == {"parent": ["所选党组织不存在。"]}
    world.group_a1.refresh_from_db()
    assert Organization.objects.get_parent(world.group_a1) == world.branch_a


def test_move_into_own_subtree_is_400_from_the_service(world: World, as_staff) -> None:
    response = post(as_staff, org_url(world.committee.pk, "move"), {"parent": world.branch_a.pk})
    assert response.status_code == 400
    assert response.json() == {"parent": ["不能移动到本组织或其下级组织之下。"]}
    world.committee.refresh_from_db()
    assert Organization.objects.get_parent(world.committee) == world.root


def test_move_wrong_method_is_405(world: World, as_staff) -> None:
    assert as_staff.get(org_url(world.branch_b.pk, "move")).status_code == 405


# --- dissolve -------------------------------------------------------------------------------


def test_staff_dissolves_an_empty_branch_and_it_is_kept(world: World, as_staff) -> None:
    empty = make_org(world.committee, OrgKind.BRANCH, "待撤销党支部", code="WE")
    response = post(as_staff, org_url(empty.pk, "dissolve"), {"on": "2026-06-30", "reason": "机构改革撤并"})
    assert response.status_code == 200, response.json()
    assert response.json()["status_display"] == "已撤销"
    empty.refresh_from_db()
    assert empty.status == OrgStatus.DISSOLVED
    assert empty.dissolved_on == datetime.date(2026, 6, 30)
    assert empty.dissolve_reason == "机构改革撤并"
    assert as_staff.get(org_url(empty.pk)).status_code == 200  # still there


def test_dissolve_a_branch_with_groups_or_members_is_400(world: World, as_staff) -> None:
    response = post(as_staff, org_url(world.branch_a.pk, "dissolve"), {"on": "2026-06-30", "reason": "撤并"})
    assert response.status_code == 400
    assert response.json() == {"dissolve_reason": ["该党组织还有下级党组织，请先撤销或移走下级组织。"]}
    world.branch_a.refresh_from_db()
    assert world.branch_a.status == OrgStatus.ACTIVE


def test_dissolve_without_reason_is_400(world: World, as_staff) -> None:
    response = post(as_staff, org_url(world.group_a1.pk, "dissolve"), {"on": "2026-06-30"})
    assert response.status_code == 400
    assert response.json() == {"dissolve_reason": ["请填写撤销原因。"]}


def test_dissolve_without_date_is_400_in_chinese(world: World, as_staff) -> None:
    response = post(as_staff, org_url(world.group_a1.pk, "dissolve"), {"reason": "撤并"})
    assert response.status_code == 400
    assert response.json() == {"on": ["该字段是必填项。"]}
    world.group_a1.refresh_from_db()
    assert world.group_a1.status == OrgStatus.ACTIVE


def test_dissolve_out_of_scope_is_404(world: World, as_secretary_b) -> None:
    response = post(as_secretary_b, org_url(world.group_a1.pk, "dissolve"), {"on": "2026-06-30", "reason": "撤并"})
    assert response.status_code == 404
    world.group_a1.refresh_from_db()
    assert world.group_a1.status == OrgStatus.ACTIVE


def test_member_cannot_dissolve(world: World, as_member_a) -> None:
    response = post(as_member_a, org_url(world.group_a1.pk, "dissolve"), {"on": "2026-06-30", "reason": "撤并"})
    assert response.status_code == 403
    world.group_a1.refresh_from_db()
    assert world.group_a1.status == OrgStatus.ACTIVE


def test_dissolve_wrong_method_is_405(world: World, as_staff) -> None:
    assert as_staff.get(org_url(world.group_a1.pk, "dissolve")).status_code == 405


# --- children -------------------------------------------------------------------------------


def test_children_lists_direct_children_with_member_counts(world: World, as_staff) -> None:
    response = as_staff.get(org_url(world.committee.pk, "children"))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["code"], r["member_count"]) for r in rows] == [("WA", 2), ("WB", 1)]


def test_children_accept_list_filters(world: World, as_staff) -> None:
    assert codes(as_staff.get(org_url(world.root.pk, "children"), {"kind": "general_branch"})) == ["WG"]


def test_children_out_of_scope_is_404(world: World, as_secretary_b, as_member_a) -> None:
    assert as_secretary_b.get(org_url(world.branch_a.pk, "children")).status_code == 404
    assert as_member_a.get(org_url(world.branch_a.pk, "children")).status_code == 404


def test_children_wrong_method_is_405(world: World, as_staff) -> None:
    assert post(as_staff, org_url(world.committee.pk, "children")).status_code == 405
