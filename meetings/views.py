"""HTML pages of one meeting: recording it with its attendance, editing it, its page and its printed
record (会议记录本), cancelling. The meeting book (list and export) is in meetings.book_views, the
attached photos and sign-in sheets in meetings.attachment_views.

Every lookup goes through partybuild.accounts.access: a meeting outside the user's scope is 404, as
is every meeting page for a member with no other role (they see their attendance on their own
record). Every write goes through meetings.services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from branches.models import OrgKind
from branches.selectors import get_org_for_user, own_org
from meetings.forms import AttachmentForm, CancelForm, MeetingForm, meeting_initial, roll_initial
from meetings.history import meeting_history
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingStatus, MeetingType
from meetings.selectors import get_meeting_for_user, quorum_of
from meetings.services import meeting_cancel, meeting_record, meeting_update
from members.roster.models import Member
from partybuild.accounts.access import can_write_org, require_org_scope
from partybuild.web.forms import add_service_errors

ROLL_TARGET = "meeting-roll"
CANCELLED_NOTICE = "该会议已取消，不能修改。"


# --- recording -----------------------------------------------------------------------------------


def _render_form(request: HttpRequest, form: MeetingForm, meeting: Meeting | None, **extra: Any) -> HttpResponse:
    cancel_url = reverse("meetings:detail", args=[meeting.pk]) if meeting else reverse("meetings:list")
    context = {
        "form": form,
        "meeting": meeting,
        "roll": form.roll,
        "roll_target": ROLL_TARGET,
        "cancel_url": cancel_url,
        "nav_section": "meetings",
        **extra,
    }
    return render(request, "meetings/form.html", context)


def _report(request: HttpRequest, text: str, warnings: list[str]) -> None:
    messages.success(request, text)
    for warning in warnings:
        messages.warning(request, warning)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    """Staff, secretaries and admins: record a meeting of an active organization they may write,
    held (with the attendance of its roll, everyone pre-set 出席) or planned. ``?org=<pk>&type=<type>``
    pre-selects (an organization out of scope: 404). Members with no other role: 404."""
    require_org_scope(request.user)
    initial: dict[str, Any] = {}
    if request.GET.get("org"):
        initial["organization"] = get_org_for_user(request.user, request.GET["org"], write=True).pk
    else:
        # A secretary keeps one 党支部: it is the organization of most of their meetings.
        own = own_org(request.user, kind=OrgKind.BRANCH)
        if own is not None:
            initial["organization"] = own.pk
    if request.GET.get("type") in MeetingType.values:
        initial["meeting_type"] = request.GET["type"]
    if request.GET.get("status") == MeetingStatus.PLANNED:
        initial["status"] = MeetingStatus.PLANNED.value
    form = MeetingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            result = meeting_record(actor=request.user, **form.record_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            meeting = result.meeting
            verb = "登记" if meeting.is_held else "计划"
            _report(request, f"已{verb}{meeting.get_meeting_type_display()}“{meeting.topic}”。", result.warnings)
            return redirect("meetings:detail", pk=meeting.pk)
    return _render_form(request, form, None)


def _recorded_attendance(meeting: Meeting) -> list[Attendance]:
    """The meeting's attendance rows with their members: a correction keeps this roll."""
    return list(meeting.attendance.select_related("member", "member__branch"))


def _attach_people(meetings: list[Meeting]) -> None:
    """Host, recorder and lecturer of the meetings in one query (instead of three each)."""
    ids = {pk for m in meetings for pk in (m.host_id, m.recorder_id, m.lecturer_id) if pk}
    people = Member.objects.in_bulk(ids) if ids else {}
    for m in meetings:
        for name in ("host", "recorder", "lecturer"):
            pk = getattr(m, f"{name}_id")
            setattr(m, name, people.get(pk) if pk else None)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Those who may write the meeting's organization: correct the record, mark a planned meeting
    held, change the attendance. A cancelled meeting cannot be changed: the page says so (and a
    POST gets the service's refusal). Out of scope: 404."""
    meeting = get_meeting_for_user(request.user, pk, write=True)
    _attach_people([meeting])
    if meeting.status == MeetingStatus.CANCELLED:
        refusal = CANCELLED_NOTICE
        if request.method == "POST":
            try:
                meeting_update(actor=request.user, meeting=meeting)
            except ValidationError as exc:
                refusal = " ".join(exc.messages)
        return render(request, "meetings/form.html", {"meeting": meeting, "refusal": refusal, "nav_section": "meetings"})
    form = MeetingForm(
        request.POST or None,
        user=request.user,
        meeting=meeting,
        initial=meeting_initial(meeting),
        recorded=_recorded_attendance(meeting),
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = meeting_update(actor=request.user, meeting=meeting, **form.update_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            _report(request, f"已保存“{meeting.topic}”。", result.warnings)
            return redirect("meetings:detail", pk=meeting.pk)
    return _render_form(request, form, meeting)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_roll(request: HttpRequest) -> HttpResponse:
    """The roll region of the meeting form (htmx, when the organization or the type changes): the
    types the meeting may also count for, host/recorder/lecturer, and the attendance table of
    ``roll_members(organization, type)``. POST carries the form as it is, so what was typed stays
    (nothing is written). ``meeting=<pk>`` when editing. Organizations or meetings the user may
    not write: 404; members with no other role: 404."""
    require_org_scope(request.user)
    data = request.POST if request.method == "POST" else request.GET
    meeting = None
    recorded: list[Attendance] = []
    if data.get("meeting"):
        meeting = get_meeting_for_user(request.user, data["meeting"], write=True)
        _attach_people([meeting])
        recorded = _recorded_attendance(meeting)
    elif data.get("organization"):
        get_org_for_user(request.user, data["organization"], write=True)
    form = MeetingForm(user=request.user, meeting=meeting, initial=roll_initial(data), recorded=recorded, roll_source=data)
    return render(
        request, "meetings/_roll.html", {"form": form, "roll": form.roll, "roll_target": ROLL_TARGET, "meeting": meeting}
    )


# --- one meeting ---------------------------------------------------------------------------------


def _meeting_facts(meeting: Meeting) -> dict[str, Any]:
    """What the page and the printed record show: attendance by status, counts, counted types,
    the quorum of a 党员大会 that decides. Two queries."""
    rows = list(
        meeting.attendance.select_related("member", "member__branch").order_by(
            "member__branch__path", "member__name", "member_id"
        )
    )
    groups: dict[str, list[Any]] = {s.value: [] for s in AttendanceStatus}
    for row in rows:
        groups.setdefault(row.status, []).append(row)
    counted = set(meeting.credits.values_list("meeting_type", flat=True))
    also = [MeetingType(t).label for t in MeetingType.values if t in counted and t != meeting.meeting_type]
    quorum = None
    if meeting.is_held and meeting.meeting_type == MeetingType.GENERAL_MEETING and meeting.decides:
        quorum = quorum_of([(r.status, r.voting) for r in rows])
    return {
        "attendance_rows": rows,
        "present": groups[AttendanceStatus.PRESENT],
        "leave": groups[AttendanceStatus.LEAVE],
        "absent": groups[AttendanceStatus.ABSENT],
        "expected": len(rows),
        "also": also,
        "quorum": quorum,
        "spans_branches": len({r.member.branch_id for r in rows}) > 1,
    }


def render_detail(request: HttpRequest, meeting: Meeting, attachment_form: AttachmentForm | None = None) -> HttpResponse:
    _attach_people([meeting])
    can_write = can_write_org(request.user, meeting.organization)
    context = {
        "meeting": meeting,
        "can_write": can_write,
        "attachments": list(meeting.attachments.filter(removed_at__isnull=True).select_related("uploaded_by")),
        "attachment_form": attachment_form or AttachmentForm(),
        "history": meeting_history(meeting),
        "nav_section": "meetings",
        **_meeting_facts(meeting),
    }
    return render(request, "meetings/detail.html", context)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Those whose scope covers the meeting's organization: everything recorded, the attendance by
    status, the types it counted for, the quorum of a 党员大会 that decides, the attachments and
    the change history; writers also get edit, cancel, upload and remove. Others: 404."""
    return render_detail(request, get_meeting_for_user(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Writers of the meeting's organization: cancel it with a reason (it stops counting and stays
    on record). GET asks for the reason; POST cancels. Out of scope: 404."""
    meeting = get_meeting_for_user(request.user, pk, write=True)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"cancel_reason": "reason"})
        else:
            messages.success(request, f"已取消“{meeting.topic}”。")
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/cancel.html", {"form": form, "meeting": meeting, "nav_section": "meetings"})


@login_required
@require_GET
def meeting_print(request: HttpRequest, pk: int) -> HttpResponse:
    """Those who see the meeting: its record in the 会议记录本 layout, a page of its own that prints
    on A4 (header block, attendance, minutes, resolutions, signature lines). Others: 404."""
    meeting = get_meeting_for_user(request.user, pk)
    _attach_people([meeting])
    context = {"meeting": meeting, "printed_on": timezone.localdate(), **_meeting_facts(meeting)}
    return render(request, "meetings/print.html", context)
