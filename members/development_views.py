"""HTML pages of 发展党员: the pipeline of a 党支部 (or a subtree) by stage, a new 入党申请, a
record's page (the person, the stages as a timeline, the exceptions, the history) with the next
step as small forms, each posting to ``development:step``.

Access: every lookup goes through partybuild.accounts.access. A record is reached through its
党支部: ``_get_record_for_user`` finds the row and then asks ``access.get_org_for_user(user,
record.branch_id, write=...)``, so a record outside the user's scope is 404 exactly like a missing
one, and a member with no other role finds nothing (404). Every write goes through the stage
services in ``members.development``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.models import Organization, OrgKind, OrgStatus
from partybuild.accounts.access import (
    can_write_org,
    get_development_record_for_user,
    get_org_for_user,
    scope_for,
    visible_orgs,
)

from . import development as services
from .development_forms import ENDING_STEPS, STEP_FORMS, ApplicationForm, StepForm, add_service_errors, next_steps
from .development_models import Cultivator, DevelopmentRecord, DevelopmentStage
from .development_selectors import Deadline, development_pipeline, next_deadline
from .forms import OrgFilterSelect
from .selectors import FieldChange, HistoryEntry, org_filter_options
from .validators import mask_id_number

NAV_SECTION = "development"

# The date a record entered its stage, per stage.
_STAGE_ENTERED = {
    DevelopmentStage.APPLICANT: "applied_on",
    DevelopmentStage.ACTIVIST: "activist_on",
    DevelopmentStage.CANDIDATE: "candidate_on",
    DevelopmentStage.PROBATIONARY: "approved_on",
    DevelopmentStage.FULL: "confirmation_approved_on",
    DevelopmentStage.TERMINATED: "ended_on",
    DevelopmentStage.DISQUALIFIED: "ended_on",
}


def _require_org_scope(user: Any) -> None:
    """The development pages exist only for those who see organizations (staff, secretaries, admins)."""
    if not scope_for(user).sees_orgs:
        raise Http404("页面不存在")


def _own_org(user: Any) -> Organization | None:
    """The organization of a user with one scope (a secretary's 党支部, staff's committee)."""
    paths = scope_for(user).paths
    if len(paths) != 1:
        return None
    return visible_orgs(user).filter(path=paths[0], status=OrgStatus.ACTIVE).first()


# --- the pipeline --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineRow:
    record: DevelopmentRecord
    entered_on: datetime.date | None
    cultivators: tuple[str, ...]
    deadline: Deadline | None

    @property
    def days_past(self) -> int:
        """Days since an overdue deadline (0 when it is not past)."""
        return -self.deadline.days_left if self.deadline and self.deadline.overdue else 0


@login_required
@require_GET
def pipeline(request: HttpRequest) -> HttpResponse:
    """Staff, secretaries and admins: who is at which stage (入党申请人, 入党积极分子, 发展对象,
    预备党员; ``closed=1`` adds the ended records) in one organization of their scope, ``?org=<pk>``:
    a 党支部, or a higher organization for all its 党支部. Without ``org`` a user with one scope
    sees it (a secretary her branch); an admin picks. Each person: the date they entered the
    stage, the 培养联系人 and the next deadline. Out of scope: 404; members with no other role: 404."""
    _require_org_scope(request.user)
    org: Organization | None
    if request.GET.get("org"):
        org = get_org_for_user(request.user, request.GET["org"])
    else:
        org = _own_org(request.user)
    include_closed = request.GET.get("closed") == "1"
    today = timezone.localdate()
    stages: list[dict[str, Any]] = []
    total = 0
    if org is not None:
        orgs = Organization.objects.filter(path__startswith=org.path, kind=OrgKind.BRANCH)
        result = development_pipeline(orgs, today=today, include_closed=include_closed)
        total = result.total
        for stage in result.stages:
            rows = [
                PipelineRow(
                    record=e.record,
                    entered_on=getattr(e.record, _STAGE_ENTERED[e.record.stage]),
                    cultivators=e.cultivators,
                    deadline=e.next_deadline,
                )
                for e in stage.entries
            ]
            stages.append({"stage": stage.stage, "label": stage.label, "rows": rows, "open": stage.stage in _OPEN})
    picker = OrgFilterSelect(attrs={"class": "form-select form-select-sm", "id": "id_org"})
    picker.options_html = org_filter_options(request.user).html
    context = {
        "org": org,
        "stages": stages,
        "total": total,
        "include_closed": include_closed,
        "many_branches": org is not None and org.kind != OrgKind.BRANCH,
        "can_apply": org is not None and org.kind == OrgKind.BRANCH and org.status == OrgStatus.ACTIVE,
        "org_picker": picker.render("org", org.pk if org else None),
        "today": today,
        "nav_section": NAV_SECTION,
    }
    return render(request, "members/development/pipeline.html", context)


_OPEN = {s.value for s in (DevelopmentStage.APPLICANT, DevelopmentStage.ACTIVIST, DevelopmentStage.CANDIDATE)} | {
    DevelopmentStage.PROBATIONARY.value
}


# --- a new application ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest) -> HttpResponse:
    """Staff, secretaries and admins: record a 入党申请 received by an active 党支部 they may write
    (``?org=<pk>`` pre-selects it; a secretary's own branch is pre-selected), with the person's
    facts; refused rules (under 18, a number already on the roster or in another record) show next
    to their field. Out of scope ``org``: 404; members with no other role: 404."""
    _require_org_scope(request.user)
    initial: dict[str, Any] = {"applied_on": timezone.localdate()}
    if request.GET.get("org"):
        initial["branch"] = get_org_for_user(request.user, request.GET["org"], write=True).pk
    else:
        own = _own_org(request.user)
        if own is not None and own.kind == OrgKind.BRANCH:
            initial["branch"] = own.pk
    form = ApplicationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.development_apply(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记{record.name}的入党申请，谈话期限为{record.talk_due_on:%Y年%m月%d日}。")
            return redirect("development:detail", pk=record.pk)
    back = reverse("development:pipeline") + (f"?org={initial['branch']}" if initial.get("branch") else "")
    return render(request, "members/development/new.html", {"form": form, "cancel_url": back, "nav_section": NAV_SECTION})


# --- one record ----------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    on: datetime.date | None
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    until: datetime.date | None = None
    kind: str = "step"  # "step", "end" (terminated, disqualified), "done" (正式党员)


def _d(day: datetime.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else "—"


def _vote_facts(
    entitled: int | None, present: int | None, for_: int | None, against: int | None, abstain: int | None
) -> list[tuple[str, str]]:
    return [
        ("应到会有表决权的正式党员", f"{entitled}名"),
        ("实到会", f"{present}名"),
        ("表决结果", f"赞成{for_}票、反对{against}票、弃权{abstain}票"),
    ]


def _timeline(record: DevelopmentRecord, cultivators: list[Cultivator]) -> list[TimelineEntry]:
    """Every stage recorded, with its date and facts, in the order of the procedure."""
    r = record
    entries = [TimelineEntry(r.applied_on, "提出入党申请", [("谈话期限", _d(r.talk_due_on))])]
    if r.talked_on:
        entries.append(TimelineEntry(r.talked_on, "党组织派人谈话", [("谈话人", r.talked_by)]))
    if r.activist_on:
        people = [
            f"{c.display_name}（{_d(c.assigned_on)}起{'，' + _d(c.ended_on) + '止' if c.ended_on else ''}）" for c in cultivators
        ]
        entries.append(
            TimelineEntry(
                r.activist_on,
                "确定为入党积极分子",
                [("培养联系人", "、".join(people) or "—"), ("可列为发展对象", _d(r.candidate_eligible_on))],
            )
        )
    if r.candidate_on:
        entries.append(TimelineEntry(r.candidate_on, "列为发展对象"))
    if r.political_review_on:
        entries.append(TimelineEntry(r.political_review_on, "政治审查", [("结论", r.political_review_conclusion)]))
    if r.training_started_on:
        parts = [
            p
            for p in (f"{r.training_days}天" if r.training_days else "", f"{r.training_hours}学时" if r.training_hours else "")
            if p
        ]
        entries.append(
            TimelineEntry(r.training_started_on, "短期集中培训", [("时长", "、".join(parts) or "—")], until=r.training_ended_on)
        )
    if r.publicity_started_on:
        facts = [("公示期", f"{r.publicity_working_days}个工作日")] if r.publicity_working_days is not None else []
        entries.append(TimelineEntry(r.publicity_started_on, "公示", facts, until=r.publicity_ended_on))
    if r.pre_reviewed_on:
        entries.append(TimelineEntry(r.pre_reviewed_on, "党委预审"))
    if r.admission_voted_on:
        facts = _vote_facts(r.admission_entitled, r.admission_present, r.admission_for, r.admission_against, r.admission_abstain)
        entries.append(
            TimelineEntry(r.admission_voted_on, "支部党员大会讨论接收预备党员", [*facts, ("党委审批期限", _d(r.approval_due_on))])
        )
    if r.approved_on:
        entries.append(
            TimelineEntry(
                r.approved_on,
                "党委审批，接收为预备党员",
                [("入党日期", _d(r.admission_voted_on)), ("预备期", f"至{_d(r.probation_ends_on)}")],
            )
        )
    if r.extension_decided_on:
        entries.append(
            TimelineEntry(
                r.extension_decided_on,
                "延长预备期",
                [("延长", f"{r.extension_months}个月"), ("原因", r.extension_reason), ("预备期", f"至{_d(r.probation_ends_on)}")],
            )
        )
    if r.confirmation_voted_on:
        facts = _vote_facts(
            r.confirmation_entitled, r.confirmation_present, r.confirmation_for, r.confirmation_against, r.confirmation_abstain
        )
        entries.append(
            TimelineEntry(
                r.confirmation_voted_on, "支部党员大会讨论转正", [*facts, ("转正审批期限", _d(r.confirmation_approval_due_on))]
            )
        )
    if r.confirmation_approved_on:
        entries.append(
            TimelineEntry(
                r.confirmation_approved_on, "党委审批，转为正式党员", [("转正日期", _d(r.probation_ends_on))], kind="done"
            )
        )
    if r.ended_on:
        title = "终止培养" if r.stage == DevelopmentStage.TERMINATED else "取消预备党员资格"
        entries.append(TimelineEntry(r.ended_on, title, [("原因", r.end_reason)], kind="end"))
    return entries


# Bookkeeping, not facts of the record.
_HISTORY_SKIP = {"id", "created_at", "updated_at", "created_by", "exceptions", "branch", "member"}


def _record_history(record: DevelopmentRecord, show_id: bool) -> list[HistoryEntry]:
    """The record's change timeline, newest first (one query): who, when, why, each changed
    field old → new; the 公民身份号码 masked unless ``show_id``."""
    fields = [f for f in DevelopmentRecord._meta.concrete_fields if f.name not in _HISTORY_SKIP]
    rows = list(record.history.select_related("history_user").order_by("history_date", "history_id"))

    def display(f: Any, row: Any) -> str:
        value = getattr(row, f.attname)
        if value in (None, ""):
            return "—"
        if f.name == "id_number":
            return value if show_id else mask_id_number(value)
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(value, datetime.date):
            return f"{value:%Y-%m-%d}"
        return str(value)

    entries: list[HistoryEntry] = []
    previous = None
    for row in rows:
        changes: list[FieldChange] = []
        if previous is not None:
            for f in fields:
                if getattr(previous, f.attname) != getattr(row, f.attname):
                    changes.append(FieldChange(str(f.verbose_name), display(f, previous), display(f, row)))
        who = ""
        if row.history_user is not None:
            who = getattr(row.history_user, "display_name", "") or row.history_user.get_username()
        entries.append(
            HistoryEntry(
                when=row.history_date,
                who=who or "系统",
                kind=row.history_type,
                reason=row.history_change_reason or "",
                changes=changes,
            )
        )
        previous = row
    entries.reverse()
    return entries


def _render_detail(
    request: HttpRequest, record: DevelopmentRecord, bound: StepForm | None = None, step: str = ""
) -> HttpResponse:
    can_write = can_write_org(request.user, record.branch)
    cultivators = list(record.cultivators.select_related("member").order_by("assigned_on", "pk"))
    forms: list[dict[str, Any]] = []
    if can_write:
        names = next_steps(record)
        if bound is not None and step not in names:
            # A step posted out of order: its form comes back first, with the refusal.
            names.insert(0, step)
        for name in names:
            form = bound if name == step and bound is not None else STEP_FORMS[name](record=record, prefix=name)
            forms.append({"step": name, "form": form, "ending": name in ENDING_STEPS})
    today = timezone.localdate()
    exceptions = [
        {**e, "on": datetime.date.fromisoformat(e["on"]), "recorded_on": datetime.date.fromisoformat(e["recorded_on"])}
        for e in record.exceptions
    ]
    context = {
        "record": record,
        "can_write": can_write,
        "shown_id_number": record.id_number if can_write else record.masked_id_number,
        "age": record.age_on(today),
        "timeline": _timeline(record, cultivators),
        "current_cultivators": [c for c in cultivators if c.ended_on is None],
        "deadline": next_deadline(record, today),
        "exceptions": exceptions,
        "step_forms": [f for f in forms if not f["ending"]],
        "ending_forms": [f for f in forms if f["ending"]],
        "open_step": step,
        "history": _record_history(record, can_write),
        "nav_section": NAV_SECTION,
    }
    return render(request, "members/development/detail.html", context)


@login_required
@require_GET
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Those whose scope covers the record's 党支部: the person (公民身份号码 whole for those who
    manage the branch, masked otherwise), every recorded stage as a timeline, the exceptions with
    their reasons, the next deadline, the change history, the roster record once admitted; writers
    also get the next step's forms and 终止培养 / 取消预备党员资格. Others: 404."""
    return _render_detail(request, get_development_record_for_user(request.user, pk))


@login_required
@require_POST
def record_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Writers of the record's 党支部: record one stage (``step`` is one of STEP_FORMS) through its
    service. Success: back to the record with a message. A refusal (out of order, a rule not met,
    a reason missing): the record's page again with the service's words next to the field, nothing
    changed. An unknown step, or a record out of scope: 404."""
    record = get_development_record_for_user(request.user, pk, write=True)
    form_class = STEP_FORMS.get(step)
    if form_class is None:
        raise Http404("没有这一步骤")
    form = form_class(request.POST, record=record, prefix=step)
    if form.is_valid():
        try:
            updated = form.submit(request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = f"已登记：{form_class.title}。"
            if updated.stage != record.stage:
                text = f"已登记：{form_class.title}，{updated.name}现为“{updated.get_stage_display()}”。"
            messages.success(request, text)
            return redirect(reverse("development:detail", args=[record.pk]) + "#timeline")
    record = get_development_record_for_user(request.user, pk, write=True)
    return _render_detail(request, record, bound=form, step=step)
