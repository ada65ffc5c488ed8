"""The life of a roster import: upload → preview → confirm → applied (or invalid / failed).

Files up to ASYNC_THRESHOLD rows are judged and applied inside the request; larger ones by a
Celery task, with progress in the cache (shared by web and worker) and a notification at the end.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import IO, Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from members.imports.columns import HEADERS
from members.imports.models import ImportStatus, RosterImport
from members.imports.pipeline import StaleImport, import_apply, import_preview, staged_path
from members.imports.reader import SUPPORTED_SUFFIXES, FileError, open_roster
from partybuild.accounts.access import can_import_roster, require_owner
from partybuild.accounts.models import User

logger = logging.getLogger(__name__)

ASYNC_THRESHOLD = 2000
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
MAX_STORED_ERRORS = 1000


def _progress_key(pk: int) -> str:
    return f"roster-import-progress:{pk}"


def import_progress(job: RosterImport) -> tuple[int, int]:
    """(done, total) of the running phase: the cache while running, the row once finished."""
    value = cache.get(_progress_key(job.pk))
    if job.is_running and value:
        return int(value[0]), int(value[1])
    return job.progress_done, job.progress_total


def _set_progress(pk: int, done: int, total: int) -> None:
    cache.set(_progress_key(pk), (done, max(total, done)), timeout=24 * 3600)


def errors_path(pk: int) -> Path:
    return staged_path(pk).with_suffix(".errors.json")


def roster_import_start(*, user: Any, upload: UploadedFile) -> RosterImport:
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
        from members.tasks import roster_import_preview_task

        transaction.on_commit(lambda: roster_import_preview_task.delay(job.pk))
    else:
        roster_import_run_preview(job.pk)
        job.refresh_from_db()
    return job


def roster_import_run_preview(pk: int) -> None:
    job = RosterImport.objects.select_related("created_by").get(pk=pk)
    if job.status not in (ImportStatus.QUEUED, ImportStatus.PARSING):
        return  # already judged (a retried task)
    RosterImport.objects.filter(pk=pk).update(status=ImportStatus.PARSING)
    _set_progress(pk, 0, job.total_rows)
    try:
        result = import_preview(
            path=job.file.path,
            filename=job.file_name,
            user=job.created_by,
            job_pk=pk,
            progress=lambda done, total: _set_progress(pk, done, total),
        )
    except FileError as exc:
        _finish(job, ImportStatus.FAILED, message=str(exc))
        return
    except Exception as exc:
        # Only the type: a database error's text can quote a row, and ID numbers never go to logs.
        logger.error("roster import %s: preview failed (%s)", pk, type(exc).__name__)
        _finish(job, ImportStatus.FAILED, message="检查文件时发生内部错误，请联系系统管理员。")
        return
    all_errors = [{"row": e.row, "column": e.column, "message": e.message} for e in result.errors]
    errors_path(pk).write_text(json.dumps(all_errors, ensure_ascii=False), encoding="utf-8")
    job.count_new, job.count_changed, job.count_unchanged = result.new, result.changed, result.unchanged
    job.count_error_rows = result.error_rows
    job.errors = all_errors[:MAX_STORED_ERRORS]
    job.error_total = len(all_errors)
    job.changes = result.changes
    job.unknown_headers, job.unstored_headers = result.unknown_headers, result.unstored_headers
    job.header_row = result.header_row
    job.progress_done = job.progress_total = result.total
    status = ImportStatus.INVALID if all_errors else ImportStatus.READY
    if status == ImportStatus.INVALID:
        message = f"共 {result.total} 行，其中 {result.error_rows} 行有错误，整个文件未导入。请下载错误报告，改正后重新上传。"
    elif result.new or result.changed:
        message = f"共 {result.total} 行：新增 {result.new}，修改 {result.changed}，无变化 {result.unchanged}。请核对后确认导入。"
    else:
        message = f"共 {result.total} 行，全部与花名册一致，无需导入。"
    job.status = status
    job.message = message
    job.save()
    if job.is_async:
        _notify(job, "花名册文件检查完成" + ("，发现错误" if status == ImportStatus.INVALID else "，请确认导入"))


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
            from members.tasks import roster_import_apply_task

            transaction.on_commit(lambda: roster_import_apply_task.delay(job.pk))
    if not job.is_async:
        roster_import_run_apply(job.pk)
        job.refresh_from_db()
    return job


def roster_import_run_apply(pk: int) -> None:
    job = RosterImport.objects.select_related("created_by").get(pk=pk)
    if job.status != ImportStatus.APPLYING:
        return
    total = job.count_new + job.count_changed
    _set_progress(pk, 0, total)
    reason = f"导入花名册：{job.file_name}（导入批次 #{job.pk}）"
    try:
        result = import_apply(
            job_pk=pk, user=job.created_by, reason=reason, expected_total=total, progress=lambda d, t: _set_progress(pk, d, t)
        )
    except StaleImport as exc:
        _finish(job, ImportStatus.FAILED, message=f"{exc}花名册未作任何修改。")
        return
    except IntegrityError:
        # Someone added a member with the same ID number after the preview.
        _finish(job, ImportStatus.FAILED, message="预览后名单发生了变化，请重新上传预览。花名册未作任何修改。")
        return
    except Exception as exc:
        logger.error("roster import %s: apply failed (%s)", pk, type(exc).__name__)
        _finish(job, ImportStatus.FAILED, message="导入时发生内部错误，花名册未作任何修改。请联系系统管理员。")
        return
    job.applied_created, job.applied_updated = result.created, result.updated
    job.applied_at = timezone.now()
    job.progress_done = job.progress_total = total
    _finish(job, ImportStatus.APPLIED, message=f"已导入：新增 {result.created} 名，修改 {result.updated} 名。")
    staged_path(pk).unlink(missing_ok=True)


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


def _finish(job: RosterImport, status: str, *, message: str) -> None:
    job.status = status
    job.message = message
    job.finished_at = timezone.now()
    job.save()
    if job.is_async:
        _notify(job, {"applied": "花名册导入完成", "failed": "花名册导入失败"}.get(status, "花名册导入结束"))


def _notify(job: RosterImport, title: str) -> None:
    from partybuild.notifications.services import NotificationSpec, notifications_send

    notifications_send(
        [
            NotificationSpec(
                recipient_id=job.created_by_id,
                dedupe_key=f"roster-import:{job.pk}:{job.status}",
                title=f"{title}：{job.file_name}",
                body=job.message,
                url=reverse("members:import_detail", args=[job.pk]),
                level="warning" if job.status in (ImportStatus.INVALID, ImportStatus.FAILED) else "info",
            )
        ]
    )


def write_error_report(job: RosterImport, target: IO[bytes]) -> None:
    """The original rows, each with its errors in a last column, ready to fix and upload again."""
    from members.imports.xlsx import RosterWriter

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


__all__ = ["HEADERS", "import_progress", "roster_import_cancel", "roster_import_confirm", "roster_import_start"]
