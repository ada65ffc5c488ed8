"""/api/v1/transfers/: list (status, kind, waiting=me), retrieve, create (three kinds) and the
actions approve_out / accept / return / suspend / resume, with the pages' rules: each side sees a
transfer between A and B and acts only for its own side (403 on the other's), a secretary of
branch C gets 404, a member with no other role reads nothing and writes nothing (403)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.roster.choices import MemberState
from members.roster.models import Member
from members.roster.validators import make_id_number
from members.transfers.application_services import transfer_apply
from members.transfers.models import Transfer, TransferKind, TransferStatus
from members.transfers.step_services import transfer_approve_out, transfer_suspend
from partybuild.accounts.models import Role, RoleAssignment
from tests.api.helpers import patch, post, put
from tests.conftest import World, login
from tests.factories import MemberFactory, UserFactory

TRANSFERS = "/api/v1/transfers/"
NEW_ID_NUMBER = make_id_number("110101", datetime.date(1988, 3, 8), 21)


def transfer_url(pk: int, action: str = "") -> str:
    return f"{TRANSFERS}{pk}/" + (f"{action}/" if action else "")


def a_to_b(world: World, member: Member | None = None, **extra: Any) -> Transfer:
    return transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.INTERNAL,
        scope="within_committee",
        member=member or world.member_a2,
        to_org=world.branch_b,
        reason="工作调动",
        **extra,
    )


def internal(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "internal",
        "scope": "within_committee",
        "member": world.member_a2.pk,
        "to_org": world.branch_b.pk,
        "reason": "工作调动",
        "dues_paid_to": "2026-10",
        "letter_no": "组转〔2026〕15号",
        "valid_until": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    }
    data.update(overrides)
    return data


def incoming(world: World, **facts: Any) -> dict[str, Any]:
    return {
        "kind": "in",
        "scope": "within_province",
        "to_org": world.branch_b.pk,
        "from_name": "中共某区教育局机关支部委员会",
        "reason": "调入",
        "incoming": {
            "name": "钱转入",
            "id_number": NEW_ID_NUMBER,
            "joined_on": "2012-07-01",
            "confirmed_on": "2013-07-01",
            "phone": "13900001111",
            **facts,
        },
    }


@pytest.fixture
def as_secretary_c(world: World) -> Client:
    user = UserFactory(username="secretary_c", full_name="丙支部书记")
    RoleAssignment.objects.create(user=user, role=Role.SECRETARY, organization=world.branch_c)
    return login(user)


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.json()
    return sorted(row["member_name"] for row in response.json()["results"])


# --- list ------------------------------------------------------------------------------------------


def test_each_side_lists_the_transfer_and_sees_which_side_it_acts_for(
    world: World, as_secretary_a: Client, as_secretary_b: Client
) -> None:
    transfer = a_to_b(world, dues_paid_to=datetime.date(2026, 10, 15))
    mine = as_secretary_a.get(TRANSFERS).json()["results"]
    assert [r["id"] for r in mine] == [transfer.pk]
    row = mine[0]
    assert row["member_name"] == "李同志" and row["kind_display"] == "系统内转接"
    assert (row["from_label"], row["to_label"]) == ("测试局第一党支部", "测试局第二党支部")
    assert (row["status"], row["status_display"], row["dues_paid_to"]) == ("applied", "已申请", "2026-10")
    assert (row["waiting_on"], row["my_sides"], row["actions"]) == ("out", ["out"], ["approve_out", "return", "suspend"])
    assert "member_id_number" not in row and "incoming" not in row
    assert world.member_a2.id_number not in str(mine)
    theirs = as_secretary_b.get(TRANSFERS).json()["results"][0]
    assert (theirs["my_sides"], theirs["actions"]) == (["in"], ["return", "suspend"])


def test_list_filters_by_status_kind_and_waiting_on_me(world: World, as_secretary_a: Client, as_secretary_b: Client) -> None:
    waiting_on_a = a_to_b(world)
    other = MemberFactory(name="周甲", branch=world.branch_a)
    transfer_approve_out(transfer=a_to_b(world, other), actor=world.secretary_a)  # waits on B
    transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.OUT,
        scope="nationwide",
        member=world.member_a,
        to_name="中共某省某县委组织部",
        reason="迁居",
    )
    assert names(as_secretary_a.get(TRANSFERS, {"waiting": "me"})) == ["张党员", "李同志"]
    assert names(as_secretary_b.get(TRANSFERS, {"waiting": "me"})) == ["周甲"]
    assert names(as_secretary_a.get(TRANSFERS, {"status": "out_approved"})) == ["周甲"]
    assert names(as_secretary_a.get(TRANSFERS, {"kind": "out"})) == ["张党员"]
    assert names(as_secretary_a.get(TRANSFERS, {"kind": "internal", "waiting": "me"})) == ["李同志"]
    assert waiting_on_a.pk in [r["id"] for r in as_secretary_a.get(TRANSFERS).json()["results"]]


@pytest.mark.parametrize("name", ["status", "kind", "waiting"])
def test_unknown_filter_values_are_400_in_chinese(world: World, as_staff: Client, name: str) -> None:
    response = as_staff.get(TRANSFERS, {name: "sideways"})
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.json()[name][0]


def test_outsiders_and_members_list_nothing(world: World, as_secretary_c: Client, as_member_a: Client) -> None:
    a_to_b(world)
    assert as_secretary_c.get(TRANSFERS).json()["count"] == 0
    assert as_member_a.get(TRANSFERS).json()["count"] == 0


def test_anonymous_requests_are_refused(world: World, client: Client) -> None:
    transfer = a_to_b(world)
    assert client.get(TRANSFERS).status_code == 401
    assert post(client, transfer_url(transfer.pk, "approve_out")).status_code == 401


# --- retrieve --------------------------------------------------------------------------------------


def test_retrieve_shows_the_id_number_as_each_side_may_see_it_and_the_history(
    world: World, as_secretary_a: Client, as_secretary_b: Client
) -> None:
    transfer = transfer_approve_out(transfer=a_to_b(world), actor=world.secretary_a)
    transfer_suspend(transfer=transfer, actor=world.secretary_b, reason="党费未交清")
    body = as_secretary_a.get(transfer_url(transfer.pk)).json()
    assert body["member_id_number"] == world.member_a2.id_number
    assert body["incoming"] is None
    assert [(h["who"], h["what"], h["status"], h["reason"]) for h in body["history"]] == [
        ("甲支部书记", "申请组织关系转接", "applied", ""),
        ("甲支部书记", "转出方审核通过", "out_approved", ""),
        ("乙支部书记", "挂起", "suspended", "党费未交清"),
    ]
    assert body["actions"] == ["resume", "return"]
    body = as_secretary_b.get(transfer_url(transfer.pk)).json()
    assert body["member_id_number"] == world.member_a2.masked_id_number


def test_retrieve_of_a_letter_from_outside_shows_its_facts(world: World, as_secretary_b: Client) -> None:
    response = post(as_secretary_b, TRANSFERS, incoming(world, education="postgraduate"))
    assert response.status_code == 201, response.json()
    body = as_secretary_b.get(transfer_url(response.json()["id"])).json()
    assert body["incoming"]["name"] == "钱转入" and body["incoming"]["id_number"] == NEW_ID_NUMBER
    assert body["incoming"]["education"] == "postgraduate"
    assert (body["member"], body["member_id_number"], body["from_label"]) == (None, None, "中共某区教育局机关支部委员会")


def test_retrieve_out_of_scope_or_missing_is_404(
    world: World, as_secretary_c: Client, as_member_a: Client, as_secretary_a: Client
) -> None:
    transfer = a_to_b(world)
    assert as_secretary_c.get(transfer_url(transfer.pk)).status_code == 404
    assert as_member_a.get(transfer_url(transfer.pk)).status_code == 404
    assert as_secretary_a.get(transfer_url(999999)).status_code == 404


def test_transfers_are_neither_edited_nor_deleted(world: World, as_admin: Client) -> None:
    transfer = a_to_b(world)
    assert patch(as_admin, transfer_url(transfer.pk), {"reason": "改"}).status_code == 405
    assert put(as_admin, transfer_url(transfer.pk), {"reason": "改"}).status_code == 405
    assert as_admin.delete(transfer_url(transfer.pk)).status_code == 405
    assert as_admin.get(transfer_url(transfer.pk, "accept")).status_code == 405
    transfer.refresh_from_db()
    assert (transfer.reason, transfer.status) == ("工作调动", TransferStatus.APPLIED)


# --- create ----------------------------------------------------------------------------------------


def test_secretary_a_applies_for_a_transfer_to_branch_b(world: World, as_secretary_a: Client) -> None:
    response = post(as_secretary_a, TRANSFERS, internal(world))
    assert response.status_code == 201, response.json()
    body = response.json()
    transfer = Transfer.objects.get(pk=body["id"])
    assert (transfer.member, transfer.from_org, transfer.to_org, transfer.dues_paid_to) == (
        world.member_a2,
        world.branch_a,
        world.branch_b,
        datetime.date(2026, 10, 1),
    )
    assert (body["status"], body["waiting_on"], body["actions"]) == ("applied", "out", ["approve_out", "return", "suspend"])
    assert body["history"][0]["what"] == "申请组织关系转接"


def test_secretary_a_sends_a_member_out_of_the_portal(world: World, as_secretary_a: Client) -> None:
    data = {
        "kind": "out",
        "scope": "nationwide",
        "member": world.member_a.pk,
        "to_name": "中共某省某县委组织部",
        "reason": "迁居",
    }
    response = post(as_secretary_a, TRANSFERS, data)
    assert response.status_code == 201, response.json()
    assert (response.json()["to_label"], response.json()["to_org"]) == ("中共某省某县委组织部", None)


def test_secretary_b_records_a_letter_from_outside(world: World, as_secretary_b: Client) -> None:
    response = post(as_secretary_b, TRANSFERS, incoming(world))
    assert response.status_code == 201, response.json()
    transfer = Transfer.objects.get()
    assert (transfer.kind, transfer.status, transfer.to_org) == (TransferKind.IN, TransferStatus.OUT_APPROVED, world.branch_b)
    assert transfer.incoming == {
        "name": "钱转入",
        "id_number": NEW_ID_NUMBER,
        "joined_on": "2012-07-01",
        "confirmed_on": "2013-07-01",
        "phone": "13900001111",
    }
    assert response.json()["actions"] == ["accept", "return", "suspend"]


def test_an_internal_transfer_without_a_scope_takes_it_from_the_two_branches(world: World, as_secretary_a: Client) -> None:
    response = post(as_secretary_a, TRANSFERS, internal(world, scope=""))
    assert response.status_code == 201, response.json()
    assert (response.json()["scope"], response.json()["scope_display"]) == ("within_committee", "本党委内")


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"kind": "out", "to_name": "外省某机关", "scope": ""}, {"scope": ["请选择转接范围。"]}),
        ({"scope": "everywhere"}, {"scope": ["请选择转接范围。"]}),
        ({"kind": "sideways"}, {"kind": ["请选择转接类型。"]}),
        ({"member": "member_b"}, {"member": ["所选党员不存在、不在您的管理范围内或已不在册。"]}),
        ({"member": None}, {"member": ["请选择党员。"]}),
        ({"to_org": "branch_a"}, {"to_org": ["转入党支部与所在党支部相同。"]}),
        ({"to_org": "group_a1"}, {"to_org": ["只能转入（转出）正常状态的党支部。"]}),
        ({"to_org": 999999}, {"to_org": ["所选党组织不存在。"]}),
        ({"reason": " "}, {"reason": ["请填写转接原因。"]}),
        ({"dues_paid_to": "2026-13"}, {"dues_paid_to": ["请填写有效的月份，如 2026-10。"]}),
        ({"valid_until": "2020-01-01"}, {"valid_until": ["介绍信有效期不能早于今天。"]}),
    ],
)
def test_bad_input_is_400_in_chinese_and_nothing_is_recorded(
    world: World, as_secretary_a: Client, overrides: dict, errors: dict
) -> None:
    named = {"member_b": world.member_b.pk, "branch_a": world.branch_a.pk, "group_a1": world.group_a1.pk}
    data = internal(world, **{k: named.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()})
    response = post(as_secretary_a, TRANSFERS, data)
    assert response.status_code == 400
    assert response.json() == errors
    assert Transfer.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"to_org": "branch_a"}, {"to_org": ["所选党组织不存在。"]}),
        (
            {"incoming": {}},
            {
                "incoming": {
                    "name": ["请填写姓名。"],
                    "id_number": ["请填写公民身份号码。"],
                    "joined_on": ["请填写入党日期。"],
                    "confirmed_on": ["正式党员必须填写转正日期。"],  # 人员类别 left empty: 正式党员
                }
            },
        ),
        ({"incoming": {"id_number": "110101198803080001"}}, {"incoming": {"id_number": ["公民身份号码校验位不正确，请核对。"]}}),
        ({"incoming": {"confirmed_on": None}}, {"incoming": {"confirmed_on": ["正式党员必须填写转正日期。"]}}),
        (
            {"incoming": {"id_number": "member_a"}},
            {"incoming": {"id_number": ["该公民身份号码已在花名册中，请使用系统内转接。"]}},
        ),
        ({"from_name": ""}, {"from_name": ["请填写转出单位名称。"]}),
    ],
)
def test_a_letter_from_outside_with_bad_facts_is_400_keyed_under_incoming(
    world: World, as_secretary_b: Client, overrides: dict, errors: dict
) -> None:
    data = incoming(world)
    for key, value in overrides.items():
        if key == "incoming" and value:
            data["incoming"].update({k: world.member_a.id_number if v == "member_a" else v for k, v in value.items()})
        elif key == "incoming":
            data["incoming"] = {}
        else:
            data[key] = world.branch_a.pk if value == "branch_a" else value
    response = post(as_secretary_b, TRANSFERS, data)
    assert response.status_code == 400
    assert response.json() == errors
    assert Transfer.objects.count() == 0


def test_a_member_cannot_create_transfers(world: World, as_member_a: Client) -> None:
    response = post(as_member_a, TRANSFERS, internal(world, member=world.member_a.pk))
    assert response.status_code == 403
    assert response.json()["detail"] == "您没有办理组织关系转接的权限。"
    assert Transfer.objects.count() == 0


# --- actions ---------------------------------------------------------------------------------------


def test_a_to_b_approved_by_a_and_accepted_by_b(world: World, as_secretary_a: Client, as_secretary_b: Client) -> None:
    transfer = a_to_b(world)
    response = post(as_secretary_a, transfer_url(transfer.pk, "approve_out"))
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["waiting_on"]) == ("out_approved", "in")
    response = post(as_secretary_b, transfer_url(transfer.pk, "accept"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted"
    world.member_a2.refresh_from_db()
    assert world.member_a2.branch == world.branch_b
    assert response.json()["member_id_number"] == world.member_a2.id_number  # B manages him now


def test_each_side_gets_403_on_the_other_sides_action(world: World, as_secretary_a: Client, as_secretary_b: Client) -> None:
    transfer = a_to_b(world)
    response = post(as_secretary_b, transfer_url(transfer.pk, "approve_out"))
    assert response.status_code == 403
    assert response.json()["detail"] == "只有转出方（测试局第一党支部）可以审核转出。"
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.APPLIED
    transfer_approve_out(transfer=transfer, actor=world.secretary_a)
    response = post(as_secretary_a, transfer_url(transfer.pk, "accept"))
    assert response.status_code == 403
    assert response.json()["detail"] == "只有转入方（测试局第二党支部）可以接收。"
    transfer.refresh_from_db()
    world.member_a2.refresh_from_db()
    assert (transfer.status, world.member_a2.branch) == (TransferStatus.OUT_APPROVED, world.branch_a)


def test_actions_out_of_scope_are_404_and_a_member_gets_403(world: World, as_secretary_c: Client, as_member_a: Client) -> None:
    transfer = a_to_b(world)
    for action in ("approve_out", "accept", "return", "suspend", "resume"):
        assert post(as_secretary_c, transfer_url(transfer.pk, action), {"reason": "x"}).status_code == 404, action
        assert post(as_member_a, transfer_url(transfer.pk, action), {"reason": "x"}).status_code == 403, action
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.APPLIED


def test_return_and_suspend_need_a_reason_and_resume_goes_back_where_it_was(
    world: World, as_secretary_a: Client, as_secretary_b: Client
) -> None:
    transfer = transfer_approve_out(transfer=a_to_b(world), actor=world.secretary_a)
    response = post(as_secretary_b, transfer_url(transfer.pk, "return"), {"reason": " "})
    assert (response.status_code, response.json()) == (400, {"reason": ["请填写退回原因。"]})
    response = post(as_secretary_b, transfer_url(transfer.pk, "suspend"), {})
    assert (response.status_code, response.json()) == (400, {"reason": ["请填写挂起原因。"]})
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.OUT_APPROVED
    response = post(as_secretary_a, transfer_url(transfer.pk, "suspend"), {"reason": "党费未交清"})
    assert (response.status_code, response.json()["status"], response.json()["status_reason"]) == (200, "suspended", "党费未交清")
    response = post(as_secretary_b, transfer_url(transfer.pk, "resume"))
    assert (response.status_code, response.json()["status"]) == (200, "out_approved")
    response = post(as_secretary_b, transfer_url(transfer.pk, "return"), {"reason": "接收单位信息有误"})
    assert (response.status_code, response.json()["status"]) == (200, "returned")
    world.member_a2.refresh_from_db()
    assert world.member_a2.branch == world.branch_a


def test_an_action_the_status_does_not_allow_is_400(world: World, as_secretary_b: Client) -> None:
    transfer = a_to_b(world)
    response = post(as_secretary_b, transfer_url(transfer.pk, "accept"))
    assert (response.status_code, response.json()) == (400, {"status": ["该转接当前为“已申请”，不能接收。"]})
    response = post(as_secretary_b, transfer_url(transfer.pk, "resume"))
    assert (response.status_code, response.json()) == (400, {"status": ["只有挂起的转接可以恢复办理。"]})
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.APPLIED


def test_approving_out_of_the_portal_ends_the_membership_and_accepting_a_letter_creates_one(
    world: World, as_secretary_a: Client, as_secretary_b: Client
) -> None:
    out = post(
        as_secretary_a,
        TRANSFERS,
        {"kind": "out", "scope": "nationwide", "member": world.member_a2.pk, "to_name": "外省", "reason": "迁居"},
    )
    response = post(as_secretary_a, transfer_url(out.json()["id"], "approve_out"))
    assert response.json()["status"] == "completed"
    world.member_a2.refresh_from_db()
    assert world.member_a2.state == MemberState.TRANSFERRED_OUT
    letter = post(as_secretary_b, TRANSFERS, incoming(world))
    response = post(as_secretary_b, transfer_url(letter.json()["id"], "accept"))
    assert response.status_code == 200, response.json()
    member = Member.objects.get(id_number=NEW_ID_NUMBER)
    assert (member.name, member.branch, response.json()["member"]) == ("钱转入", world.branch_b, member.pk)


def test_within_the_committee_between_two_committees_is_400(world: World, as_secretary_a: Client) -> None:
    response = post(as_secretary_a, TRANSFERS, internal(world, to_org=world.branch_c.pk))
    assert (response.status_code, response.json()) == (
        400,
        {"scope": ["测试局第一党支部与测试直属党支部不属于同一党委，转接范围不能选“本党委内”。"]},
    )
    assert Transfer.objects.count() == 0
    response = post(as_secretary_a, TRANSFERS, internal(world, to_org=world.branch_c.pk, scope="within_province"))
    assert (response.status_code, response.json()["scope_display"]) == (201, "省（系统）内")


def test_a_member_who_left_comes_back_to_their_own_record(world: World, as_secretary_a: Client, as_secretary_b: Client) -> None:
    out = post(
        as_secretary_a,
        TRANSFERS,
        {"kind": "out", "scope": "nationwide", "member": world.member_a2.pk, "to_name": "外省某县委组织部", "reason": "迁居"},
    )
    post(as_secretary_a, transfer_url(out.json()["id"], "approve_out"))
    li = Member.objects.get(pk=world.member_a2.pk)
    letter = incoming(world, name=li.name, id_number=li.id_number, joined_on="2010-07-01", confirmed_on="2011-07-01")
    letter["from_name"] = "外省某县委组织部"
    created = post(as_secretary_b, TRANSFERS, letter)
    assert created.status_code == 201, created.json()
    response = post(as_secretary_b, transfer_url(created.json()["id"], "accept"))
    assert response.status_code == 200, response.json()
    assert response.json()["member"] == li.pk
    li.refresh_from_db()
    assert (li.state, li.branch, li.phone) == (MemberState.NORMAL, world.branch_b, "13900001111")
    assert Member.objects.filter(id_number=li.id_number).count() == 1
    # Dead or out of the party: refused, in Chinese.
    Member.objects.filter(pk=world.member_c.pk).update(state=MemberState.DECEASED)
    response = post(as_secretary_b, TRANSFERS, incoming(world, name="赵丙", id_number=world.member_c.id_number))
    assert (response.status_code, response.json()) == (
        400,
        {"incoming": {"id_number": ["该公民身份号码的党员已去世，不能办理转入。"]}},
    )


def test_a_letter_whose_person_reached_the_roster_meanwhile_is_400_under_incoming(world: World, as_secretary_b: Client) -> None:
    letter = post(as_secretary_b, TRANSFERS, incoming(world)).json()
    MemberFactory(branch=world.branch_c, id_number=NEW_ID_NUMBER)
    response = post(as_secretary_b, transfer_url(letter["id"], "accept"))
    assert (response.status_code, response.json()) == (
        400,
        {"incoming": {"id_number": ["该公民身份号码已在花名册中，请使用系统内转接。"]}},
    )


def test_token_clients_act_without_csrf(world: World) -> None:
    from rest_framework.authtoken.models import Token

    transfer = a_to_b(world)
    token = Token.objects.create(user=world.secretary_a)
    client = Client(enforce_csrf_checks=True)
    response = post(client, transfer_url(transfer.pk, "approve_out"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200, response.json()


# --- query counts and schema -----------------------------------------------------------------------


def _queries(client: Client, url: str, params: dict | None = None) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.json()
    return len(ctx.captured_queries), response.json()


# Session, user, scope, count, page; plus the session's save in a savepoint (3 statements).
LIST_MAX = 8
# Session, user, scope, the transfer, the member's 党支部, the history; plus the session's save.
RETRIEVE_MAX = 9


def test_list_queries_do_not_grow_with_transfers(world: World, as_staff: Client, django_assert_max_num_queries) -> None:
    a_to_b(world)
    few, body = _queries(as_staff, TRANSFERS, {"waiting": "me"})
    assert body["count"] == 1
    for _ in range(30):
        transfer_apply(
            actor=world.staff,
            kind=TransferKind.INTERNAL,
            scope="within_province",
            member=MemberFactory(branch=world.branch_b),
            to_org=world.branch_c,
            reason="调动",
        )
    many, body = _queries(as_staff, TRANSFERS, {"waiting": "me"})
    assert body["count"] == 31
    assert many == few
    with django_assert_max_num_queries(LIST_MAX):
        as_staff.get(TRANSFERS, {"waiting": "me"})


def test_retrieve_queries_are_pinned(world: World, as_staff: Client, django_assert_max_num_queries) -> None:
    transfer = transfer_approve_out(transfer=a_to_b(world), actor=world.secretary_a)
    with django_assert_max_num_queries(RETRIEVE_MAX):
        assert as_staff.get(transfer_url(transfer.pk)).status_code == 200


def test_schema_documents_the_transfer_endpoints_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    for path in ("/api/v1/transfers/", "/api/v1/transfers/{id}/approve_out/", "/api/v1/transfers/{id}/return/"):
        assert path in text
    for summary in ("新建组织关系转接", "审核转出", "接收", "退回", "挂起", "恢复办理"):
        assert f"summary: {summary}" in text


def test_the_browsable_api_renders_the_transfers(world: World, as_staff: Client) -> None:
    transfer = a_to_b(world)
    for url in (TRANSFERS, transfer_url(transfer.pk)):
        response = as_staff.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert b"<html" in response.content
