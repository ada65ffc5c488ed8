"""更正: a recorded stage fact sent again to the service that recorded it.

A stage service accepts its fact again until the step that relies on it (the talk while 入党申请人,
政治审查, 集中培训 and 公示 until the 党委预审, the 预审 until the vote, each vote until the 党委
approves). Sent again as a correction, it needs a reason, which the history keeps in place of the
service's "登记…", and it must change something. ``development_correct`` is the record page's
更正 form (the user says it corrects); ``development_fact_record`` is the API, where a step sent
again while its fact is recorded is a correction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from members.development.models import DevelopmentRecord, DevelopmentStage, RuleKey, vote_columns
from members.development.services.applicants import development_talk_record
from members.development.services.candidates import (
    development_admission_vote_record,
    development_political_review_record,
    development_pre_review_record,
    development_publicity_record,
    development_training_record,
)
from members.development.services.common import Errors, lock, tag_history_reason
from members.development.services.probation import development_confirmation_vote_record
from partybuild.accounts.models import User


@dataclass(frozen=True)
class CorrectableFact:
    """A stage fact its service accepts again. ``recorded``: the service's arguments → the
    record's columns (the first one is set once the fact is recorded); ``open``: whether the
    service accepts it now (recorded, and the step that relies on it not taken)."""

    service: Callable[..., DevelopmentRecord]
    what: str
    recorded: dict[str, str]
    open: Callable[[DevelopmentRecord], bool]

    def recorded_values(self, record: DevelopmentRecord) -> dict[str, Any]:
        values = {argument: getattr(record, column) for argument, column in self.recorded.items()}
        if self.service is development_talk_record:
            # A late talk's reason is kept with its exception.
            found = record.exceptions_for(RuleKey.TALK_WITHIN)
            values["reason"] = found[-1]["reason"] if found else ""
        return values


CORRECTABLE_FACTS: dict[str, CorrectableFact] = {
    "talk": CorrectableFact(
        development_talk_record,
        "谈话情况",
        {"talked_on": "talked_on", "talked_by": "talked_by"},
        lambda r: r.stage == DevelopmentStage.APPLICANT and r.talked_on is not None,
    ),
    "political_review": CorrectableFact(
        development_political_review_record,
        "政治审查情况",
        {"reviewed_on": "political_review_on", "conclusion": "political_review_conclusion"},
        lambda r: r.stage == DevelopmentStage.CANDIDATE and bool(r.political_review_on) and not r.pre_reviewed_on,
    ),
    "training": CorrectableFact(
        development_training_record,
        "集中培训情况",
        {
            "started_on": "training_started_on",
            "ended_on": "training_ended_on",
            "days": "training_days",
            "class_hours": "training_hours",
        },
        lambda r: r.stage == DevelopmentStage.CANDIDATE and bool(r.training_started_on) and not r.pre_reviewed_on,
    ),
    "publicity": CorrectableFact(
        development_publicity_record,
        "公示情况",
        {"started_on": "publicity_started_on", "ended_on": "publicity_ended_on"},
        lambda r: r.stage == DevelopmentStage.CANDIDATE and bool(r.publicity_started_on) and not r.pre_reviewed_on,
    ),
    "pre_review": CorrectableFact(
        development_pre_review_record,
        "党委预审日期",
        {"pre_reviewed_on": "pre_reviewed_on"},
        lambda r: r.stage == DevelopmentStage.CANDIDATE and bool(r.pre_reviewed_on) and not r.admission_voted_on,
    ),
    # Until the 党委 approves (which moves the record on to 预备党员).
    "admission_vote": CorrectableFact(
        development_admission_vote_record,
        "支部党员大会表决结果（接收预备党员）",
        vote_columns("admission"),
        lambda r: r.stage == DevelopmentStage.CANDIDATE and bool(r.admission_voted_on),
    ),
    # Until the 党委 approves the 转正.
    "confirmation_vote": CorrectableFact(
        development_confirmation_vote_record,
        "支部党员大会表决结果（预备党员转正）",
        vote_columns("confirmation"),
        lambda r: r.stage == DevelopmentStage.PROBATIONARY and bool(r.confirmation_voted_on),
    ),
}


@transaction.atomic
def development_correct(
    *, record: DevelopmentRecord, fact: str, correction_reason: str, actor: User, **values: Any
) -> DevelopmentRecord:
    """更正 ``fact`` (a key of ``CORRECTABLE_FACTS``) with ``values``, the arguments of its service:
    refused without a reason, before the fact is recorded, or when nothing changes; then the
    service decides, and the history says 更正… with the reason."""
    correctable = CORRECTABLE_FACTS[fact]
    record = lock(record)
    reason = (correction_reason or "").strip()
    recorded = correctable.recorded_values(record)
    errors: Errors = {}
    if not reason:
        errors["correction_reason"] = "请填写更正原因。"
    if next(iter(recorded.values())) is None:
        errors[NON_FIELD_ERRORS] = f"尚未登记{correctable.what}，请在“下一步”中登记。"
    if errors:
        raise ValidationError(errors)
    if all(values.get(argument) == value for argument, value in recorded.items()):
        raise ValidationError({NON_FIELD_ERRORS: f"与已登记的{correctable.what}相同，无需更正。"})
    record = correctable.service(record=record, actor=actor, **values)
    tag_history_reason(record, f"更正{correctable.what}：{reason}")
    return record


@transaction.atomic
def development_fact_record(
    *, record: DevelopmentRecord, fact: str, actor: User, correction_reason: str = "", **values: Any
) -> DevelopmentRecord:
    """Record ``fact`` through its service; sent again while the service accepts it as a
    correction (recorded, not yet relied on), it is one: the reason is required."""
    correctable = CORRECTABLE_FACTS[fact]
    record = lock(record)
    if not correctable.open(record):
        return correctable.service(record=record, actor=actor, **values)
    if not (correction_reason or "").strip():
        raise ValidationError({"correction_reason": f"{correctable.what}已登记，更正须填写更正原因。"})
    return development_correct(record=record, fact=fact, correction_reason=correction_reason, actor=actor, **values)
