"""预备期: extension, the 转正 vote and approval, 取消预备党员资格."""

from __future__ import annotations

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from members.development.models import DevelopmentRecord, DevelopmentStage, RuleKey
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
    require_stage,
    required_date,
    save_checked,
    vote_store_checked,
)
from members.roster.choices import MemberState, MemberType
from members.roster.services import member_change_state, member_update
from partybuild.accounts.models import User
from partybuild.periods import add_months

# --- 预备期 and 转正 ------------------------------------------------------------------------------


@transaction.atomic
def development_probation_extend(
    *, record: DevelopmentRecord, decided_on: datetime.date, months: int, reason: str, actor: User
) -> DevelopmentRecord:
    """延长预备期 at its end: ``extension_min`` to ``extension_max`` months in all, at most
    ``extension_times`` times. The new end follows the current one."""
    record = lock(record)
    require_stage(record, [DevelopmentStage.PROBATIONARY], "延长预备期")
    rules = development_rules()
    reason = (reason or "").strip()
    errors: Errors = {}
    low, high, times = rules[RuleKey.EXTENSION_MIN], rules[RuleKey.EXTENSION_MAX], rules[RuleKey.EXTENSION_TIMES]
    ends_on = record.probation_ends_on
    assert ends_on is not None  # set with the stage
    if record.confirmation_voted_on is not None:
        errors[NON_FIELD_ERRORS] = "已登记转正表决结果，不能再延长预备期。"
    if record.extension_count >= times.value:
        errors["months"] = f"预备期只能延长{times.value}次，{record.name}的预备期已延长过。"
    elif months is None:
        errors["months"] = "请填写延长的月数。"
    elif months < low.value or record.extension_months + months > high.value:
        errors["months"] = f"延长预备期不能少于{low.text}，最长不超过{high.text}，{months}个月不符合规定。"
    if not reason:
        errors["reason"] = "请填写延长预备期的原因。"
    if required_date(errors, "decided_on", decided_on, "延长预备期决定日期"):
        not_future(errors, "decided_on", decided_on, "延长预备期决定日期", local_today())
        if decided_on < ends_on:
            errors.setdefault("decided_on", f"预备期至{fmt_date(ends_on)}届满，届满后方可讨论延长预备期。")
    if errors:
        raise ValidationError(errors)
    record.probation_ends_on = add_months(ends_on, months)
    record.extension_count += 1
    record.extension_months += months
    record.extension_decided_on = decided_on
    record.extension_reason = reason
    save_checked(record, errors, actor=actor, reason=f"延长预备期{months}个月：{reason}")
    return record


@transaction.atomic
def development_confirmation_vote_record(
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
    """支部党员大会 on 转正, once the 预备期 has ended; quorum and majority as for admission."""
    record = lock(record)
    require_stage(record, [DevelopmentStage.PROBATIONARY], "登记转正表决结果")
    rules = development_rules()
    errors: Errors = {}
    ends_on = record.probation_ends_on
    if required_date(errors, "voted_on", voted_on, "支部党员大会日期"):
        not_future(errors, "voted_on", voted_on, "支部党员大会日期", local_today())
        if ends_on is not None and voted_on < ends_on:
            errors["voted_on"] = f"预备期至{fmt_date(ends_on)}届满，届满后方可讨论转正。"
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
        vote="confirmation",
        resolution="预备党员转为正式党员",
        voted_on=voted_on,
        numbers=numbers,
        due_field="confirmation_approval_due_on",
        rules=rules,
        actor=actor,
        reason="登记支部党员大会表决结果（预备党员转正）",
    )


@transaction.atomic
def development_confirm(
    *, record: DevelopmentRecord, approved_on: datetime.date, actor: User, reason: str = ""
) -> DevelopmentRecord:
    """The 党委 approves the 转正: the roster member becomes 正式党员, 转正日期 = the end of the 预备期."""
    record = lock(record)
    require_stage(record, [DevelopmentStage.PROBATIONARY], "审批转正")
    rules = development_rules()
    today = local_today()
    reason = (reason or "").strip()
    errors: Errors = {}
    voted_on, due_on = record.confirmation_voted_on, record.confirmation_approval_due_on
    if voted_on is None or due_on is None:
        raise ValidationError({"approved_on": "尚未登记转正的支部党员大会表决结果，不能审批。"})
    if record.member is None:
        raise ValidationError({NON_FIELD_ERRORS: "该记录没有对应的党员花名册记录。"})
    if required_date(errors, "approved_on", approved_on, "转正审批日期"):
        not_future(errors, "approved_on", approved_on, "转正审批日期", today)
        not_before(errors, "approved_on", approved_on, "转正审批日期", voted_on, "支部党员大会日期")
    late = check_approval(
        errors, rules=rules, voted_on=voted_on, due_on=due_on, approved_on=approved_on, reason=reason, what="预备党员转正"
    )
    if errors:
        raise ValidationError(errors)
    if late:
        record_exception(record, rule=rules[RuleKey.APPROVAL_WITHIN], on=approved_on, detail=late, reason=reason, today=today)
    member_update(
        member=record.member,
        actor=actor,
        reason="预备党员转正",
        member_type=MemberType.FULL,
        confirmed_on=record.probation_ends_on,
    )
    record.stage = DevelopmentStage.FULL
    record.confirmation_approved_on = approved_on
    save_checked(record, errors, actor=actor, reason="党委审批转为正式党员" + ("（超过审批期限）" if late else ""))
    return record


@transaction.atomic
def development_probation_cancel(
    *, record: DevelopmentRecord, decided_on: datetime.date, reason: str, actor: User
) -> DevelopmentRecord:
    """取消预备党员资格: the record ends, the roster member leaves the roster as 出党 (history kept)."""
    record = lock(record)
    require_stage(record, [DevelopmentStage.PROBATIONARY], "取消预备党员资格")
    reason = (reason or "").strip()
    errors: Errors = {}
    if not reason:
        errors["reason"] = "请填写取消预备党员资格的原因。"
    if required_date(errors, "decided_on", decided_on, "决定日期"):
        not_future(errors, "decided_on", decided_on, "决定日期", local_today())
        not_before(errors, "decided_on", decided_on, "决定日期", record.admission_voted_on, "入党日期")
    if errors:
        raise ValidationError(errors)
    if record.member is not None:
        member_change_state(
            member=record.member, state=MemberState.EXPELLED, on=decided_on, reason=f"取消预备党员资格：{reason}", actor=actor
        )
    record.stage = DevelopmentStage.DISQUALIFIED
    record.ended_on = decided_on
    record.end_reason = reason
    save_checked(record, errors, actor=actor, reason=f"取消预备党员资格：{reason}")
    return record
