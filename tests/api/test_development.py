"""/api/v1/development/: list (org subtree, stage, open/closed, search), retrieve, create (入党申请) and
one POST action per stage service, with the pages' access rules: the secretary of branch A and the
工委's staff and the admin act on A's records, the secretary of branch B (the outsider) gets 404, a
member with no other role reads nothing and writes nothing (403). Every refusal is a 400 keyed by
the field sent, in Chinese, with nothing changed.

"Today" is 2026-11-20 in Beijing (time_machine), as in tests/members/development/test_services.py, whose
stage helpers build the records.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from members.development.api import STEPS
from members.development.models import Cultivator, DevelopmentRecord, DevelopmentStage
from members.development.services import development_pre_review_record, development_talk_record, development_terminate
from members.roster.choices import MemberState, MemberType
from members.roster.models import Member
from tests.api.helpers import patch, post, put
from tests.conftest import World
from tests.factories import MemberFactory, valid_id_number
from tests.members.development.test_services import (
    D,
    apply,
    confirmation_vote,
    to_activist,
    to_candidate,
    to_pre_reviewed,
    to_probationary,
    to_voted,
)

DEV = "/api/v1/development/"
HUGE = "99999999999999999999"


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def dev_url(pk: int | str, action: str = "") -> str:
    return f"{DEV}{pk}/" + (f"{action}/" if action else "")


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.json()
    return sorted(row["name"] for row in response.json()["results"])


def snapshot(record: DevelopmentRecord) -> tuple[Any, ...]:
    """What a refused action must leave as it was: the row, its history and its cultivators."""
    record.refresh_from_db()
    row = {f.attname: getattr(record, f.attname) for f in DevelopmentRecord._meta.concrete_fields}
    return row, record.history.count(), Cultivator.objects.filter(record=record).count(), Member.objects.count()


def application(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "branch": world.branch_a.pk,
        "applied_on": "2026-11-02",
        "name": "周申请",
        "id_number": valid_id_number(D(1999, 12, 31)),
        "ethnicity": "回族",
        "education": "undergraduate",
        "phone": "13800001111",
        "work_unit_position": "测试局办公室 科员",
    }
    data.update(overrides)
    return data


@pytest.fixture
def spread(world: World) -> dict[str, DevelopmentRecord]:
    """A late talk and a 积极分子 in branch A, an applicant in branch B, a terminated one in A."""
    late = apply(world, applied_on=D(2026, 10, 1), name="钱迟谈")
    activist = to_activist(world, apply(world, applied_on=D(2026, 3, 1), name="李积极", id_number=valid_id_number(D(1997, 2, 2))))
    in_b = apply(world, applied_on=D(2026, 11, 1), name="乙申请", id_number=valid_id_number(D(1998, 3, 3)))
    DevelopmentRecord.objects.filter(pk=in_b.pk).update(branch=world.branch_b)
    ended = apply(world, applied_on=D(2026, 9, 1), name="周终止", id_number=valid_id_number(D(1996, 4, 4)))
    development_terminate(record=ended, ended_on=D(2026, 11, 2), reason="本人撤回申请", actor=world.secretary_a)
    return {"late": late, "activist": activist, "in_b": in_b, "ended": ended}


# --- list ------------------------------------------------------------------------------------------


def test_the_secretary_lists_her_branchs_records_with_stage_deadline_cultivators_and_actions(
    world: World, as_secretary_a: Client, spread: dict[str, DevelopmentRecord]
) -> None:
    response = as_secretary_a.get(DEV)
    assert names(response) == ["周终止", "李积极", "钱迟谈"]
    rows = {row["name"]: row for row in response.json()["results"]}
    late = rows["钱迟谈"]
    assert (late["stage"], late["stage_display"], late["is_open"], late["entered_on"]) == (
        "applicant",
        "入党申请人",
        True,
        "2026-10-01",
    )
    assert (late["branch"], late["branch_name"]) == (world.branch_a.pk, "测试局第一党支部")
    assert late["next_deadline"] == {
        "kind": "talk",
        "label": "谈话期限",
        "due_on": "2026-11-01",
        "days_left": -19,
        "overdue": True,
    }
    assert (late["next_steps"], late["actions"]) == (["talk", "terminate"], ["person", "talk", "terminate"])
    activist = rows["李积极"]
    assert (activist["stage"], activist["cultivators"]) == ("activist", ["张党员", "孙联系"])
    assert activist["next_deadline"]["kind"] == "candidate_eligible"
    assert activist["actions"] == ["person", "candidate", "terminate"]
    ended = rows["周终止"]
    assert (ended["stage"], ended["is_open"], ended["entered_on"], ended["actions"]) == ("terminated", False, "2026-11-02", [])
    # The list shows no personal identifier, as the pipeline page.
    for key in ("id_number", "phone", "birth_date"):
        assert key not in late
    assert spread["late"].id_number not in response.content.decode()


def test_staff_and_admin_filter_by_organization_subtree_stage_status_and_name(
    world: World, as_staff: Client, as_admin: Client, spread: dict[str, DevelopmentRecord]
) -> None:
    assert names(as_staff.get(DEV)) == ["乙申请", "周终止", "李积极", "钱迟谈"]
    assert names(as_admin.get(DEV)) == ["乙申请", "周终止", "李积极", "钱迟谈"]
    assert names(as_staff.get(DEV, {"org": world.committee.pk})) == ["乙申请", "周终止", "李积极", "钱迟谈"]
    assert names(as_staff.get(DEV, {"org": world.branch_b.pk})) == ["乙申请"]
    assert names(as_staff.get(DEV, {"org": world.general.pk})) == []
    assert names(as_staff.get(DEV, {"stage": "activist"})) == ["李积极"]
    assert names(as_staff.get(DEV, {"status": "open"})) == ["乙申请", "李积极", "钱迟谈"]
    assert names(as_staff.get(DEV, {"status": "closed"})) == ["周终止"]
    assert names(as_staff.get(DEV, {"org": world.branch_a.pk, "status": "open", "stage": "applicant"})) == ["钱迟谈"]
    assert names(as_admin.get(DEV, {"search": "积极"})) == ["李积极"]


def test_the_outsider_lists_only_her_own_branch_and_a_member_lists_nothing(
    world: World, as_secretary_b: Client, as_member_a: Client, spread: dict[str, DevelopmentRecord]
) -> None:
    assert names(as_secretary_b.get(DEV)) == ["乙申请"]
    # Branch A is outside her scope: as if it did not exist.
    assert names(as_secretary_b.get(DEV, {"org": world.branch_a.pk})) == []
    assert as_member_a.get(DEV).json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"stage": "sideways"}, {"stage": ["选择一个有效的选项。 sideways 不在可用的选项中。"]}),
        ({"status": "both"}, {"status": ["选择一个有效的选项。 both 不在可用的选项中。"]}),
        ({"org": "0"}, {"org": ["党组织ID无效。"]}),
        ({"org": HUGE}, {"org": ["党组织ID无效。"]}),
    ],
)
def test_bad_filter_values_are_400_in_chinese(world: World, as_staff: Client, params: dict, errors: dict) -> None:
    response = as_staff.get(DEV, params)
    assert (response.status_code, response.json()) == (400, errors)


def test_anonymous_requests_are_refused(world: World, client: Client) -> None:
    record = apply(world, applied_on=D(2026, 11, 2))
    assert client.get(DEV).status_code == 401
    assert client.get(dev_url(record.pk)).status_code == 401
    assert post(client, dev_url(record.pk, "talk"), {}).status_code == 401


# --- retrieve --------------------------------------------------------------------------------------


def test_retrieve_shows_every_fact_cultivators_exceptions_deadline_and_actions(
    world: World, as_secretary_a: Client, as_staff: Client, as_admin: Client
) -> None:
    record = to_voted(world, voted_on=D(2025, 6, 2))
    _ok(as_staff, record, "admission_approve", {"approved_on": "2025-09-10", "reason": "党委换届推迟"})
    record.refresh_from_db()
    body = as_secretary_a.get(dev_url(record.pk)).json()
    assert (body["name"], body["stage"], body["stage_display"]) == ("陈申请", "probationary", "预备党员")
    assert (body["id_number"], body["birth_date"], body["age"]) == (record.id_number, "1995-05-05", 31)
    assert (body["gender"], body["ethnicity"], body["education_display"], body["phone"]) == (
        record.gender,
        "回族",
        "大学本科",
        "13800001111",
    )
    assert (body["applied_on"], body["talked_by"], body["activist_on"], body["candidate_on"]) == (
        record.applied_on.isoformat(),
        "甲支部书记",
        record.activist_on.isoformat(),
        "2025-04-08",
    )
    assert (body["political_review_conclusion"], body["training_days"], body["publicity_working_days"]) == ("合格", 3, 12)
    assert (body["pre_reviewed_on"], body["admission_voted_on"], body["admission_for"], body["approval_due_on"]) == (
        "2025-05-28",
        "2025-06-02",
        7,
        "2025-09-02",
    )
    assert (body["approved_on"], body["probation_ends_on"], body["member"]) == ("2025-09-10", "2026-06-02", record.member_id)
    assert body["entered_on"] == "2025-09-10"
    assert [(c["name"], c["member"], c["current"]) for c in body["all_cultivators"]] == [
        ("张党员", world.member_a.pk, True),
        ("孙联系", None, True),
    ]
    assert body["cultivators"] == ["张党员", "孙联系"]
    assert body["exceptions"] == [
        {
            "rule": "approval_within",
            "rule_label": "党委审批期限",
            "detail": "接收预备党员的审批日期2025年9月10日晚于3个月期限2025年9月2日",
            "reason": "党委换届推迟",
            "on": "2025-09-10",
            "recorded_on": "2026-11-20",
        }
    ]
    assert body["exception_count"] == 1
    assert body["next_deadline"] == {
        "kind": "probation_end",
        "label": "预备期满",
        "due_on": "2026-06-02",
        "days_left": -171,
        "overdue": True,
    }
    assert body["next_steps"] == ["confirmation_vote", "extend", "probation_cancel"]
    assert body["actions"] == ["confirmation_vote", "extend", "probation_cancel"]
    assert body["created_by_name"] == "甲支部书记"
    for client in (as_staff, as_admin):
        assert client.get(dev_url(record.pk)).json()["id_number"] == record.id_number


def test_retrieve_out_of_scope_missing_or_impossible_is_404(
    world: World, as_secretary_b: Client, as_member_a: Client, as_secretary_a: Client
) -> None:
    record = apply(world, applied_on=D(2026, 11, 2))
    assert as_secretary_b.get(dev_url(record.pk)).json() == {"detail": "发展党员记录不存在"}
    assert as_secretary_b.get(dev_url(record.pk)).status_code == 404
    assert as_member_a.get(dev_url(record.pk)).status_code == 404
    for pk in (999999, 0, HUGE, "abc"):
        assert as_secretary_a.get(dev_url(pk)).status_code == 404, pk


def test_a_user_who_may_read_but_not_change_sees_the_number_masked_no_actions_and_403_on_writes(
    world: World, as_secretary_a: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No role reads without writing today; the access module's answer decides, as on the pages."""
    record = apply(world, applied_on=D(2026, 11, 2))
    monkeypatch.setattr("partybuild.accounts.access.can_write_org", lambda user, org: False)
    monkeypatch.setattr("members.development.record_serializers.can_write_org", lambda user, org: False)
    body = as_secretary_a.get(dev_url(record.pk)).json()
    assert body["id_number"] == record.masked_id_number != record.id_number
    assert (body["next_steps"], body["actions"]) == ([], [])
    assert as_secretary_a.get(DEV).json()["results"][0]["actions"] == []
    before = snapshot(record)
    response = post(as_secretary_a, dev_url(record.pk, "talk"), {"talked_on": "2026-11-10", "talked_by": "甲支部书记"})
    assert (response.status_code, response.json()) == (403, {"detail": "您没有修改该党组织的权限"})
    assert snapshot(record) == before


def test_records_are_neither_edited_nor_deleted(world: World, as_admin: Client) -> None:
    record = apply(world, applied_on=D(2026, 11, 2))
    before = snapshot(record)
    assert patch(as_admin, dev_url(record.pk), {"name": "改"}).status_code == 405
    assert put(as_admin, dev_url(record.pk), {"name": "改"}).status_code == 405
    assert as_admin.delete(dev_url(record.pk)).status_code == 405
    assert as_admin.get(dev_url(record.pk, "talk")).status_code == 405
    assert snapshot(record) == before


# --- create ----------------------------------------------------------------------------------------


def test_the_secretary_records_an_application_in_her_branch(world: World, as_secretary_a: Client) -> None:
    number = valid_id_number(D(1999, 12, 31))
    response = post(as_secretary_a, DEV, application(world, id_number=f" {number.lower()} ", name=" 周申请 "))
    assert response.status_code == 201, response.json()
    body = response.json()
    record = DevelopmentRecord.objects.get(pk=body["id"])
    assert (record.branch, record.stage, record.name, record.id_number) == (
        world.branch_a,
        DevelopmentStage.APPLICANT,
        "周申请",
        number,
    )
    assert (record.birth_date, record.talk_due_on, record.created_by) == (D(1999, 12, 31), D(2026, 12, 2), world.secretary_a)
    assert (body["id_number"], body["talk_due_on"], body["actions"]) == (number, "2026-12-02", ["person", "talk", "terminate"])
    assert body["next_deadline"]["kind"] == "talk"


def test_staff_record_an_application_in_any_branch_of_their_tree(world: World, as_staff: Client) -> None:
    response = post(as_staff, DEV, application(world, branch=world.branch_c.pk))
    assert response.status_code == 201, response.json()
    assert DevelopmentRecord.objects.get().branch == world.branch_c


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"id_number": valid_id_number(D(2008, 11, 3))},
            {
                "applied_on": [
                    "申请入党须年满18周岁：周申请出生于2008年11月3日，2026年11月3日方年满18周岁，入党申请日期2026年11月2日时未满。"
                ]
            },
        ),
        ({"id_number": "110101199505050000"}, {"id_number": ["公民身份号码校验位不正确，请核对。"]}),
        ({"id_number": "member_b"}, {"id_number": ["该公民身份号码已在党员花名册中，不能登记入党申请。"]}),
        ({"birth_date": "1999-12-30"}, {"birth_date": ["出生日期与公民身份号码不符（号码中为1999-12-31）。"]}),
        ({"name": " ", "id_number": ""}, {"name": ["请填写姓名。"], "id_number": ["请填写公民身份号码。"]}),
        ({"applied_on": "2026-11-21"}, {"applied_on": ["入党申请日期不能晚于今天。"]}),
        ({"applied_on": None}, {"applied_on": ["请填写入党申请日期。"]}),
        ({"branch": "group_a1"}, {"branch": ["入党申请须由党支部受理，请选择党支部。"]}),
        ({"branch": "branch_b"}, {"branch": ["所选党组织不存在。"]}),
        ({"branch": HUGE}, {"branch": ["所选党组织不存在。"]}),
        ({"branch": None}, {"branch": ["入党申请须由党支部受理，请选择党支部。"]}),
        ({"gender": "X"}, {"gender": ["“X” 不是合法选项。"]}),
    ],
)
def test_a_refused_application_is_400_keyed_by_field_and_nothing_is_recorded(
    world: World, as_secretary_a: Client, overrides: dict, errors: dict
) -> None:
    named = {"member_b": world.member_b.id_number, "group_a1": world.group_a1.pk, "branch_b": world.branch_b.pk}
    data = application(world, **{k: named.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()})
    if "birth_date" in overrides:
        data["id_number"] = valid_id_number(D(1999, 12, 31))
    response = post(as_secretary_a, DEV, data)
    assert (response.status_code, response.json()) == (400, errors)
    assert not DevelopmentRecord.objects.exists()


def test_a_second_open_record_for_the_same_person_is_refused(world: World, as_secretary_a: Client) -> None:
    first = apply(world, applied_on=D(2026, 10, 5))
    response = post(as_secretary_a, DEV, application(world, id_number=first.id_number))
    assert (response.status_code, response.json()) == (400, {"id_number": ["该公民身份号码已有正在进行的发展党员记录。"]})
    assert DevelopmentRecord.objects.count() == 1


def test_a_member_cannot_record_an_application(world: World, as_member_a: Client) -> None:
    response = post(as_member_a, DEV, application(world))
    assert (response.status_code, response.json()) == (403, {"detail": "您没有办理发展党员工作的权限。"})
    assert not DevelopmentRecord.objects.exists()


# --- the actions: the whole way ---------------------------------------------------------------------


def _ok(client: Client, record: DevelopmentRecord, action: str, data: dict[str, Any]) -> dict[str, Any]:
    response = post(client, dev_url(record.pk, action), data)
    assert response.status_code == 200, (action, response.json())
    return response.json()


def test_from_application_to_full_membership_through_the_api(world: World, as_secretary_a: Client, as_staff: Client) -> None:
    response = post(as_secretary_a, DEV, application(world, applied_on="2024-03-01", id_number=valid_id_number(D(1995, 5, 5))))
    assert response.status_code == 201, response.json()
    record = DevelopmentRecord.objects.get(pk=response.json()["id"])
    a = as_secretary_a
    steps: list[tuple[Client, str, dict[str, Any], str, list[str]]] = [
        (a, "talk", {"talked_on": "2024-03-11", "talked_by": "甲支部书记"}, "applicant", ["activist", "terminate"]),
        (
            a,
            "activist",
            {"activist_on": "2024-03-31", "cultivators": [world.member_a.pk], "cultivator_names": ["孙联系"]},
            "activist",
            ["candidate", "terminate"],
        ),
        (
            a,
            "candidate",
            {"candidate_on": "2025-03-31"},
            "candidate",
            ["political_review", "training", "publicity", "pre_review", "terminate"],
        ),
        (
            a,
            "political_review",
            {"reviewed_on": "2025-04-03", "conclusion": "合格"},
            "candidate",
            ["training", "publicity", "pre_review", "terminate"],
        ),
        (
            a,
            "training",
            {"started_on": "2025-04-07", "ended_on": "2025-04-09", "days": 3},
            "candidate",
            ["publicity", "pre_review", "terminate"],
        ),
        (a, "publicity", {"started_on": "2025-04-14", "ended_on": "2025-04-18"}, "candidate", ["pre_review", "terminate"]),
        (as_staff, "pre_review", {"pre_reviewed_on": "2025-04-25"}, "candidate", ["admission_vote", "terminate"]),
        (
            a,
            "admission_vote",
            {"voted_on": "2025-05-06", "entitled": 10, "present": 8, "votes_for": 7, "votes_against": 1, "abstentions": 0},
            "candidate",
            ["admission_approve", "terminate"],
        ),
        (
            as_staff,
            "admission_approve",
            {"approved_on": "2025-05-20"},
            "probationary",
            ["confirmation_vote", "extend", "probation_cancel"],
        ),
        (
            a,
            "confirmation_vote",
            {"voted_on": "2026-05-08", "entitled": 10, "present": 9, "votes_for": 9, "votes_against": 0, "abstentions": 0},
            "probationary",
            ["confirm", "probation_cancel"],
        ),
        (as_staff, "confirm", {"approved_on": "2026-05-20"}, "full", []),
    ]
    for client, action, data, stage, next_steps in steps:
        body = _ok(client, record, action, data)
        assert (body["stage"], body["next_steps"]) == (stage, next_steps), action
        record.refresh_from_db()
        assert record.stage == stage, action
    assert (record.talked_on, record.candidate_eligible_on, record.publicity_working_days) == (D(2024, 3, 11), D(2025, 3, 31), 5)
    assert [c.display_name for c in record.cultivators.all()] == ["张党员", "孙联系"]
    assert (record.approved_on, record.probation_ends_on, record.exceptions) == (D(2025, 5, 20), D(2026, 5, 6), [])
    member = record.member
    assert (member.name, member.branch, member.member_type, member.joined_on, member.confirmed_on) == (
        "周申请",
        world.branch_a,
        MemberType.FULL,
        D(2025, 5, 6),
        D(2026, 5, 6),
    )
    reasons = [h.history_change_reason for h in record.history.order_by("history_id")]
    assert reasons[0] == "登记入党申请" and reasons[-1] == "党委审批转为正式党员"
    assert {h.history_user for h in record.history.all()} == {world.secretary_a, world.staff}


def test_the_admin_extends_a_probation_and_a_secretary_cancels_another(
    world: World, as_admin: Client, as_secretary_a: Client
) -> None:
    record = to_probationary(world, voted_on=D(2025, 6, 2))
    body = _ok(as_admin, record, "extend", {"decided_on": "2026-06-03", "months": 6, "reason": "需要继续考察"})
    assert (body["stage"], body["probation_ends_on"], body["extension_count"], body["extension_reason"]) == (
        "probationary",
        "2026-12-02",
        1,
        "需要继续考察",
    )
    other = to_probationary(world, voted_on=D(2025, 6, 3), name="吴预备", id_number=valid_id_number(D(1993, 3, 3)))
    body = _ok(as_secretary_a, other, "probation_cancel", {"decided_on": "2026-07-01", "reason": "不履行党员义务"})
    assert (body["stage"], body["is_open"], body["ended_on"], body["end_reason"], body["actions"]) == (
        "disqualified",
        False,
        "2026-07-01",
        "不履行党员义务",
        [],
    )
    other.member.refresh_from_db()
    assert other.member.state == MemberState.EXPELLED


def test_terminating_ends_the_cultivators_the_same_day(world: World, as_staff: Client) -> None:
    record = to_activist(world, apply(world, applied_on=D(2026, 3, 1)))
    body = _ok(as_staff, record, "terminate", {"ended_on": "2026-11-02", "reason": "本人撤回申请"})
    assert (body["stage"], body["cultivators"]) == ("terminated", [])
    assert {c["ended_on"] for c in body["all_cultivators"]} == {"2026-11-02"}
    assert [c["current"] for c in body["all_cultivators"]] == [False, False]


# --- corrections ------------------------------------------------------------------------------------


def test_the_persons_facts_are_corrected_until_the_roster_has_them(world: World, as_secretary_a: Client) -> None:
    record = apply(world, applied_on=D(2026, 3, 1))
    body = _ok(as_secretary_a, record, "person", {"phone": "１３９ ００００ ２２２２", "reason": "本人更换手机号码"})
    assert body["phone"] == "13900002222"
    record.refresh_from_db()
    assert (record.phone, record.name, record.history.first().history_change_reason) == (
        "13900002222",
        "陈申请",
        "修改个人信息：本人更换手机号码",
    )
    number = valid_id_number(D(1996, 7, 8))
    response = post(as_secretary_a, dev_url(record.pk, "person"), {"id_number": number})
    assert (response.status_code, response.json()) == (400, {"reason": ["请填写更正原因。"]})  # as on the page
    body = _ok(as_secretary_a, record, "person", {"id_number": number, "reason": "按身份证更正"})
    assert (body["id_number"], body["birth_date"]) == (number, "1996-07-08")

    before = snapshot(record)
    response = post(as_secretary_a, dev_url(record.pk, "person"), {"id_number": valid_id_number(D(2008, 3, 2)), "reason": "更正"})
    assert response.status_code == 400
    assert list(response.json()) == ["id_number"]
    assert response.json()["id_number"][0].startswith("申请入党须年满18周岁")
    response = post(as_secretary_a, dev_url(record.pk, "person"), {"birth_date": "2008-03-02", "reason": "更正"})
    assert response.status_code == 400
    assert response.json()["birth_date"][0] == "出生日期与公民身份号码不符（号码中为1996-07-08）。"
    response = post(as_secretary_a, dev_url(record.pk, "person"), {"reason": "无"})
    assert (response.status_code, response.json()) == (400, {"non_field_errors": ["请至少填写一项要更正的个人信息。"]})
    assert snapshot(record) == before

    probationer = to_probationary(world, name="吴预备", id_number=valid_id_number(D(1993, 3, 3)))
    assert "person" not in as_secretary_a.get(dev_url(probationer.pk)).json()["actions"]
    response = post(as_secretary_a, dev_url(probationer.pk, "person"), {"phone": "13911112222", "reason": "更正"})
    assert (response.status_code, response.json()) == (
        400,
        {"non_field_errors": ["已列入党员花名册，个人信息请在党员档案中修改。"]},
    )


def test_a_vote_is_recorded_again_to_correct_it_until_the_committee_approves(world: World, as_secretary_a: Client) -> None:
    record = to_voted(world, voted_on=D(2026, 6, 2))
    assert as_secretary_a.get(dev_url(record.pk)).json()["actions"] == [
        "person",
        "admission_vote",
        "admission_approve",
        "terminate",
    ]
    counts = {"voted_on": "2026-06-03", "entitled": 12, "present": 11, "votes_for": 10, "votes_against": 1, "abstentions": 0}
    # Recorded already: sending it again corrects it, with a reason (as on the record page).
    before = snapshot(record)
    response = post(as_secretary_a, dev_url(record.pk, "admission_vote"), counts)
    assert (response.status_code, response.json()) == (
        400,
        {"correction_reason": ["支部党员大会表决结果（接收预备党员）已登记，更正须填写更正原因。"]},
    )
    assert snapshot(record) == before
    counts["correction_reason"] = "按会议记录更正"
    body = _ok(as_secretary_a, record, "admission_vote", counts)
    record.refresh_from_db()
    assert record.history.first().history_change_reason == "更正支部党员大会表决结果（接收预备党员）：按会议记录更正"
    assert (body["admission_voted_on"], body["admission_entitled"], body["admission_for"], body["approval_due_on"]) == (
        "2026-06-03",
        12,
        10,
        "2026-09-03",
    )
    # A correction that does not pass is refused: the vote recorded stands.
    before = snapshot(record)
    response = post(as_secretary_a, dev_url(record.pk, "admission_vote"), {**counts, "votes_for": 6, "votes_against": 5})
    assert (response.status_code, response.json()) == (
        400,
        {"votes_for": ["赞成6票，未超过应到会有表决权的正式党员（12名）的半数（至少需要7票），不能通过接收预备党员的决议。"]},
    )
    assert snapshot(record) == before


def test_the_confirmation_vote_is_corrected_until_the_confirmation(world: World, as_secretary_a: Client) -> None:
    record = confirmation_vote(world, to_probationary(world, voted_on=D(2025, 6, 2)), D(2026, 6, 5))
    assert "confirmation_vote" in as_secretary_a.get(dev_url(record.pk)).json()["actions"]
    counts = {"voted_on": "2026-06-08", "entitled": 11, "present": 10, "votes_for": 10, "votes_against": 0, "abstentions": 0}
    body = _ok(as_secretary_a, record, "confirmation_vote", {**counts, "correction_reason": "会议日期记错"})
    assert (body["confirmation_voted_on"], body["confirmation_entitled"], body["stage"]) == ("2026-06-08", 11, "probationary")


def test_facts_before_the_pre_review_are_corrected_and_frozen_after_it(world: World, as_secretary_a: Client) -> None:
    record = to_candidate(world, candidate_on=D(2026, 9, 1))
    _ok(as_secretary_a, record, "political_review", {"reviewed_on": "2026-09-05", "conclusion": "合格"})
    body = _ok(
        as_secretary_a,
        record,
        "political_review",
        {"reviewed_on": "2026-09-06", "conclusion": "政治审查合格", "correction_reason": "结论写得不完整"},
    )
    assert (body["political_review_on"], body["political_review_conclusion"]) == ("2026-09-06", "政治审查合格")
    assert body["actions"] == ["person", "political_review", "training", "publicity", "pre_review", "terminate"]
    _ok(as_secretary_a, record, "training", {"started_on": "2026-09-07", "ended_on": "2026-09-09", "days": 3})
    _ok(as_secretary_a, record, "publicity", {"started_on": "2026-09-14", "ended_on": "2026-09-18"})
    development_pre_review_record(record=record, pre_reviewed_on=D(2026, 9, 25), actor=world.staff)
    assert as_secretary_a.get(dev_url(record.pk)).json()["actions"] == ["person", "pre_review", "admission_vote", "terminate"]
    before = snapshot(record)
    response = post(as_secretary_a, dev_url(record.pk, "political_review"), {"reviewed_on": "2026-09-06", "conclusion": "改"})
    assert (response.status_code, response.json()) == (
        400,
        {"non_field_errors": ["党委已预审（2026年9月25日），不能再登记政治审查。"]},
    )
    assert snapshot(record) == before


# --- exceptions with a reason -------------------------------------------------------------------------


def test_a_late_talk_is_refused_without_a_reason_and_recorded_as_an_exception_with_one(
    world: World, as_secretary_a: Client
) -> None:
    record = apply(world, applied_on=D(2026, 9, 1))
    data = {"talked_on": "2026-10-08", "talked_by": "甲支部书记"}
    before = snapshot(record)
    response = post(as_secretary_a, dev_url(record.pk, "talk"), data)
    assert (response.status_code, response.json()) == (
        400,
        {"reason": ["党组织应在收到入党申请后1个月内派人谈话（2026年10月1日前），谈话日期2026年10月8日已超过期限，请说明原因。"]},
    )
    assert snapshot(record) == before
    body = _ok(as_secretary_a, record, "talk", {**data, "reason": "书记外出学习"})
    assert body["exceptions"] == [
        {
            "rule": "talk_within",
            "rule_label": "收到入党申请后谈话期限",
            "detail": "谈话日期2026年10月8日晚于期限2026年10月1日",
            "reason": "书记外出学习",
            "on": "2026-10-08",
            "recorded_on": "2026-11-20",
        }
    ]
    record.refresh_from_db()
    assert (record.talked_on, record.history.first().history_change_reason) == (D(2026, 10, 8), "登记谈话情况（超过期限）")


def test_a_late_confirmation_needs_the_special_reason_and_is_recorded(world: World, as_staff: Client) -> None:
    record = confirmation_vote(world, to_probationary(world, voted_on=D(2025, 6, 2)), D(2026, 6, 5))
    before = snapshot(record)
    response = post(as_staff, dev_url(record.pk, "confirm"), {"approved_on": "2026-09-06"})
    assert (response.status_code, response.json()) == (
        400,
        {"reason": ["预备党员转正的审批已超过3个月期限（应于2026年9月5日前审批），须说明特殊情况。"]},
    )
    assert snapshot(record) == before
    response = post(as_staff, dev_url(record.pk, "confirm"), {"approved_on": "2026-12-06", "reason": "太迟"})
    assert response.status_code == 400
    assert list(response.json()) == ["approved_on"]
    body = _ok(as_staff, record, "confirm", {"approved_on": "2026-09-06", "reason": "档案材料补充"})
    assert body["stage"] == "full"
    assert [(e["rule"], e["reason"], e["on"]) for e in body["exceptions"]] == [("approval_within", "档案材料补充", "2026-09-06")]


# --- refusals of each kind ---------------------------------------------------------------------------


def _activist(world: World) -> DevelopmentRecord:
    return to_activist(world, apply(world, applied_on=D(2026, 3, 1)))


def _applicant(world: World) -> DevelopmentRecord:
    return apply(world, applied_on=D(2026, 3, 1))


def _talked(world: World) -> DevelopmentRecord:
    record = apply(world, applied_on=D(2026, 3, 1))
    return development_talk_record(record=record, talked_on=D(2026, 3, 5), talked_by="甲支部书记", actor=world.secretary_a)


def _candidate(world: World) -> DevelopmentRecord:
    return to_candidate(world, candidate_on=D(2026, 9, 1))


def _pre_reviewed(world: World) -> DevelopmentRecord:
    return to_pre_reviewed(world, pre_reviewed_on=D(2026, 6, 1))


def _probationary(world: World) -> DevelopmentRecord:
    return to_probationary(world, voted_on=D(2025, 6, 2))


REFUSALS = [
    # A step out of order.
    (
        "applicant",
        "candidate",
        {"candidate_on": "2026-11-02"},
        {"non_field_errors": ["陈申请目前是“入党申请人”，不能列为发展对象。"]},
    ),
    (
        "applicant",
        "activist",
        {"activist_on": "2026-11-02", "cultivator_names": ["孙联系"]},
        {"activist_on": ["请先登记与入党申请人的谈话情况。"]},
    ),
    (
        "candidate",
        "pre_review",
        {"pre_reviewed_on": "2026-11-02"},
        {"pre_reviewed_on": ["党委预审前须完成政治审查、集中培训和公示，尚未登记：政治审查、集中培训、公示。"]},
    ),
    (
        "candidate",
        "admission_approve",
        {"approved_on": "2026-11-02"},
        {"approved_on": ["尚未登记支部党员大会表决结果，不能审批。"]},
    ),
    # Facts missing: the service's words.
    ("applicant", "talk", {}, {"talked_on": ["请填写谈话日期。"], "talked_by": ["请填写谈话人。"]}),
    ("applicant", "terminate", {"ended_on": "2026-11-02"}, {"reason": ["请填写终止培养的原因。"]}),
    ("candidate", "training", {"started_on": "2026-09-07", "ended_on": "2026-09-09"}, {"days": ["请填写培训天数或学时。"]}),
    # A rule of the 细则 not met.
    (
        "activist",
        "candidate",
        {"candidate_on": "2026-11-02"},
        {
            "candidate_on": [
                "入党积极分子须经过1年以上的培养教育和考察方可列为发展对象：陈申请于2026年3月31日确定为入党积极分子，2027年3月31日起方可列为发展对象。"
            ]
        },
    ),
    (
        "talked",
        "activist",
        {"activist_on": "2026-03-10", "cultivators": ["member_a", "member_a2"], "cultivator_names": ["孙联系"]},
        {"cultivators": ["应指定1至2名正式党员作培养联系人，当前为3名。"]},
    ),
    (
        "candidate",
        "training",
        {"started_on": "2026-09-07", "ended_on": "2026-09-08", "days": 2},
        {"days": ["发展对象短期集中培训时间不少于3天（或不少于24学时），本次培训为2天。"]},
    ),
    (
        "candidate",
        "publicity",
        {"started_on": "2026-09-14", "ended_on": "2026-09-17"},
        {"ended_on": ["公示期不少于5个工作日：2026年9月14日至2026年9月17日只有4个工作日（按国家法定节假日安排计算）。"]},
    ),
    (
        "pre_reviewed",
        "admission_vote",
        {"voted_on": "2026-06-05", "entitled": 10, "present": 5, "votes_for": 5, "votes_against": 0, "abstentions": 0},
        {"present": ["应到会有表决权的正式党员10名，实到5名，未超过半数（至少需要6名），表决无效。"]},
    ),
    (
        "probationary",
        "extend",
        {"decided_on": "2026-06-03", "months": 13, "reason": "需要继续考察"},
        {"months": ["延长预备期不能少于6个月，最长不超过12个月，13个月不符合规定。"]},
    ),
    (
        "probationary",
        "confirmation_vote",
        {"voted_on": "2026-06-01", "entitled": 10, "present": 9, "votes_for": 9, "votes_against": 0, "abstentions": 0},
        {"voted_on": ["预备期至2026年6月2日届满，届满后方可讨论转正。"]},
    ),
    ("probationary", "probation_cancel", {"decided_on": "2026-11-21", "reason": "x"}, {"decided_on": ["决定日期不能晚于今天。"]}),
    # Input the API itself refuses (types, bounds, ids outside the branch, a reason longer than the
    # record keeps).
    (
        "applicant",
        "terminate",
        {"ended_on": "2026-11-02", "reason": "长" * 201},
        {"reason": ["请确保这个字段不能超过 200 个字符。"]},
    ),
    (
        "applicant",
        "talk",
        {"talked_on": "2026-13-45", "talked_by": "甲"},
        {"talked_on": ["日期格式错误。请从这些格式中选择：YYYY-MM-DD。"]},
    ),
    ("pre_reviewed", "admission_vote", {"voted_on": "2026-06-05", "entitled": -1}, {"entitled": ["请确保该值大于或者等于 0。"]}),
    (
        "talked",
        "activist",
        {"activist_on": "2026-03-10", "cultivators": ["member_b"]},
        {"cultivators": ["所选党员不存在或不是本党支部的党员（ID：member_b）。"]},
    ),
]


@pytest.mark.parametrize(
    ("at", "action", "data", "errors"),
    REFUSALS,
    ids=[f"{at}-{action}-{next(iter(errors))}" for at, action, _, errors in REFUSALS],
)
def test_a_refusal_is_400_keyed_by_field_in_chinese_and_changes_nothing(
    world: World, as_secretary_a: Client, at: str, action: str, data: dict, errors: dict
) -> None:
    record = {
        "applicant": _applicant,
        "talked": _talked,
        "activist": _activist,
        "candidate": _candidate,
        "pre_reviewed": _pre_reviewed,
        "probationary": _probationary,
    }[at](world)
    members = {"member_a": world.member_a.pk, "member_a2": world.member_a2.pk, "member_b": world.member_b.pk}
    if "cultivators" in data:
        data = {**data, "cultivators": [members[m] for m in data["cultivators"]]}
        errors = {k: [m.replace("member_b", str(world.member_b.pk)) for m in v] for k, v in errors.items()}
    before = snapshot(record)
    response = post(as_secretary_a, dev_url(record.pk, action), data)
    assert (response.status_code, response.json()) == (400, errors)
    assert snapshot(record) == before


def test_a_cultivator_who_is_not_a_full_member_is_refused_in_the_services_words(world: World, as_secretary_a: Client) -> None:
    record = _talked(world)
    probationer = MemberFactory(name="钱预备", branch=world.branch_a, member_type=MemberType.PROBATIONARY, confirmed_on=None)
    before = snapshot(record)
    response = post(
        as_secretary_a, dev_url(record.pk, "activist"), {"activist_on": "2026-03-10", "cultivators": [probationer.pk]}
    )
    assert (response.status_code, response.json()) == (400, {"cultivators": ["钱预备不是在册的正式党员，不能担任培养联系人。"]})
    assert snapshot(record) == before


# --- access on the actions ---------------------------------------------------------------------------


def test_every_action_is_404_for_the_outsider_and_403_for_a_member(
    world: World, as_secretary_b: Client, as_member_a: Client
) -> None:
    record = _activist(world)
    before = snapshot(record)
    for action in STEPS:
        response = post(as_secretary_b, dev_url(record.pk, action), {"reason": "x"})
        assert (response.status_code, response.json()) == (404, {"detail": "发展党员记录不存在"}), action
        response = post(as_member_a, dev_url(record.pk, action), {"reason": "x"})
        assert (response.status_code, response.json()) == (403, {"detail": "您没有办理发展党员工作的权限。"}), action
    assert post(as_secretary_b, dev_url(999999, "talk"), {}).status_code == 404
    assert snapshot(record) == before


def test_token_clients_act_without_csrf(world: World) -> None:
    record = apply(world, applied_on=D(2026, 11, 2))
    token = Token.objects.create(user=world.secretary_a)
    client = Client(enforce_csrf_checks=True)
    data = {"talked_on": "2026-11-10", "talked_by": "甲支部书记"}
    response = post(client, dev_url(record.pk, "talk"), data, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200, response.json()


# --- query counts, schema, browsable API ----------------------------------------------------------------


def _queries(client: Client, url: str, params: dict | None = None) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.json()
    return len(ctx.captured_queries), response.json()


# Session, user, scope, count, page, cultivators (with their members); plus the session's save in a
# savepoint (3 statements).
LIST_MAX = 9
# Session, user, scope, the record (with its roster member), its 党支部, the cultivators, who recorded
# it; plus the session's save.
RETRIEVE_MAX = 10


def _more(world: World, n: int) -> None:
    for i in range(n):
        record = apply(world, applied_on=D(2026, 3, 1), name=f"申请人{i}", id_number=valid_id_number(D(1990, 1, 1 + i % 28)))
        if i % 2:
            to_activist(world, record)


def test_list_queries_do_not_grow_with_records(
    world: World, as_secretary_a: Client, as_staff: Client, django_assert_max_num_queries
) -> None:
    _more(world, 3)
    few, body = _queries(as_secretary_a, DEV)
    assert body["count"] == 3
    _more(world, 60)
    many, body = _queries(as_secretary_a, DEV, {"page": 2})
    assert (body["count"], len(body["results"])) == (63, 13)
    assert many == few
    with django_assert_max_num_queries(LIST_MAX):
        as_secretary_a.get(DEV)
    # Filters and search do not add queries per row either.
    filtered, body = _queries(
        as_staff, DEV, {"org": world.committee.pk, "status": "open", "stage": "activist", "search": "申请人"}
    )
    assert body["count"] == 31
    assert filtered == few + 1  # the scoped lookup of the org filter's organization


def test_retrieve_queries_are_pinned(world: World, as_staff: Client, django_assert_max_num_queries) -> None:
    record = to_probationary(world)
    with django_assert_max_num_queries(RETRIEVE_MAX):
        assert as_staff.get(dev_url(record.pk)).status_code == 200


def test_schema_documents_the_development_endpoints_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    for path in ("/api/v1/development/", "/api/v1/development/{id}/", "/api/v1/development/{id}/admission_vote/"):
        assert f"  {path}:" in text
    for summary in ("登记入党申请", "更正个人信息", "登记谈话", "党委审批（接收为预备党员）", "延长预备期", "终止培养"):
        assert f"summary: {summary}" in text
    assert "DevelopmentStageEnum:" in text


def test_the_browsable_api_renders_the_records(world: World, as_staff: Client) -> None:
    record = _activist(world)
    for url in (DEV, dev_url(record.pk)):
        response = as_staff.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert b"<html" in response.content
