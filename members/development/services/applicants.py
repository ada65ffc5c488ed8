"""入党申请人, 入党积极分子, the step to 发展对象, and 终止培养."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from branches.models import Organization, OrgKind, OrgStatus
from members.development.models import Cultivator, DevelopmentRecord, DevelopmentStage, RuleKey
from members.development.services.common import (
    PERSON_FIELDS,
    Errors,
    check_person,
    development_rules,
    fill_from_id_number,
    fmt_date,
    local_today,
    lock,
    normalize_person,
    not_before,
    not_future,
    record_exception,
    require_stage,
    required_date,
    save_checked,
)
from members.roster.choices import MemberState, MemberType
from members.roster.models import Member
from partybuild.accounts.models import User


@transaction.atomic
def development_apply(
    *,
    branch: Organization,
    applied_on: datetime.date,
    actor: User,
    name: str,
    id_number: str,
    gender: str = "",
    birth_date: datetime.date | None = None,
    ethnicity: str = "汉族",
    education: str = "",
    phone: str = "",
    work_unit_position: str = "",
) -> DevelopmentRecord:
    """入党申请人: a 党支部 records an application with the person's roster facts. The talk is due
    within ``talk_within`` of the application."""
    rules = development_rules()
    today = local_today()
    person = normalize_person(
        {
            "name": name,
            "gender": gender,
            "id_number": id_number,
            "birth_date": birth_date,
            "ethnicity": ethnicity,
            "education": education,
            "phone": phone,
            "work_unit_position": work_unit_position,
        }
    )
    record = DevelopmentRecord(branch=branch, applied_on=applied_on, created_by=actor, **person)
    fill_from_id_number(record)
    errors: Errors = {}
    if branch is None or branch.kind != OrgKind.BRANCH:
        errors["branch"] = "入党申请须由党支部受理，请选择党支部。"
    elif branch.status != OrgStatus.ACTIVE:
        errors["branch"] = "该党支部已撤销，不能受理入党申请。"
    if required_date(errors, "applied_on", applied_on, "入党申请日期"):
        not_future(errors, "applied_on", applied_on, "入党申请日期", today)
        record.talk_due_on = rules[RuleKey.TALK_WITHIN].shift(applied_on)
    check_person(errors, record, rules)
    save_checked(
        record, errors, actor=actor, reason="登记入党申请", exclude=("talk_due_on",) if record.talk_due_on is None else ()
    )
    return record


@transaction.atomic
def development_person_update(*, record: DevelopmentRecord, actor: User, reason: str, **fields: Any) -> DevelopmentRecord:
    """修改个人信息 while the record is under way and before the roster has them: with a reason (the
    history keeps "修改个人信息：<reason>"), 民族 not emptied, and at least one fact that changes.
    Only what differs from the record is changed; a gender or birth date left empty follows from
    the number, and a new number brings its own unless they are changed too."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    record = lock(record)
    if record.member_id:
        raise ValidationError({NON_FIELD_ERRORS: "已列入党员花名册，个人信息请在党员档案中修改。"})
    if not record.is_open:
        raise ValidationError({NON_FIELD_ERRORS: f"该记录已{record.get_stage_display()}，不能再修改。"})
    reason = (reason or "").strip()
    values = normalize_person(fields)
    errors: Errors = {}
    if not reason:
        errors["reason"] = "请填写修改原因。"
    if not fields:
        errors[NON_FIELD_ERRORS] = "请至少填写一项要更正的个人信息。"
    if "ethnicity" in values and not values["ethnicity"]:
        errors["ethnicity"] = "请填写民族。"
    if errors:
        raise ValidationError(errors)
    changes = {
        name: value
        for name, value in values.items()
        if value != getattr(record, name) and not (name in ("gender", "birth_date") and value in (None, ""))
    }
    if not changes:
        raise ValidationError({NON_FIELD_ERRORS: "个人信息没有改动，无需保存。"})
    if "id_number" in changes:
        # A new number brings its own birth date and gender unless they are given too.
        changes.setdefault("birth_date", None)
        changes.setdefault("gender", "")
    for name, value in changes.items():
        setattr(record, name, value)
    fill_from_id_number(record)
    check_person(errors, record, development_rules())
    save_checked(record, errors, actor=actor, reason=f"修改个人信息：{reason}")
    return record


# --- 入党申请人: the talk -------------------------------------------------------------------------


@transaction.atomic
def development_talk_record(
    *, record: DevelopmentRecord, talked_on: datetime.date, talked_by: str, actor: User, reason: str = ""
) -> DevelopmentRecord:
    """The talk with the applicant. Later than ``talk_due_on``: recorded as an exception with the
    reason (refused without one)."""
    record = lock(record)
    require_stage(record, [DevelopmentStage.APPLICANT], "登记谈话情况")
    rules = development_rules()
    today = local_today()
    reason = (reason or "").strip()
    talked_by = (talked_by or "").strip()
    errors: Errors = {}
    if required_date(errors, "talked_on", talked_on, "谈话日期"):
        not_future(errors, "talked_on", talked_on, "谈话日期", today)
        not_before(errors, "talked_on", talked_on, "谈话日期", record.applied_on, "入党申请日期")
    if not talked_by:
        errors["talked_by"] = "请填写谈话人。"
    rule = rules[RuleKey.TALK_WITHIN]
    late = talked_on is not None and talked_on > record.talk_due_on
    if late and not reason:
        errors.setdefault(
            "reason",
            f"党组织应在收到入党申请后{rule.text}内派人谈话（{fmt_date(record.talk_due_on)}前），"
            f"谈话日期{fmt_date(talked_on)}已超过期限，请说明原因。",
        )
    # A talk recorded again (a correction) replaces the one before, and its exception with it.
    record.exceptions = [e for e in record.exceptions if e.get("rule") != RuleKey.TALK_WITHIN]
    if late and not errors:
        record_exception(
            record,
            rule=rule,
            on=talked_on,
            detail=f"谈话日期{fmt_date(talked_on)}晚于期限{fmt_date(record.talk_due_on)}",
            reason=reason,
            today=today,
        )
    record.talked_on = talked_on
    record.talked_by = talked_by
    save_checked(record, errors, actor=actor, reason="登记谈话情况（超过期限）" if late else "登记谈话情况")
    return record


# --- 入党积极分子 -----------------------------------------------------------------------------------


@transaction.atomic
def development_activist_record(
    *, record: DevelopmentRecord, activist_on: datetime.date, cultivators: Sequence[Member | str], actor: User
) -> DevelopmentRecord:
    """入党积极分子, with 1–2 培养联系人 (正式党员 on the roster, or names). Eligible as 发展对象
    ``activist_min`` after ``activist_on``."""
    record = lock(record)
    require_stage(record, [DevelopmentStage.APPLICANT], "确定为入党积极分子")
    rules = development_rules()
    today = local_today()
    errors: Errors = {}
    if record.talked_on is None:
        errors["activist_on"] = "请先登记与入党申请人的谈话情况。"
    if required_date(errors, "activist_on", activist_on, "确定为入党积极分子日期"):
        not_future(errors, "activist_on", activist_on, "确定为入党积极分子日期", today)
        not_before(errors, "activist_on", activist_on, "确定为入党积极分子日期", record.talked_on, "谈话日期")
    picked: list[Cultivator] = []
    seen: set[object] = set()
    for cultivator in cultivators:
        if isinstance(cultivator, Member):
            if cultivator.pk in seen:
                continue
            seen.add(cultivator.pk)
            if cultivator.member_type != MemberType.FULL or cultivator.state != MemberState.NORMAL:
                errors.setdefault("cultivators", f"{cultivator.name}不是在册的正式党员，不能担任培养联系人。")
            picked.append(Cultivator(record=record, member=cultivator, assigned_on=activist_on))
        else:
            name = (cultivator or "").strip()
            if name and name not in seen:
                seen.add(name)
                picked.append(Cultivator(record=record, name=name, assigned_on=activist_on))
    low, high = rules[RuleKey.CULTIVATORS_MIN].value, rules[RuleKey.CULTIVATORS_MAX].value
    if not low <= len(picked) <= high:
        span = f"{low}至{high}名" if low != high else f"{low}名"
        errors.setdefault("cultivators", f"应指定{span}正式党员作培养联系人，当前为{len(picked)}名。")
    record.stage = DevelopmentStage.ACTIVIST
    record.activist_on = activist_on
    if activist_on is not None:
        record.candidate_eligible_on = rules[RuleKey.ACTIVIST_MIN].shift(activist_on)
    save_checked(record, errors, actor=actor, reason="确定为入党积极分子")
    for cultivator in picked:
        save_checked(cultivator, {}, actor=actor, reason="指定培养联系人")
    return record


# --- 发展对象 ------------------------------------------------------------------------------------


@transaction.atomic
def development_candidate_record(*, record: DevelopmentRecord, candidate_on: datetime.date, actor: User) -> DevelopmentRecord:
    """发展对象: refused before ``candidate_eligible_on`` (``activist_min`` as 积极分子)."""
    record = lock(record)
    require_stage(record, [DevelopmentStage.ACTIVIST], "列为发展对象")
    rules = development_rules()
    errors: Errors = {}
    if required_date(errors, "candidate_on", candidate_on, "确定为发展对象日期"):
        not_future(errors, "candidate_on", candidate_on, "确定为发展对象日期", local_today())
        eligible = record.candidate_eligible_on
        if eligible is not None and candidate_on < eligible:
            rule = rules[RuleKey.ACTIVIST_MIN]
            errors.setdefault(
                "candidate_on",
                f"入党积极分子须经过{rule.text}以上的培养教育和考察方可列为发展对象：{record.name}于{fmt_date(record.activist_on)}"
                f"确定为入党积极分子，{fmt_date(eligible)}起方可列为发展对象。",
            )
    record.stage = DevelopmentStage.CANDIDATE
    record.candidate_on = candidate_on
    save_checked(record, errors, actor=actor, reason="列为发展对象")
    return record


# --- 终止培养 ------------------------------------------------------------------------------------


@transaction.atomic
def development_terminate(*, record: DevelopmentRecord, ended_on: datetime.date, reason: str, actor: User) -> DevelopmentRecord:
    """终止培养 of an applicant, 积极分子 or 发展对象, with a reason; the 培养联系人 end the same day."""
    record = lock(record)
    require_stage(record, [DevelopmentStage.APPLICANT, DevelopmentStage.ACTIVIST, DevelopmentStage.CANDIDATE], "终止培养")
    reason = (reason or "").strip()
    errors: Errors = {}
    if not reason:
        errors["reason"] = "请填写终止培养的原因。"
    if required_date(errors, "ended_on", ended_on, "终止日期"):
        not_future(errors, "ended_on", ended_on, "终止日期", local_today())
        not_before(errors, "ended_on", ended_on, "终止日期", record.applied_on, "入党申请日期")
    if errors:
        raise ValidationError(errors)
    record.stage = DevelopmentStage.TERMINATED
    record.ended_on = ended_on
    record.end_reason = reason
    save_checked(record, errors, actor=actor, reason=f"终止培养：{reason}")
    for cultivator in Cultivator.objects.select_for_update().filter(record=record, ended_on__isnull=True):
        cultivator.ended_on = max(ended_on, cultivator.assigned_on)
        save_checked(cultivator, {}, actor=actor, reason="终止培养")
    return record
