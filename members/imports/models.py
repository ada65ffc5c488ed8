"""The member roster.

Fields follow the national 党员管理信息系统 export. Members are never deleted: they change state
(转出, 出党, 去世 end membership in the portal) and every change is kept by django-simple-history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    PARSING = "parsing", "正在检查"
    READY = "ready", "待确认"
    INVALID = "invalid", "有错误"
    APPLYING = "applying", "正在导入"
    APPLIED = "applied", "已导入"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


def _import_upload_to(instance: RosterImport, filename: str) -> str:
    from django.utils import timezone

    return f"imports/{timezone.localdate():%Y/%m}/{filename}"


class RosterImport(models.Model):
    """One upload of a roster file: its preview, its outcome, and the original file for the record."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="roster_imports", verbose_name="导入人"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True, db_index=True)
    file = models.FileField("原始文件", upload_to=_import_upload_to)
    file_name = models.CharField("文件名", max_length=200)
    status = models.CharField("状态", max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    is_async = models.BooleanField("后台处理", default=False)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    progress_done = models.PositiveIntegerField("已处理", default=0)
    progress_total = models.PositiveIntegerField("待处理", default=0)
    count_new = models.PositiveIntegerField("新增", default=0)
    count_changed = models.PositiveIntegerField("修改", default=0)
    count_unchanged = models.PositiveIntegerField("无变化", default=0)
    count_error_rows = models.PositiveIntegerField("错误行", default=0)
    header_row = models.PositiveIntegerField("表头所在行", default=0)
    unknown_headers = models.JSONField("未识别的列", default=list, blank=True)
    unstored_headers = models.JSONField("已识别但不导入的列", default=list, blank=True)
    errors = models.JSONField("错误（前1000条）", default=list, blank=True)
    error_total = models.PositiveIntegerField("错误条数", default=0)
    changes = models.JSONField("修改示例（前200行）", default=list, blank=True)
    message = models.TextField("说明", blank=True)
    applied_at = models.DateTimeField("导入时间", null=True, blank=True)
    applied_created = models.PositiveIntegerField("实际新增", default=0)
    applied_updated = models.PositiveIntegerField("实际修改", default=0)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "花名册导入"
        verbose_name_plural = "花名册导入"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0 if self.status in (ImportStatus.QUEUED, ImportStatus.PARSING, ImportStatus.APPLYING) else 100
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.PARSING, ImportStatus.APPLYING)


class RosterImportLock(models.Model):
    """A single row; applying an import locks it FOR UPDATE so only one import writes at a time."""

    class Meta:
        verbose_name = "导入锁"
        verbose_name_plural = "导入锁"
