"""The two long steps of a roster import, run inside the request for a small file or by a Celery task
(members.tasks) for a large one: judge the file (``roster_import_run_preview``) and apply it
(``roster_import_run_apply``). Each checks the import's status first, so a retried task does nothing twice;
progress is kept in the cache (shared by web and worker) and a large import ends with a notification.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from django.core.cache import cache
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from members.imports.models import ImportStatus, RosterImport
from members.imports.pipeline import StaleImport, import_apply, import_preview, staged_path
from members.imports.reader import FileError
from partybuild.notifications.services import NotificationSpec, notifications_send

logger = logging.getLogger(__name__)

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


def _finish(job: RosterImport, status: str, *, message: str) -> None:
    job.status = status
    job.message = message
    job.finished_at = timezone.now()
    job.save()
    if job.is_async:
        _notify(job, {"applied": "花名册导入完成", "failed": "花名册导入失败"}.get(status, "花名册导入结束"))


def _notify(job: RosterImport, title: str) -> None:
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
