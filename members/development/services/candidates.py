"""发展对象: 政治审查, 集中培训, 公示, 预审, the 支部党员大会 vote and the 党委's approval (预备党员)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from members.development.models import DevelopmentRecord, DevelopmentStage, RuleKey, RuleUnit
from members.development.services.common import (
    Errors,
    check_approval,
    development_rules,
    fmt_date,
    local_today,
    lock,
    not_before,
    not_future,
    record_exception,
    refuse_after,
    require_stage,
    required_date,
    save_checked,
    vote_store_checked,
    working_days,
)
from members.roster.choices import MemberType
from members.roster.services import member_create
from partybuild.accounts.models import User


@transaction.atomic
def development_political_review_record(
    *, record: DevelopmentRecord, reviewed_on: datetime.date, conclusion: str, actor: User
) -> DevelopmentRecord:
    """政治审查 of the 发展对象, with its conclusion."""
    record = lock(record)
    require_stage(record, [DevelopmentStage.CANDIDATE], "登记政治审查")
    refuse_after(record.pre_reviewed_on, "党委已预审", "登记政治审查")
    conclusion = (conclusion or "").strip()
    errors: Errors = {}
    if required_date(errors, "reviewed_on", reviewed_on, "政治审查日期"):
        not_future(errors, "reviewed_on", reviewed_on, "政治审查日期", local_today())
        not_before(errors, "reviewed_on", reviewed_on, "政治审查日期", record.candidate_on, "确定为发展对象日期")
    if not conclusion:
        errors["conclusion"] = "请填写政治审查结论。"
    record.political_review_on = reviewed_on
    record.political_review_conclusion = conclusion
    save_checked(record, errors, actor=actor, reason="登记政治审查")
    return record


@transaction.atomic
def development_training_record(
    *,
    record: DevelopmentRecord,
    started_on: datetime.date,
    ended_on: datetime.date,
    actor: User,
    days: int | None = None,
    class_hours: int | None = None,
) -> DevelopmentRecord:
    """短期集中培训: at least ``training_min_days`` days or ``training_min_hours`` class hours."""
    record = lock(record)
    require_stage(record, [DevelopmentStage.CANDIDATE], "登记集中培训")
    refuse_after(record.pre_reviewed_on, "党委已预审", "登记集中培训")
    rules = development_rules()
    today = local_today()
    errors: Errors = {}
    if required_date(errors, "started_on", started_on, "培训开始日期"):
        not_future(errors, "started_on", started_on, "培训开始日期", today)
        not_before(errors, "started_on", started_on, "培训开始日期", record.candidate_on, "确定为发展对象日期")
    if required_date(errors, "ended_on", ended_on, "培训结束日期"):
        not_future(errors, "ended_on", ended_on, "培训结束日期", today)
        not_before(errors, "ended_on", ended_on, "培训结束日期", started_on, "培训开始日期")
    min_days, min_hours = rules[RuleKey.TRAINING_MIN_DAYS], rules[RuleKey.TRAINING_MIN_HOURS]
    if days is None and class_hours is None:
        errors.setdefault("days", "请填写培训天数或学时。")
    elif (days is not None and days < 0) or (class_hours is not None and class_hours < 0):
        errors.setdefault("days" if days is not None and days < 0 else "class_hours", "培训天数和学时不能为负数。")
    elif (days or 0) < min_days.value and (class_hours or 0) < min_hours.value:
        given = "、".join(
            part
            for part in (f"{days}天" if days is not None else "", f"{class_hours}学时" if class_hours is not None else "")
            if part
        )
        errors.setdefault(
            "days" if days is not None else "class_hours",
            f"发展对象短期集中培训时间不少于{min_days.text}（或不少于{min_hours.text}），本次培训为{given}。",
        )
    if days and started_on and ended_on and ended_on >= started_on and days > (ended_on - started_on).days + 1:
        errors.setdefault("days", f"培训天数不能多于起止日期之间的{(ended_on - started_on).days + 1}天。")
    record.training_started_on = started_on
    record.training_ended_on = ended_on
    record.training_days = days
    record.training_hours = class_hours
    save_checked(record, errors, actor=actor, reason="登记集中培训")
    return record


@transaction.atomic
def development_publicity_record(
    *, record: DevelopmentRecord, started_on: datetime.date, ended_on: datetime.date, actor: User
) -> DevelopmentRecord:
    """公示 of the 发展对象, at least ``publicity_min`` working days; its end may be still to come."""
    record = lock(record)
    require_stage(record, [DevelopmentStage.CANDIDATE], "登记公示")
    refuse_after(record.pre_reviewed_on, "党委已预审", "登记公示")
    rules = development_rules()
    errors: Errors = {}
    if required_date(errors, "started_on", started_on, "公示开始日期"):
        not_future(errors, "started_on", started_on, "公示开始日期", local_today())
        not_before(errors, "started_on", started_on, "公示开始日期", record.candidate_on, "确定为发展对象日期")
    if required_date(errors, "ended_on", ended_on, "公示结束日期"):
        not_before(errors, "ended_on", ended_on, "公示结束日期", started_on, "公示开始日期")
    count = None
    if started_on and ended_on and ended_on >= started_on:
        rule = rules[RuleKey.PUBLICITY_MIN]
        count = working_days(started_on, ended_on) if rule.unit == RuleUnit.WORKING_DAY else (ended_on - started_on).days + 1
        if count < rule.value:
            errors.setdefault(
                "ended_on",
                f"公示期不少于{rule.text}：{fmt_date(started_on)}至{fmt_date(ended_on)}只有{count}{rule.get_unit_display()}"
                + ("（按国家法定节假日安排计算）。" if rule.unit == RuleUnit.WORKING_DAY else "。"),
            )
    record.publicity_started_on = started_on
    record.publicity_ended_on = ended_on
    record.publicity_working_days = count
    save_checked(record, errors, actor=actor, reason="登记公示")
    return record


@transaction.atomic
def development_pre_review_record(*, record: DevelopmentRecord, pre_reviewed_on: datetime.date, actor: User) -> DevelopmentRecord:
    """预审 by the 党委, after the 政治审查, the training and the end of the 公示."""
    record = lock(record)
    require_stage(record, [DevelopmentStage.CANDIDATE], "登记党委预审")
    refuse_after(record.admission_voted_on, "支部党员大会已表决", "登记党委预审")
    errors: Errors = {}
    missing = [
        label
        for label, value in (
            ("政治审查", record.political_review_on),
            ("集中培训", record.training_ended_on),
            ("公示", record.publicity_ended_on),
        )
        if value is None
    ]
    if missing:
        errors["pre_reviewed_on"] = f"党委预审前须完成政治审查、集中培训和公示，尚未登记：{'、'.join(missing)}。"
    if required_date(errors, "pre_reviewed_on", pre_reviewed_on, "党委预审日期"):
        not_future(errors, "pre_reviewed_on", pre_reviewed_on, "党委预审日期", local_today())
        not_before(errors, "pre_reviewed_on", pre_reviewed_on, "党委预审日期", record.political_review_on, "政治审查日期")
        not_before(errors, "pre_reviewed_on", pre_reviewed_on, "党委预审日期", record.training_ended_on, "集中培训结束日期")
        if record.publicity_ended_on and pre_reviewed_on <= record.publicity_ended_on:
            errors.setdefault("pre_reviewed_on", f"党委预审须在公示期结束（{fmt_date(record.publicity_ended_on)}）后进行。")
    record.pre_reviewed_on = pre_reviewed_on
    save_checked(record, errors, actor=actor, reason="登记党委预审")
    return record


@transaction.atomic
def development_admission_vote_record(
    *,
    record: DevelopmentRecord,
    voted_on: datetime.date,
    entitled: int,
    present: int,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    actor: User,
) -> DevelopmentRecord:
    """支部党员大会 on admitting the 发展对象 as 预备党员 (after the 党委's 预审). A vote without a
    quorum or a majority is refused; a passed vote may be corrected until the 党委 approves."""
    record = lock(record)
    require_stage(record, [DevelopmentStage.CANDIDATE], "登记支部党员大会表决结果")
    rules = development_rules()
    errors: Errors = {}
    if record.pre_reviewed_on is None:
        errors["voted_on"] = "支部党员大会讨论前须经党委预审，请先登记预审。"
    if required_date(errors, "voted_on", voted_on, "支部党员大会日期"):
        not_future(errors, "voted_on", voted_on, "支部党员大会日期", local_today())
        not_before(errors, "voted_on", voted_on, "支部党员大会日期", record.pre_reviewed_on, "党委预审日期")
    numbers = {
        "entitled": entitled,
        "present": present,
        "votes_for": votes_for,
        "votes_against": votes_against,
        "abstentions": abstentions,
    }
    return vote_store_checked(
        record,
        errors,
        vote="admission",
        resolution="接收预备党员",
        voted_on=voted_on,
        numbers=numbers,
        due_field="approval_due_on",
        rules=rules,
        actor=actor,
        reason="登记支部党员大会表决结果（接收预备党员）",
    )


@transaction.atomic
def development_admission_approve(
    *, record: DevelopmentRecord, approved_on: datetime.date, actor: User, reason: str = ""
) -> DevelopmentRecord:
    """The 党委 approves: the person becomes a 预备党员 on the roster (入党日期 = the vote date); the
    预备期 runs ``probation`` from the vote."""
    record = lock(record)
    require_stage(record, [DevelopmentStage.CANDIDATE], "审批为预备党员")
    rules = development_rules()
    today = local_today()
    reason = (reason or "").strip()
    errors: Errors = {}
    voted_on = record.admission_voted_on
    if voted_on is None or record.approval_due_on is None:
        raise ValidationError({"approved_on": "尚未登记支部党员大会表决结果，不能审批。"})
    if required_date(errors, "approved_on", approved_on, "党委审批日期"):
        not_future(errors, "approved_on", approved_on, "党委审批日期", today)
        not_before(errors, "approved_on", approved_on, "党委审批日期", voted_on, "支部党员大会日期")
    late = check_approval(
        errors,
        rules=rules,
        voted_on=voted_on,
        due_on=record.approval_due_on,
        approved_on=approved_on,
        reason=reason,
        what="接收预备党员",
    )
    if errors:
        raise ValidationError(errors)
    if late:
        record_exception(record, rule=rules[RuleKey.APPROVAL_WITHIN], on=approved_on, detail=late, reason=reason, today=today)
    record.member = member_create(
        actor=actor,
        reason="发展党员：党委审批接收为预备党员",
        name=record.name,
        gender=record.gender,
        id_number=record.id_number,
        birth_date=record.birth_date,
        ethnicity=record.ethnicity,
        education=record.education,
        phone=record.phone,
        work_unit_position=record.work_unit_position,
        member_type=MemberType.PROBATIONARY,
        branch=record.branch,
        joined_on=voted_on,
    )
    record.stage = DevelopmentStage.PROBATIONARY
    record.approved_on = approved_on
    record.probation_ends_on = rules[RuleKey.PROBATION].shift(voted_on)
    save_checked(record, errors, actor=actor, reason="党委审批接收为预备党员" + ("（超过审批期限）" if late else ""))
    return record
