"""HTML pages of 发展党员: the pipeline of a 党支部 (or a subtree) by stage, a new 入党申请, a
record's page (the person, the stages as a timeline, the exceptions, the history) with the next
step as small forms, each posting to ``development:step``, and the corrections the services
accept: the person's facts (``development:person``) and a recorded stage fact, such as a vote
(``development:correct``), each folded under what it corrects.

Access: every lookup goes through partybuild.accounts.access. A record is reached through its
党支部 (``get_development_record_for_user(user, pk, write=...)``), so a record outside the
user's scope is 404 exactly like a missing one, and a member with no other role finds nothing (404). Every write goes through the stage
services in ``members.development``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.fields import org_picker
from branches.models import Organization, OrgKind, OrgStatus
from branches.selectors import get_org_for_user, own_org
from members.development import services
from members.development.correction_forms import CORRECTION_FORMS, CorrectionForm, PersonForm, person_editable
from members.development.models import OPEN_STAGES, STAGE_ENTERED, DevelopmentRecord
from members.development.selectors import Deadline, development_pipeline, get_development_record_for_user, next_deadline
from members.development.step_forms import ENDING_STEPS, STEP_FORMS, ApplicationForm, next_steps
from members.roster.timeline import development_timeline
from members.roster.validators import mask_id_number
from partybuild.accounts.access import can_write_org, require_org_scope
from partybuild.accounts.models import User
from partybuild.history import HistoryEntry, change_history, history_rows
from partybuild.web.forms import add_service_errors

NAV_SECTION = "development"


def _own_org(user: User) -> Organization | None:
    """Where the pipeline opens without ``?org=``: the user's own organization (a secretary's 党支部, staff's committee)."""
    return own_org(user)


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
    require_org_scope(request.user)
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
                    entered_on=getattr(e.record, STAGE_ENTERED[e.record.stage]),
                    cultivators=e.cultivators,
                    deadline=e.next_deadline,
                )
                for e in stage.entries
            ]
            stages.append({"stage": stage.stage, "label": stage.label, "rows": rows, "open": stage.stage in OPEN_STAGES})
    context = {
        "org": org,
        "stages": stages,
        "total": total,
        "include_closed": include_closed,
        "many_branches": org is not None and org.kind != OrgKind.BRANCH,
        "can_apply": org is not None and org.kind == OrgKind.BRANCH and org.status == OrgStatus.ACTIVE,
        "org_picker": org_picker(request.user, org),
        "today": today,
        "nav_section": NAV_SECTION,
    }
    return render(request, "members/development/pipeline.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest) -> HttpResponse:
    """Staff, secretaries and admins: record a 入党申请 received by an active 党支部 they may write
    (``?org=<pk>`` pre-selects it; a secretary's own branch is pre-selected), with the person's
    facts; refused rules (under 18, a number already on the roster or in another record) show next
    to their field. Out of scope ``org``: 404; members with no other role: 404."""
    require_org_scope(request.user)
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


# Bookkeeping, not facts of the record.
_HISTORY_SKIP = {"created_by", "exceptions", "branch", "member"}


def _record_history(record: DevelopmentRecord, show_id: bool) -> list[HistoryEntry]:
    """The record's change timeline, newest first (one query): who, when, why, each changed
    field old → new; the 公民身份号码 masked unless ``show_id``."""

    def special(f: Any, value: Any) -> str | None:
        if f.name == "id_number":
            return value if show_id else mask_id_number(value)
        return None

    return change_history(DevelopmentRecord, history_rows(record), skip=_HISTORY_SKIP, special=special)


def _correction(record: DevelopmentRecord, fact: str, form: CorrectionForm) -> dict[str, Any]:
    return {"form": form, "action": reverse("development:correct", args=[record.pk, fact]), "id": f"fix-{fact}", "folded": True}


@dataclass
class Bound:
    """A form posted to the record's page and refused: shown again, open, with the errors."""

    kind: str  # "step", "correct" or "person"
    name: str  # the step or the fact ("" for the person)
    form: Any


def _render_detail(request: HttpRequest, record: DevelopmentRecord, bound: Bound | None = None) -> HttpResponse:
    can_write = can_write_org(request.user, record.branch)
    cultivators = list(record.cultivators.select_related("member").order_by("assigned_on", "pk"))
    timeline = development_timeline(record, cultivators)
    forms: list[dict[str, Any]] = []
    person_form: PersonForm | None = None
    stray_correction: dict[str, Any] | None = None
    if can_write:
        names = next_steps(record)
        bound_step = bound if bound is not None and bound.kind == "step" else None
        if bound_step is not None and bound_step.name not in names:
            # A step posted out of order: its form comes back first, with the refusal.
            names.insert(0, bound_step.name)
        for name in names:
            if bound_step is not None and name == bound_step.name:
                form = bound_step.form
            else:
                form = STEP_FORMS[name](record=record, prefix=name)
            forms.append({"step": name, "form": form, "ending": name in ENDING_STEPS})
        # Corrections: folded under the entry they correct, while the service accepts them. A
        # refused one comes back open with its errors, even if the record has moved on meanwhile
        # (above the timeline when its entry is gone).
        fixing = bound if bound is not None and bound.kind == "correct" else None
        for entry in timeline:
            if not entry.fact:
                continue
            if fixing is not None and entry.fact == fixing.name:
                entry.correction = _correction(record, fixing.name, fixing.form)
                fixing = None
            elif CORRECTION_FORMS[entry.fact].offered(record):
                form = CORRECTION_FORMS[entry.fact](record=record, prefix=f"fix-{entry.fact}")
                entry.correction = _correction(record, entry.fact, form)
        if fixing is not None:
            stray_correction = {**_correction(record, fixing.name, fixing.form), "folded": False}
        if bound is not None and bound.kind == "person":
            person_form = bound.form
        elif person_editable(record):
            person_form = PersonForm(record=record, prefix="person")
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
        "timeline": timeline,
        "current_cultivators": [c for c in cultivators if c.ended_on is None],
        "deadline": next_deadline(record, today),
        "exceptions": exceptions,
        "step_forms": [f for f in forms if not f["ending"]],
        "ending_forms": [f for f in forms if f["ending"]],
        "open_step": bound.name if bound is not None and bound.kind == "step" else "",
        "stray_correction": stray_correction,
        "person": None
        if person_form is None
        else {
            "form": person_form,
            "action": reverse("development:person", args=[record.pk]),
            "id": "person-form",
            "folded": True,
            "col": "col-sm-6",
        },
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
    return _render_detail(request, record, Bound("step", step, form))


@login_required
@require_POST
def record_person(request: HttpRequest, pk: int) -> HttpResponse:
    """Writers of the record's 党支部: correct the person's facts (``development_person_update``),
    with a reason the history keeps; refused once the person is on the roster or the record has
    ended. A refusal (no reason, nothing changed, a number already in use, under 18): the record's
    page again with the form open and the words next to the field, nothing changed. Out of scope:
    404; read-only: 403."""
    record = get_development_record_for_user(request.user, pk, write=True)
    form = PersonForm(request.POST, record=record, prefix="person")
    if form.is_valid():
        try:
            updated = form.submit(request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已修改{updated.name}的个人信息。")
            return redirect("development:detail", pk=record.pk)
    record = get_development_record_for_user(request.user, pk, write=True)
    return _render_detail(request, record, Bound("person", "", form))


@login_required
@require_POST
def record_correct(request: HttpRequest, pk: int, fact: str) -> HttpResponse:
    """Writers of the record's 党支部: correct a recorded stage fact (``fact`` is one of
    CORRECTION_FORMS, e.g. ``admission_vote``) through the service that recorded it, which
    accepts it until the step that relies on it (the vote: until the 党委 approves). The reason
    goes to the history. A refusal: the record's page with the form open and the service's
    words next to the field, nothing changed. An unknown fact, or a record out of scope: 404;
    read-only: 403."""
    record = get_development_record_for_user(request.user, pk, write=True)
    form_class = CORRECTION_FORMS.get(fact)
    if form_class is None:
        raise Http404("没有这一项")
    form = form_class(request.POST, record=record, prefix=f"fix-{fact}")
    if form.is_valid():
        try:
            form.submit(request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已更正{form_class.what}。")
            return redirect(reverse("development:detail", args=[record.pk]) + "#timeline")
    record = get_development_record_for_user(request.user, pk, write=True)
    return _render_detail(request, record, Bound("correct", fact, form))
