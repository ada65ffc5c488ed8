"""发展党员: every rule at its boundary (the day before, the day of, the day after), the refusals and
the exceptions recorded with a reason, the roster member created on admission and updated on 转正,
the history, the pipeline and the deadlines for the reminder job.

"Today" is 2026-11-20 throughout (time_machine): the installed chinese_calendar covers 2004–2026.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured, ValidationError

from branches.models import Organization, OrgKind
from members.development.models import Cultivator, DevelopmentRecord, DevelopmentRule, DevelopmentStage, RuleKey
from members.development.selectors import DeadlineKind, development_deadlines, development_pipeline
from members.development.services import (
    development_activist_record,
    development_admission_approve,
    development_admission_vote_record,
    development_apply,
    development_candidate_record,
    development_confirm,
    development_confirmation_vote_record,
    development_person_update,
    development_political_review_record,
    development_pre_review_record,
    development_probation_cancel,
    development_probation_extend,
    development_publicity_record,
    development_talk_record,
    development_terminate,
    development_training_record,
    working_days,
)
from members.roster.choices import MemberState, MemberType
from members.roster.models import Member
from partybuild.periods import add_months, add_years
from tests.conftest import World
from tests.factories import MemberFactory, make_org, valid_id_number

D = datetime.date
DAY = datetime.timedelta(days=1)
TODAY = D(2026, 11, 20)
APPLIED_ON = D(2024, 3, 1)
BORN = D(1995, 5, 5)
ADMITTED_ON = D(2025, 6, 2)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def refused(exc_info: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc_info.value.message_dict


# --- building records stage by stage --------------------------------------------------------------


def apply(world: World, *, applied_on: datetime.date = APPLIED_ON, birth: datetime.date = BORN, **fields: Any):
    values: dict[str, Any] = {
        "name": "陈申请",
        "id_number": valid_id_number(birth),
        "ethnicity": "回族",
        "education": "undergraduate",
        "phone": "13800001111",
        "work_unit_position": "测试局办公室 科员",
    }
    values.update(fields)
    return development_apply(branch=world.branch_a, applied_on=applied_on, actor=world.secretary_a, **values)


def to_activist(world: World, record: DevelopmentRecord, activist_on: datetime.date | None = None) -> DevelopmentRecord:
    talked_on = record.applied_on + 10 * DAY
    record = development_talk_record(record=record, talked_on=talked_on, talked_by="甲支部书记", actor=world.secretary_a)
    return development_activist_record(
        record=record,
        activist_on=activist_on or talked_on + 20 * DAY,
        cultivators=[world.member_a, "孙联系"],
        actor=world.secretary_a,
    )


def to_candidate(world: World, *, candidate_on: datetime.date, **fields: Any) -> DevelopmentRecord:
    activist_on = add_years(candidate_on, -1) - 5 * DAY
    record = apply(world, applied_on=activist_on - 40 * DAY, **fields)
    record = to_activist(world, record, activist_on=activist_on)
    return development_candidate_record(record=record, candidate_on=candidate_on, actor=world.secretary_a)


def to_pre_reviewed(world: World, *, pre_reviewed_on: datetime.date, **fields: Any) -> DevelopmentRecord:
    record = to_candidate(world, candidate_on=pre_reviewed_on - 50 * DAY, **fields)
    actor = world.secretary_a
    record = development_political_review_record(
        record=record, reviewed_on=pre_reviewed_on - 45 * DAY, conclusion="合格", actor=actor
    )
    record = development_training_record(
        record=record, started_on=pre_reviewed_on - 40 * DAY, ended_on=pre_reviewed_on - 38 * DAY, days=3, actor=actor
    )
    record = development_publicity_record(
        record=record, started_on=pre_reviewed_on - 30 * DAY, ended_on=pre_reviewed_on - 10 * DAY, actor=actor
    )
    return development_pre_review_record(record=record, pre_reviewed_on=pre_reviewed_on, actor=actor)


def vote(world: World, record: DevelopmentRecord, voted_on: datetime.date, **numbers: int) -> DevelopmentRecord:
    counts = {"entitled": 10, "present": 8, "votes_for": 7, "votes_against": 1, "abstentions": 0, **numbers}
    return development_admission_vote_record(record=record, voted_on=voted_on, actor=world.secretary_a, **counts)


def to_voted(world: World, *, voted_on: datetime.date, **fields: Any) -> DevelopmentRecord:
    record = to_pre_reviewed(world, pre_reviewed_on=voted_on - 5 * DAY, **fields)
    return vote(world, record, voted_on)


def to_probationary(world: World, *, voted_on: datetime.date = ADMITTED_ON, **fields: Any) -> DevelopmentRecord:
    record = to_voted(world, voted_on=voted_on, **fields)
    return development_admission_approve(record=record, approved_on=voted_on + 18 * DAY, actor=world.staff)


def confirmation_vote(world: World, record: DevelopmentRecord, voted_on: datetime.date, **numbers: int) -> DevelopmentRecord:
    counts = {"entitled": 10, "present": 9, "votes_for": 9, "votes_against": 0, "abstentions": 0, **numbers}
    return development_confirmation_vote_record(record=record, voted_on=voted_on, actor=world.secretary_a, **counts)


# --- the rule table --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_rule_numbers_are_seeded_as_data() -> None:
    rules = {r.key: (r.value, r.unit) for r in DevelopmentRule.objects.all()}
    assert rules == {
        "min_age": (18, "year"),
        "talk_within": (1, "month"),
        "cultivators_min": (1, "person"),
        "cultivators_max": (2, "person"),
        "activist_min": (1, "year"),
        "training_min_days": (3, "day"),
        "training_min_hours": (24, "class_hour"),
        "publicity_min": (5, "working_day"),
        "approval_within": (3, "month"),
        "approval_within_special": (6, "month"),
        "probation": (1, "year"),
        "extension_min": (6, "month"),
        "extension_max": (12, "month"),
        "extension_times": (1, "times"),
    }
    assert all(r.basis for r in DevelopmentRule.objects.all())


def test_the_services_read_the_numbers_from_the_table(world: World) -> None:
    DevelopmentRule.objects.filter(key=RuleKey.TALK_WITHIN).update(value=20, unit="day")
    record = apply(world, applied_on=D(2026, 3, 1))
    assert record.talk_due_on == D(2026, 3, 21)

    DevelopmentRule.objects.filter(key=RuleKey.PUBLICITY_MIN).update(value=3)
    candidate = to_candidate(world, candidate_on=D(2026, 11, 2))
    # 2026-11-04 (Wed) to 11-06 (Fri): 3 working days, enough under the changed rule.
    development_publicity_record(record=candidate, started_on=D(2026, 11, 4), ended_on=D(2026, 11, 6), actor=world.secretary_a)


def test_a_missing_rule_is_a_configuration_error_not_a_silent_default(world: World) -> None:
    DevelopmentRule.objects.filter(key=RuleKey.MIN_AGE).delete()
    with pytest.raises(ImproperlyConfigured, match="申请入党最低年龄"):
        apply(world)


@pytest.mark.django_db
def test_a_rule_accepts_only_the_units_it_can_be_read_in() -> None:
    rule = DevelopmentRule.objects.get(key=RuleKey.PUBLICITY_MIN)
    rule.unit = "month"
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert refused(exc) == {"unit": ["该规则的单位只能是：个工作日、天。"]}


# --- 入党申请人: age, the person, the talk ------------------------------------------------------------


@pytest.mark.parametrize(
    ("applied_on", "accepted"),
    [(D(2026, 3, 1), False), (D(2026, 3, 2), True), (D(2026, 3, 3), True)],
    ids=["day-before-18th-birthday", "18th-birthday", "day-after"],
)
def test_an_applicant_must_be_18_on_the_application_date(world: World, applied_on: datetime.date, accepted: bool) -> None:
    birth = D(2008, 3, 2)
    if accepted:
        record = apply(world, applied_on=applied_on, birth=birth)
        assert record.stage == DevelopmentStage.APPLICANT
        assert record.age_on(applied_on) == 18
        return
    with pytest.raises(ValidationError) as exc:
        apply(world, applied_on=applied_on, birth=birth, name="少年")
    assert refused(exc) == {
        "applied_on": ["申请入党须年满18周岁：少年出生于2008年3月2日，2026年3月2日方年满18周岁，入党申请日期2026年3月1日时未满。"]
    }
    assert not DevelopmentRecord.objects.exists()


def test_the_application_takes_birth_date_and_gender_from_the_id_number(world: World) -> None:
    number = valid_id_number(D(1999, 12, 31))
    record = development_apply(
        branch=world.branch_a, applied_on=D(2026, 5, 4), actor=world.secretary_a, name=" 周申请 ", id_number=number.lower()
    )
    record.refresh_from_db()
    assert (record.name, record.id_number, record.birth_date) == ("周申请", number, D(1999, 12, 31))
    assert record.gender == ("M" if int(number[16]) % 2 else "F")
    assert record.talk_due_on == D(2026, 6, 4)
    assert record.created_by == world.secretary_a


def test_the_application_refuses_a_bad_id_number_a_mismatched_birth_date_and_a_non_branch(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        apply(world, id_number="110101199505050000")
    assert refused(exc)["id_number"] == ["公民身份号码校验位不正确，请核对。"]

    with pytest.raises(ValidationError) as exc:
        apply(world, id_number="1101011995")
    assert refused(exc) == {"id_number": ["公民身份号码应为18位，当前为10位。"]}

    with pytest.raises(ValidationError) as exc:
        apply(world, birth_date=D(1995, 5, 6))
    assert refused(exc)["birth_date"] == ["出生日期与公民身份号码不符（号码中为1995-05-05）。"]

    with pytest.raises(ValidationError) as exc:
        development_apply(
            branch=world.committee,
            applied_on=D(2026, 5, 4),
            actor=world.staff,
            name="某",
            id_number=valid_id_number(D(1990, 1, 1)),
        )
    assert refused(exc)["branch"] == ["入党申请须由党支部受理，请选择党支部。"]

    with pytest.raises(ValidationError) as exc:
        apply(world, applied_on=TODAY + DAY)
    assert refused(exc)["applied_on"] == ["入党申请日期不能晚于今天。"]


def test_one_open_record_per_person_and_none_for_a_member_on_the_roster(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        apply(world, id_number=world.member_b.id_number, birth_date=world.member_b.birth_date)
    assert refused(exc)["id_number"] == ["该公民身份号码已在党员花名册中，不能登记入党申请。"]

    first = apply(world, applied_on=D(2026, 1, 5))
    with pytest.raises(ValidationError) as exc:
        apply(world, applied_on=D(2026, 2, 5), id_number=first.id_number)
    # Said once: the database constraint behind the same rule does not repeat it above the form.
    assert refused(exc) == {"id_number": ["该公民身份号码已有正在进行的发展党员记录。"]}

    development_terminate(record=first, ended_on=D(2026, 3, 1), reason="本人撤回申请", actor=world.secretary_a)
    again = apply(world, applied_on=D(2026, 4, 5), id_number=first.id_number)
    assert DevelopmentRecord.objects.filter(id_number=first.id_number).count() == 2
    assert again.stage == DevelopmentStage.APPLICANT


def test_the_person_is_corrected_on_the_record_until_admission(world: World) -> None:
    record = apply(world, applied_on=D(2026, 3, 1))
    record = development_person_update(record=record, phone="１３９ ００００ ２２２２", reason="换号", actor=world.secretary_a)
    assert record.phone == "13900002222"

    with pytest.raises(ValidationError) as exc:
        development_person_update(
            record=record, id_number=valid_id_number(D(2008, 3, 2)), reason="号码有误", actor=world.secretary_a
        )
    assert "申请入党须年满18周岁" in refused(exc)["applied_on"][0]

    probationer = to_probationary(world)
    with pytest.raises(ValidationError) as exc:
        development_person_update(record=probationer, phone="13911112222", reason="换号", actor=world.secretary_a)
    assert refused(exc) == {"__all__": ["已列入党员花名册，个人信息请在党员档案中修改。"]}


@pytest.mark.parametrize(
    ("talked_on", "on_time"),
    [(D(2026, 3, 31), True), (D(2026, 4, 1), True), (D(2026, 4, 2), False)],
    ids=["day-30", "day-31-the-due-date", "day-32"],
)
def test_the_talk_is_due_within_one_month_of_the_application(world: World, talked_on: datetime.date, on_time: bool) -> None:
    record = apply(world, applied_on=D(2026, 3, 1))
    assert record.talk_due_on == D(2026, 4, 1)
    if on_time:
        record = development_talk_record(record=record, talked_on=talked_on, talked_by="甲支部书记", actor=world.secretary_a)
        assert record.talked_on == talked_on
        assert record.exceptions == []
        return
    with pytest.raises(ValidationError) as exc:
        development_talk_record(record=record, talked_on=talked_on, talked_by="甲支部书记", actor=world.secretary_a)
    assert refused(exc) == {
        "reason": ["党组织应在收到入党申请后1个月内派人谈话（2026年4月1日前），谈话日期2026年4月2日已超过期限，请说明原因。"]
    }
    record.refresh_from_db()
    assert record.talked_on is None


def test_a_late_talk_is_recorded_as_an_exception_with_its_reason(world: World) -> None:
    # Applied on 31 January: one month later is 28 February; 1 March is late.
    record = apply(world, applied_on=D(2026, 1, 31))
    assert record.talk_due_on == D(2026, 2, 28)
    record = development_talk_record(
        record=record, talked_on=D(2026, 3, 1), talked_by="甲支部书记", reason="书记外出学习", actor=world.secretary_a
    )
    record.refresh_from_db()
    assert record.talked_on == D(2026, 3, 1)
    assert record.exceptions == [
        {
            "rule": "talk_within",
            "rule_label": "收到入党申请后谈话期限",
            "detail": "谈话日期2026年3月1日晚于期限2026年2月28日",
            "reason": "书记外出学习",
            "on": "2026-03-01",
            "recorded_on": "2026-11-20",
        }
    ]
    assert record.history.first().history_change_reason == "登记谈话情况（超过期限）"


def test_a_talk_recorded_again_replaces_the_one_before_and_its_exception(world: World) -> None:
    record = apply(world, applied_on=D(2026, 1, 31))
    late = {"talked_by": "甲支部书记", "actor": world.secretary_a}
    record = development_talk_record(record=record, talked_on=D(2026, 3, 1), reason="书记外出学习", **late)
    record = development_talk_record(record=record, talked_on=D(2026, 3, 2), reason="书记外出学习两天", **late)
    assert [(e["on"], e["reason"]) for e in record.exceptions] == [("2026-03-02", "书记外出学习两天")]
    # Corrected to a date within the month: no exception is left.
    record = development_talk_record(record=record, talked_on=D(2026, 2, 27), **late)
    record.refresh_from_db()
    assert (record.talked_on, record.exceptions) == (D(2026, 2, 27), [])


def test_the_talk_needs_a_talker_and_a_date_after_the_application(world: World) -> None:
    record = apply(world, applied_on=D(2026, 3, 10))
    with pytest.raises(ValidationError) as exc:
        development_talk_record(record=record, talked_on=D(2026, 3, 9), talked_by=" ", actor=world.secretary_a)
    assert refused(exc) == {
        "talked_on": ["谈话日期不能早于入党申请日期（2026年3月10日）。"],
        "talked_by": ["请填写谈话人。"],
    }


# --- 入党积极分子 ------------------------------------------------------------------------------------


def test_an_activist_needs_the_talk_first(world: World) -> None:
    record = apply(world, applied_on=D(2026, 3, 1))
    with pytest.raises(ValidationError) as exc:
        development_activist_record(record=record, activist_on=D(2026, 4, 1), cultivators=["孙联系"], actor=world.secretary_a)
    assert refused(exc) == {"activist_on": ["请先登记与入党申请人的谈话情况。"]}


@pytest.mark.parametrize(("count", "accepted"), [(0, False), (1, True), (2, True), (3, False)])
def test_an_activist_has_one_or_two_cultivators(world: World, count: int, accepted: bool) -> None:
    record = apply(world, applied_on=D(2026, 3, 1))
    record = development_talk_record(record=record, talked_on=D(2026, 3, 5), talked_by="甲支部书记", actor=world.secretary_a)
    cultivators: list[Member | str] = [world.member_a, "孙联系", world.member_a2][:count]
    if accepted:
        record = development_activist_record(
            record=record, activist_on=D(2026, 4, 1), cultivators=cultivators, actor=world.secretary_a
        )
        assert record.stage == DevelopmentStage.ACTIVIST
        assert record.candidate_eligible_on == D(2027, 4, 1)
        assert Cultivator.objects.filter(record=record, ended_on__isnull=True).count() == count
        return
    with pytest.raises(ValidationError) as exc:
        development_activist_record(record=record, activist_on=D(2026, 4, 1), cultivators=cultivators, actor=world.secretary_a)
    assert refused(exc) == {"cultivators": [f"应指定1至2名正式党员作培养联系人，当前为{count}名。"]}
    assert not Cultivator.objects.exists()


def test_a_cultivator_on_the_roster_must_be_a_full_member(world: World) -> None:
    probationer = MemberFactory(branch=world.branch_a, name="钱预备", member_type=MemberType.PROBATIONARY, confirmed_on=None)
    record = apply(world, applied_on=D(2026, 3, 1))
    record = development_talk_record(record=record, talked_on=D(2026, 3, 5), talked_by="甲支部书记", actor=world.secretary_a)
    with pytest.raises(ValidationError) as exc:
        development_activist_record(record=record, activist_on=D(2026, 4, 1), cultivators=[probationer], actor=world.secretary_a)
    assert refused(exc) == {"cultivators": ["钱预备不是在册的正式党员，不能担任培养联系人。"]}


# --- 发展对象 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("candidate_on", "accepted"),
    [(D(2026, 3, 9), False), (D(2026, 3, 10), True), (D(2026, 3, 11), True)],
    ids=["day-before-one-year", "exactly-one-year", "day-after"],
)
def test_an_activist_is_cultivated_a_year_before_becoming_a_candidate(
    world: World, candidate_on: datetime.date, accepted: bool
) -> None:
    record = to_activist(world, apply(world, applied_on=D(2025, 2, 1)), activist_on=D(2025, 3, 10))
    assert record.candidate_eligible_on == D(2026, 3, 10)
    if accepted:
        record = development_candidate_record(record=record, candidate_on=candidate_on, actor=world.secretary_a)
        assert record.stage == DevelopmentStage.CANDIDATE
        return
    with pytest.raises(ValidationError) as exc:
        development_candidate_record(record=record, candidate_on=candidate_on, actor=world.secretary_a)
    assert refused(exc) == {
        "candidate_on": [
            "入党积极分子须经过1年以上的培养教育和考察方可列为发展对象：陈申请于2025年3月10日确定为入党积极分子，"
            "2026年3月10日起方可列为发展对象。"
        ]
    }
    record.refresh_from_db()
    assert record.stage == DevelopmentStage.ACTIVIST


def test_the_political_review_follows_the_candidacy_and_has_a_conclusion(world: World) -> None:
    record = to_candidate(world, candidate_on=D(2026, 5, 10))
    with pytest.raises(ValidationError) as exc:
        development_political_review_record(record=record, reviewed_on=D(2026, 5, 9), conclusion="", actor=world.secretary_a)
    assert refused(exc) == {
        "reviewed_on": ["政治审查日期不能早于确定为发展对象日期（2026年5月10日）。"],
        "conclusion": ["请填写政治审查结论。"],
    }


@pytest.mark.parametrize(
    ("days", "hours", "error"),
    [
        (2, None, {"days": ["发展对象短期集中培训时间不少于3天（或不少于24学时），本次培训为2天。"]}),
        (None, 23, {"class_hours": ["发展对象短期集中培训时间不少于3天（或不少于24学时），本次培训为23学时。"]}),
        (2, 23, {"days": ["发展对象短期集中培训时间不少于3天（或不少于24学时），本次培训为2天、23学时。"]}),
        (3, None, None),
        (None, 24, None),
        (2, 24, None),
        (None, None, {"days": ["请填写培训天数或学时。"]}),
        (6, None, {"days": ["培训天数不能多于起止日期之间的5天。"]}),
    ],
)
def test_the_training_lasts_three_days_or_24_class_hours(
    world: World, days: int | None, hours: int | None, error: dict[str, list[str]] | None
) -> None:
    record = to_candidate(world, candidate_on=D(2026, 5, 10))
    kwargs = {"record": record, "started_on": D(2026, 6, 1), "ended_on": D(2026, 6, 5), "days": days, "class_hours": hours}
    if error is None:
        record = development_training_record(actor=world.secretary_a, **kwargs)
        assert (record.training_days, record.training_hours) == (days, hours)
        return
    with pytest.raises(ValidationError) as exc:
        development_training_record(actor=world.secretary_a, **kwargs)
    assert refused(exc) == error


def test_working_days_follow_the_national_holiday_schedule() -> None:
    assert working_days(D(2026, 11, 2), D(2026, 11, 8)) == 5  # Mon–Sun
    assert working_days(D(2026, 10, 1), D(2026, 10, 7)) == 0  # 国庆节
    assert working_days(D(2026, 11, 7), D(2026, 11, 7)) == 0
    # A year the calendar does not cover yet: Monday to Friday.
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2030, 1, 7))
    assert working_days(D(2030, 1, 7), D(2030, 1, 13)) == 5


def _publicity(world: World, record: DevelopmentRecord, start: datetime.date, end: datetime.date) -> DevelopmentRecord:
    return development_publicity_record(record=record, started_on=start, ended_on=end, actor=world.secretary_a)


def test_the_publicity_lasts_five_working_days_across_a_weekend(world: World) -> None:
    record = to_candidate(world, candidate_on=D(2026, 10, 20))
    start = D(2026, 11, 4)  # a Wednesday; Wed Thu Fri, (Sat Sun), Mon Tue
    assert [chinese_calendar.is_workday(start + i * DAY) for i in range(7)] == [True, True, True, False, False, True, True]
    with pytest.raises(ValidationError) as exc:
        _publicity(world, record, start, D(2026, 11, 9))
    assert refused(exc) == {
        "ended_on": ["公示期不少于5个工作日：2026年11月4日至2026年11月9日只有4个工作日（按国家法定节假日安排计算）。"]
    }
    record = _publicity(world, record, start, D(2026, 11, 10))
    assert record.publicity_working_days == 5
    record = _publicity(world, record, start, D(2026, 11, 11))
    assert record.publicity_working_days == 6


def test_the_publicity_across_national_day_counts_only_working_days(world: World) -> None:
    # Check the calendar rather than assume it: 1–7 October 2026 off, the 8th a working day.
    assert all(chinese_calendar.is_holiday(D(2026, 10, day)) for day in range(1, 8))
    assert chinese_calendar.is_workday(D(2026, 10, 8))
    record = to_candidate(world, candidate_on=D(2026, 9, 1))
    start = D(2026, 9, 28)  # Mon: 28, 29, 30 September, then 8 and 9 October
    with pytest.raises(ValidationError) as exc:
        _publicity(world, record, start, D(2026, 10, 8))
    assert "只有4个工作日" in refused(exc)["ended_on"][0]
    assert _publicity(world, record, start, D(2026, 10, 9)).publicity_working_days == 5


def test_a_make_up_working_day_counts(world: World) -> None:
    saturday = D(2026, 10, 10)
    assert saturday.weekday() == 5
    assert chinese_calendar.is_workday(saturday)  # 调休 after National Day
    assert not chinese_calendar.is_workday(D(2026, 10, 11))
    record = to_candidate(world, candidate_on=D(2026, 9, 1))
    start = D(2026, 10, 9)  # Fri 9, Sat 10 (make-up), Mon 12, Tue 13, Wed 14
    with pytest.raises(ValidationError) as exc:
        _publicity(world, record, start, D(2026, 10, 13))
    assert "只有4个工作日" in refused(exc)["ended_on"][0]
    assert _publicity(world, record, start, D(2026, 10, 14)).publicity_working_days == 5


def test_a_running_publicity_may_end_after_today_but_not_start_after_it(world: World) -> None:
    record = to_candidate(world, candidate_on=D(2026, 10, 20))
    record = _publicity(world, record, D(2026, 11, 18), D(2026, 11, 24))
    assert record.publicity_ended_on == D(2026, 11, 24)
    with pytest.raises(ValidationError) as exc:
        _publicity(world, record, TODAY + DAY, D(2026, 12, 8))
    assert refused(exc) == {"started_on": ["公示开始日期不能晚于今天。"]}


def test_the_pre_review_needs_review_training_and_publicity_done(world: World) -> None:
    record = to_candidate(world, candidate_on=D(2026, 5, 10))
    with pytest.raises(ValidationError) as exc:
        development_pre_review_record(record=record, pre_reviewed_on=D(2026, 7, 1), actor=world.secretary_a)
    assert refused(exc) == {"pre_reviewed_on": ["党委预审前须完成政治审查、集中培训和公示，尚未登记：政治审查、集中培训、公示。"]}


@pytest.mark.parametrize(
    ("pre_reviewed_on", "accepted"),
    [(D(2026, 6, 19), False), (D(2026, 6, 20), False), (D(2026, 6, 21), True)],
    ids=["during", "last-day-of-publicity", "day-after"],
)
def test_the_pre_review_comes_after_the_publicity_ends(world: World, pre_reviewed_on: datetime.date, accepted: bool) -> None:
    record = to_candidate(world, candidate_on=D(2026, 5, 10))
    actor = world.secretary_a
    development_political_review_record(record=record, reviewed_on=D(2026, 5, 20), conclusion="合格", actor=actor)
    development_training_record(record=record, started_on=D(2026, 6, 1), ended_on=D(2026, 6, 3), days=3, actor=actor)
    _publicity(world, record, D(2026, 6, 8), D(2026, 6, 20))
    if accepted:
        record = development_pre_review_record(record=record, pre_reviewed_on=pre_reviewed_on, actor=actor)
        assert record.pre_reviewed_on == pre_reviewed_on
        return
    with pytest.raises(ValidationError) as exc:
        development_pre_review_record(record=record, pre_reviewed_on=pre_reviewed_on, actor=actor)
    assert refused(exc) == {"pre_reviewed_on": ["党委预审须在公示期结束（2026年6月20日）后进行。"]}


def test_the_facts_the_pre_review_relied_on_are_not_rewritten_after_it(world: World) -> None:
    record = to_pre_reviewed(world, pre_reviewed_on=D(2026, 7, 1))
    with pytest.raises(ValidationError) as exc:
        _publicity(world, record, D(2026, 6, 1), D(2026, 6, 12))
    assert refused(exc) == {"__all__": ["党委已预审（2026年7月1日），不能再登记公示。"]}
    record = vote(world, record, D(2026, 7, 10))
    with pytest.raises(ValidationError) as exc:
        development_pre_review_record(record=record, pre_reviewed_on=D(2026, 7, 2), actor=world.secretary_a)
    assert refused(exc) == {"__all__": ["支部党员大会已表决（2026年7月10日），不能再登记党委预审。"]}


# --- the 支部党员大会 vote ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numbers", "error"),
    [
        (
            {"entitled": 10, "present": 5, "votes_for": 5},
            {"present": ["应到会有表决权的正式党员10名，实到5名，未超过半数（至少需要6名），表决无效。"]},
        ),
        ({"entitled": 10, "present": 6, "votes_for": 6, "votes_against": 0}, None),
        ({"entitled": 9, "present": 5, "votes_for": 5, "votes_against": 0}, None),
        (
            {"entitled": 9, "present": 4, "votes_for": 4, "votes_against": 0},
            {"present": ["应到会有表决权的正式党员9名，实到4名，未超过半数（至少需要5名），表决无效。"]},
        ),
        (
            {"entitled": 10, "present": 10, "votes_for": 5, "votes_against": 5},
            {"votes_for": ["赞成5票，未超过应到会有表决权的正式党员（10名）的半数（至少需要6票），不能通过接收预备党员的决议。"]},
        ),
        # 'for' counts against the entitled, not those present: 5 of 6 present is not enough of 10.
        (
            {"entitled": 10, "present": 6, "votes_for": 5, "votes_against": 0, "abstentions": 1},
            {"votes_for": ["赞成5票，未超过应到会有表决权的正式党员（10名）的半数（至少需要6票），不能通过接收预备党员的决议。"]},
        ),
        ({"entitled": 10, "present": 11, "votes_for": 9}, {"present": ["实到会人数（11名）不能多于应到会人数（10名）。"]}),
        (
            {"entitled": 10, "present": 7, "votes_for": 6, "votes_against": 1, "abstentions": 1},
            {"votes_for": ["赞成、反对、弃权合计8票，多于实到会的7名有表决权的正式党员。"]},
        ),
        (
            {"entitled": 0, "present": 0, "votes_for": 0, "votes_against": 0},
            {"entitled": ["应到会有表决权的正式党员人数须大于0。"]},
        ),
        ({"votes_against": -1}, {"votes_against": ["反对票数不能为负数。"]}),
    ],
)
def test_the_vote_needs_a_quorum_and_more_than_half_of_the_entitled_for(
    world: World, numbers: dict[str, int], error: dict[str, list[str]] | None
) -> None:
    record = to_pre_reviewed(world, pre_reviewed_on=D(2026, 7, 1))
    if error is None:
        record = vote(world, record, D(2026, 7, 10), **numbers)
        assert record.admission_voted_on == D(2026, 7, 10)
        assert record.admission_for == numbers["votes_for"]
        assert record.approval_due_on == D(2026, 10, 10)
        return
    with pytest.raises(ValidationError) as exc:
        vote(world, record, D(2026, 7, 10), **numbers)
    assert refused(exc) == error
    record.refresh_from_db()
    assert record.admission_voted_on is None


def test_the_vote_follows_the_pre_review(world: World) -> None:
    record = to_candidate(world, candidate_on=D(2026, 5, 10))
    with pytest.raises(ValidationError) as exc:
        vote(world, record, D(2026, 7, 10))
    assert refused(exc) == {"voted_on": ["支部党员大会讨论前须经党委预审，请先登记预审。"]}


# --- the 党委's approval: 3 months, 6 with a reason --------------------------------------------------


@pytest.mark.parametrize(
    ("approved_on", "reason", "outcome"),
    [
        (D(2026, 4, 14), "", "ok"),
        (D(2026, 4, 15), "", "ok"),  # exactly 3 months
        (D(2026, 4, 16), "", "needs-reason"),  # 3 months + 1 day
        (D(2026, 4, 16), "党委换届，审批会议顺延", "exception"),
        (D(2026, 7, 15), "党委换届，审批会议顺延", "exception"),  # exactly 6 months
        (D(2026, 7, 16), "党委换届，审批会议顺延", "too-late"),
    ],
)
def test_the_committee_approves_within_three_months_or_six_with_a_reason(
    world: World, approved_on: datetime.date, reason: str, outcome: str
) -> None:
    record = to_voted(world, voted_on=D(2026, 1, 15))
    assert record.approval_due_on == D(2026, 4, 15)
    if outcome in ("ok", "exception"):
        record = development_admission_approve(record=record, approved_on=approved_on, reason=reason, actor=world.staff)
        record.refresh_from_db()
        assert record.stage == DevelopmentStage.PROBATIONARY
        assert record.approved_on == approved_on
        expected = (
            []
            if outcome == "ok"
            else [
                {
                    "rule": "approval_within",
                    "rule_label": "党委审批期限",
                    "detail": f"接收预备党员的审批日期{approved_on.year}年{approved_on.month}月{approved_on.day}日晚于3个月期限2026年4月15日",
                    "reason": reason,
                    "on": approved_on.isoformat(),
                    "recorded_on": "2026-11-20",
                }
            ]
        )
        assert record.exceptions == expected
        return
    with pytest.raises(ValidationError) as exc:
        development_admission_approve(record=record, approved_on=approved_on, reason=reason, actor=world.staff)
    if outcome == "needs-reason":
        assert refused(exc) == {"reason": ["接收预备党员的审批已超过3个月期限（应于2026年4月15日前审批），须说明特殊情况。"]}
    else:
        assert refused(exc) == {
            "approved_on": [
                "党委应在支部党员大会通过接收预备党员后3个月内审批，因特殊情况延长的最长不超过6个月（2026年7月15日前），2026年7月16日已超过期限。"
            ]
        }
    record.refresh_from_db()
    assert record.stage == DevelopmentStage.CANDIDATE
    assert not Member.objects.filter(id_number=record.id_number).exists()


def test_admission_creates_exactly_one_roster_member_with_the_facts(world: World) -> None:
    before = Member.objects.count()
    record = to_voted(world, voted_on=D(2026, 1, 15), name="吴发展", phone="13700009999", education="postgraduate")
    record = development_admission_approve(record=record, approved_on=D(2026, 2, 10), actor=world.staff)

    assert Member.objects.count() == before + 1
    member = Member.objects.get(id_number=record.id_number)
    assert record.member == member
    assert (member.name, member.gender, member.birth_date) == ("吴发展", record.gender, record.birth_date)
    assert (member.ethnicity, member.education, member.phone) == ("回族", "postgraduate", "13700009999")
    assert member.work_unit_position == "测试局办公室 科员"
    assert (member.member_type, member.joined_on, member.confirmed_on) == (MemberType.PROBATIONARY, D(2026, 1, 15), None)
    assert member.branch == world.branch_a
    assert member.state == MemberState.NORMAL
    assert record.probation_ends_on == D(2027, 1, 15)
    created = member.history.get()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        world.staff,
        "发展党员：党委审批接收为预备党员",
    )


def test_admission_is_all_or_nothing_when_the_roster_refuses_the_person(world: World) -> None:
    record = to_voted(world, voted_on=D(2026, 1, 15))
    # Someone put the person on the roster by hand in the meantime.
    MemberFactory(branch=world.branch_b, id_number=record.id_number, birth_date=record.birth_date, gender=record.gender)
    with pytest.raises(ValidationError) as exc:
        development_admission_approve(record=record, approved_on=D(2026, 2, 10), actor=world.staff)
    assert refused(exc) == {"id_number": ["该公民身份号码已登记，不能重复录入。"]}
    record.refresh_from_db()
    assert (record.stage, record.member, record.approved_on) == (DevelopmentStage.CANDIDATE, None, None)


# --- 预备期, extension, 转正 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("voted_on", "accepted"),
    [(D(2026, 6, 1), False), (D(2026, 6, 2), True), (D(2026, 6, 3), True)],
    ids=["day-before-end", "end-of-probation", "day-after"],
)
def test_the_confirmation_vote_comes_when_the_year_of_probation_ends(
    world: World, voted_on: datetime.date, accepted: bool
) -> None:
    record = to_probationary(world, voted_on=D(2025, 6, 2))
    assert record.probation_ends_on == D(2026, 6, 2)
    if accepted:
        record = confirmation_vote(world, record, voted_on)
        assert record.confirmation_approval_due_on == D(2026, 9, voted_on.day)
        return
    with pytest.raises(ValidationError) as exc:
        confirmation_vote(world, record, voted_on)
    assert refused(exc) == {"voted_on": ["预备期至2026年6月2日届满，届满后方可讨论转正。"]}


def test_the_confirmation_vote_needs_a_majority_too(world: World) -> None:
    record = to_probationary(world)
    with pytest.raises(ValidationError) as exc:
        confirmation_vote(world, record, D(2026, 6, 5), entitled=10, present=9, votes_for=5, votes_against=4)
    assert refused(exc) == {
        "votes_for": [
            "赞成5票，未超过应到会有表决权的正式党员（10名）的半数（至少需要6票），不能通过预备党员转为正式党员的决议。"
        ]
    }


def test_confirmation_makes_the_roster_member_a_full_member(world: World) -> None:
    record = to_probationary(world, voted_on=D(2025, 6, 2))
    member = record.member
    record = confirmation_vote(world, record, D(2026, 6, 5))
    record = development_confirm(record=record, approved_on=D(2026, 6, 20), actor=world.staff)
    member.refresh_from_db()
    assert record.stage == DevelopmentStage.FULL
    assert (member.member_type, member.joined_on, member.confirmed_on) == (MemberType.FULL, D(2025, 6, 2), D(2026, 6, 2))
    assert Member.objects.filter(id_number=record.id_number).count() == 1
    latest = member.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.member_type) == (world.staff, "预备党员转正", "full")


def test_a_late_confirmation_approval_needs_a_reason_and_is_recorded(world: World) -> None:
    record = to_probationary(world, voted_on=D(2025, 6, 2))
    record = confirmation_vote(world, record, D(2026, 6, 5))
    assert record.confirmation_approval_due_on == D(2026, 9, 5)
    with pytest.raises(ValidationError) as exc:
        development_confirm(record=record, approved_on=D(2026, 9, 6), actor=world.staff)
    assert refused(exc) == {"reason": ["预备党员转正的审批已超过3个月期限（应于2026年9月5日前审批），须说明特殊情况。"]}
    record = development_confirm(record=record, approved_on=D(2026, 9, 6), reason="档案材料补充", actor=world.staff)
    assert [(e["rule"], e["reason"], e["on"]) for e in record.exceptions] == [("approval_within", "档案材料补充", "2026-09-06")]


@pytest.mark.parametrize(("months", "accepted"), [(5, False), (6, True), (12, True), (13, False)], ids=["5", "6", "12", "13"])
def test_the_probation_is_extended_by_six_to_twelve_months(world: World, months: int, accepted: bool) -> None:
    record = to_probationary(world, voted_on=D(2025, 6, 2))
    if accepted:
        record = development_probation_extend(
            record=record, decided_on=D(2026, 6, 3), months=months, reason="需要继续考察", actor=world.secretary_a
        )
        assert record.probation_ends_on == add_months(D(2026, 6, 2), months)
        assert (record.extension_count, record.extension_months) == (1, months)
        return
    with pytest.raises(ValidationError) as exc:
        development_probation_extend(
            record=record, decided_on=D(2026, 6, 3), months=months, reason="需要继续考察", actor=world.secretary_a
        )
    assert refused(exc) == {"months": [f"延长预备期不能少于6个月，最长不超过12个月，{months}个月不符合规定。"]}
    record.refresh_from_db()
    assert record.probation_ends_on == D(2026, 6, 2)


def test_the_probation_is_extended_once_only_at_its_end_and_with_a_reason(world: World) -> None:
    record = to_probationary(world, voted_on=D(2025, 5, 2))
    with pytest.raises(ValidationError) as exc:
        development_probation_extend(record=record, decided_on=D(2026, 5, 1), months=6, reason="", actor=world.secretary_a)
    assert refused(exc) == {
        "reason": ["请填写延长预备期的原因。"],
        "decided_on": ["预备期至2026年5月2日届满，届满后方可讨论延长预备期。"],
    }
    record = development_probation_extend(
        record=record, decided_on=D(2026, 5, 6), months=6, reason="需要继续考察", actor=world.secretary_a
    )
    assert record.probation_ends_on == D(2026, 11, 2)
    with pytest.raises(ValidationError) as exc:
        development_probation_extend(
            record=record, decided_on=D(2026, 11, 3), months=6, reason="仍需考察", actor=world.secretary_a
        )
    assert refused(exc) == {"months": ["预备期只能延长1次，陈申请的预备期已延长过。"]}
    # The 转正 vote now waits for the extended end, and 转正日期 is that end.
    with pytest.raises(ValidationError) as exc:
        confirmation_vote(world, record, D(2026, 11, 1))
    assert refused(exc) == {"voted_on": ["预备期至2026年11月2日届满，届满后方可讨论转正。"]}
    record = confirmation_vote(world, record, D(2026, 11, 4))
    development_confirm(record=record, approved_on=D(2026, 11, 18), actor=world.staff)
    record.member.refresh_from_db()
    assert record.member.confirmed_on == D(2026, 11, 2)


def test_cancelling_the_probation_takes_the_member_off_the_roster(world: World) -> None:
    record = to_probationary(world)
    record = development_probation_cancel(
        record=record, decided_on=D(2026, 6, 10), reason="预备期内违反党的纪律", actor=world.secretary_a
    )
    record.member.refresh_from_db()
    assert record.stage == DevelopmentStage.DISQUALIFIED
    assert (record.member.state, record.member.state_reason) == (MemberState.EXPELLED, "取消预备党员资格：预备期内违反党的纪律")
    with pytest.raises(ValidationError) as exc:
        development_confirm(record=record, approved_on=D(2026, 6, 20), actor=world.staff)
    assert refused(exc) == {"__all__": ["陈申请目前是“取消预备党员资格”，不能审批转正。"]}


def test_termination_ends_the_cultivation_with_a_reason(world: World) -> None:
    record = to_activist(world, apply(world, applied_on=D(2026, 3, 1)))
    with pytest.raises(ValidationError) as exc:
        development_terminate(record=record, ended_on=D(2026, 6, 1), reason=" ", actor=world.secretary_a)
    assert refused(exc) == {"reason": ["请填写终止培养的原因。"]}
    record = development_terminate(record=record, ended_on=D(2026, 6, 1), reason="调离本单位", actor=world.secretary_a)
    assert (record.stage, record.ended_on, record.end_reason) == (DevelopmentStage.TERMINATED, D(2026, 6, 1), "调离本单位")
    assert set(Cultivator.objects.filter(record=record).values_list("ended_on", flat=True)) == {D(2026, 6, 1)}

    probationer = to_probationary(world)
    with pytest.raises(ValidationError) as exc:
        development_terminate(record=probationer, ended_on=D(2026, 6, 1), reason="调离", actor=world.secretary_a)
    assert refused(exc) == {"__all__": ["陈申请目前是“预备党员”，不能终止培养。"]}


def test_a_stage_cannot_be_skipped(world: World) -> None:
    record = apply(world, applied_on=D(2024, 3, 1))
    with pytest.raises(ValidationError) as exc:
        development_candidate_record(record=record, candidate_on=D(2026, 3, 1), actor=world.secretary_a)
    assert refused(exc) == {"__all__": ["陈申请目前是“入党申请人”，不能列为发展对象。"]}
    with pytest.raises(ValidationError) as exc:
        development_admission_approve(record=record, approved_on=D(2026, 3, 1), actor=world.staff)
    assert refused(exc) == {"__all__": ["陈申请目前是“入党申请人”，不能审批为预备党员。"]}


def test_every_step_leaves_a_history_record_with_who_and_why(world: World) -> None:
    record = to_probationary(world, voted_on=D(2025, 6, 2))
    record = confirmation_vote(world, record, D(2026, 6, 5))
    record = development_confirm(record=record, approved_on=D(2026, 6, 20), actor=world.staff)
    history = list(record.history.order_by("history_id"))
    assert [h.history_change_reason for h in history] == [
        "登记入党申请",
        "登记谈话情况",
        "确定为入党积极分子",
        "列为发展对象",
        "登记政治审查",
        "登记集中培训",
        "登记公示",
        "登记党委预审",
        "登记支部党员大会表决结果（接收预备党员）",
        "党委审批接收为预备党员",
        "登记支部党员大会表决结果（预备党员转正）",
        "党委审批转为正式党员",
    ]
    assert [h.stage for h in history] == [
        "applicant",
        "applicant",
        "activist",
        "candidate",
        "candidate",
        "candidate",
        "candidate",
        "candidate",
        "candidate",
        "probationary",
        "probationary",
        "full",
    ]
    assert {h.history_user for h in history[:9]} == {world.secretary_a}
    assert {h.history_user for h in history[-3:]} == {world.staff, world.secretary_a}
    cultivators = Cultivator.history.filter(record_id=record.pk)
    assert {(h.history_change_reason, h.history_user) for h in cultivators} == {("指定培养联系人", world.secretary_a)}
    assert cultivators.count() == 2


# --- the pipeline and the deadlines ---------------------------------------------------------------


def _branch_a(world: World):
    return Organization.objects.filter(pk=world.branch_a.pk)


def _read_everything(pipeline: Any) -> list[tuple[str, str, str, tuple[str, ...], str | None]]:
    """What a page would show for each entry."""
    rows = []
    for stage in pipeline.stages:
        for entry in stage.entries:
            record = entry.record
            rows.append(
                (
                    stage.label,
                    record.branch.short_name,
                    record.member.name if record.member else record.name,
                    entry.cultivators,
                    f"{entry.next_deadline.label} {entry.next_deadline.due_on}" if entry.next_deadline else None,
                )
            )
    return rows


def test_the_pipeline_shows_each_stage_with_its_next_deadline(world: World) -> None:
    applicant = apply(world, applied_on=D(2026, 11, 1), name="甲申请")
    talked = development_talk_record(
        record=apply(world, applied_on=D(2026, 10, 1), name="乙申请"),
        talked_on=D(2026, 10, 9),
        talked_by="书记",
        actor=world.secretary_a,
    )
    activist = to_activist(world, apply(world, applied_on=D(2026, 2, 1), name="丙积极"), activist_on=D(2026, 3, 10))
    publicity = to_candidate(world, candidate_on=D(2026, 10, 20), name="丁对象")
    _publicity(world, publicity, D(2026, 11, 18), D(2026, 11, 24))
    voted = to_voted(world, voted_on=D(2026, 10, 12), name="戊表决")
    probationer = to_probationary(world, voted_on=D(2026, 3, 2), name="己预备")
    full = to_probationary(world, voted_on=D(2025, 3, 2), name="庚转正")
    full = confirmation_vote(world, full, D(2026, 3, 5))
    development_confirm(record=full, approved_on=D(2026, 3, 20), actor=world.staff)
    development_terminate(
        record=apply(world, applied_on=D(2026, 6, 1), name="辛终止"),
        ended_on=D(2026, 7, 1),
        reason="调离",
        actor=world.secretary_a,
    )
    elsewhere = development_apply(
        branch=world.branch_b, applied_on=D(2026, 11, 2), actor=world.secretary_b, name="壬乙支部", id_number=valid_id_number()
    )

    pipeline = development_pipeline(_branch_a(world), today=TODAY)
    assert [(s.label, s.count) for s in pipeline.stages] == [
        ("入党申请人", 2),
        ("入党积极分子", 1),
        ("发展对象", 2),
        ("预备党员", 1),
    ]
    deadlines = {e.record.pk: e.next_deadline for s in pipeline.stages for e in s.entries}
    assert (deadlines[applicant.pk].kind, deadlines[applicant.pk].due_on) == (DeadlineKind.TALK, D(2026, 12, 1))
    assert deadlines[applicant.pk].days_left == 11
    assert deadlines[talked.pk] is None
    assert (deadlines[activist.pk].kind, deadlines[activist.pk].due_on) == (DeadlineKind.CANDIDATE_ELIGIBLE, D(2027, 3, 10))
    assert (deadlines[publicity.pk].kind, deadlines[publicity.pk].due_on) == (DeadlineKind.PUBLICITY_END, D(2026, 11, 24))
    assert (deadlines[voted.pk].kind, deadlines[voted.pk].due_on) == (DeadlineKind.APPROVAL, D(2027, 1, 12))
    assert (deadlines[probationer.pk].kind, deadlines[probationer.pk].due_on) == (DeadlineKind.PROBATION_END, D(2027, 3, 2))
    assert pipeline.stage(DevelopmentStage.ACTIVIST).entries[0].cultivators == ("张党员", "孙联系")
    assert elsewhere.pk not in deadlines

    everything = development_pipeline(
        Organization.objects.filter(path__startswith=world.committee.path), today=TODAY, include_closed=True
    )
    assert everything.total == 9
    assert everything.stage(DevelopmentStage.FULL).entries[0].record.member.member_type == MemberType.FULL


def test_the_pipeline_runs_a_fixed_number_of_queries(world: World, django_assert_max_num_queries) -> None:
    to_probationary(world, voted_on=D(2026, 3, 2))
    to_activist(world, apply(world, applied_on=D(2026, 2, 1)))
    apply(world, applied_on=D(2026, 11, 1))
    with django_assert_max_num_queries(2):
        first = _read_everything(development_pipeline(_branch_a(world), today=TODAY))
    assert len(first) == 3

    other_branch = make_org(world.committee, OrgKind.BRANCH, "测试局第三党支部", short_name="第三党支部")
    for i in range(30):
        applied_on = D(2026, 1, 1) + i * DAY
        if i % 3 == 2:
            development_apply(
                branch=other_branch, applied_on=applied_on, actor=world.staff, name=f"新{i:02d}", id_number=valid_id_number()
            )
            continue
        record = apply(world, applied_on=applied_on, name=f"新{i:02d}")
        if i % 3 == 1:
            to_activist(world, record)
    to_probationary(world, voted_on=D(2026, 4, 2))
    orgs = Organization.objects.filter(pk__in=[world.branch_a.pk, other_branch.pk])
    with django_assert_max_num_queries(2):
        rows = _read_everything(development_pipeline(orgs, today=TODAY))
    assert len(rows) == 3 + 30 + 1
    assert {row[1] for row in rows} == {"第一党支部", "第三党支部"}


def test_the_deadlines_list_talks_due_and_probations_ending_within_30_days(world: World, django_assert_num_queries) -> None:
    due_soon = apply(world, applied_on=D(2026, 11, 20), name="三十天")  # talk due 12-20: day 30
    overdue = apply(world, applied_on=D(2026, 9, 1), name="逾期")  # talk was due 10-01
    talked = apply(world, applied_on=D(2026, 11, 2), name="已谈")
    development_talk_record(record=talked, talked_on=D(2026, 11, 5), talked_by="书记", actor=world.secretary_a)
    ending = to_probationary(world, voted_on=D(2025, 12, 20), name="将满")  # ends 2026-12-20: day 30
    assert ending.probation_ends_on == D(2026, 12, 20)
    later = to_probationary(world, voted_on=D(2025, 12, 21), name="稍后")  # ends 12-21: day 31
    voted = to_probationary(world, voted_on=D(2025, 11, 2), name="已表决")
    confirmation_vote(world, voted, D(2026, 11, 3))
    outside = development_apply(
        branch=world.branch_b, applied_on=D(2026, 11, 19), actor=world.secretary_b, name="乙支部", id_number=valid_id_number()
    )

    with django_assert_num_queries(1):
        found = development_deadlines(_branch_a(world), TODAY, within_days=30)
        shown = [
            (d.record.name, d.record.branch.short_name, d.deadline.kind, d.deadline.due_on, d.deadline.overdue) for d in found
        ]
    assert shown == [
        ("逾期", "第一党支部", DeadlineKind.TALK, D(2026, 10, 1), True),
        ("三十天", "第一党支部", DeadlineKind.TALK, D(2026, 12, 20), False),
        ("将满", "第一党支部", DeadlineKind.PROBATION_END, D(2026, 12, 20), False),
    ]
    assert due_soon.talk_due_on == D(2026, 12, 20)
    assert overdue.pk in {d.record.pk for d in found}
    assert later.probation_ends_on == D(2026, 12, 21)
    assert outside.pk not in {d.record.pk for d in found}
    # The whole tree sees branch B's applicant too.
    tree = Organization.objects.filter(path__startswith=world.root.path)
    assert outside.pk in {d.record.pk for d in development_deadlines(tree, TODAY)}
    assert {d.record.pk for d in development_deadlines(_branch_a(world), TODAY, within_days=31)} >= {later.pk}


def test_an_admin_changes_a_development_number_but_cannot_add_or_delete_rules(db, client) -> None:
    from django.urls import reverse

    from members.development.models import DevelopmentRule
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    rule = DevelopmentRule.objects.get(key="publicity_min")
    response = client.post(
        reverse("admin:members_developmentrule_change", args=[rule.pk]), {"value": "7", "basis": "本省规定公示7个工作日"}
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.value, rule.unit) == (7, "working_day")
    assert client.get(reverse("admin:members_developmentrule_add")).status_code == 403
    assert client.post(reverse("admin:members_developmentrule_delete", args=[rule.pk]), {"post": "yes"}).status_code == 403


def test_the_daily_job_reminds_the_branch_of_a_talk_falling_due_once(world: World) -> None:
    from members.development.reminders import development_reminders_run
    from partybuild.notifications.models import Notification

    record = apply(world, applied_on=D(2026, 11, 1), name="周待谈")  # the talk is due by 2026-12-01
    first = development_reminders_run(D(2026, 11, 20))
    assert first["deadlines"] == 1
    titles = set(Notification.objects.filter(recipient=world.secretary_a).values_list("title", flat=True))
    assert titles == {"第一党支部 周待谈：谈话期限2026-12-01（还有11天）"}
    # The notification opens the record, where the talk is recorded.
    assert set(Notification.objects.filter(recipient=world.secretary_a).values_list("url", flat=True)) == {
        f"/development/{record.pk}/"
    }
    assert not Notification.objects.filter(recipient=world.secretary_b).exists()
    assert development_reminders_run(D(2026, 11, 20))["notifications"] == 0  # run twice: nothing new
