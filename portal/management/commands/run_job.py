"""Run a scheduled job by hand, in this process: `python manage.py run_job term_reminders`."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from partybuild.celery import app


class Command(BaseCommand):
    help = "立即运行一个定时任务（名称见 settings.PERIODIC_JOBS）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("job", help="任务名称，例如 term_reminders")

    def handle(self, *args: Any, job: str, **options: Any) -> None:
        jobs = settings.PERIODIC_JOBS
        if job not in jobs:
            raise CommandError(f"没有名为 {job!r} 的定时任务。可用：{', '.join(sorted(jobs))}")
        app.loader.import_default_modules()
        task = app.tasks[jobs[job]["task"]]
        result = task.apply().get()  # runs here, not on a worker; same code path as the worker
        self.stdout.write(json.dumps({"job": job, "result": result}, ensure_ascii=False))
