"""The 发展党员 pages, as the people who use them: the secretary of branch A follows her branch's
applicants to full membership, the 工委's staff look across the tree, the secretary of branch B
(the outsider) finds nothing of A's, and member_a (no role but 党员) finds no page at all.

"Today" is 2026-11-20 in Beijing (time_machine), as in test_development.py, whose stage helpers
build the records.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from members.development import views as development_views
from members.development.models import Cultivator, DevelopmentRecord, DevelopmentStage
from members.development.services import (
    development_admission_approve,
    development_confirm,
    development_person_update,
    development_probation_extend,
    development_terminate,
)
from members.roster.choices import MemberType
from members.roster.models import Member
from partybuild.accounts import access
from tests.conftest import World
from tests.factories import MemberFactory, valid_id_number
from tests.members.development.test_services import (
    ADMITTED_ON,
    D,
    apply,
    confirmation_vote,
    to_activist,
    to_candidate,
    to_pre_reviewed,
    to_probationary,
    to_voted,
    vote,
)

PIPELINE = reverse("development:pipeline")
NEW = reverse("development:new")


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def detail(record: DevelopmentRecord) -> str:
    return reverse("development:detail", args=[record.pk])


def step(record: DevelopmentRecord, name: str) -> str:
    return reverse("development:step", args=[record.pk, name])


def person(record: DevelopmentRecord) -> str:
    return reverse("development:person", args=[record.pk])


def correct(record: DevelopmentRecord, fact: str) -> str:
    return reverse("development:correct", args=[record.pk, fact])


def text(response) -> str:
    """The page's visible text, tags removed and whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def step_names(response) -> list[str]:
    return [f["step"] for f in (*response.context["step_forms"], *response.context["ending_forms"])]


def field_errors(response, name: str, field: str) -> list[str]:
    form = next(f["form"] for f in (*response.context["step_forms"], *response.context["ending_forms"]) if f["step"] == name)
    return form.errors.get(field, [])


# --- the pipeline --------------------------------------------------------------------------------


def test_secretary_sees_her_branchs_pipeline_by_stage_with_cultivators_and_deadlines(
    world: World, as_secretary_a: Client
) -> None:
    late = apply(world, applied_on=D(2026, 10, 1), name="钱迟谈")  # talk due 2026-11-01: past
    soon = apply(world, applied_on=D(2026, 11, 10), name="孙新申", id_number=valid_id_number(D(1996, 1, 1)))
    activist = to_activist(world, apply(world, applied_on=D(2026, 3, 1), name="李积极", id_number=valid_id_number(D(1997, 2, 2))))
    apply(world, applied_on=D(2026, 11, 1), name="乙支部申请人", id_number=valid_id_number(D(1998, 3, 3)))
    DevelopmentRecord.objects.filter(name="乙支部申请人").update(branch=world.branch_b)

    response = as_secretary_a.get(PIPELINE)
    assert response.status_code == 200
    assert response.context["org"] == world.branch_a
    stages = {s["stage"]: s for s in response.context["stages"]}
    assert list(stages) == ["applicant", "activist", "candidate", "probationary"]
    assert [r.record.name for r in stages["applicant"]["rows"]] == ["钱迟谈", "孙新申"]
    assert [r.record.name for r in stages["activist"]["rows"]] == ["李积极"]
    page = text(response)
    assert "乙支部申请人" not in page
    assert "谈话期限 2026-11-01 已过19天" in page
    assert "谈话期限 2026-12-10 （还有20天）" in page
    # The 积极分子: the date they became one, both 培养联系人, eligible as 发展对象 a year on.
    assert f"{activist.activist_on:%Y-%m-%d} 张党员、孙联系 可列为发展对象 2027-03-31" in page
    html = response.content.decode()
    assert f'href="{detail(late)}"' in html and f'href="{detail(soon)}"' in html
    assert re.search(r'class="text-danger fw-semibold" data-deadline="talk">谈话期限 2026-11-01', html)


def test_the_pipeline_query_count_does_not_grow_with_30_more_records(
    world: World, as_secretary_a: Client, django_assert_max_num_queries
) -> None:
    to_activist(world, apply(world, applied_on=D(2026, 3, 1)))
    as_secretary_a.get(PIPELINE)  # warm the organization picker's cache
    with django_assert_max_num_queries(11) as few:
        as_secretary_a.get(PIPELINE)
    for i in range(30):
        record = apply(world, applied_on=D(2026, 3, 1), name=f"申请人{i}", id_number=valid_id_number(D(1990, 1, 1 + i % 28)))
        if i % 2:
            to_activist(world, record)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = as_secretary_a.get(PIPELINE)
    assert response.context["total"] == 31


def test_closed_records_show_only_when_asked(world: World, as_secretary_a: Client) -> None:
    record = apply(world, applied_on=D(2026, 10, 1), name="周终止")
    development_terminate(record=record, ended_on=D(2026, 11, 2), reason="本人撤回申请", actor=world.secretary_a)
    response = as_secretary_a.get(PIPELINE)
    assert "周终止" not in text(response)
    assert [s["stage"] for s in response.context["stages"]][-1] == "probationary"
    response = as_secretary_a.get(PIPELINE, {"org": world.branch_a.pk, "closed": "1"})
    terminated = next(s for s in response.context["stages"] if s["stage"] == "terminated")
    assert [(r.record.name, r.entered_on) for r in terminated["rows"]] == [("周终止", D(2026, 11, 2))]


def test_staff_see_a_committees_branches_together_and_pick_a_branch(world: World, as_staff: Client) -> None:
    apply(world, applied_on=D(2026, 11, 1), name="甲申请")
    other = apply(world, applied_on=D(2026, 11, 2), name="乙申请", id_number=valid_id_number(D(1994, 4, 4)))
    DevelopmentRecord.objects.filter(pk=other.pk).update(branch=world.branch_b)
    response = as_staff.get(PIPELINE, {"org": world.committee.pk})
    assert response.context["many_branches"] is True
    assert "第一党支部" in text(response) and "第二党支部" in text(response)
    assert {r.record.name for r in response.context["stages"][0]["rows"]} == {"甲申请", "乙申请"}
    response = as_staff.get(PIPELINE, {"org": world.branch_b.pk})
    assert [r.record.name for r in response.context["stages"][0]["rows"]] == ["乙申请"]
    assert f'href="{NEW}?org={world.branch_b.pk}"' in response.content.decode()


def test_an_admin_without_a_choice_is_asked_to_pick(world: World, as_admin: Client) -> None:
    response = as_admin.get(PIPELINE)
    assert response.status_code == 200
    assert response.context["org"] is None
    assert "请选择党支部" in text(response)


def test_the_pipeline_is_404_out_of_scope_and_for_members_and_405_for_post(
    world: World, as_secretary_b: Client, as_member_a: Client, as_secretary_a: Client
) -> None:
    apply(world, applied_on=D(2026, 11, 1))
    assert as_secretary_b.get(PIPELINE, {"org": world.branch_a.pk}).status_code == 404
    assert as_secretary_b.get(PIPELINE, {"org": "x"}).status_code == 404
    assert as_member_a.get(PIPELINE).status_code == 404
    assert as_secretary_a.post(PIPELINE).status_code == 405
    assert Client().get(PIPELINE).status_code == 302


# --- a new application ---------------------------------------------------------------------------


def application(world: World, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "branch": world.branch_a.pk,
        "applied_on": "2026-11-16",
        "name": "吴申请",
        "id_number": valid_id_number(D(2000, 8, 8)),
        "gender": "",
        "birth_date": "",
        "ethnicity": "汉族",
        "education": "undergraduate",
        "phone": "13900002222",
        "work_unit_position": "测试局财务处 科员",
    }
    data.update(overrides)
    return data


def test_secretary_records_an_application_and_lands_on_the_record(world: World, as_secretary_a: Client) -> None:
    form = as_secretary_a.get(NEW).context["form"]
    assert form.initial["branch"] == world.branch_a.pk
    assert [b.pk for b in form.fields["branch"].queryset] == [world.branch_a.pk]

    response = as_secretary_a.post(NEW, application(world), follow=True)
    record = DevelopmentRecord.objects.get()
    assert response.redirect_chain == [(detail(record), 302)]
    assert (record.name, record.branch, record.applied_on, record.birth_date) == (
        "吴申请",
        world.branch_a,
        D(2026, 11, 16),
        D(2000, 8, 8),
    )
    assert record.created_by == world.secretary_a
    page = text(response)
    assert "已登记吴申请的入党申请，谈话期限为2026年12月16日。" in page
    assert "2026-11-16 提出入党申请 谈话期限：2026-12-16" in page
    assert step_names(response) == ["talk", "terminate"]


def test_an_application_refused_by_a_rule_shows_the_error_next_to_the_field_and_keeps_what_was_typed(
    world: World, as_secretary_a: Client
) -> None:
    data = application(world, id_number=valid_id_number(D(2009, 1, 1)), name="小未成年")
    response = as_secretary_a.post(NEW, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["applied_on"] == [
        "申请入党须年满18周岁：小未成年出生于2009年1月1日，2027年1月1日方年满18周岁，入党申请日期2026年11月16日时未满。"
    ]
    assert 'value="小未成年"' in response.content.decode()
    response = as_secretary_a.post(NEW, application(world, id_number=world.member_b.id_number, birth_date=""))
    assert response.context["form"].errors["id_number"] == ["该公民身份号码已在党员花名册中，不能登记入党申请。"]
    response = as_secretary_a.post(NEW, application(world, name="", applied_on=""))
    assert response.context["form"].errors["name"] == ["请填写姓名。"]
    assert response.context["form"].errors["applied_on"] == ["请填写入党申请日期。"]
    assert not DevelopmentRecord.objects.exists()


def test_an_application_for_another_branch_is_404_or_refused(
    world: World, as_secretary_a: Client, as_secretary_b: Client, as_member_a: Client
) -> None:
    assert as_secretary_b.get(NEW, {"org": world.branch_a.pk}).status_code == 404
    response = as_secretary_b.post(NEW, application(world))
    assert "branch" in response.context["form"].errors
    assert as_member_a.get(NEW).status_code == 404
    assert as_secretary_a.put(NEW).status_code == 405
    assert not DevelopmentRecord.objects.exists()


# --- the record's page ---------------------------------------------------------------------------


def test_the_record_page_shows_the_person_the_timeline_and_the_exceptions(world: World, as_secretary_a: Client) -> None:
    record = apply(world, applied_on=D(2026, 9, 1), name="郑谈话")
    response = as_secretary_a.post(
        step(record, "talk"),
        {"talk-talked_on": "2026-10-12", "talk-talked_by": "甲支部书记", "talk-reason": "书记外出学习，返回后即谈话"},
        follow=True,
    )
    page = text(response)
    assert "已登记：谈话。" in page
    assert record.id_number in page  # she manages the branch: the whole number
    assert "2026-09-01 提出入党申请" in page
    assert "2026-10-12 党组织派人谈话 谈话人：甲支部书记" in page
    assert (
        "收到入党申请后谈话期限 2026-10-12 谈话日期2026年10月12日晚于期限2026年10月1日 原因：书记外出学习，返回后即谈话" in page
    )
    assert "登记谈话情况（超过期限）" in page  # the history, with the service's reason
    assert step_names(response) == ["activist", "terminate"]


def test_staff_see_the_record_and_the_outsider_and_members_find_nothing(
    world: World, as_staff: Client, as_secretary_b: Client, as_member_a: Client, as_secretary_a: Client
) -> None:
    record = apply(world, applied_on=D(2026, 11, 1))
    response = as_staff.get(detail(record))
    assert response.status_code == 200 and record.name in text(response)
    assert as_secretary_b.get(detail(record)).status_code == 404
    assert as_member_a.get(detail(record)).status_code == 404
    assert as_secretary_a.get(reverse("development:detail", args=[record.pk + 99])).status_code == 404
    assert as_secretary_a.post(detail(record)).status_code == 405


# --- the steps -----------------------------------------------------------------------------------


def test_a_late_talk_without_a_reason_is_refused_and_changes_nothing(world: World, as_secretary_a: Client) -> None:
    record = apply(world, applied_on=D(2026, 9, 1))
    response = as_secretary_a.post(step(record, "talk"), {"talk-talked_on": "2026-10-12", "talk-talked_by": "甲支部书记"})
    assert response.status_code == 200
    assert field_errors(response, "talk", "reason") == [
        "党组织应在收到入党申请后1个月内派人谈话（2026年10月1日前），谈话日期2026年10月12日已超过期限，请说明原因。"
    ]
    assert 'value="甲支部书记"' in response.content.decode()  # what was typed stays
    record.refresh_from_db()
    assert record.talked_on is None and record.exceptions == []


def test_a_step_out_of_order_shows_the_services_refusal(world: World, as_secretary_a: Client) -> None:
    record = apply(world, applied_on=D(2026, 11, 1))
    response = as_secretary_a.post(step(record, "candidate"), {"candidate-candidate_on": "2026-11-10"})
    assert response.status_code == 200
    assert "目前是“入党申请人”，不能列为发展对象。" in text(response)
    record.refresh_from_db()
    assert (record.stage, record.candidate_on) == (DevelopmentStage.APPLICANT, None)


def test_the_secretary_names_an_activist_with_a_member_and_a_named_cultivator(world: World, as_secretary_a: Client) -> None:
    record = apply(world, applied_on=D(2026, 9, 1))
    as_secretary_a.post(step(record, "talk"), {"talk-talked_on": "2026-09-10", "talk-talked_by": "甲支部书记"})
    form = as_secretary_a.get(detail(record)).context["step_forms"][0]["form"]
    assert set(form.fields["cultivators"].queryset) == {world.member_a, world.member_a2}
    response = as_secretary_a.post(
        step(record, "activist"),
        {
            "activist-activist_on": "2026-10-01",
            "activist-cultivators": [world.member_a.pk],
            "activist-cultivator_names": "孙联系",
        },
        follow=True,
    )
    record.refresh_from_db()
    assert record.stage == DevelopmentStage.ACTIVIST
    assert [c.display_name for c in record.cultivators.all()] == ["张党员", "孙联系"]
    assert "现为“入党积极分子”" in text(response)
    assert "可列为发展对象：2027-10-01" in text(response)

    response = as_secretary_a.post(step(record, "candidate"), {"candidate-candidate_on": "2026-11-20"})
    assert field_errors(response, "candidate", "candidate_on") == [
        "入党积极分子须经过1年以上的培养教育和考察方可列为发展对象：陈申请于2026年10月1日确定为入党积极分子，2027年10月1日起方可列为发展对象。"
    ]


def test_too_many_cultivators_are_refused_next_to_the_field(world: World, as_secretary_a: Client) -> None:
    record = apply(world, applied_on=D(2026, 9, 1))
    as_secretary_a.post(step(record, "talk"), {"talk-talked_on": "2026-09-10", "talk-talked_by": "甲支部书记"})
    response = as_secretary_a.post(
        step(record, "activist"),
        {
            "activist-activist_on": "2026-10-01",
            "activist-cultivators": [world.member_a.pk, world.member_a2.pk],
            "activist-cultivator_names": "孙联系",
        },
    )
    assert field_errors(response, "activist", "cultivators") == ["应指定1至2名正式党员作培养联系人，当前为3名。"]
    record.refresh_from_db()
    assert record.stage == DevelopmentStage.APPLICANT and not record.cultivators.exists()


def test_a_candidate_gets_one_form_per_missing_fact_then_the_vote(world: World, as_secretary_a: Client) -> None:
    record = to_candidate(world, candidate_on=D(2026, 9, 1))
    response = as_secretary_a.get(detail(record))
    assert step_names(response) == ["political_review", "training", "publicity", "pre_review", "terminate"]

    response = as_secretary_a.post(
        step(record, "training"),
        {
            "training-started_on": "2026-09-10",
            "training-ended_on": "2026-09-11",
            "training-days": "2",
            "training-class_hours": "",
        },
    )
    assert field_errors(response, "training", "days") == ["发展对象短期集中培训时间不少于3天（或不少于24学时），本次培训为2天。"]
    as_secretary_a.post(
        step(record, "training"),
        {
            "training-started_on": "2026-09-10",
            "training-ended_on": "2026-09-12",
            "training-days": "3",
            "training-class_hours": "",
        },
    )
    response = as_secretary_a.get(detail(record))
    assert step_names(response) == ["political_review", "publicity", "pre_review", "terminate"]
    assert "2026-09-10 至 2026-09-12 短期集中培训 时长：3天" in text(response)

    response = as_secretary_a.post(step(record, "pre_review"), {"pre_review-pre_reviewed_on": "2026-11-01"})
    assert field_errors(response, "pre_review", "pre_reviewed_on") == [
        "党委预审前须完成政治审查、集中培训和公示，尚未登记：政治审查、公示。"
    ]
    record.refresh_from_db()
    assert record.pre_reviewed_on is None

    as_secretary_a.post(
        step(record, "political_review"), {"political_review-reviewed_on": "2026-09-20", "political_review-conclusion": "合格"}
    )
    as_secretary_a.post(step(record, "publicity"), {"publicity-started_on": "2026-10-12", "publicity-ended_on": "2026-10-16"})
    as_secretary_a.post(step(record, "pre_review"), {"pre_review-pre_reviewed_on": "2026-10-20"})
    response = as_secretary_a.get(detail(record))
    assert step_names(response) == ["admission_vote", "terminate"]
    assert "2026-10-12 至 2026-10-16 公示 公示期：5个工作日" in text(response)


def test_a_vote_without_a_quorum_is_refused_and_a_passed_one_is_shown_with_its_counts(
    world: World, as_secretary_a: Client
) -> None:
    record = to_pre_reviewed(world, pre_reviewed_on=D(2026, 11, 2))
    votes = {
        "voted_on": "2026-11-10",
        "entitled": "10",
        "present": "5",
        "votes_for": "5",
        "votes_against": "0",
        "abstentions": "0",
    }
    response = as_secretary_a.post(step(record, "admission_vote"), {f"admission_vote-{k}": v for k, v in votes.items()})
    assert field_errors(response, "admission_vote", "present") == [
        "应到会有表决权的正式党员10名，实到5名，未超过半数（至少需要6名），表决无效。"
    ]
    record.refresh_from_db()
    assert record.admission_voted_on is None
    votes.update(present="8", votes_for="7", votes_against="1")
    response = as_secretary_a.post(
        step(record, "admission_vote"), {f"admission_vote-{k}": v for k, v in votes.items()}, follow=True
    )
    assert (
        "2026-11-10 支部党员大会讨论接收预备党员 应到会有表决权的正式党员：10名；实到会：8名；表决结果：赞成7票、反对1票、弃权0票；党委审批期限：2027-02-10"
        in text(response)
    )
    assert step_names(response) == ["admission_approve", "terminate"]


def test_approval_creates_the_roster_member_and_the_page_links_to_it(world: World, as_staff: Client) -> None:
    record = to_voted(world, voted_on=D(2026, 10, 9))
    response = as_staff.post(step(record, "admission_approve"), {"admission_approve-approved_on": "2026-11-18"}, follow=True)
    record.refresh_from_db()
    assert record.stage == DevelopmentStage.PROBATIONARY
    member = Member.objects.get(pk=record.member_id)
    assert (member.member_type, member.joined_on, member.branch) == (MemberType.PROBATIONARY, D(2026, 10, 9), world.branch_a)
    html = response.content.decode()
    assert f'href="{reverse("members:detail", args=[member.pk])}"' in html
    assert "党委审批，接收为预备党员 入党日期：2026-10-09；预备期：至2027-10-09" in text(response)
    assert step_names(response) == ["confirmation_vote", "extend", "probation_cancel"]


def test_a_late_approval_needs_the_special_reason(world: World, as_staff: Client) -> None:
    record = to_voted(world, voted_on=D(2026, 6, 1))
    response = as_staff.post(step(record, "admission_approve"), {"admission_approve-approved_on": "2026-11-18"})
    assert field_errors(response, "admission_approve", "reason") == [
        "接收预备党员的审批已超过3个月期限（应于2026年9月1日前审批），须说明特殊情况。"
    ]
    record.refresh_from_db()
    assert record.stage == DevelopmentStage.CANDIDATE and record.member_id is None
    response = as_staff.post(
        step(record, "admission_approve"),
        {"admission_approve-approved_on": "2026-11-18", "admission_approve-reason": "党委换届，延期审批"},
        follow=True,
    )
    assert "党委审批期限" in text(response) and "原因：党委换届，延期审批" in text(response)


def test_a_probationary_member_is_confirmed_through_the_vote_and_the_approval(world: World, as_secretary_a: Client) -> None:
    record = to_probationary(world, voted_on=D(2025, 6, 2))
    response = as_secretary_a.post(
        step(record, "confirmation_vote"),
        {
            f"confirmation_vote-{k}": v
            for k, v in {
                "voted_on": "2026-06-01",
                "entitled": "10",
                "present": "9",
                "votes_for": "9",
                "votes_against": "0",
                "abstentions": "0",
            }.items()
        },
    )
    assert field_errors(response, "confirmation_vote", "voted_on") == ["预备期至2026年6月2日届满，届满后方可讨论转正。"]
    record = confirmation_vote(world, record, D(2026, 6, 5))
    response = as_secretary_a.get(detail(record))
    assert step_names(response) == ["confirm", "probation_cancel"]
    response = as_secretary_a.post(step(record, "confirm"), {"confirm-approved_on": "2026-07-01"}, follow=True)
    record.refresh_from_db()
    assert record.stage == DevelopmentStage.FULL
    assert record.member.member_type == MemberType.FULL and record.member.confirmed_on == D(2026, 6, 2)
    assert "党委审批，转为正式党员 转正日期：2026-06-02" in text(response)
    assert step_names(response) == []


def test_the_probation_is_extended_once(world: World, as_secretary_a: Client) -> None:
    record = to_probationary(world, voted_on=ADMITTED_ON)
    data = {"extend-decided_on": "2026-06-10", "extend-months": "6", "extend-reason": "学习不够深入"}
    response = as_secretary_a.post(step(record, "extend"), data, follow=True)
    assert "延长 延长：6个月；原因：学习不够深入；预备期：至2026-12-02" in text(response).replace("延长预备期", "延长")
    response = as_secretary_a.post(step(record, "extend"), data)
    assert field_errors(response, "extend", "months") == ["预备期只能延长1次，陈申请的预备期已延长过。"]
    record.refresh_from_db()
    assert (record.extension_count, record.probation_ends_on) == (1, D(2026, 12, 2))


def test_terminating_needs_a_reason_and_ends_the_record(world: World, as_secretary_a: Client) -> None:
    record = to_activist(world, apply(world, applied_on=D(2026, 3, 1)))
    response = as_secretary_a.post(step(record, "terminate"), {"terminate-ended_on": "2026-11-19", "terminate-reason": ""})
    assert field_errors(response, "terminate", "reason") == ["请填写终止培养的原因。"]
    assert response.context["open_step"] == "terminate"
    record.refresh_from_db()
    assert record.stage == DevelopmentStage.ACTIVIST
    response = as_secretary_a.post(
        step(record, "terminate"), {"terminate-ended_on": "2026-11-19", "terminate-reason": "本人工作调动"}, follow=True
    )
    record.refresh_from_db()
    assert record.stage == DevelopmentStage.TERMINATED
    assert "2026-11-19 终止培养 原因：本人工作调动" in text(response)
    assert step_names(response) == []
    assert record.cultivators.filter(ended_on__isnull=True).count() == 0


def test_steps_are_404_out_of_scope_or_unknown_and_405_for_get(
    world: World, as_secretary_a: Client, as_secretary_b: Client, as_member_a: Client
) -> None:
    record = apply(world, applied_on=D(2026, 11, 1))
    data = {"talk-talked_on": "2026-11-10", "talk-talked_by": "乙支部书记"}
    assert as_secretary_b.post(step(record, "talk"), data).status_code == 404
    assert as_member_a.post(step(record, "talk"), data).status_code == 404
    assert as_secretary_a.post(step(record, "nonsense"), data).status_code == 404
    assert as_secretary_a.get(step(record, "talk")).status_code == 405
    record.refresh_from_db()
    assert record.talked_on is None


def test_an_activist_past_the_cultivation_period_is_shown_as_ready_not_overdue(world: World, as_secretary_a: Client) -> None:
    record = to_activist(world, apply(world, applied_on=D(2025, 3, 1)))
    response = as_secretary_a.get(PIPELINE)
    assert f"可列为发展对象 {record.candidate_eligible_on:%Y-%m-%d} 已满培养期" in text(response)
    assert 'class="text-danger fw-semibold" data-deadline="candidate_eligible"' not in response.content.decode()
    response = as_secretary_a.get(detail(record))
    assert (
        f"{record.candidate_eligible_on.year}年{record.candidate_eligible_on.month}月{record.candidate_eligible_on.day}日起可列为发展对象"
        in text(response)
    )


# --- corrections: the person ----------------------------------------------------------------------


def person_data(record: DevelopmentRecord, **changes: object) -> dict[str, object]:
    """The person form as the page fills it (the record's facts), with ``changes``."""
    data: dict[str, object] = {
        "name": record.name,
        "gender": record.gender,
        "id_number": record.id_number,
        "birth_date": f"{record.birth_date:%Y-%m-%d}",
        "ethnicity": record.ethnicity,
        "education": record.education,
        "phone": record.phone,
        "work_unit_position": record.work_unit_position,
        "change_reason": "",
    }
    data.update(changes)
    return {f"person-{k}": v for k, v in data.items()}


def person_errors(response, field: str) -> list[str]:
    return response.context["person"]["form"].errors.get(field, [])


def corrections(response) -> list[str]:
    """The facts the page offers to correct, in the order of the timeline."""
    return [t.fact for t in response.context["timeline"] if t.correction]


def test_secretary_corrects_the_persons_facts_and_the_history_keeps_the_reason(world: World, as_secretary_a: Client) -> None:
    record = apply(world, applied_on=D(2026, 11, 1), name="陈申请")
    form = as_secretary_a.get(detail(record)).context["person"]["form"]
    assert form.initial["id_number"] == record.id_number and form.initial["phone"] == "13800001111"
    new_number = valid_id_number(D(1996, 2, 29))
    response = as_secretary_a.post(
        person(record),
        # The birth date and gender are left as they were: they follow the new number.
        person_data(record, name="陈申清", id_number=new_number, change_reason="姓名和身份证号录入错误"),
        follow=True,
    )
    assert response.redirect_chain == [(detail(record), 302)]
    record.refresh_from_db()
    assert (record.name, record.id_number, record.birth_date) == ("陈申清", new_number, D(1996, 2, 29))
    page = text(response)
    assert "已修改陈申清的个人信息。" in page
    assert "修改个人信息：姓名和身份证号录入错误 姓名 陈申请 陈申清" in page
    assert "出生日期 1995-05-05 1996-02-29" in page
    assert record.history.first().history_user == world.secretary_a


def test_a_refused_person_correction_shows_the_words_next_to_the_field_and_changes_nothing(
    world: World, as_secretary_a: Client
) -> None:
    record = apply(world, applied_on=D(2026, 11, 1))
    versions = record.history.count()
    response = as_secretary_a.post(person(record), person_data(record, phone="13900009999"))
    assert response.status_code == 200
    assert person_errors(response, "change_reason") == ["请填写修改原因。"]
    assert 'value="13900009999"' in response.content.decode()  # what was typed stays, the form open
    assert re.search(r'<details class="pb-fix pb-fix-person" id="person" open>', response.content.decode())

    too_young = valid_id_number(D(2009, 1, 1))
    response = as_secretary_a.post(person(record), person_data(record, id_number=too_young, change_reason="号码有误"))
    assert person_errors(response, "id_number") == [
        "申请入党须年满18周岁：陈申请出生于2009年1月1日，2027年1月1日方年满18周岁，入党申请日期2026年11月1日时未满。"
    ]
    response = as_secretary_a.post(
        person(record), person_data(record, id_number=world.member_b.id_number, change_reason="号码有误")
    )
    assert person_errors(response, "id_number") == ["该公民身份号码已在党员花名册中，不能登记入党申请。"]
    response = as_secretary_a.post(person(record), person_data(record, birth_date="1995-05-06", change_reason="生日有误"))
    assert person_errors(response, "birth_date")[0].startswith("出生日期与公民身份号码不符")
    response = as_secretary_a.post(person(record), person_data(record, name=" ", change_reason="姓名有误"))
    assert person_errors(response, "name") == ["请填写姓名。"]
    response = as_secretary_a.post(person(record), person_data(record, change_reason="核对无误"))
    assert response.context["person"]["form"].non_field_errors() == ["个人信息没有改动，无需保存。"]
    assert "个人信息没有改动，无需保存。" in text(response)

    fresh = DevelopmentRecord.objects.get(pk=record.pk)
    assert (fresh.name, fresh.id_number, fresh.phone) == (record.name, record.id_number, record.phone)
    assert fresh.history.count() == versions


def test_the_person_is_corrected_in_the_roster_once_admitted_and_not_after_the_record_ends(
    world: World, as_secretary_a: Client
) -> None:
    probationer = to_probationary(world)
    response = as_secretary_a.get(detail(probationer))
    assert response.context["person"] is None and "修改个人信息" not in text(response)
    response = as_secretary_a.post(person(probationer), person_data(probationer, phone="13900009999", change_reason="换号"))
    assert response.status_code == 200
    assert "已列入党员花名册，个人信息请在党员档案中修改。" in text(response)
    probationer.refresh_from_db()
    assert probationer.phone == "13800001111"

    ended = apply(world, applied_on=D(2026, 11, 1), name="周终止", id_number=valid_id_number(D(1993, 3, 3)))
    development_terminate(record=ended, ended_on=D(2026, 11, 2), reason="本人撤回申请", actor=world.secretary_a)
    assert as_secretary_a.get(detail(ended)).context["person"] is None
    response = as_secretary_a.post(person(ended), person_data(ended, phone="13900009999", change_reason="换号"))
    assert "该记录已终止培养，不能再修改。" in text(response)


# --- corrections: the recorded facts ------------------------------------------------------------

ADMISSION_VOTE = {"voted_on": "2026-10-09", "entitled": "10", "present": "8", "votes_for": "7", "votes_against": "1"}


def vote_data(prefix: str, **numbers: str) -> dict[str, str]:
    values = {**ADMISSION_VOTE, "abstentions": "0", "correction_reason": "", **numbers}
    return {f"{prefix}-{k}": v for k, v in values.items()}


def test_secretary_corrects_the_admission_vote_until_the_party_committee_approves(world: World, as_secretary_a: Client) -> None:
    record = to_voted(world, voted_on=D(2026, 10, 9))
    response = as_secretary_a.get(detail(record))
    assert corrections(response) == ["admission_vote"]
    entry = next(t for t in response.context["timeline"] if t.fact == "admission_vote")
    form = entry.correction["form"]
    assert form.initial == {
        "voted_on": D(2026, 10, 9),
        "entitled": 10,
        "present": 8,
        "votes_for": 7,
        "votes_against": 1,
        "abstentions": 0,
    }
    html = response.content.decode()
    assert f'action="{correct(record, "admission_vote")}"' in html
    assert 'name="fix-admission_vote-present" value="8"' in html

    response = as_secretary_a.post(
        correct(record, "admission_vote"),
        vote_data("fix-admission_vote", present="9", votes_for="8", correction_reason="按会议记录更正"),
        follow=True,
    )
    assert response.redirect_chain == [(detail(record) + "#timeline", 302)]
    record.refresh_from_db()
    assert (record.admission_present, record.admission_for, record.stage) == (9, 8, DevelopmentStage.CANDIDATE)
    page = text(response)
    assert "已更正支部党员大会表决结果（接收预备党员）。" in page
    assert "实到会：9名；表决结果：赞成8票、反对1票、弃权0票" in page
    assert "更正支部党员大会表决结果（接收预备党员）：按会议记录更正 实到会有表决权的正式党员 8 9 赞成 7 8" in page
    assert step_names(response) == ["admission_approve", "terminate"]  # the next step is still there

    development_admission_approve(record=record, approved_on=D(2026, 11, 18), actor=world.staff)
    response = as_secretary_a.get(detail(record))
    assert corrections(response) == []
    response = as_secretary_a.post(
        correct(record, "admission_vote"), vote_data("fix-admission_vote", present="10", correction_reason="再次更正")
    )
    assert response.status_code == 200
    assert "陈申请目前是“预备党员”，不能登记支部党员大会表决结果。" in text(response)
    record.refresh_from_db()
    assert record.admission_present == 9


def test_a_refused_vote_correction_shows_the_words_next_to_the_field_and_changes_nothing(
    world: World, as_secretary_a: Client
) -> None:
    record = to_voted(world, voted_on=D(2026, 10, 9))
    versions = record.history.count()

    def posted(**numbers: str):
        response = as_secretary_a.post(correct(record, "admission_vote"), vote_data("fix-admission_vote", **numbers))
        assert response.status_code == 200
        entry = next(t for t in response.context["timeline"] if t.fact == "admission_vote")
        assert '<details class="pb-fix" open>' in response.content.decode()
        return entry.correction["form"]

    assert posted(present="9").errors == {"correction_reason": ["请填写更正原因。"]}
    form = posted(present="5", correction_reason="按会议记录更正")
    assert form.errors == {"present": ["应到会有表决权的正式党员10名，实到5名，未超过半数（至少需要6名），表决无效。"]}
    form = posted(votes_for="5", votes_against="3", correction_reason="按会议记录更正")
    assert form.errors["votes_for"][0].startswith("赞成5票，未超过应到会有表决权的正式党员（10名）的半数")
    form = posted(voted_on="2026-12-01", correction_reason="按会议记录更正")
    assert form.errors == {"voted_on": ["支部党员大会日期不能晚于今天。"]}
    form = posted(correction_reason="核对")
    assert form.non_field_errors() == ["与已登记的支部党员大会表决结果（接收预备党员）相同，无需更正。"]

    fresh = DevelopmentRecord.objects.get(pk=record.pk)
    assert (fresh.admission_present, fresh.admission_for, fresh.admission_voted_on) == (8, 7, D(2026, 10, 9))
    assert fresh.history.count() == versions


def test_the_confirmation_vote_is_corrected_until_the_confirmation_is_approved(world: World, as_secretary_a: Client) -> None:
    record = confirmation_vote(world, to_probationary(world, voted_on=D(2025, 6, 2)), D(2026, 6, 5))
    response = as_secretary_a.get(detail(record))
    assert corrections(response) == ["confirmation_vote"]
    data = vote_data(
        "fix-confirmation_vote",
        voted_on="2026-06-05",
        present="9",
        votes_for="8",
        votes_against="0",
        abstentions="1",
        correction_reason="弃权票漏记",
    )
    response = as_secretary_a.post(correct(record, "confirmation_vote"), data, follow=True)
    record.refresh_from_db()
    assert (record.confirmation_for, record.confirmation_abstain) == (8, 1)
    assert "更正支部党员大会表决结果（预备党员转正）：弃权票漏记" in text(response)

    development_confirm(record=record, approved_on=D(2026, 7, 1), actor=world.staff)
    assert corrections(as_secretary_a.get(detail(record))) == []
    response = as_secretary_a.post(correct(record, "confirmation_vote"), {**data, "fix-confirmation_vote-present": "10"})
    assert "陈申请目前是“正式党员”，不能登记转正表决结果。" in text(response)


def test_the_other_recorded_facts_are_corrected_while_their_service_accepts_them(world: World, as_secretary_a: Client) -> None:
    # The talk, until the 积极分子: a late talk corrected to an on-time one loses its exception.
    record = apply(world, applied_on=D(2026, 9, 1))
    as_secretary_a.post(
        step(record, "talk"), {"talk-talked_on": "2026-10-12", "talk-talked_by": "甲支部书记", "talk-reason": "书记外出"}
    )
    response = as_secretary_a.get(detail(record))
    assert corrections(response) == ["talk"]
    form = response.context["timeline"][1].correction["form"]
    assert form.initial == {"talked_on": D(2026, 10, 12), "talked_by": "甲支部书记", "reason": "书记外出"}
    response = as_secretary_a.post(
        correct(record, "talk"),
        {
            "fix-talk-talked_on": "2026-09-25",
            "fix-talk-talked_by": "甲支部书记",
            "fix-talk-reason": "",
            "fix-talk-correction_reason": "谈话日期录入错误",
        },
        follow=True,
    )
    record.refresh_from_db()
    assert (record.talked_on, record.exceptions) == (D(2026, 9, 25), [])
    assert "已更正谈话情况。" in text(response) and 'id="exceptions"' not in response.content.decode()

    # The 政治审查, the training and the 公示 until the 预审; the 预审 until the vote.
    record = to_candidate(world, candidate_on=D(2026, 9, 1), id_number=valid_id_number(D(1992, 2, 2)), name="林对象")
    as_secretary_a.post(
        step(record, "political_review"), {"political_review-reviewed_on": "2026-09-20", "political_review-conclusion": "合格"}
    )
    as_secretary_a.post(step(record, "publicity"), {"publicity-started_on": "2026-10-12", "publicity-ended_on": "2026-10-16"})
    assert corrections(as_secretary_a.get(detail(record))) == ["political_review", "publicity"]
    publicity = {"fix-publicity-started_on": "2026-10-13", "fix-publicity-ended_on": "2026-10-16"}
    response = as_secretary_a.post(correct(record, "publicity"), {**publicity, "fix-publicity-correction_reason": "开始日期有误"})
    assert response.context["timeline"][-1].correction["form"].errors == {
        "ended_on": ["公示期不少于5个工作日：2026年10月13日至2026年10月16日只有4个工作日（按国家法定节假日安排计算）。"]
    }
    publicity["fix-publicity-ended_on"] = "2026-10-19"
    as_secretary_a.post(correct(record, "publicity"), {**publicity, "fix-publicity-correction_reason": "开始日期有误"})
    record.refresh_from_db()
    assert (record.publicity_started_on, record.publicity_ended_on, record.publicity_working_days) == (
        D(2026, 10, 13),
        D(2026, 10, 19),
        5,
    )
    as_secretary_a.post(
        step(record, "training"),
        {"training-started_on": "2026-09-10", "training-ended_on": "2026-09-12", "training-days": "3"},
    )
    as_secretary_a.post(step(record, "pre_review"), {"pre_review-pre_reviewed_on": "2026-10-20"})
    assert corrections(as_secretary_a.get(detail(record))) == ["pre_review"]
    response = as_secretary_a.post(
        correct(record, "publicity"),
        {**publicity, "fix-publicity-ended_on": "2026-10-20", "fix-publicity-correction_reason": "x"},
    )
    assert "党委已预审（2026年10月20日），不能再登记公示。" in text(response)
    response = as_secretary_a.post(
        correct(record, "pre_review"),
        {"fix-pre_review-pre_reviewed_on": "2026-10-21", "fix-pre_review-correction_reason": "以党委会议纪要为准"},
        follow=True,
    )
    record.refresh_from_db()
    assert record.pre_reviewed_on == D(2026, 10, 21)
    assert "更正党委预审日期：以党委会议纪要为准 党委预审日期 2026-10-20 2026-10-21" in text(response)


def test_a_correction_of_a_fact_not_yet_recorded_is_refused(world: World, as_secretary_a: Client) -> None:
    record = apply(world, applied_on=D(2026, 11, 1))
    response = as_secretary_a.post(
        correct(record, "talk"),
        {"fix-talk-talked_on": "2026-11-10", "fix-talk-talked_by": "甲支部书记", "fix-talk-correction_reason": "x"},
    )
    assert response.status_code == 200
    assert response.context["stray_correction"]["form"].non_field_errors() == ["尚未登记谈话情况，请在“下一步”中登记。"]
    record.refresh_from_db()
    assert record.talked_on is None


# --- corrections: who may --------------------------------------------------------------------------


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No role reads a 党支部 without writing it today (access.can_write_org is can_see_org);
    the access module is where such a role would be decided, so it is told so here."""
    monkeypatch.setattr(access, "can_write_org", lambda user, org: False)
    monkeypatch.setattr(development_views, "can_write_org", lambda user, org: False)


def test_corrections_are_404_out_of_scope_and_405_for_get(
    world: World, as_secretary_a: Client, as_secretary_b: Client, as_member_a: Client
) -> None:
    record = to_voted(world, voted_on=D(2026, 10, 9))
    vote_fix = vote_data("fix-admission_vote", present="9", votes_for="8", correction_reason="按会议记录更正")
    person_fix = person_data(record, phone="13900009999", change_reason="换号")
    for client in (as_secretary_b, as_member_a):
        assert client.post(correct(record, "admission_vote"), vote_fix).status_code == 404
        assert client.post(person(record), person_fix).status_code == 404
    assert as_secretary_a.post(correct(record, "nonsense"), vote_fix).status_code == 404
    assert as_secretary_a.get(correct(record, "admission_vote")).status_code == 405
    assert as_secretary_a.get(person(record)).status_code == 405
    assert Client().post(person(record), person_fix).status_code == 302
    record.refresh_from_db()
    assert (record.admission_present, record.phone) == (8, "13800001111")


def test_a_read_only_user_sees_no_correction_and_gets_403(world: World, as_staff: Client, read_only: None) -> None:
    record = to_voted(world, voted_on=D(2026, 10, 9))
    response = as_staff.get(detail(record))
    assert response.status_code == 200
    assert corrections(response) == [] and response.context["person"] is None
    assert "更正表决结果" not in text(response) and "修改个人信息" not in text(response)
    vote_fix = vote_data("fix-admission_vote", present="9", votes_for="8", correction_reason="按会议记录更正")
    assert as_staff.post(correct(record, "admission_vote"), vote_fix).status_code == 403
    assert as_staff.post(person(record), person_data(record, phone="13900009999", change_reason="换号")).status_code == 403
    record.refresh_from_db()
    assert (record.admission_present, record.phone) == (8, "13800001111")


# --- query counts ----------------------------------------------------------------------------------

# Each page: the session and the user, the user's roles, the notifications of the top bar (1) and
# the session's save (3: savepoint, update, release); then the record page: the record (with its roster
# member), its branch, the cultivators, the history (with its users), whatever the stages,
# cultivators and history rows; the pipeline: the organization, the records (with branch and
# roster member) and the current cultivators, whatever the records.
RECORD_PAGE_QUERIES = 11
PIPELINE_QUERIES = 10


def test_the_record_page_runs_the_same_queries_with_every_stage_many_cultivators_and_a_long_history(
    world: World, as_secretary_a: Client, django_assert_num_queries
) -> None:
    few = apply(world, applied_on=D(2026, 11, 1), name="甲少")
    with django_assert_num_queries(RECORD_PAGE_QUERIES):
        response = as_secretary_a.get(detail(few))
    assert len(response.context["timeline"]) == 1 and len(response.context["history"]) == 1

    # Every stage, 转正 included, with a re-recorded vote and corrections on the way (history
    # rows), and ten 培养联系人 over time (some on the roster, some by name).
    record = to_voted(world, voted_on=D(2024, 11, 1), id_number=valid_id_number(D(1990, 1, 1)), name="乙全")
    for i in range(5):
        record = vote(world, record, D(2024, 11, 1), present=8 + i % 2, votes_for=7 + i % 2)
        record = development_person_update(record=record, phone=f"1380000{i:04d}", reason="更正手机号码", actor=world.secretary_a)
    record = development_admission_approve(record=record, approved_on=D(2024, 11, 20), actor=world.staff)
    record = development_probation_extend(
        record=record, decided_on=D(2025, 11, 10), months=6, reason="学习不够深入", actor=world.secretary_a
    )
    record = confirmation_vote(world, record, D(2026, 5, 10))
    record = development_confirm(record=record, approved_on=D(2026, 6, 1), actor=world.staff)
    for i in range(8):
        on = D(2024, 1, 1 + i)
        if i % 2:
            Cultivator.objects.create(record=record, name=f"联系人{i}", assigned_on=on, ended_on=on + datetime.timedelta(days=90))
        else:
            Cultivator.objects.create(record=record, member=MemberFactory(branch=world.branch_a), assigned_on=on)
    with django_assert_num_queries(RECORD_PAGE_QUERIES):
        response = as_secretary_a.get(detail(record))
    assert response.context["record"].stage == DevelopmentStage.FULL
    assert len(response.context["timeline"]) == 13
    assert len(response.context["history"]) > 20
    assert len(response.context["current_cultivators"]) == 6

    # A 发展对象 voted on: every correction form, the person's and the next step's, no query more.
    voted = to_voted(world, voted_on=D(2026, 10, 9), id_number=valid_id_number(D(1991, 1, 1)), name="丙表决")
    with django_assert_num_queries(RECORD_PAGE_QUERIES):
        response = as_secretary_a.get(detail(voted))
    assert corrections(response) == ["admission_vote"] and response.context["person"] is not None


def test_the_pipeline_runs_the_same_queries_for_one_record_and_for_every_stage_in_many_branches(
    world: World, as_staff: Client, django_assert_num_queries
) -> None:
    apply(world, applied_on=D(2026, 11, 1), name="甲一")
    url = f"{PIPELINE}?org={world.committee.pk}&closed=1"
    as_staff.get(url)  # warm the organization picker's cache
    with django_assert_num_queries(PIPELINE_QUERIES) as few:
        response = as_staff.get(url)
    assert response.context["total"] == 1

    def born(i: int) -> str:
        return valid_id_number(D(1980 + i, 1, 1))

    records = [
        to_activist(world, apply(world, applied_on=D(2026, 3, 1), name="乙积极", id_number=born(1))),
        to_candidate(world, candidate_on=D(2026, 9, 1), name="丙对象", id_number=born(2)),
        to_voted(world, voted_on=D(2026, 10, 9), name="丁表决", id_number=born(3)),
        to_probationary(world, voted_on=D(2025, 6, 2), name="戊预备", id_number=born(4)),
        confirmation_vote(world, to_probationary(world, voted_on=D(2024, 6, 3), name="己转正", id_number=born(5)), D(2025, 6, 5)),
    ]
    development_confirm(record=records[-1], approved_on=D(2025, 7, 1), actor=world.staff)
    ended = apply(world, applied_on=D(2026, 10, 1), name="庚终止", id_number=born(6))
    development_terminate(record=ended, ended_on=D(2026, 11, 2), reason="本人撤回申请", actor=world.secretary_a)
    for i in range(12):
        apply(world, applied_on=D(2026, 11, 1 + i), name=f"申请人{i}", id_number=born(10 + i))
    DevelopmentRecord.objects.filter(name__in=["丙对象", "戊预备", "申请人3", "申请人4"]).update(branch=world.branch_b)
    with django_assert_num_queries(len(few.captured_queries)):
        response = as_staff.get(url)
    assert response.context["total"] == 19
    assert {s["stage"]: len(s["rows"]) for s in response.context["stages"]} == {
        "applicant": 13,
        "activist": 1,
        "candidate": 2,
        "probationary": 1,
        "full": 1,
        "terminated": 1,
        "disqualified": 0,
        "transferred_out": 0,
    }
    page = text(response)
    assert "第二党支部" in page and "张党员、孙联系" in page
