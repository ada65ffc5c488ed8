"""HTML pages of the roster import (花名册导入) and the roster export (导出Excel).

Only 系统管理员 and 党务干部 import (``can_import_roster``); anyone else gets 403 on the upload
page. An import is visible to its uploader (and to admins); anyone else gets 404, the same as for
a missing one. Every write goes through members.imports.services; every lookup through
members.imports.selectors (partybuild.accounts.access decides).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from members.imports.export import export_roster
from members.imports.models import ImportStatus, RosterImport
from members.imports.runs import import_progress
from members.imports.selectors import get_import_for_user, visible_imports
from members.imports.services import (
    roster_import_cancel,
    roster_import_confirm,
    roster_import_start,
    write_error_report,
)
from members.imports.xlsx import write_template
from members.roster import selectors
from members.roster.forms import MemberFilterForm
from partybuild.accounts.access import can_import_roster, is_owner, scope_for
from partybuild.accounts.models import User
from partybuild.downloads import written_file
from partybuild.web.forms import PortalForm, add_service_errors

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


HISTORY_PAGE_SIZE = 20


TEMPLATE_FILENAME = "党员花名册导入模板.xlsx"


# Highlights 花名册导入 (not 党员花名册) in the sidebar of base.html.
NAV_SECTION = "roster_import"


class RosterUploadForm(PortalForm):
    """The roster file to import. The file's content is judged by the service, not here."""

    file = forms.FileField(
        label="花名册文件",
        help_text="支持 .xlsx、.xls 和 .csv（UTF-8 或 GB18030 编码），不超过100MB。表头按名称识别，列的顺序不限。",
        error_messages={"required": "请选择要导入的文件。", "empty": "文件是空的，请检查后重新选择。"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )


def _require_importer(user: User) -> None:
    if not can_import_roster(user):
        raise PermissionDenied("只有系统管理员和党务干部可以导入花名册。")


def _xlsx_response(handle: Any, filename: str) -> FileResponse:
    """An xlsx download; FileResponse encodes the Chinese filename (RFC 5987, filename*=utf-8'')."""
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """系统管理员 and 党务干部: upload a roster file (judged at once, or by a task when large) and see
    the history of their imports (admins: everyone's). Others: 403. A file that cannot be read is
    refused with a Chinese message next to the file field, and nothing is kept."""
    _require_importer(request.user)
    form = RosterUploadForm(request.POST, request.FILES) if request.method == "POST" else RosterUploadForm()
    if form.is_bound and form.is_valid():
        try:
            job = roster_import_start(user=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("members:import_detail", pk=job.pk)
    imports = visible_imports(request.user).select_related("created_by").order_by("-created_at", "-id")
    page = Paginator(imports, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/import/upload.html",
        {
            "form": form,
            "page": page,
            "query_string": "",
            "show_all_users": scope_for(request.user).is_admin,
            "nav_section": NAV_SECTION,
        },
    )


@login_required
@require_GET
def import_template(request: HttpRequest) -> FileResponse:
    """系统管理员 and 党务干部: the import template (every header, one example row, a notes sheet).
    Others: 403."""
    _require_importer(request.user)
    buffer = io.BytesIO()
    write_template(buffer)
    buffer.seek(0)
    return _xlsx_response(buffer, TEMPLATE_FILENAME)


def _detail_context(request: HttpRequest, job: RosterImport) -> dict[str, Any]:
    is_uploader = is_owner(request.user, job.created_by_id)
    done, total = import_progress(job)
    return {
        "nav_section": NAV_SECTION,
        "job": job,
        "done": done,
        "total": total,
        "percent": min(100, round(100 * done / total)) if total else 0,
        "is_uploader": is_uploader,
        "can_confirm": is_uploader and job.status == ImportStatus.READY and (job.count_new + job.count_changed) > 0,
        "can_cancel": is_uploader and job.status in (ImportStatus.READY, ImportStatus.INVALID),
        "has_error_report": job.status == ImportStatus.INVALID or job.error_total > 0,
        "errors_hidden": max(0, job.error_total - len(job.errors)),
        "changes_hidden": max(0, job.count_changed - len(job.changes)),
    }


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The uploader (and admins): one import. While it runs, a progress bar that polls the status
    partial; once judged, the counts, the unknown columns, the errors, the changes and the actions
    (确认导入 and 取消 for the uploader only). Anyone else: 404."""
    job = get_import_for_user(request.user, pk)
    return render(request, "members/import/detail.html", _detail_context(request, job))


@login_required
@require_GET
def import_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial, polled every second by the detail page while the import runs. When it
    has finished, ``HX-Refresh`` tells the page to reload and show the outcome. Anyone who may not
    see the import: 404."""
    job = get_import_for_user(request.user, pk)
    if not job.is_running and getattr(request, "htmx", False):
        return HttpResponseClientRefresh()
    return render(request, "members/import/_progress.html", _detail_context(request, job))


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The uploader: apply a judged file (all rows or none). Someone else who can see it (an admin):
    403. Anyone else: 404. A file that is not ready says why on the detail page."""
    job = get_import_for_user(request.user, pk)
    try:
        job = roster_import_confirm(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if job.status == ImportStatus.APPLIED:
            messages.success(request, job.message)
        elif job.status == ImportStatus.FAILED:
            messages.error(request, job.message)
        else:
            messages.info(request, "正在后台导入，可以离开此页面，完成后会收到通知。")
    return redirect("members:import_detail", pk=job.pk)


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The uploader: drop a judged file without importing it. Someone else who can see it: 403.
    Anyone else: 404."""
    job = get_import_for_user(request.user, pk)
    try:
        job = roster_import_cancel(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, job.message)
    return redirect("members:import_detail", pk=job.pk)


@login_required
@require_GET
def import_errors(request: HttpRequest, pk: int) -> FileResponse:
    """Those who can see the import: the error report (the original rows with an error column),
    ready to fix and upload again. An import without errors, or anyone else: 404."""
    job = get_import_for_user(request.user, pk)
    if not job.error_total and job.status != ImportStatus.INVALID:
        raise Http404("该导入没有错误报告")
    handle = written_file(lambda target: write_error_report(job, target))
    return _xlsx_response(handle, f"{Path(job.file_name).stem}-错误报告.xlsx")


@login_required
@require_GET
def import_file(request: HttpRequest, pk: int) -> FileResponse:
    """Those who can see the import: the original file, kept for the record. Anyone else: 404."""
    job = get_import_for_user(request.user, pk)
    try:
        handle = job.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("原始文件不存在") from None
    return FileResponse(handle, as_attachment=True, filename=job.file_name)


@login_required
@require_GET
def roster_export(request: HttpRequest) -> FileResponse:
    """Anyone who sees the roster list (admins, staff, secretaries): the members the list shows with
    the same filters, as an xlsx with the import's headers (it goes back in unchanged). ID numbers
    of members the user does not manage are masked. A member with no other role: 403."""
    if not scope_for(request.user).sees_orgs:
        raise PermissionDenied("您没有导出党员花名册的权限")
    today = timezone.localdate()
    # The same form and selector as members:list, so the file holds exactly what the list shows.
    form = MemberFilterForm(request.GET or None, user=request.user)
    form.is_valid()
    queryset = selectors.member_list_queryset(request.user, form.filters(today))
    handle = written_file(lambda target: export_roster(target, request.user, queryset, today))
    return _xlsx_response(handle, f"党员花名册-{today:%Y%m%d}.xlsx")
