"""Celery beat's scheduler: the jobs of settings.PERIODIC_JOBS, kept in django-celery-beat's tables.

django-celery-beat's own DatabaseScheduler rewrites every declared entry (update_or_create) each time
beat starts, so a time an admin changed in 系统管理 → 周期任务 was lost at the next restart. This one
inserts only the jobs that are missing (a new job, or one deleted by mistake) and leaves every
existing row (its time, whether it is enabled) as the admin left it.
"""

from __future__ import annotations

from typing import Any

from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler


class PeriodicJobScheduler(DatabaseScheduler):
    def update_from_dict(self, mapping: dict[str, dict[str, Any]]) -> None:
        # Called at startup with settings.CELERY_BEAT_SCHEDULE (from PERIODIC_JOBS) and Celery's
        # default entries: rows already in the database are loaded from there as they are.
        present = set(PeriodicTask.objects.filter(name__in=list(mapping)).values_list("name", flat=True))
        super().update_from_dict({name: entry for name, entry in mapping.items() if name not in present})
