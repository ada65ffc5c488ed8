"""The photos and scanned sign-in sheets attached to a meeting: upload, download, remove.

Every lookup goes through partybuild.accounts.access: a meeting outside the user's scope is 404.
Every write goes through meetings.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from meetings.forms import AttachmentForm
from meetings.selectors import get_attachment_for_user, get_meeting_for_user
from meetings.services import attachment_add, attachment_remove
from meetings.views import render_detail
from partybuild.web.forms import add_service_errors


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
    return render_detail(request, meeting, attachment_form=form)


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
