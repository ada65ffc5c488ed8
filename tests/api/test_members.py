"""/api/v1/members/: list, retrieve, create, partial update, change-state."""

from __future__ import annotations

import datetime

from branches.models import OrgKind
from branches.services import organization_dissolve
from members.roster.choices import MemberState, MemberType
from members.roster.models import Member
from members.roster.validators import make_id_number
from tests.api.helpers import MEMBERS, member_url, names, patch, post, put
from tests.conftest import World
from tests.factories import MemberFactory, make_org

NEW_ID = make_id_number("110101", datetime.date(1990, 3, 8), 123)  # odd sequence: male


def bad_checksum(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def new_member(branch_pk: int, **overrides: object) -> dict:
    data = {
        "name": "钱新人",
        "id_number": NEW_ID,
        "branch": branch_pk,
        "member_type": "probationary",
        "joined_on": "2026-07-01",
        "phone": "13800001111",
    }
    data.update(overrides)
    return data


# --- list -----------------------------------------------------------------------------------


def test_secretary_lists_own_branch_with_whole_id_numbers(world: World, as_secretary_a) -> None:
    response = as_secretary_a.get(MEMBERS)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert sorted(r["name"] for r in rows) == ["张党员", "李同志"]
    by_name = {r["name"]: r for r in rows}
    assert by_name["张党员"]["id_number"] == world.member_a.id_number
    assert by_name["张党员"]["branch_name"] == "测试局第一党支部"
    assert by_name["张党员"]["group_name"] == "第一党支部第一党小组"
    assert by_name["李同志"]["group"] is None and by_name["李同志"]["group_name"] is None


def test_staff_lists_every_member_of_the_tree(world: World, as_staff) -> None:
    assert as_staff.get(MEMBERS).json()["count"] == 4


def test_member_lists_only_own_record_with_masked_id_number(world: World, as_member_a) -> None:
    rows = as_member_a.get(MEMBERS).json()["results"]
    assert [r["name"] for r in rows] == ["张党员"]
    number = world.member_a.id_number
    assert rows[0]["id_number"] == number[:4] + "*" * 10 + number[-4:]


def test_filter_by_org_subtree(world: World, as_staff) -> None:
    assert sorted(names(as_staff.get(MEMBERS, {"org": world.committee.pk}))) == ["张党员", "李同志", "王乙"]
    assert names(as_staff.get(MEMBERS, {"org": world.general.pk})) == ["赵丙"]


def test_filter_by_party_group_gives_its_members(world: World, as_secretary_a) -> None:
    assert names(as_secretary_a.get(MEMBERS, {"org": world.group_a1.pk})) == ["张党员"]


def test_filter_by_org_outside_scope_matches_nothing(world: World, as_secretary_b) -> None:
    assert names(as_secretary_b.get(MEMBERS, {"org": world.branch_a.pk})) == []


def test_filter_by_type_state_education_and_joined_year(world: World, as_staff) -> None:
    MemberFactory(
        name="孙预备",
        branch=world.branch_c,
        member_type=MemberType.PROBATIONARY,
        confirmed_on=None,
        joined_on=datetime.date(2025, 9, 1),
        education="postgraduate",
        state=MemberState.MOBILE,
        mobile_destination="深圳",
    )
    assert names(as_staff.get(MEMBERS, {"member_type": "probationary"})) == ["孙预备"]
    assert names(as_staff.get(MEMBERS, {"state": "mobile"})) == ["孙预备"]
    assert names(as_staff.get(MEMBERS, {"education": "postgraduate"})) == ["孙预备"]
    assert names(as_staff.get(MEMBERS, {"joined_year": 2025})) == ["孙预备"]
    assert as_staff.get(MEMBERS, {"joined_year": 2010}).json()["count"] == 4


def test_filter_by_age_range(world: World, as_staff) -> None:
    today = datetime.date.today()
    thirty_today = today.replace(year=today.year - 30) if not (today.month == 2 and today.day == 29) else today
    MemberFactory(
        name="周三十", branch=world.branch_c, birth_date=thirty_today, joined_on=thirty_today.replace(year=thirty_today.year + 20)
    )
    assert names(as_staff.get(MEMBERS, {"age_min": 30, "age_max": 30})) == ["周三十"]
    assert "周三十" not in names(as_staff.get(MEMBERS, {"age_min": 31}))
    assert "周三十" not in names(as_staff.get(MEMBERS, {"age_max": 29}))


def test_search_by_name_and_phone(world: World, as_staff) -> None:
    assert names(as_staff.get(MEMBERS, {"search": "王乙"})) == ["王乙"]
    assert names(as_staff.get(MEMBERS, {"search": world.member_c.phone})) == ["赵丙"]


def test_ordering_by_joined_on(world: World, as_staff) -> None:
    MemberFactory(name="吴早", branch=world.branch_c, joined_on=datetime.date(2001, 7, 1), confirmed_on=datetime.date(2002, 7, 1))
    MemberFactory(name="郑晚", branch=world.branch_c, joined_on=datetime.date(2020, 7, 1), confirmed_on=datetime.date(2021, 7, 1))
    ordered = names(as_staff.get(MEMBERS, {"ordering": "-joined_on"}))
    assert ordered[0] == "郑晚" and ordered[-1] == "吴早"


def test_list_wrong_methods_are_405(world: World, as_admin) -> None:
    assert as_admin.delete(MEMBERS).status_code == 405
    assert put(as_admin, MEMBERS, {}).status_code == 405


# --- retrieve -------------------------------------------------------------------------------


def test_secretary_retrieves_a_member_with_whole_id_number(world: World, as_secretary_a) -> None:
    response = as_secretary_a.get(member_url(world.member_a.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["id_number"] == world.member_a.id_number
    assert body["member_type_display"] == "正式党员"
    assert body["state_display"] == "正常"


def test_member_retrieves_own_record_masked(world: World, as_member_a) -> None:
    response = as_member_a.get(member_url(world.member_a.pk))
    assert response.status_code == 200
    assert "*" * 10 in response.json()["id_number"]


def test_member_cannot_retrieve_other_records(world: World, as_member_a) -> None:
    response = as_member_a.get(member_url(world.member_a2.pk))
    assert response.status_code == 404
    assert response.json() == {"detail": "党员不存在"}


def test_retrieve_out_of_scope_is_404(world: World, as_secretary_b) -> None:
    assert as_secretary_b.get(member_url(world.member_a.pk)).status_code == 404


def test_delete_and_put_on_a_member_are_405_and_nothing_changes(world: World, as_admin) -> None:
    assert as_admin.delete(member_url(world.member_a2.pk)).status_code == 405
    assert put(as_admin, member_url(world.member_a2.pk), {"name": "改名"}).status_code == 405
    world.member_a2.refresh_from_db()
    assert world.member_a2.name == "李同志"
    assert world.member_a2.state == MemberState.NORMAL


# --- create ---------------------------------------------------------------------------------


def test_secretary_adds_a_member_and_birth_date_and_gender_come_from_the_id_number(world: World, as_secretary_a) -> None:
    response = post(as_secretary_a, MEMBERS, new_member(world.branch_a.pk, group=world.group_a1.pk))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id_number"] == NEW_ID
    assert body["birth_date"] == "1990-03-08"
    member = Member.objects.get(id_number=NEW_ID)
    assert member.branch == world.branch_a and member.group == world.group_a1
    assert member.birth_date == datetime.date(1990, 3, 8)
    assert member.gender == "M"
    assert member.history.first().history_user == world.secretary_a


def test_full_width_id_number_is_normalized(world: World, as_secretary_a) -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in NEW_ID)
    response = post(as_secretary_a, MEMBERS, new_member(world.branch_a.pk, id_number=f" {full_width} "))
    assert response.status_code == 201, response.json()
    assert Member.objects.filter(id_number=NEW_ID).exists()


def test_bad_id_number_is_400_in_chinese_and_nothing_is_created(world: World, as_secretary_a) -> None:
    response = post(as_secretary_a, MEMBERS, new_member(world.branch_a.pk, id_number=bad_checksum(NEW_ID)))
    assert response.status_code == 400
    assert response.json()["id_number"] == ["公民身份号码校验位不正确，请核对。"]
    assert not Member.objects.filter(name="钱新人").exists()


def test_short_id_number_is_400_in_chinese(world: World, as_secretary_a) -> None:
    response = post(as_secretary_a, MEMBERS, new_member(world.branch_a.pk, id_number="11010119900308"))
    assert response.status_code == 400
    assert response.json()["id_number"] == ["公民身份号码应为18位，当前为14位。"]


def test_birth_date_not_matching_id_number_is_400(world: World, as_secretary_a) -> None:
    response = post(as_secretary_a, MEMBERS, new_member(world.branch_a.pk, birth_date="1991-01-01"))
    assert response.status_code == 400
    assert response.json() == {"birth_date": ["出生日期与公民身份号码不符（号码中为1990-03-08）。"]}


def test_id_number_in_use_is_400(world: World, as_secretary_a) -> None:
    response = post(as_secretary_a, MEMBERS, new_member(world.branch_a.pk, id_number=world.member_b.id_number))
    assert response.status_code == 400
    assert list(response.json()) == ["id_number"]
    assert response.json()["id_number"] == ["该公民身份号码已登记，不能重复录入。"]


def test_add_member_to_a_branch_outside_scope_is_refused(world: World, as_secretary_b) -> None:
    response = post(as_secretary_b, MEMBERS, new_member(world.branch_a.pk))
    assert response.status_code == 400
    assert response.json() == {"branch": ["所选党组织不存在。"]}
    assert not Member.objects.filter(id_number=NEW_ID).exists()


def test_branch_must_be_a_party_branch(world: World, as_staff) -> None:
    response = post(as_staff, MEMBERS, new_member(world.committee.pk))
    assert response.status_code == 400
    assert response.json() == {"branch": ["所在党支部必须是党支部，不能是党委、党总支或党小组。"]}


def test_group_must_belong_to_the_branch(world: World, as_staff) -> None:
    other_group = make_org(world.branch_b, OrgKind.GROUP, "第二党支部党小组")
    response = post(as_staff, MEMBERS, new_member(world.branch_a.pk, group=other_group.pk))
    assert response.status_code == 400
    assert response.json() == {"group": ["所选党小组不属于该党支部。"]}


def test_dissolved_branch_takes_no_new_members(world: World, as_staff) -> None:
    closed = make_org(world.committee, OrgKind.BRANCH, "已撤销党支部")
    organization_dissolve(org=closed, on=datetime.date(2026, 1, 1), reason="撤并")
    response = post(as_staff, MEMBERS, new_member(closed.pk))
    assert response.status_code == 400
    assert response.json() == {"branch": ["所选党组织已撤销。"]}
    assert not Member.objects.filter(id_number=NEW_ID).exists()


def test_member_cannot_add_members(world: World, as_member_a) -> None:
    response = post(as_member_a, MEMBERS, new_member(world.branch_a.pk))
    assert response.status_code == 403
    assert not Member.objects.filter(id_number=NEW_ID).exists()


def test_missing_fields_are_400_in_chinese(world: World, as_secretary_a) -> None:
    response = post(as_secretary_a, MEMBERS, {"branch": world.branch_a.pk})
    assert response.status_code == 400
    body = response.json()
    assert body["name"] == ["该字段是必填项。"]
    assert set(body) == {"name", "id_number", "joined_on"}


# --- partial update -------------------------------------------------------------------------


def test_secretary_updates_a_member(world: World, as_secretary_a) -> None:
    response = patch(as_secretary_a, member_url(world.member_a2.pk), {"phone": "139 0000 2222", "job_post": "科员"})
    assert response.status_code == 200, response.json()
    world.member_a2.refresh_from_db()
    assert world.member_a2.phone == "13900002222"
    assert world.member_a2.job_post == "科员"


def test_update_with_bad_id_number_is_400_and_nothing_changes(world: World, as_secretary_a) -> None:
    before = world.member_a2.id_number
    response = patch(as_secretary_a, member_url(world.member_a2.pk), {"id_number": bad_checksum(before), "phone": "13700000000"})
    assert response.status_code == 400
    assert response.json() == {"id_number": ["公民身份号码校验位不正确，请核对。"]}
    world.member_a2.refresh_from_db()
    assert world.member_a2.id_number == before
    assert world.member_a2.phone != "13700000000"


def test_full_member_without_confirmation_date_is_400(world: World, as_secretary_a) -> None:
    response = patch(as_secretary_a, member_url(world.member_a2.pk), {"confirmed_on": None})
    assert response.status_code == 400
    assert response.json() == {"confirmed_on": ["正式党员必须填写转正日期。"]}
    world.member_a2.refresh_from_db()
    assert world.member_a2.confirmed_on is not None


def test_update_out_of_scope_is_404_and_nothing_changes(world: World, as_secretary_b) -> None:
    response = patch(as_secretary_b, member_url(world.member_a2.pk), {"phone": "13700000000"})
    assert response.status_code == 404
    world.member_a2.refresh_from_db()
    assert world.member_a2.phone != "13700000000"


def test_member_cannot_edit_own_record(world: World, as_member_a) -> None:
    response = patch(as_member_a, member_url(world.member_a.pk), {"phone": "13700000000"})
    assert response.status_code == 403
    world.member_a.refresh_from_db()
    assert world.member_a.phone != "13700000000"


def test_member_cannot_edit_other_records(world: World, as_member_a) -> None:
    response = patch(as_member_a, member_url(world.member_a2.pk), {"phone": "13700000000"})
    assert response.status_code == 403
    world.member_a2.refresh_from_db()
    assert world.member_a2.phone != "13700000000"


# --- change state ---------------------------------------------------------------------------


def test_secretary_marks_a_member_mobile(world: World, as_secretary_a) -> None:
    response = post(
        as_secretary_a,
        member_url(world.member_a2.pk, "change-state"),
        {"state": "mobile", "on": "2026-05-01", "reason": "外出务工", "destination": "广东省深圳市"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state_display"] == "流动党员"
    world.member_a2.refresh_from_db()
    assert world.member_a2.state == MemberState.MOBILE
    assert world.member_a2.mobile_destination == "广东省深圳市"
    assert world.member_a2.state_changed_on == datetime.date(2026, 5, 1)
    assert world.member_a2.history.first().history_change_reason == "状态变更为流动党员：外出务工"


def test_mobile_without_destination_is_400(world: World, as_secretary_a) -> None:
    response = post(
        as_secretary_a, member_url(world.member_a2.pk, "change-state"), {"state": "mobile", "on": "2026-05-01", "reason": "外出"}
    )
    assert response.status_code == 400
    assert response.json() == {"destination": ["流动党员须填写流入地。"]}
    world.member_a2.refresh_from_db()
    assert world.member_a2.state == MemberState.NORMAL


def test_ended_membership_cannot_come_back_by_state_change(world: World, as_secretary_a) -> None:
    world.member_a2.state = MemberState.DECEASED
    world.member_a2.save()
    response = post(
        as_secretary_a,
        member_url(world.member_a2.pk, "change-state"),
        {"state": "normal", "on": "2026-05-01", "reason": "误操作"},
    )
    assert response.status_code == 400
    assert response.json() == {"state": ["“去世”的党员不能直接变更为“正常”。"]}


def test_transferred_out_is_400_it_goes_through_a_transfer(world: World, as_secretary_a) -> None:
    response = post(
        as_secretary_a,
        member_url(world.member_a2.pk, "change-state"),
        {"state": "transferred_out", "on": "2026-05-01", "reason": "调往外省"},
    )
    assert response.status_code == 400
    assert response.json() == {"state": ["转出须通过组织关系转接（转出系统外）办理，不能直接变更为“已转出”。"]}
    world.member_a2.refresh_from_db()
    assert world.member_a2.state == MemberState.NORMAL


def test_a_date_before_the_last_state_change_is_400(world: World, as_secretary_a) -> None:
    change = member_url(world.member_a2.pk, "change-state")
    post(as_secretary_a, change, {"state": "lost", "on": "2026-05-01", "reason": "失联"})
    response = post(as_secretary_a, change, {"state": "normal", "on": "2026-04-30", "reason": "恢复联系"})
    assert (response.status_code, response.json()) == (400, {"on": ["变更日期不能早于上次状态变更日期（2026年5月1日）。"]})


def test_unknown_state_is_400_in_chinese(world: World, as_secretary_a) -> None:
    response = post(as_secretary_a, member_url(world.member_a2.pk, "change-state"), {"state": "retired", "on": "2026-05-01"})
    assert response.status_code == 400
    assert "不是合法选项" in response.json()["state"][0]


def test_change_state_out_of_scope_is_404(world: World, as_secretary_b) -> None:
    response = post(
        as_secretary_b, member_url(world.member_a2.pk, "change-state"), {"state": "lost", "on": "2026-05-01", "reason": "失联"}
    )
    assert response.status_code == 404
    world.member_a2.refresh_from_db()
    assert world.member_a2.state == MemberState.NORMAL


def test_member_cannot_change_states(world: World, as_member_a) -> None:
    response = post(
        as_member_a, member_url(world.member_a.pk, "change-state"), {"state": "lost", "on": "2026-05-01", "reason": "失联"}
    )
    assert response.status_code == 403
    world.member_a.refresh_from_db()
    assert world.member_a.state == MemberState.NORMAL


def test_change_state_wrong_method_is_405(world: World, as_secretary_a) -> None:
    assert as_secretary_a.get(member_url(world.member_a2.pk, "change-state")).status_code == 405


# --- 党员生涯 -------------------------------------------------------------------------------------


def test_the_timeline_is_the_record_pages_with_links_only_where_the_reader_may_go(
    world: World, as_staff, as_member_a, as_secretary_b
) -> None:
    from members.roster.services import member_change_state
    from members.transfers.application_services import transfer_apply
    from members.transfers.models import TransferKind

    transfer = transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.INTERNAL,
        scope="within_committee",
        member=world.member_a,
        to_org=world.branch_b,
        reason="工作调动",
    )
    member_change_state(
        member=world.member_a, state=MemberState.MOBILE, on=datetime.date(2025, 3, 1), reason="外出务工", destination="深圳市"
    )
    steps = as_staff.get(member_url(world.member_a.pk, "timeline")).json()
    assert [s["title"] for s in steps][:2] == ["入党，成为预备党员", "转为正式党员"]
    mobile = next(s for s in steps if s["title"] == "变更为流动党员")
    assert (mobile["on"], mobile["category"], mobile["category_label"], mobile["kind"]) == (
        "2025-03-01",
        "state",
        "党员状态",
        "step",
    )
    assert {"label": "流入地", "value": "深圳市"} in mobile["facts"]
    applied = next(s for s in steps if s["category"] == "transfer")
    assert applied["link"] == f"/transfers/{transfer.pk}/"
    # The member reads their own, without links to pages they cannot open.
    own = as_member_a.get(member_url(world.member_a.pk, "timeline")).json()
    assert [s["title"] for s in own] == [s["title"] for s in steps]
    assert all(s["link"] == "" for s in own)
    # Out of scope, as for the record itself.
    assert as_secretary_b.get(member_url(world.member_a.pk, "timeline")).status_code == 404
    assert as_member_a.get(member_url(world.member_a2.pk, "timeline")).status_code == 404


def test_the_timeline_is_read_only(world: World, as_staff) -> None:
    assert post(as_staff, member_url(world.member_a.pk, "timeline")).status_code == 405


def test_political_birthdays_of_a_month_by_the_joined_month(world: World, as_staff) -> None:
    month = world.member_a.joined_on.month
    others = [m for m in Member.objects.all() if m.joined_on.month != month]
    response = as_staff.get(MEMBERS, {"joined_month": month})
    assert world.member_a.name in names(response)
    assert not set(names(response)) & {m.name for m in others}
    bad = as_staff.get(MEMBERS, {"joined_month": 13})
    assert (bad.status_code, bad.json()) == (400, {"joined_month": ["入党月份应在1至12之间。"]})
