"""HTML pages of organizational life: the meeting book (list and Excel export), recording a meeting
with its attendance, the meeting's page and its printed record (会议记录本), cancelling, and the
photos and scanned sign-in sheets attached to it.

Every lookup goes through partybuild.accounts.access: a meeting outside the user's scope is 404, as
is every meeting page for a member with no other role (they see their attendance on their own
record). Every write goes through meetings.services.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.models import OrgKind, OrgStatus
from branches.selectors import get_org_for_user, visible_orgs
from meetings import listing
from meetings.forms import (
    AttachmentForm,
    CancelForm,
    MeetingFilterForm,
    MeetingForm,
    meeting_initial,
    roll_initial,
)
from meetings.history import meeting_history
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingStatus, MeetingType
from meetings.selectors import get_attachment_for_user, get_meeting_for_user, quorum_of
from meetings.services import attachment_add, attachment_remove, meeting_cancel, meeting_record, meeting_update
from members.roster.models import Member
from partybuild.accounts.access import can_write_org, require_org_scope, sole_scope_path
from partybuild.downloads import written_file
from partybuild.periods import Period, PeriodKind
from partybuild.web.forms import add_service_errors

PAGE_SIZE = 50
ROWS_TARGET = "meeting-rows"
ROLL_TARGET = "meeting-roll"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SORTABLE_COLUMNS = (("date", "时间"), ("org", "党组织"))
CANCELLED_NOTICE = "该会议已取消，不能修改。"


def _sort_links(params: QueryDict, current: str) -> dict[str, dict[str, Any]]:
    base = params.copy()
    base.pop("page", None)
    links: dict[str, dict[str, Any]] = {}
    for key, label in SORTABLE_COLUMNS:
        active = current.lstrip("-") == key
        descending = active and current.startswith("-")
        # A first click on the date shows the newest first; on the organization, tree order.
        if active:
            base["sort"] = key if descending else f"-{key}"
        else:
            base["sort"] = f"-{key}" if key == "date" else key
        links[key] = {"label": label, "url": f"?{base.urlencode()}", "active": active, "descending": descending}
    return links


def _period_suggestions(today: datetime.date) -> list[Period]:
    month = Period.containing(PeriodKind.MONTH, today)
    quarter = Period.containing(PeriodKind.QUARTER, today)
    year = Period.containing(PeriodKind.YEAR, today)
    return [month, month.previous(), quarter, quarter.previous(), year, year.previous()]


# --- the meeting book ----------------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Staff, secretaries and admins: the meetings of their subtree, filtered by organization
    (subtree, or exactly with ``exact=1``), counted type, status (已召开 unless asked) and period,
    searched by topic, sorted by date, 50 a page. ``?org=&type=&period=`` is the compliance
    matrix's drill-down: exactly the meetings counted for that cell. Members with no other role:
    404. With ``HX-Target: meeting-rows`` only the rows region is returned."""
    require_org_scope(request.user)
    form = MeetingFilterForm(request.GET or None, user=request.user)
    form.is_valid()
    filters = form.filters()
    queryset = listing.meeting_list_queryset(request.user, filters)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    facts = listing.row_facts(page.object_list)
    for meeting in page.object_list:
        meeting.facts = facts[meeting.pk]
    params = request.GET.copy()
    params.pop("page", None)
    new_url = reverse("meetings:new")
    if filters.org is not None and filters.meeting_type:
        new_url += f"?org={filters.org.pk}&type={filters.meeting_type}"
    context = {
        "filter_form": form,
        "filters": filters,
        "page": page,
        "query_string": params.urlencode(),
        "sort": filters.sort,
        "sorts": _sort_links(request.GET, filters.sort),
        "rows_target": ROWS_TARGET,
        "period_suggestions": _period_suggestions(timezone.localdate()),
        "new_url": new_url,
        "type_label": MeetingType(filters.meeting_type).label if filters.meeting_type else "",
        "nav_section": "meetings",
    }
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request and htmx.target == ROWS_TARGET
    response = render(request, "meetings/_meeting_rows.html" if partial else "meetings/list.html", context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@login_required
@require_GET
def meeting_export(request: HttpRequest) -> FileResponse:
    """Whoever sees the list: the meetings it shows with the same filters, as an .xlsx (every
    meeting, not one page). Members with no other role: 404."""
    require_org_scope(request.user)
    form = MeetingFilterForm(request.GET or None, user=request.user, with_options=False)
    form.is_valid()
    queryset = listing.meeting_list_queryset(request.user, form.filters())
    handle = written_file(lambda target: listing.write_export(target, queryset))
    filename = f"会议记录-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


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
        path = sole_scope_path(request.user)
        if path is not None:
            own = visible_orgs(request.user).filter(path=path, kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
            initial["organization"] = own.values_list("pk", flat=True).first()
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


def _render_detail(request: HttpRequest, meeting: Meeting, attachment_form: AttachmentForm | None = None) -> HttpResponse:
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
    return _render_detail(request, get_meeting_for_user(request.user, pk))


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


# --- attachments ---------------------------------------------------------------------------------


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Writers of the meeting's organization: attach a photo or a scanned sign-in sheet (JPG, PNG,
    PDF; at most 10 MB). A refused file: the meeting's page again, the reason next to the file
    field. Out of scope: 404."""
    meeting = get_meeting_for_user(request.user, pk, write=True)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = attachment_add(
                actor=request.user, meeting=meeting, upload=form.cleaned_data["file"], kind=form.cleaned_data["kind"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已上传“{attachment.original_name}”。")
            return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#attachments")
    return _render_detail(request, meeting, attachment_form=form)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Those who see the meeting: the file, under its original name, shown in the browser (``?download=1``
    saves it). Removed attachments and meetings out of scope: 404."""
    attachment = get_attachment_for_user(request.user, pk, attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("附件文件不存在") from None
    response = FileResponse(
        handle,
        as_attachment=request.GET.get("download") == "1",
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_remove_view(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """Writers of the meeting's organization: hide an attachment (the file stays on record).
    Out of scope: 404."""
    get_meeting_for_user(request.user, pk, write=True)
    attachment = get_attachment_for_user(request.user, pk, attachment_pk)
    attachment_remove(actor=request.user, attachment=attachment)
    messages.success(request, f"已移除“{attachment.original_name}”。")
    return redirect(reverse("meetings:detail", args=[pk]) + "#attachments")
