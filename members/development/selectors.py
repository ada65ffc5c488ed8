"""发展党员 reads: the pipeline of a set of 党支部 and the deadlines for the reminder job.

Both take any queryset of organizations (a branch, a subtree, a user's ``visible_orgs``) and run a
fixed number of queries whatever the number of records: the deadlines are stored on the records
when their stage is recorded, so nothing here needs a query per record or the rule table. How far
ahead the reminder job looks is data too (members.management_rules), read once per call.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from branches.models import Organization
from branches.selectors import get_org_for_user
from members.development.models import OPEN_STAGES, Cultivator, DevelopmentRecord, DevelopmentStage
from members.management_rules.models import ManagementRuleKey
from members.management_rules.selectors import management_rules
from partybuild.accounts.access import AnyUser


def get_development_record_for_user(user: AnyUser, pk: int | str, *, write: bool = False) -> DevelopmentRecord:
    """A development record, or 404 when it is missing or its 党支部 is outside the user's scope;
    403 when the user may read but not change it (access.py decides, on the 党支部)."""
    try:
        record = DevelopmentRecord.objects.select_related("member").get(pk=int(pk))
    except (DevelopmentRecord.DoesNotExist, TypeError, ValueError):
        raise Http404("发展党员记录不存在") from None
    try:
        record.branch = get_org_for_user(user, record.branch_id, write=write)
    except Http404:
        raise Http404("发展党员记录不存在") from None
    return record


class DeadlineKind:
    TALK = "talk"
    CANDIDATE_ELIGIBLE = "candidate_eligible"
    PUBLICITY_END = "publicity_end"
    APPROVAL = "approval"
    PROBATION_END = "probation_end"
    CONFIRMATION_APPROVAL = "confirmation_approval"


DEADLINE_LABELS = {
    DeadlineKind.TALK: "谈话期限",
    DeadlineKind.CANDIDATE_ELIGIBLE: "可列为发展对象",
    DeadlineKind.PUBLICITY_END: "公示结束",
    DeadlineKind.APPROVAL: "党委审批期限",
    DeadlineKind.PROBATION_END: "预备期满",
    DeadlineKind.CONFIRMATION_APPROVAL: "转正审批期限",
}


@dataclass(frozen=True)
class Deadline:
    kind: str
    due_on: datetime.date
    today: datetime.date

    @property
    def label(self) -> str:
        return DEADLINE_LABELS[self.kind]

    @property
    def days_left(self) -> int:
        """Days from today to the deadline; negative when it has passed."""
        return (self.due_on - self.today).days

    @property
    def overdue(self) -> bool:
        return self.due_on < self.today


def next_deadline(record: DevelopmentRecord, today: datetime.date) -> Deadline | None:
    """What the record waits for next, with its date (None when it waits for nothing dated)."""
    stage = record.stage
    if stage == DevelopmentStage.APPLICANT:
        return None if record.talked_on else Deadline(DeadlineKind.TALK, record.talk_due_on, today)
    if stage == DevelopmentStage.ACTIVIST and record.candidate_eligible_on:
        return Deadline(DeadlineKind.CANDIDATE_ELIGIBLE, record.candidate_eligible_on, today)
    if stage == DevelopmentStage.CANDIDATE:
        if record.approval_due_on:
            return Deadline(DeadlineKind.APPROVAL, record.approval_due_on, today)
        if record.publicity_ended_on and record.publicity_ended_on >= today and not record.pre_reviewed_on:
            return Deadline(DeadlineKind.PUBLICITY_END, record.publicity_ended_on, today)
        return None
    if stage == DevelopmentStage.PROBATIONARY:
        if record.confirmation_approval_due_on:
            return Deadline(DeadlineKind.CONFIRMATION_APPROVAL, record.confirmation_approval_due_on, today)
        if record.probation_ends_on:
            return Deadline(DeadlineKind.PROBATION_END, record.probation_ends_on, today)
    return None


@dataclass(frozen=True)
class PipelineEntry:
    record: DevelopmentRecord
    cultivators: tuple[str, ...]
    next_deadline: Deadline | None


@dataclass(frozen=True)
class PipelineStage:
    stage: str
    label: str
    entries: tuple[PipelineEntry, ...]

    @property
    def count(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class Pipeline:
    today: datetime.date
    stages: tuple[PipelineStage, ...]

    @property
    def total(self) -> int:
        return sum(stage.count for stage in self.stages)

    def stage(self, stage: str) -> PipelineStage:
        return next(s for s in self.stages if s.stage == stage)


def development_records(orgs: QuerySet[Organization]) -> QuerySet[DevelopmentRecord]:
    """Records of the 党支部 in ``orgs`` (a subquery, not a list of ids)."""
    return DevelopmentRecord.objects.filter(branch_id__in=orgs.order_by().values("pk"))


def development_pipeline(
    orgs: QuerySet[Organization], *, today: datetime.date | None = None, include_closed: bool = False
) -> Pipeline:
    """Who is at which stage in ``orgs``, each with the current 培养联系人 and the next deadline.
    Two queries: the records (with their branch and roster member), and the cultivators."""
    today = today or timezone.localdate()
    stages = list(OPEN_STAGES) if not include_closed else list(DevelopmentStage.values)
    current_cultivators = Cultivator.objects.filter(ended_on__isnull=True).select_related("member").order_by("assigned_on", "pk")
    records = (
        development_records(orgs)
        .filter(stage__in=stages)
        .select_related("branch", "member")
        .prefetch_related(Prefetch("cultivators", queryset=current_cultivators, to_attr="current_cultivators"))
        .order_by("branch__path", "applied_on", "pk")
    )
    by_stage: dict[str, list[PipelineEntry]] = {stage: [] for stage in stages}
    for record in records:
        by_stage[record.stage].append(
            PipelineEntry(
                record=record,
                cultivators=tuple(c.display_name for c in record.current_cultivators),  # type: ignore[attr-defined]
                next_deadline=next_deadline(record, today),
            )
        )
    return Pipeline(
        today=today,
        stages=tuple(
            PipelineStage(stage=stage, label=DevelopmentStage(stage).label, entries=tuple(by_stage[stage])) for stage in stages
        ),
    )


@dataclass(frozen=True)
class DevelopmentDeadline:
    record: DevelopmentRecord
    deadline: Deadline


def development_deadlines(
    orgs: QuerySet[Organization], today: datetime.date, within_days: int | None = None
) -> list[DevelopmentDeadline]:
    """For the reminder job: talks due and 预备期 ending within ``within_days`` of ``today`` (default:
    the management rules' ``development_reminder_within``, 30 days unless changed), and those already
    past without the step being recorded (a talk not held, a 预备期 ended without a 转正 vote). One
    query (and one for the rule when ``within_days`` is not given); soonest first."""
    if within_days is None:
        within_days = management_rules().value(ManagementRuleKey.DEVELOPMENT_REMINDER_WITHIN)
    horizon = today + datetime.timedelta(days=within_days)
    records = (
        development_records(orgs)
        .filter(
            Q(stage=DevelopmentStage.APPLICANT, talked_on__isnull=True, talk_due_on__lte=horizon)
            | Q(stage=DevelopmentStage.PROBATIONARY, confirmation_voted_on__isnull=True, probation_ends_on__lte=horizon)
        )
        .select_related("branch")
        .order_by("pk")
    )
    found = []
    for record in records:
        if record.stage == DevelopmentStage.APPLICANT:
            deadline = Deadline(DeadlineKind.TALK, record.talk_due_on, today)
        else:
            assert record.probation_ends_on is not None
            deadline = Deadline(DeadlineKind.PROBATION_END, record.probation_ends_on, today)
        found.append(DevelopmentDeadline(record=record, deadline=deadline))
    return sorted(found, key=lambda d: (d.deadline.due_on, d.record.pk))
