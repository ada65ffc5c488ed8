"""The organization pages as staff, secretaries and members see them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import Organization, OrgKind, OrgStatus, Position, PositionTitle
from branches.services import organization_update, position_assign
from tests.conftest import World
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def _parent(org: Organization) -> Organization | None:
    org.refresh_from_db()
    return Organization.objects.filter(path=org.path[: -Organization.steplen]).first()


# --- tree ------------------------------------------------------------------------------------


def test_staff_tree_shows_two_levels_with_subtree_member_counts(as_staff, world: World) -> None:
    response = as_staff.get(reverse("branches:tree"))
    assert response.status_code == 200
    html = _text(response)
    assert world.root.name in html
    assert world.committee.name in html and world.general.name in html
    # The third level is not drawn; its container loads via htmx.
    assert world.branch_a.name not in html
    assert reverse("branches:children", args=[world.committee.pk]) in html
    # 4 members in the whole tree, 3 under the 机关党委 (A: 2, B: 1).
    assert "4 名党员" in html and "3 名党员" in html


def test_secretary_tree_starts_at_own_branch(as_secretary_a, world: World) -> None:
    html = _text(as_secretary_a.get(reverse("branches:tree")))
    assert world.branch_a.name in html and world.group_a1.name in html
    assert world.committee.name not in html and world.branch_b.name not in html


def test_tree_shows_term_status_badges(as_staff, world: World) -> None:
    today = timezone.localdate()
    organization_update(
        org=world.general, term_start=today.replace(year=today.year - 3) - datetime.timedelta(days=1), term_years=3
    )
    html = _text(as_staff.get(reverse("branches:tree")))
    assert "已超期" in html and "正常" in html


def test_children_partial_lists_direct_children(as_staff, world: World) -> None:
    response = as_staff.get(reverse("branches:children", args=[world.committee.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = _text(response)
    assert world.branch_a.name in html and world.branch_b.name in html
    assert "<html" not in html
    assert reverse("branches:children", args=[world.branch_a.pk]) in html  # A has a group below


def test_children_out_of_scope_is_404(as_secretary_b, world: World) -> None:
    assert as_secretary_b.get(reverse("branches:children", args=[world.branch_a.pk])).status_code == 404


def test_tree_search_finds_by_short_name_and_code_within_scope(as_secretary_b, as_staff, world: World) -> None:
    html = _text(as_staff.get(reverse("branches:tree"), {"q": "WA"}))
    assert world.branch_a.name in html and world.group_a1.name in html
    assert world.committee.name in html  # the parent column
    html = _text(as_staff.get(reverse("branches:tree"), {"q": "第二"}))
    assert world.branch_b.name in html and world.branch_a.name not in html
    # Out of scope orgs are not found at all.
    html = _text(as_secretary_b.get(reverse("branches:tree"), {"q": "第一"}))
    assert world.branch_a.name not in html and "没有找到" in html


def test_member_has_no_tree(as_member_a, world: World) -> None:
    assert as_member_a.get(reverse("branches:tree")).status_code == 404


def test_tree_post_is_405(as_staff, world: World) -> None:
    assert as_staff.post(reverse("branches:tree")).status_code == 405
    assert as_staff.post(reverse("branches:children", args=[world.root.pk])).status_code == 405


def test_anonymous_is_sent_to_login(client, world: World) -> None:
    response = client.get(reverse("branches:tree"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- detail ----------------------------------------------------------------------------------


def test_detail_shows_record_term_positions_children_and_member_link(as_staff, world: World) -> None:
    position_assign(
        org=world.committee,
        member=world.member_a,
        title=PositionTitle.SECRETARY,
        started_on=datetime.date(2025, 1, 5),
        trained_on=datetime.date(2025, 3, 1),
    )
    html = _text(as_staff.get(reverse("branches:detail", args=[world.committee.pk])))
    assert world.committee.name in html and "W1" in html
    assert "2025-01-01" in html and "2030-01-01" in html and "5年" in html  # term start, end, years
    assert "书记" in html and reverse("members:detail", args=[world.member_a.pk]) in html and "2025-03-01" in html
    assert world.branch_a.name in html and world.branch_b.name in html
    assert f"{reverse('members:list')}?org={world.committee.pk}" in html
    assert reverse("branches:edit", args=[world.committee.pk]) in html  # may write


def test_detail_collapses_ended_positions(as_staff, world: World) -> None:
    from branches.services import position_end

    p = position_assign(
        org=world.branch_a, member=world.member_a2, title=PositionTitle.PUBLICITY, started_on=datetime.date(2024, 1, 1)
    )
    position_end(position=p, ended_on=datetime.date(2025, 6, 30), reason="工作调动")
    html = _text(as_staff.get(reverse("branches:detail", args=[world.branch_a.pk])))
    assert "已离任（1）" in html and "工作调动" in html and "暂无在任班子成员" in html


def test_detail_warns_about_small_branch_and_untrained_secretary(as_secretary_a, world: World) -> None:
    position_assign(
        org=world.branch_a, member=world.member_a, title=PositionTitle.SECRETARY, started_on=datetime.date(2024, 1, 1)
    )
    html = _text(as_secretary_a.get(reverse("branches:detail", args=[world.branch_a.pk])))
    assert "正式党员2人，不足3人" in html
    assert "书记张党员于2024-01-01任职，超过6个月尚未参加培训" in html


def test_detail_shows_change_history_with_who_and_what(as_staff, world: World) -> None:
    as_staff.post(
        reverse("branches:edit", args=[world.branch_b.pk]),
        {
            "name": "测试局第二党支部（改）",
            "short_name": "第二党支部",
            "code": "WB",
            "kind": "branch",
            "category": "government",
            "term_start": "2025-01-01",
            "term_years": "3",
        },
    )
    html = _text(as_staff.get(reverse("branches:detail", args=[world.branch_b.pk])))
    section = html[html.index('id="org-history"') :]
    assert "工委干部" in section and "全称" in section
    assert "测试局第二党支部" in section and "测试局第二党支部（改）" in section


def test_detail_without_write_actions_for_dissolved_org(as_staff, world: World) -> None:
    org = make_org(world.committee, OrgKind.BRANCH, "待撤销党支部")
    as_staff.post(reverse("branches:dissolve", args=[org.pk]), {"dissolved_on": "2026-01-01", "dissolve_reason": "机构改革"})
    html = _text(as_staff.get(reverse("branches:detail", args=[org.pk])))
    assert "已撤销" in html and "机构改革" in html
    assert reverse("branches:edit", args=[org.pk]) not in html


def test_detail_out_of_scope_is_404(as_secretary_b, world: World) -> None:
    assert as_secretary_b.get(reverse("branches:detail", args=[world.branch_a.pk])).status_code == 404
    assert as_secretary_b.get(reverse("branches:detail", args=[99999])).status_code == 404


def test_member_cannot_open_own_branch(as_member_a, world: World) -> None:
    assert as_member_a.get(reverse("branches:detail", args=[world.branch_a.pk])).status_code == 404


def test_detail_post_is_405(as_staff, world: World) -> None:
    assert as_staff.post(reverse("branches:detail", args=[world.branch_a.pk])).status_code == 405


# --- create ----------------------------------------------------------------------------------


def _org_post(**overrides: str) -> dict[str, str]:
    data = {
        "name": "测试局第三党支部",
        "short_name": "第三党支部",
        "code": "WD",
        "kind": "branch",
        "category": "government",
        "founded_on": "2020-07-01",
        "term_start": "2024-07-01",
        "term_years": "",
    }
    data.update(overrides)
    return data


def test_create_branch_under_committee_fills_default_term(as_staff, world: World) -> None:
    url = reverse("branches:create") + f"?parent={world.committee.pk}"
    page = _text(as_staff.get(url))
    assert "默认5年" in page  # the first allowed kind is 党委
    response = as_staff.post(url, _org_post())
    org = Organization.objects.get(code="WD")
    assert response.status_code == 302 and response["Location"] == reverse("branches:detail", args=[org.pk])
    assert _parent(org) == world.committee
    assert org.term_years == 3 and org.term_end == datetime.date(2027, 7, 1)


def test_create_with_used_code_says_so_next_to_the_field(as_staff, world: World) -> None:
    url = reverse("branches:create") + f"?parent={world.committee.pk}"
    response = as_staff.post(url, _org_post(code="WA"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["code"] == ["该党组织编码已被使用。"]
    assert 'value="测试局第三党支部"' in _text(response)  # keeps what was typed
    assert not Organization.objects.filter(name="测试局第三党支部").exists()


def test_create_group_under_branch_offers_only_group_and_no_term(as_secretary_a, world: World) -> None:
    url = reverse("branches:create") + f"?parent={world.branch_a.pk}"
    response = as_secretary_a.get(url)
    form = response.context["form"]
    assert [k for k, _ in form.fields["kind"].choices] == ["group"]
    assert "term_start" not in form.fields
    response = as_secretary_a.post(
        url, {"name": "第二党小组", "short_name": "第二党小组", "code": "WA2", "kind": "group", "category": "government"}
    )
    assert response.status_code == 302
    assert _parent(Organization.objects.get(code="WA2")) == world.branch_a


def test_create_kind_not_allowed_under_parent_is_a_field_error(as_secretary_a, world: World) -> None:
    url = reverse("branches:create") + f"?parent={world.branch_a.pk}"
    response = as_secretary_a.post(url, _org_post(kind="branch"))
    assert response.status_code == 200 and "kind" in response.context["form"].errors
    assert not Organization.objects.filter(code="WD").exists()


def test_create_under_group_is_refused(as_secretary_a, world: World) -> None:
    response = as_secretary_a.get(reverse("branches:create") + f"?parent={world.group_a1.pk}")
    assert response.status_code == 403


def test_create_top_level_is_for_admin_only(as_admin, as_staff, world: World) -> None:
    response = as_staff.get(reverse("branches:create"))
    assert response.status_code == 403 and "只有系统管理员可以新建最高一级党组织" in _text(response)
    response = as_admin.post(reverse("branches:create"), _org_post(kind="committee", code="NEW0", name="新工委", term_start=""))
    assert response.status_code == 302
    assert Organization.objects.get(code="NEW0").depth == 1


def test_create_under_out_of_scope_parent_is_404(as_secretary_b, world: World) -> None:
    url = reverse("branches:create") + f"?parent={world.branch_a.pk}"
    assert as_secretary_b.get(url).status_code == 404
    assert as_secretary_b.post(url, {"name": "x"}).status_code == 404
    assert as_secretary_b.get(reverse("branches:create") + "?parent=abc").status_code == 404


def test_member_cannot_create(as_member_a, world: World) -> None:
    assert as_member_a.get(reverse("branches:create")).status_code == 404
    assert as_member_a.get(reverse("branches:create") + f"?parent={world.branch_a.pk}").status_code == 404


def test_create_wrong_method_is_405(as_staff, world: World) -> None:
    assert as_staff.put(reverse("branches:create") + f"?parent={world.committee.pk}").status_code == 405


# --- edit ------------------------------------------------------------------------------------


def _edit_data(org: Organization, **overrides: str) -> dict[str, str]:
    data = {
        "name": org.name,
        "short_name": org.short_name,
        "code": org.code,
        "kind": org.kind,
        "category": org.category,
        "founded_on": "",
        "contact_phone": "",
        "address": "",
        "term_start": f"{org.term_start:%Y-%m-%d}" if org.term_start else "",
        "term_years": str(org.term_years or ""),
        "term_extended_until": "",
        "term_adjust_note": "",
    }
    data.update(overrides)
    return data


def test_edit_form_shows_current_values_and_default_years(as_secretary_a, world: World) -> None:
    response = as_secretary_a.get(reverse("branches:edit", args=[world.branch_a.pk]))
    html = _text(response)
    assert response.status_code == 200
    assert 'value="测试局第一党支部"' in html and 'value="2025-01-01"' in html and 'type="date"' in html
    assert 'placeholder="默认3年"' in html


def test_edit_saves_term_extension(as_secretary_a, world: World) -> None:
    response = as_secretary_a.post(
        reverse("branches:edit", args=[world.branch_a.pk]),
        _edit_data(world.branch_a, term_extended_until="2028-06-30", term_adjust_note="市直机关工委2027年12号文批准"),
    )
    assert response.status_code == 302
    world.branch_a.refresh_from_db()
    assert world.branch_a.term_extended_until == datetime.date(2028, 6, 30)
    assert world.branch_a.effective_term_end == datetime.date(2028, 6, 30)


def test_edit_extension_over_a_year_is_refused_with_field_error(as_secretary_a, world: World) -> None:
    response = as_secretary_a.post(
        reverse("branches:edit", args=[world.branch_a.pk]),
        _edit_data(world.branch_a, name="改名", term_extended_until="2029-06-30", term_adjust_note="批准"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["term_extended_until"] == ["延期换届一般不超过1年。"]
    html = _text(response)
    assert 'value="改名"' in html and "is-invalid" in html
    assert "编辑党组织：测试局第一党支部" in html  # the heading shows the saved name, not the typed one
    world.branch_a.refresh_from_db()
    assert world.branch_a.name == "测试局第一党支部" and world.branch_a.term_extended_until is None


def test_edit_duplicate_code_is_refused_in_chinese(as_staff, world: World) -> None:
    response = as_staff.post(reverse("branches:edit", args=[world.branch_b.pk]), _edit_data(world.branch_b, code="WA"))
    assert response.context["form"].errors["code"] == ["该党组织编码已被使用。"]
    world.branch_b.refresh_from_db()
    assert world.branch_b.code == "WB"


def test_edit_kind_of_branch_with_members_is_refused(as_staff, world: World) -> None:
    response = as_staff.post(
        reverse("branches:edit", args=[world.branch_b.pk]), _edit_data(world.branch_b, kind="general_branch")
    )
    assert "只有党支部可以直接管理党员" in response.context["form"].errors["kind"][0]
    world.branch_b.refresh_from_db()
    assert world.branch_b.kind == OrgKind.BRANCH


def test_edit_required_fields_in_chinese(as_staff, world: World) -> None:
    response = as_staff.post(reverse("branches:edit", args=[world.branch_b.pk]), _edit_data(world.branch_b, name=""))
    assert response.context["form"].errors["name"] == ["该字段是必填项。"]


def test_edit_out_of_scope_is_404(as_secretary_b, world: World) -> None:
    url = reverse("branches:edit", args=[world.branch_a.pk])
    assert as_secretary_b.get(url).status_code == 404
    assert as_secretary_b.post(url, _edit_data(world.branch_a, name="x")).status_code == 404
    world.branch_a.refresh_from_db()
    assert world.branch_a.name == "测试局第一党支部"


def test_member_cannot_edit_own_branch(as_member_a, world: World) -> None:
    assert as_member_a.get(reverse("branches:edit", args=[world.branch_a.pk])).status_code == 404


def test_edit_wrong_method_is_405(as_staff, world: World) -> None:
    assert as_staff.delete(reverse("branches:edit", args=[world.branch_a.pk])).status_code == 405


# --- move ------------------------------------------------------------------------------------


def test_move_branch_to_general_branch(as_staff, world: World) -> None:
    page = _text(as_staff.get(reverse("branches:move", args=[world.branch_b.pk])))
    assert world.general.name in page
    response = as_staff.post(reverse("branches:move", args=[world.branch_b.pk]), {"parent": world.general.pk})
    assert response.status_code == 302
    world.refresh()
    assert _parent(world.branch_b) == world.general
    assert world.branch_b.history.first().history_change_reason == f"移动到 {world.general.name}"


def test_move_options_that_cannot_be_chosen_are_disabled(as_staff, world: World) -> None:
    form = as_staff.get(reverse("branches:move", args=[world.branch_b.pk])).context["form"]
    disabled = form.fields["parent"].widget.disabled_values
    assert str(world.committee.pk) in disabled  # current parent
    assert str(world.branch_a.pk) in disabled  # a branch cannot sit under a branch
    assert str(world.general.pk) not in disabled


def test_move_under_own_subtree_shows_service_message(as_staff, world: World) -> None:
    response = as_staff.post(reverse("branches:move", args=[world.committee.pk]), {"parent": world.branch_a.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == ["不能移动到本组织或其下级组织之下。"]
    world.refresh()
    assert _parent(world.committee) == world.root


def test_move_branch_under_branch_shows_kind_rule(as_staff, world: World) -> None:
    response = as_staff.post(reverse("branches:move", args=[world.branch_b.pk]), {"parent": world.branch_c.pk})
    assert response.context["form"].errors["parent"] == ["党支部只能设在党委、党总支之下，不能设在党支部之下。"]


def test_move_to_target_outside_scope_is_not_a_choice(as_secretary_a, world: World) -> None:
    response = as_secretary_a.post(reverse("branches:move", args=[world.group_a1.pk]), {"parent": world.branch_b.pk})
    assert response.status_code == 200 and "parent" in response.context["form"].errors
    world.refresh()
    assert _parent(world.group_a1) == world.branch_a


def test_move_out_of_scope_is_404(as_secretary_b, world: World) -> None:
    assert as_secretary_b.get(reverse("branches:move", args=[world.group_a1.pk])).status_code == 404
    assert (
        as_secretary_b.post(reverse("branches:move", args=[world.group_a1.pk]), {"parent": world.branch_b.pk}).status_code == 404
    )


def test_move_wrong_method_is_405(as_staff, world: World) -> None:
    assert as_staff.put(reverse("branches:move", args=[world.branch_b.pk])).status_code == 405


# --- dissolve --------------------------------------------------------------------------------


def test_dissolve_empty_branch_keeps_it_marked(as_staff, world: World) -> None:
    org = make_org(world.committee, OrgKind.BRANCH, "待撤销党支部")
    response = as_staff.post(
        reverse("branches:dissolve", args=[org.pk]), {"dissolved_on": "2026-03-01", "dissolve_reason": "机构改革"}
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert (
        org.status == OrgStatus.DISSOLVED and org.dissolved_on == datetime.date(2026, 3, 1) and org.dissolve_reason == "机构改革"
    )
    # Gone from the tree, still on record.
    assert org.name not in _text(as_staff.get(reverse("branches:children", args=[world.committee.pk])))


def test_dissolve_branch_with_members_is_refused(as_staff, world: World) -> None:
    response = as_staff.post(
        reverse("branches:dissolve", args=[world.branch_b.pk]), {"dissolved_on": "2026-03-01", "dissolve_reason": "合并"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["dissolve_reason"] == ["该党组织还有党员，请先将党员转到其他党支部。"]
    world.branch_b.refresh_from_db()
    assert world.branch_b.status == OrgStatus.ACTIVE


def test_dissolve_with_children_is_refused(as_staff, world: World) -> None:
    response = as_staff.post(
        reverse("branches:dissolve", args=[world.general.pk]), {"dissolved_on": "2026-03-01", "dissolve_reason": "合并"}
    )
    assert "还有下级党组织" in response.context["form"].errors["dissolve_reason"][0]


def test_dissolve_needs_a_reason(as_staff, world: World) -> None:
    org = make_org(world.committee, OrgKind.BRANCH, "待撤销党支部")
    response = as_staff.post(reverse("branches:dissolve", args=[org.pk]), {"dissolved_on": "2026-03-01", "dissolve_reason": "  "})
    assert response.context["form"].errors["dissolve_reason"] == ["请填写撤销原因。"]
    org.refresh_from_db()
    assert org.status == OrgStatus.ACTIVE


def test_dissolved_org_cannot_be_edited_again(as_staff, world: World) -> None:
    org = make_org(world.committee, OrgKind.BRANCH, "待撤销党支部")
    as_staff.post(reverse("branches:dissolve", args=[org.pk]), {"dissolved_on": "2026-03-01", "dissolve_reason": "机构改革"})
    assert as_staff.get(reverse("branches:edit", args=[org.pk])).status_code == 403
    assert as_staff.get(reverse("branches:dissolve", args=[org.pk])).status_code == 403


def test_dissolve_out_of_scope_is_404(as_secretary_b, world: World) -> None:
    response = as_secretary_b.post(
        reverse("branches:dissolve", args=[world.group_a1.pk]), {"dissolved_on": "2026-03-01", "dissolve_reason": "x"}
    )
    assert response.status_code == 404
    world.group_a1.refresh_from_db()
    assert world.group_a1.status == OrgStatus.ACTIVE


def test_dissolve_wrong_method_is_405(as_staff, world: World) -> None:
    assert as_staff.put(reverse("branches:dissolve", args=[world.group_a1.pk])).status_code == 405


# --- positions -------------------------------------------------------------------------------


def test_position_add_offers_only_members_of_the_subtree(as_staff, world: World) -> None:
    form = as_staff.get(reverse("branches:position_add", args=[world.committee.pk])).context["form"]
    assert set(form.fields["member"].queryset) == {world.member_a, world.member_a2, world.member_b}
    form = as_staff.get(reverse("branches:position_add", args=[world.branch_a.pk])).context["form"]
    assert set(form.fields["member"].queryset) == {world.member_a, world.member_a2}
    assert "group_leader" not in [k for k, _ in form.fields["title"].choices]
    form = as_staff.get(reverse("branches:position_add", args=[world.group_a1.pk])).context["form"]
    assert [k for k, _ in form.fields["title"].choices] == ["group_leader"]


def test_position_add_creates_position(as_secretary_a, world: World) -> None:
    response = as_secretary_a.post(
        reverse("branches:position_add", args=[world.branch_a.pk]),
        {"title": "secretary", "member": world.member_a2.pk, "started_on": "2026-01-10", "trained_on": ""},
    )
    assert response.status_code == 302
    position = Position.objects.get(organization=world.branch_a)
    assert (
        position.member == world.member_a2 and position.title == "secretary" and position.started_on == datetime.date(2026, 1, 10)
    )


def test_position_add_member_outside_subtree_is_refused(as_staff, world: World) -> None:
    response = as_staff.post(
        reverse("branches:position_add", args=[world.branch_a.pk]),
        {"title": "secretary", "member": world.member_b.pk, "started_on": "2026-01-10"},
    )
    assert response.status_code == 200 and "member" in response.context["form"].errors
    assert not Position.objects.exists()


def test_position_add_missing_date_is_field_error(as_staff, world: World) -> None:
    response = as_staff.post(
        reverse("branches:position_add", args=[world.branch_a.pk]), {"title": "secretary", "member": world.member_a.pk}
    )
    assert response.context["form"].errors["started_on"] == ["该字段是必填项。"]


def test_position_add_out_of_scope_is_404(as_secretary_b, world: World) -> None:
    url = reverse("branches:position_add", args=[world.branch_a.pk])
    assert as_secretary_b.get(url).status_code == 404
    assert (
        as_secretary_b.post(url, {"title": "secretary", "member": world.member_a.pk, "started_on": "2026-01-10"}).status_code
        == 404
    )
    assert not Position.objects.exists()


def test_position_add_wrong_method_is_405(as_staff, world: World) -> None:
    assert as_staff.delete(reverse("branches:position_add", args=[world.branch_a.pk])).status_code == 405


def _position(world: World) -> Position:
    return position_assign(
        org=world.branch_a, member=world.member_a, title=PositionTitle.SECRETARY, started_on=datetime.date(2025, 1, 1)
    )


def test_position_end_sets_date_and_reason(as_secretary_a, world: World) -> None:
    position = _position(world)
    response = as_secretary_a.post(
        reverse("branches:position_end", args=[position.pk]), {"ended_on": "2026-02-01", "end_reason": "换届"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("branches:detail", args=[world.branch_a.pk])
    position.refresh_from_db()
    assert position.ended_on == datetime.date(2026, 2, 1) and position.end_reason == "换届"


def test_position_end_before_start_shows_error_and_keeps_it_current(as_secretary_a, world: World) -> None:
    position = _position(world)
    response = as_secretary_a.post(
        reverse("branches:position_end", args=[position.pk]), {"ended_on": "2024-12-01", "end_reason": "换届"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ended_on"] == ["离任日期不能早于任职日期。"]
    assert 'value="换届"' in _text(response)
    position.refresh_from_db()
    assert position.ended_on is None


def test_position_end_twice_is_refused(as_secretary_a, world: World) -> None:
    position = _position(world)
    url = reverse("branches:position_end", args=[position.pk])
    as_secretary_a.post(url, {"ended_on": "2026-02-01"})
    response = as_secretary_a.post(url, {"ended_on": "2026-03-01"})
    assert response.context["form"].errors["ended_on"] == ["该职务已经离任。"]
    position.refresh_from_db()
    assert position.ended_on == datetime.date(2026, 2, 1)


def test_position_end_out_of_scope_is_404(as_secretary_b, world: World) -> None:
    position = _position(world)
    assert (
        as_secretary_b.post(reverse("branches:position_end", args=[position.pk]), {"ended_on": "2026-02-01"}).status_code == 404
    )
    position.refresh_from_db()
    assert position.ended_on is None


def test_position_end_get_is_405(as_secretary_a, world: World) -> None:
    position = _position(world)
    assert as_secretary_a.get(reverse("branches:position_end", args=[position.pk])).status_code == 405


# --- query counts ----------------------------------------------------------------------------


def _grow(world: World, orgs: int = 32, members: int = 120) -> None:
    """A bigger tree under the fixture's: general branches with branches and groups, many members."""
    made: list[Organization] = []
    for i in range(orgs // 4):
        general = make_org(world.committee, OrgKind.GENERAL_BRANCH, f"扩展党总支{i}")
        b1 = make_org(general, OrgKind.BRANCH, f"扩展党支部{i}甲", term_start=datetime.date(2024, 1, 1))
        b2 = make_org(general, OrgKind.BRANCH, f"扩展党支部{i}乙", term_start=datetime.date(2020, 1, 1))
        make_org(b1, OrgKind.GROUP, f"扩展党小组{i}")
        made += [b1, b2]
    for i in range(members):
        member = MemberFactory(branch=made[i % len(made)])
        if i % 10 == 0:
            position_assign(org=world.committee, member=member, title=PositionTitle.MEMBER, started_on=datetime.date(2024, 1, 1))
    for i in range(12):
        organization_update(org=world.committee, address=f"地址{i}")


def _count(client, url: str, django_assert_max_num_queries, limit: int) -> None:
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("page", ["tree", "children", "detail", "search"])
def test_query_count_does_not_grow_with_tree(page, as_staff, world: World, django_assert_max_num_queries) -> None:
    urls = {
        "tree": reverse("branches:tree"),
        "children": reverse("branches:children", args=[world.committee.pk]),
        "detail": reverse("branches:detail", args=[world.committee.pk]),
        "search": reverse("branches:tree") + "?q=党支部",
    }
    limits = {"tree": 11, "children": 9, "detail": 14, "search": 11}
    _count(as_staff, urls[page], django_assert_max_num_queries, limits[page])
    _grow(world)
    _count(as_staff, urls[page], django_assert_max_num_queries, limits[page])
