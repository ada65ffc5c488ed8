"""The life of a roster import: upload → preview → confirm → applied (or invalid / failed).

Files up to ASYNC_THRESHOLD rows are judged and applied inside the request; larger ones by a
Celery task (members.tasks), queued here once the transaction commits. Both run the same steps,
members.imports.runs, with progress in the cache (shared by web and worker) and a notification at the end.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from members.imports.models import ImportStatus, RosterImport
from members.imports.pipeline import staged_path
from members.imports.reader import SUPPORTED_SUFFIXES, FileError, open_roster
from members.imports.runs import errors_path, roster_import_run_apply, roster_import_run_preview
from members.imports.xlsx import RosterWriter
from members.tasks import roster_import_apply_task, roster_import_preview_task
from partybuild.accounts.access import can_import_roster, require_owner
from partybuild.accounts.models import User

ASYNC_THRESHOLD = 2000
MAX_UPLOAD_BYTES = 100 * 1024 * 1024


def roster_import_start(*, user: User, upload: UploadedFile) -> RosterImport:
    """Check the file's form and headers, keep it, and judge it (now, or by a task if large).

    A file that cannot be read at all, or lacks required columns, is refused with a Chinese
    message on the ``file`` field and nothing is kept.
    """
    if not can_import_roster(user):
        raise PermissionDenied("只有系统管理员和党务干部可以导入花名册。")
    name = Path(upload.name or "").name
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise ValidationError({"file": "只支持 .xlsx、.xls 和 .csv 文件。"})
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": "文件超过100MB，请拆分后分批导入。"})
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            sheet = open_roster(tmp.name, name)
        except FileError as exc:
            raise ValidationError({"file": str(exc)}) from None
        total = sheet.total_rows  # the header is checked now; the rows are read by the preview
        sheet.close()
    upload.seek(0)
    job = RosterImport(created_by=user, file_name=name[:200], total_rows=total, is_async=total > ASYNC_THRESHOLD)
    job.file.save(name, upload, save=False)
    job.progress_total = total
    job.save()
    if job.is_async:
        transaction.on_commit(lambda: roster_import_preview_task.delay(job.pk))
    else:
        roster_import_run_preview(job.pk)
        job.refresh_from_db()
    return job


def roster_import_confirm(*, job: RosterImport, user: User) -> RosterImport:
    """Apply a judged file: now for a small one, by a task for a large one."""
    with transaction.atomic():
        job = RosterImport.objects.select_for_update().get(pk=job.pk)
        require_owner(user, job.created_by_id, "只能由上传人确认导入。")
        if job.status != ImportStatus.READY:
            raise ValidationError("该文件当前不能导入：" + job.get_status_display())
        job.status = ImportStatus.APPLYING
        job.progress_done, job.progress_total = 0, job.count_new + job.count_changed
        job.save(update_fields=["status", "progress_done", "progress_total"])
        if job.is_async:
            transaction.on_commit(lambda: roster_import_apply_task.delay(job.pk))
    if not job.is_async:
        roster_import_run_apply(job.pk)
        job.refresh_from_db()
    return job


def roster_import_cancel(*, job: RosterImport, user: User) -> RosterImport:
    with transaction.atomic():
        job = RosterImport.objects.select_for_update().get(pk=job.pk)
        require_owner(user, job.created_by_id, "只能由上传人取消。")
        if job.status not in (ImportStatus.READY, ImportStatus.INVALID):
            raise ValidationError("该文件当前不能取消：" + job.get_status_display())
        job.status = ImportStatus.CANCELLED
        job.message = "已取消，花名册未作任何修改。"
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
    staged_path(job.pk).unlink(missing_ok=True)
    return job


def write_error_report(job: RosterImport, target: IO[bytes]) -> None:
    """The original rows, each with its errors in a last column, ready to fix and upload again."""
    errors: dict[int, list[str]] = {}
    path = errors_path(job.pk)
    stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else job.errors
    for e in stored:
        errors.setdefault(e["row"], []).append(f"{e['column']}：{e['message']}")
    sheet = open_roster(job.file.path, job.file_name)
    # Every column keeps its place and header, known or not, so the user's file comes back as it was.
    headers = sheet.raw_headers
    width = len(headers)
    writer = RosterWriter(target)
    writer.header([*headers, "错误说明"])
    try:
        for number, cells in sheet.rows():
            row = list(cells[:width]) + [""] * max(0, width - len(cells))
            writer.write([*row, "；".join(errors.get(number, []))], error_col=width)
    finally:
        sheet.close()
    writer.close()


__all__ = ["roster_import_cancel", "roster_import_confirm", "roster_import_start"]
