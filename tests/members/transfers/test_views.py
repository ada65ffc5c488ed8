"""The 组织关系转接 pages, as the people who use them: the secretary of branch A sends 李同志 to
branch B and the secretary of branch B receives him; each sees the transfer and acts only for
their own side. A secretary of branch C (nothing of A's or B's) finds nothing, and member_a (no
role but 党员) has no transfer pages at all."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from branches.models import OrgKind
from branches.services import organization_dissolve
from members.roster.choices import MemberState
from members.roster.models import Member
from members.roster.validators import make_id_number
from members.transfers.application_services import transfer_apply
from members.transfers.models import Transfer, TransferKind, TransferStatus
from members.transfers.selectors import destination_options_html, waiting_for_me_count
from members.transfers.step_services import transfer_accept, transfer_approve_out, transfer_return, transfer_suspend
from partybuild.accounts.models import Role, RoleAssignment
from tests.conftest import World, login
from tests.factories import MemberFactory, UserFactory, make_org

LIST = reverse("transfers:list")
NEW = reverse("transfers:new")
OPTIONS = reverse("transfers:member_options")


def url(name: str, transfer: Transfer) -> str:
    return reverse(f"transfers:{name}", args=[transfer.pk])


def a_to_b(world: World, member: Member | None = None, **extra: object) -> Transfer:
    """李同志 (or ``member``) of branch A applies to go to branch B."""
    return transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.INTERNAL,
        scope="within_committee",
        member=member or world.member_a2,
        to_org=world.branch_b,
        reason="工作调动",
        **extra,  # type: ignore[arg-type]
    )


def from_outside(world: World, name: str = "钱转入", **facts: object) -> Transfer:
    return transfer_apply(
        actor=world.secretary_b,
        kind=TransferKind.IN,
        scope="within_province",
        to_org=world.branch_b,
        from_name="中共某区教育局机关支部委员会",
        reason="调入",
        incoming={
            "name": name,
            "id_number": make_id_number("110101", datetime.date(1988, 3, 8), 21),
            "joined_on": datetime.date(2012, 7, 1),
            "confirmed_on": datetime.date(2013, 7, 1),
            **facts,
        },
    )


@pytest.fixture
def as_secretary_c(world: World) -> Client:
    """The secretary of branch C: neither side of anything between A and B."""
    user = UserFactory(username="secretary_c", full_name="丙支部书记")
    RoleAssignment.objects.create(user=user, role=Role.SECRETARY, organization=world.branch_c)
    return login(user)


def rows(response) -> list[str]:
    return [t.person_name for t in response.context["page"].object_list]


def tab_counts(response) -> dict[str, int]:
    return {t["key"]: t["count"] for t in response.context["tabs"]}


def internal_form(world: World, **overrides: object) -> dict[str, object]:
    """What the secretary of branch A types to send 李同志 to branch B."""
    data: dict[str, object] = {
        "kind": "internal",
        "member": world.member_a2.pk,
        "to_org": world.branch_b.pk,
        "to_name": "",
        "in_org": "",
        "from_name": "",
        "scope": "within_committee",
        "reason": "工作调动",
        "dues_paid_to": "2026-10",
        "letter_no": "组转〔2026〕15号",
        "valid_until": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    }
    data.update(overrides)
    return data


def incoming_form(world: World, **overrides: object) -> dict[str, object]:
    """What the secretary of branch B types to record 钱转入, who comes with a letter from outside."""
    data: dict[str, object] = {
        "kind": "in",
        "in_org": world.branch_b.pk,
        "from_name": "中共某区教育局机关支部委员会",
        "incoming_name": "钱转入",
        "incoming_id_number": make_id_number("110101", datetime.date(1988, 3, 8), 21),
        "incoming_gender": "",
        "incoming_birth_date": "",
        "incoming_ethnicity": "汉族",
        "incoming_member_type": "full",
        "incoming_joined_on": "2012-07-01",
        "incoming_confirmed_on": "2013-07-01",
        "incoming_education": "undergraduate",
        "incoming_phone": "13900001111",
        "incoming_work_unit_position": "市教育局 科员",
        "scope": "within_province",
        "reason": "工作调动",
        "dues_paid_to": "2026-09",
        "letter_no": "",
        "valid_until": "",
    }
    data.update(overrides)
    return data


# --- the inbox -----------------------------------------------------------------------------------


def test_secretary_a_sees_her_branchs_transfers_by_tab_with_counts(world: World, as_secretary_a: Client) -> None:
    waiting = a_to_b(world)  # waits on A (the sending side)
    to_c = transfer_approve_out(
        transfer=transfer_apply(
            actor=world.secretary_a,
            kind=TransferKind.INTERNAL,
            scope="within_province",
            member=world.member_a,
            to_org=world.branch_c,
            reason="借调",
        ),
        actor=world.secretary_a,
    )  # waits on C
    gone = MemberFactory(name="周已转", branch=world.branch_a)
    transfer_accept(transfer=transfer_approve_out(transfer=a_to_b(world, gone), actor=world.secretary_a), actor=world.staff)
    back = MemberFactory(name="吴退回", branch=world.branch_a)
    transfer_return(transfer=a_to_b(world, back), actor=world.secretary_b, reason="信息有误")
    from_outside(world)  # B's only: A never sees it

    response = as_secretary_a.get(LIST)
    assert response.status_code == 200
    assert tab_counts(response) == {"waiting": 1, "open": 2, "done": 1, "returned": 1, "all": 4}
    assert rows(response) == ["李同志"]
    assert set(rows(as_secretary_a.get(LIST, {"tab": "open"}))) == {"李同志", "张党员"}
    assert rows(as_secretary_a.get(LIST, {"tab": "done"})) == ["周已转"]
    assert rows(as_secretary_a.get(LIST, {"tab": "returned"})) == ["吴退回"]
    assert set(rows(as_secretary_a.get(LIST, {"tab": "all"}))) == {"李同志", "张党员", "周已转", "吴退回"}
    html = as_secretary_a.get(LIST, {"tab": "all"}).content.decode()
    assert "测试局第一党支部" in html and "测试直属党支部" in html and "钱转入" not in html
    assert world.member_a2.id_number not in html and world.member_a2.masked_id_number not in html
    assert f'href="{url("detail", waiting)}"' in html and f'href="{url("detail", to_c)}"' in html


def test_the_receiving_side_sees_it_waiting_only_once_the_sending_side_has_approved(world: World, as_secretary_b: Client) -> None:
    transfer = a_to_b(world)
    response = as_secretary_b.get(LIST)
    assert tab_counts(response)["waiting"] == 0 and tab_counts(response)["open"] == 1
    assert rows(response) == []
    assert "没有等待我方办理的转接" in response.content.decode()
    transfer_approve_out(transfer=transfer, actor=world.secretary_a)
    response = as_secretary_b.get(LIST)
    assert tab_counts(response)["waiting"] == 1 and rows(response) == ["李同志"]
    assert "待办</span>" in as_secretary_b.get(LIST, {"tab": "open"}).content.decode()  # marked among the others


def test_waiting_for_me_count_is_what_the_tab_says_for_each_user(world: World) -> None:
    transfer = a_to_b(world)
    from_outside(world)  # waits on B's 接收 at once
    assert waiting_for_me_count(world.secretary_a) == 1
    assert waiting_for_me_count(world.secretary_b) == 1
    assert waiting_for_me_count(world.staff) == 2  # both sides of everything
    assert waiting_for_me_count(world.member_a_user) == 0
    transfer_approve_out(transfer=transfer, actor=world.secretary_a)
    assert (waiting_for_me_count(world.secretary_a), waiting_for_me_count(world.secretary_b)) == (0, 2)
    transfer_suspend(transfer=transfer, actor=world.secretary_b, reason="党费未交清")
    assert waiting_for_me_count(world.secretary_b) == 1  # a suspended transfer waits on no one


def test_the_inbox_filters_by_kind_and_name_and_the_tabs_keep_the_filters(world: World, as_secretary_a: Client) -> None:
    a_to_b(world)
    transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.OUT,
        scope="nationwide",
        member=world.member_a,
        to_name="中共某省某县委组织部",
        reason="随配偶迁居",
    )
    assert set(rows(as_secretary_a.get(LIST, {"tab": "all"}))) == {"李同志", "张党员"}
    response = as_secretary_a.get(LIST, {"tab": "all", "kind": "out"})
    assert rows(response) == ["张党员"]
    assert tab_counts(response)["all"] == 1
    assert "中共某省某县委组织部" in response.content.decode()
    response = as_secretary_a.get(LIST, {"tab": "all", "q": "李"})
    assert rows(response) == ["李同志"]
    assert 'href="?tab=open&amp;q=%E6%9D%8E"' in response.content.decode()
    # A kind that does not exist is ignored, as is an unknown tab.
    assert set(rows(as_secretary_a.get(LIST, {"tab": "nope", "kind": "sideways"}))) == {"李同志", "张党员"}


def test_days_waiting_count_from_the_last_step_and_stop_when_closed(world: World, as_secretary_b: Client) -> None:
    start = timezone.now()
    with time_machine.travel(start - datetime.timedelta(days=40)):
        transfer = a_to_b(world)
    with time_machine.travel(start - datetime.timedelta(days=12)):
        transfer_approve_out(transfer=transfer, actor=world.secretary_a)
    row = as_secretary_b.get(LIST).context["page"].object_list[0]
    assert (row.days_waiting, row.applied_on) == (12, timezone.localdate(start - datetime.timedelta(days=40)))
    transfer_accept(transfer=transfer, actor=world.secretary_b)
    row = as_secretary_b.get(LIST, {"tab": "done"}).context["page"].object_list[0]
    assert row.days_waiting is None


def test_the_inbox_query_count_is_fixed_and_does_not_grow_with_transfers(
    world: World, as_staff: Client, django_assert_max_num_queries
) -> None:
    """session, user, scope, tab counts, page count, rows, notifications (1), session save (3)."""
    a_to_b(world)

    def measure() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert as_staff.get(LIST, {"tab": "open"}).status_code == 200
        return len(ctx.captured_queries)

    few = measure()
    for _ in range(30):
        member = MemberFactory(branch=world.branch_b)
        transfer_apply(
            actor=world.staff,
            kind=TransferKind.INTERNAL,
            scope="within_province",
            member=member,
            to_org=world.branch_c,
            reason="调动",
        )
    assert measure() == few
    with django_assert_max_num_queries(10):
        response = as_staff.get(LIST, {"tab": "open"})
    assert tab_counts(response)["open"] == 31


def test_the_secretary_of_another_branch_sees_nothing_of_a_and_b(world: World, as_secretary_c: Client) -> None:
    transfer = a_to_b(world)
    response = as_secretary_c.get(LIST, {"tab": "all"})
    assert rows(response) == [] and tab_counts(response)["all"] == 0
    assert as_secretary_c.get(url("detail", transfer)).status_code == 404


def test_a_member_without_another_role_has_no_transfer_pages(world: World, as_member_a: Client) -> None:
    transfer = a_to_b(world)
    for page in (LIST, NEW, OPTIONS, url("detail", transfer)):
        assert as_member_a.get(page).status_code == 404, page
    assert as_member_a.post(url("approve_out", transfer)).status_code == 404
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.APPLIED


def test_the_pages_need_a_login_and_the_right_method(world: World, client: Client, as_secretary_a: Client) -> None:
    transfer = a_to_b(world)
    assert client.get(LIST)["Location"].startswith(reverse("accounts:login"))
    assert as_secretary_a.post(LIST).status_code == 405
    assert as_secretary_a.delete(NEW).status_code == 405
    assert as_secretary_a.post(OPTIONS).status_code == 405
    assert as_secretary_a.post(url("detail", transfer)).status_code == 405
    for action in ("approve_out", "accept", "return", "suspend", "resume"):
        assert as_secretary_a.get(url(action, transfer)).status_code == 405, action
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.APPLIED


# --- a new transfer ------------------------------------------------------------------------------


def test_the_form_offers_the_secretarys_members_and_every_active_branch_of_the_portal(
    world: World, as_secretary_a: Client
) -> None:
    dissolved = organization_dissolve(
        org=make_org(world.committee, OrgKind.BRANCH, "测试局已撤销党支部"), on=timezone.localdate(), reason="合并"
    )
    gone = MemberFactory(name="孙已去世", branch=world.branch_a, state=MemberState.DECEASED)
    response = as_secretary_a.get(NEW)
    assert response.status_code == 200
    form = response.context["form"]
    offered = [pk for _, people in form.fields["member"].widget.choices[1:] for pk, _ in people]
    assert set(offered) == {world.member_a.pk, world.member_a2.pk}
    assert gone.pk not in offered
    html = response.content.decode()
    # Destinations: every active 党支部 of the portal by name, grouped under its parent.
    for name in ("测试局第二党支部", "测试直属党支部", 'optgroup label="测试局机关党委"', 'optgroup label="测试直属党总支"'):
        assert name in html, name
    assert dissolved.name not in html
    assert f'<option value="{world.group_a1.pk}">' not in destination_options_html()
    # Other branches' members are never offered.
    assert "王乙" not in html and "赵丙" not in html
    assert form.initial["in_org"] == world.branch_a.pk  # a secretary receives into her branch


def test_a_large_scope_offers_the_first_100_members_and_asks_for_a_name(
    world: World, as_staff: Client, django_assert_max_num_queries
) -> None:
    """session, user, scope, destinations (2, then cached), members, the 党支部 it may receive
    into, notifications (1), session save (3); the same for 130 members as for 3."""
    for i in range(130):
        MemberFactory(name=f"党员{i:03d}", branch=world.branch_b)
    with django_assert_max_num_queries(12):
        response = as_staff.get(NEW)
    form = response.context["form"]
    assert form.more_members
    assert sum(len(people) for _, people in form.fields["member"].widget.choices[1:]) == 100
    assert "只列出前100名，请输入姓名查找" in response.content.decode()


def test_a_member_link_preselects_the_member_and_out_of_scope_is_404(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(NEW, {"member": world.member_a2.pk})
    assert response.status_code == 200
    assert f'<option value="{world.member_a2.pk}" selected>李同志</option>' in response.content.decode()
    assert as_secretary_a.get(NEW, {"member": world.member_b.pk}).status_code == 404
    assert as_secretary_a.get(NEW, {"member": "abc"}).status_code == 404
    response = as_secretary_a.get(NEW, {"kind": "in"})
    assert response.context["chosen_kind"] == "in"


def test_typing_a_name_reloads_the_members_of_the_users_scope_only(
    world: World, as_secretary_a: Client, as_staff: Client
) -> None:
    MemberFactory(name="李乙", branch=world.branch_b)
    html = as_secretary_a.get(OPTIONS, {"member_q": "李"}).content.decode()
    assert f'<option value="{world.member_a2.pk}">李同志</option>' in html
    assert "李乙" not in html and "张党员" not in html
    assert "没有姓名含“钱”的在册党员" in as_secretary_a.get(OPTIONS, {"member_q": "钱"}).content.decode()
    html = as_staff.get(OPTIONS, {"member_q": "李"}).content.decode()
    assert "李乙" in html and "李同志" in html
    assert 'optgroup label="测试局第二党支部"' in html


def test_secretary_a_sends_li_to_branch_b(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(NEW, internal_form(world))
    transfer = Transfer.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", transfer)
    assert (transfer.kind, transfer.member, transfer.from_org, transfer.to_org, transfer.status) == (
        TransferKind.INTERNAL,
        world.member_a2,
        world.branch_a,
        world.branch_b,
        TransferStatus.APPLIED,
    )
    assert (transfer.dues_paid_to, transfer.letter_no, transfer.created_by) == (
        datetime.date(2026, 10, 1),
        "组转〔2026〕15号",
        world.secretary_a,
    )
    page = as_secretary_a.get(response["Location"]).content.decode()
    assert "已提交系统内转接：李同志。等待转出方（测试局第一党支部）审核。" in page


def test_secretary_a_sends_a_member_out_of_the_portal(world: World, as_secretary_a: Client) -> None:
    data = internal_form(world, kind="out", to_org="", to_name="中共某省某县委组织部", scope="nationwide")
    response = as_secretary_a.post(NEW, data)
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert (transfer.kind, transfer.to_org, transfer.to_name) == (TransferKind.OUT, None, "中共某省某县委组织部")


def test_secretary_b_records_a_letter_from_outside(world: World, as_secretary_b: Client) -> None:
    response = as_secretary_b.post(NEW, incoming_form(world))
    assert response.status_code == 302, response.context["form"].errors
    transfer = Transfer.objects.get()
    assert (transfer.kind, transfer.status, transfer.to_org, transfer.from_name) == (
        TransferKind.IN,
        TransferStatus.OUT_APPROVED,
        world.branch_b,
        "中共某区教育局机关支部委员会",
    )
    assert transfer.incoming["name"] == "钱转入"
    assert transfer.incoming["joined_on"] == "2012-07-01"
    assert transfer.incoming["phone"] == "13900001111"
    assert "gender" not in transfer.incoming  # left to the ID number


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            # A 系统内转接's scope may be left empty (it follows from the two 党支部).
            {"member": "", "to_org": "", "scope": "", "reason": " "},
            {"member": ["请选择党员。"], "to_org": ["请选择党支部。"], "reason": ["请填写转接原因。"]},
        ),
        ({"kind": "out", "to_name": "外省", "scope": ""}, {"scope": ["请选择转接范围。"]}),
        (
            {"to_org": "branch_c"},
            {"scope": ["测试局第一党支部与测试直属党支部不属于同一党委，转接范围不能选“本党委内”。"]},
        ),
        ({"to_org": "group"}, {"to_org": ["请从列表中选择正常状态的党支部。"]}),
        ({"to_org": "self"}, {"to_org": ["转入党支部与所在党支部相同。"]}),
        ({"member": "member_b"}, {"member": ["所选党员不存在、不在您的管理范围内或已不在册。"]}),
        ({"dues_paid_to": "2026-13", "valid_until": "2020-01-01"}, {"dues_paid_to": ["请填写有效的月份，如 2026-10。"]}),
        ({"valid_until": "2020-01-01"}, {"valid_until": ["介绍信有效期不能早于今天。"]}),
        ({"kind": "sideways"}, {"kind": ["请选择转接类型。"]}),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_recorded(
    world: World, as_secretary_a: Client, overrides: dict, errors: dict
) -> None:
    named = {
        "group": world.group_a1.pk,
        "self": world.branch_a.pk,
        "member_b": world.member_b.pk,
        "branch_c": world.branch_c.pk,
    }
    data = internal_form(world, **{k: named.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()})
    response = as_secretary_a.post(NEW, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert {k: v for k, v in form.errors.items() if k in errors} == errors
    assert "scope" in errors or "scope" not in form.errors
    assert Transfer.objects.count() == 0
    html = response.content.decode()
    assert "提交的信息有误" in html
    if "reason" not in errors:
        assert "工作调动</textarea>" in html  # what was typed stays


def test_a_member_with_an_open_transfer_cannot_get_a_second_one(world: World, as_secretary_a: Client) -> None:
    a_to_b(world)
    response = as_secretary_a.post(NEW, internal_form(world, to_org=world.branch_c.pk, scope="within_province"))
    assert response.context["form"].errors == {"member": ["李同志已有一条正在办理的组织关系转接。"]}
    assert Transfer.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"incoming_name": "", "incoming_id_number": "", "incoming_joined_on": "", "from_name": ""},
            {
                "incoming_name": ["请填写姓名。"],
                "incoming_id_number": ["请填写公民身份号码。"],
                "incoming_joined_on": ["请填写入党日期。"],
                "from_name": ["请填写转出单位名称。"],
            },
        ),
        ({"incoming_id_number": "110101198803080001"}, {"incoming_id_number": ["公民身份号码校验位不正确，请核对。"]}),
        ({"incoming_confirmed_on": ""}, {"incoming_confirmed_on": ["正式党员必须填写转正日期。"]}),
        (
            {"incoming_phone": "12345"},
            {"incoming_phone": ["请填写11位手机号码（以1开头），或带区号的固定电话（如010-12345678）。"]},
        ),
        ({"incoming_birth_date": "1990-01-01"}, {"incoming_birth_date": ["出生日期与公民身份号码不符（号码中为1988-03-08）。"]}),
        ({"in_org": "branch_a"}, {"in_org": ["所选党支部不存在或不在您的管理范围内。"]}),
    ],
)
def test_a_letter_from_outside_is_checked_by_the_roster_rules_when_recorded(
    world: World, as_secretary_b: Client, overrides: dict, errors: dict
) -> None:
    data = incoming_form(world, **{k: world.branch_a.pk if v == "branch_a" else v for k, v in overrides.items()})
    response = as_secretary_b.post(NEW, data)
    assert response.status_code == 200
    assert {k: v for k, v in response.context["form"].errors.items() if k in errors} == errors
    assert Transfer.objects.count() == 0


def test_a_letter_for_someone_already_on_the_roster_is_refused_next_to_the_id_number(
    world: World, as_secretary_b: Client
) -> None:
    response = as_secretary_b.post(NEW, incoming_form(world, incoming_id_number=world.member_a.id_number.lower()))
    assert response.context["form"].errors["incoming_id_number"] == ["该公民身份号码已在花名册中，请使用系统内转接。"]
    assert Transfer.objects.count() == 0


# --- one transfer --------------------------------------------------------------------------------


def test_each_side_sees_the_transfer_and_only_its_own_buttons(
    world: World, as_secretary_a: Client, as_secretary_b: Client, as_staff: Client
) -> None:
    transfer = a_to_b(world, dues_paid_to=datetime.date(2026, 10, 1), letter_no="组转〔2026〕15号")
    mine = as_secretary_a.get(url("detail", transfer))
    assert [a["name"] for a in mine.context["actions"]] == ["approve_out", "return", "suspend"]
    html = mine.content.decode()
    assert "等待转出方（测试局第一党支部）审核" in html and "待我方处理" in html
    assert world.member_a2.id_number in html  # she manages 李同志
    assert "2026年10月" in html and "组转〔2026〕15号" in html
    theirs = as_secretary_b.get(url("detail", transfer))
    assert [a["name"] for a in theirs.context["actions"]] == ["return", "suspend"]
    html = theirs.content.decode()
    assert world.member_a2.id_number not in html and world.member_a2.masked_id_number in html
    assert f'href="{reverse("members:detail", args=[world.member_a2.pk])}"' not in html  # not B's member yet
    assert "审核转出</button>" not in html
    both = as_staff.get(url("detail", transfer))
    assert [a["name"] for a in both.context["actions"]] == ["approve_out", "return", "suspend"]


def test_the_history_says_who_did_what_when_with_reasons(world: World, as_secretary_b: Client) -> None:
    transfer = transfer_approve_out(transfer=a_to_b(world), actor=world.secretary_a)
    transfer_suspend(transfer=transfer, actor=world.secretary_b, reason="党费未交清，待补交")
    response = as_secretary_b.get(url("detail", transfer))
    steps = [(s.who, s.what, s.status, s.reason) for s in response.context["timeline"]]
    assert steps == [
        ("甲支部书记", "申请组织关系转接", "applied", ""),
        ("甲支部书记", "转出方审核通过", "out_approved", ""),
        ("乙支部书记", "挂起", "suspended", "党费未交清，待补交"),
    ]
    assert [a["name"] for a in response.context["actions"]] == ["resume", "return"]
    assert "已挂起：党费未交清，待补交" in response.content.decode()


def test_the_detail_query_count_is_fixed(world: World, as_staff: Client, django_assert_max_num_queries) -> None:
    """session, user, scope, the transfer, the member's 党支部, history, notifications (1),
    session save (3)."""
    transfer = transfer_approve_out(transfer=a_to_b(world), actor=world.secretary_a)
    with django_assert_max_num_queries(10):
        assert as_staff.get(url("detail", transfer)).status_code == 200


# --- the actions ---------------------------------------------------------------------------------


def test_a_to_b_from_application_to_acceptance(world: World, as_secretary_a: Client, as_secretary_b: Client) -> None:
    transfer = a_to_b(world)
    response = as_secretary_a.post(url("approve_out", transfer))
    assert response.status_code == 302 and response["Location"] == url("detail", transfer)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.OUT_APPROVED
    response = as_secretary_b.post(url("accept", transfer), follow=True)
    assert "已接收：李同志已转入测试局第二党支部。" in response.content.decode()
    transfer.refresh_from_db()
    world.member_a2.refresh_from_db()
    assert (transfer.status, world.member_a2.branch) == (TransferStatus.ACCEPTED, world.branch_b)
    # Now B's member: the page links to the record; A still sees the closed transfer.
    html = as_secretary_b.get(url("detail", transfer)).content.decode()
    assert f'href="{reverse("members:detail", args=[world.member_a2.pk])}"' in html
    assert as_secretary_a.get(url("detail", transfer)).context["actions"] == []


def test_each_side_gets_403_on_the_other_sides_action_and_nothing_changes(
    world: World, as_secretary_a: Client, as_secretary_b: Client
) -> None:
    transfer = a_to_b(world)
    response = as_secretary_b.post(url("approve_out", transfer))
    assert response.status_code == 403
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.APPLIED
    transfer_approve_out(transfer=transfer, actor=world.secretary_a)
    assert as_secretary_a.post(url("accept", transfer)).status_code == 403
    transfer.refresh_from_db()
    world.member_a2.refresh_from_db()
    assert (transfer.status, world.member_a2.branch) == (TransferStatus.OUT_APPROVED, world.branch_a)


def test_an_outsider_gets_404_on_every_action(world: World, as_secretary_c: Client) -> None:
    transfer = a_to_b(world)
    for action in ("approve_out", "accept", "return", "suspend", "resume"):
        assert as_secretary_c.post(url(action, transfer), {f"{action}-reason": "x"}).status_code == 404, action
    assert as_secretary_c.post(reverse("transfers:approve_out", args=[999999])).status_code == 404
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.APPLIED


def test_either_side_returns_with_a_reason_and_without_one_nothing_changes(world: World, as_secretary_b: Client) -> None:
    transfer = a_to_b(world)
    response = as_secretary_b.post(url("return", transfer), {"return-reason": "  "})
    assert response.status_code == 200
    assert response.context["actions"][0]["form"].errors == {"reason": ["请填写退回原因。"]}
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.APPLIED
    response = as_secretary_b.post(url("return", transfer), {"return-reason": "接收单位信息有误"})
    assert response.status_code == 302
    transfer.refresh_from_db()
    world.member_a2.refresh_from_db()
    assert (transfer.status, transfer.status_reason, world.member_a2.branch) == (
        TransferStatus.RETURNED,
        "接收单位信息有误",
        world.branch_a,
    )


def test_either_side_suspends_and_the_other_resumes_where_it_was(
    world: World, as_secretary_a: Client, as_secretary_b: Client
) -> None:
    transfer = transfer_approve_out(transfer=a_to_b(world), actor=world.secretary_a)
    assert as_secretary_a.post(url("suspend", transfer), {"suspend-reason": "党费未交清"}).status_code == 302
    transfer.refresh_from_db()
    assert (transfer.status, transfer.status_reason) == (TransferStatus.SUSPENDED, "党费未交清")
    assert as_secretary_b.post(url("resume", transfer)).status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.OUT_APPROVED


def test_an_action_the_status_does_not_allow_is_refused_on_the_page(world: World, as_secretary_b: Client) -> None:
    transfer = a_to_b(world)
    response = as_secretary_b.post(url("accept", transfer))
    assert response.status_code == 200
    assert response.context["refusal"] == ("接收", ["该转接当前为“已申请”，不能接收。"])
    assert "未能接收" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.APPLIED
    response = as_secretary_b.post(url("resume", transfer))
    assert response.context["refusal"] == ("恢复办理", ["只有挂起的转接可以恢复办理。"])


def test_an_expired_letter_cannot_be_accepted(world: World) -> None:
    transfer = transfer_approve_out(
        transfer=a_to_b(world, valid_until=timezone.localdate() + datetime.timedelta(days=3)), actor=world.secretary_a
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(days=5)):
        as_secretary_b = login(world.secretary_b)  # logged in five days later
        page = as_secretary_b.get(url("detail", transfer))
        assert page.context["expired"] and "介绍信已于" in page.content.decode()
        response = as_secretary_b.post(url("accept", transfer))
    assert response.status_code == 200
    label, texts = response.context["refusal"]
    assert label == "接收" and "过期" in texts[0]
    world.member_a2.refresh_from_db()
    assert world.member_a2.branch == world.branch_a


def test_approving_a_transfer_out_of_the_portal_ends_the_membership_here(world: World, as_secretary_a: Client) -> None:
    transfer = transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.OUT,
        scope="nationwide",
        member=world.member_a2,
        to_name="中共某省某县委组织部",
        reason="随配偶迁居外省",
    )
    detail = as_secretary_a.get(url("detail", transfer))
    approve = detail.context["actions"][0]
    assert approve["name"] == "approve_out" and "已转出" in approve["confirm"]
    response = as_secretary_a.post(url("approve_out", transfer), follow=True)
    assert "已审核转出：李同志的组织关系已转出至中共某省某县委组织部。" in response.content.decode()
    transfer.refresh_from_db()
    world.member_a2.refresh_from_db()
    assert (transfer.status, world.member_a2.state) == (TransferStatus.COMPLETED, MemberState.TRANSFERRED_OUT)


def test_accepting_a_letter_from_outside_creates_the_member_in_branch_b(world: World, as_secretary_b: Client) -> None:
    transfer = from_outside(world, phone="13900001111", education="postgraduate")
    detail = as_secretary_b.get(url("detail", transfer))
    facts = dict(detail.context["incoming_rows"])
    assert facts["姓名"] == "钱转入" and facts["学历"] == "研究生" and facts["公民身份号码"] == transfer.incoming["id_number"]
    assert [a["name"] for a in detail.context["actions"]] == ["accept", "return", "suspend"]
    assert as_secretary_b.post(url("accept", transfer)).status_code == 302
    transfer.refresh_from_db()
    member = Member.objects.get(name="钱转入")
    assert (transfer.status, transfer.member, member.branch, member.birth_date, member.education) == (
        TransferStatus.ACCEPTED,
        member,
        world.branch_b,
        datetime.date(1988, 3, 8),
        "postgraduate",
    )


def test_a_letter_whose_person_reached_the_roster_meanwhile_is_refused_with_the_field_named(
    world: World, as_secretary_b: Client
) -> None:
    transfer = from_outside(world)
    MemberFactory(name="钱某", branch=world.branch_c, id_number=transfer.incoming["id_number"])
    response = as_secretary_b.post(url("accept", transfer))
    assert response.status_code == 200
    label, texts = response.context["refusal"]
    assert label == "接收" and texts == ["公民身份号码：该公民身份号码已在花名册中，请使用系统内转接。"]
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.OUT_APPROVED


# --- the scope, and 党费交至 -----------------------------------------------------------------------


@pytest.mark.parametrize(("to", "scope"), [("branch_b", "本党委内"), ("branch_c", "省（系统）内")])
def test_an_internal_transfer_left_without_a_scope_takes_it_from_the_two_branches(
    world: World, as_secretary_a: Client, to: str, scope: str
) -> None:
    form = as_secretary_a.get(NEW).context["form"]
    assert form["scope"].help_text == "系统内转接可不选：按转出、转入党支部是否同属一个党委自动确定。"
    response = as_secretary_a.post(NEW, internal_form(world, to_org=getattr(world, to).pk, scope=""))
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    assert transfer.get_scope_display() == scope
    assert scope in as_secretary_a.get(url("detail", transfer)).content.decode()


def _paid(world: World, member: Member, month: datetime.date, due: str, paid: str) -> None:
    from decimal import Decimal

    from members.dues.models import DuesPayment

    DuesPayment.objects.create(
        member=member,
        branch=member.branch,
        month=month,
        amount_due=Decimal(due),
        amount_paid=Decimal(paid),
        paid_on=month + datetime.timedelta(days=5),
        recorded_by=world.secretary_a,
    )


def test_dues_paid_to_is_prefilled_with_the_last_month_paid_in_full(world: World, as_secretary_a: Client) -> None:
    _paid(world, world.member_a2, datetime.date(2026, 8, 1), "20.00", "20.00")
    _paid(world, world.member_a2, datetime.date(2026, 9, 1), "20.00", "25.00")
    _paid(world, world.member_a2, datetime.date(2026, 10, 1), "20.00", "10.00")  # not in full
    _paid(world, world.member_b, datetime.date(2026, 10, 1), "20.00", "20.00")
    # From the member's record (办理转接): the form opens with the month.
    response = as_secretary_a.get(NEW, {"member": world.member_a2.pk})
    assert response.context["form"].initial["dues_paid_to"] == datetime.date(2026, 9, 1)
    assert 'name="dues_paid_to" value="2026-09"' in response.content.decode()
    # Choosing a member on the form asks for it (transfers.js).
    dues_url = reverse("transfers:member_dues_paid_to")
    assert f'data-dues-url="{dues_url}"' in as_secretary_a.get(NEW).content.decode()
    answer = as_secretary_a.get(dues_url, {"member": world.member_a2.pk})
    assert (answer.status_code, answer.content.decode()) == (200, "2026-09")
    assert as_secretary_a.get(dues_url, {"member": world.member_a.pk}).content.decode() == ""  # nothing paid
    assert as_secretary_a.get(dues_url, {"member": world.member_b.pk}).status_code == 404  # not hers
    assert as_secretary_a.get(dues_url, {"member": "abc"}).status_code == 404
    # Still the secretary's to change.
    as_secretary_a.post(NEW, internal_form(world, dues_paid_to="2026-10"))
    assert Transfer.objects.get().dues_paid_to == datetime.date(2026, 10, 1)


def test_dues_paid_to_of_a_member_who_came_with_a_letter_is_the_letters_until_they_pay(
    world: World, as_secretary_b: Client
) -> None:
    letter = transfer_apply(
        actor=world.secretary_b,
        kind=TransferKind.IN,
        scope="within_province",
        to_org=world.branch_b,
        from_name="中共某区教育局机关支部委员会",
        reason="调入",
        dues_paid_to=datetime.date(2026, 9, 1),
        incoming={
            "name": "钱转入",
            "id_number": make_id_number("110101", datetime.date(1988, 3, 8), 21),
            "joined_on": datetime.date(2012, 7, 1),
            "confirmed_on": datetime.date(2013, 7, 1),
        },
    )
    member = transfer_accept(transfer=letter, actor=world.secretary_b).member
    dues_url = reverse("transfers:member_dues_paid_to")
    assert as_secretary_b.get(dues_url, {"member": member.pk}).content.decode() == "2026-09"
    _paid(world, member, datetime.date(2026, 10, 1), "20.00", "20.00")
    assert as_secretary_b.get(dues_url, {"member": member.pk}).content.decode() == "2026-10"
    response = as_secretary_b.get(NEW, {"member": member.pk})
    assert response.context["form"].initial["dues_paid_to"] == datetime.date(2026, 10, 1)


def test_the_dues_month_lookup_is_for_those_who_see_transfers(world: World, as_member_a: Client, client: Client) -> None:
    dues_url = reverse("transfers:member_dues_paid_to")
    assert as_member_a.get(dues_url, {"member": world.member_a.pk}).status_code == 404
    assert client.get(dues_url, {"member": world.member_a.pk}).status_code == 302  # to the login page


# --- a member who left comes back -----------------------------------------------------------------


def test_branch_b_takes_back_a_member_who_left_the_portal(world: World, as_secretary_a: Client, as_secretary_b: Client) -> None:
    out = transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.OUT,
        scope="nationwide",
        member=world.member_a2,
        to_name="中共某省某县委组织部",
        reason="随配偶迁居外省",
    )
    as_secretary_a.post(url("approve_out", out))
    world.member_a2.refresh_from_db()
    assert world.member_a2.state == MemberState.TRANSFERRED_OUT
    data = incoming_form(
        world,
        from_name="中共某省某县委组织部",
        incoming_name="李同志",
        incoming_id_number=world.member_a2.id_number,
        incoming_joined_on=world.member_a2.joined_on.isoformat(),
        incoming_confirmed_on=world.member_a2.confirmed_on.isoformat(),
        scope="nationwide",
        reason="调回本市工作",
    )
    response = as_secretary_b.post(NEW, data)
    assert response.status_code == 302, response.context["form"].errors
    back = Transfer.objects.get(kind=TransferKind.IN)
    accept = next(a for a in as_secretary_b.get(url("detail", back)).context["actions"] if a["name"] == "accept")
    assert accept["confirm"] == "李同志曾由本系统转出，接收后将恢复其党员档案并列入测试局第二党支部的花名册。确定接收？"
    page = as_secretary_b.post(url("accept", back), follow=True).content.decode()
    assert "已接收：李同志已转入测试局第二党支部。" in page
    member = Member.objects.get(id_number=world.member_a2.id_number)
    assert (member.pk, member.state, member.branch) == (world.member_a2.pk, MemberState.NORMAL, world.branch_b)
    record = as_secretary_b.get(reverse("members:detail", args=[member.pk]))
    assert record.status_code == 200
    assert "从中共某省某县委组织部转回" in record.content.decode()
