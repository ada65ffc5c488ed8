"""A real Celery worker process runs the scheduled job through Redis against PostgreSQL.

Runs only when both DATABASE_URL and REDIS_URL are set (the PostgreSQL + Redis run in .ci/run).
"""

from __future__ import annotations

import datetime
import os
import uuid

import pytest

from branches.services import organization_update
from partybuild.notifications.models import Notification
from tests.conftest import World
from tests.worker import start_worker, stop_worker

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")),
        reason="需要 DATABASE_URL（PostgreSQL）和 REDIS_URL：在 .ci/run 的 PostgreSQL + Redis 轮次中运行",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_worker_process_runs_term_reminders_from_redis(world: World) -> None:
    world.branch_a.refresh_from_db()
    organization_update(org=world.branch_a, term_start=datetime.date(2020, 1, 1), term_years=3)  # long overdue
    queue = f"pbtest-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue)
    try:
        from partybuild.celery import app

        assert app.conf.broker_url.startswith("redis://")
        first = app.send_task("branches.tasks.term_reminders", queue=queue).get(timeout=90)
        note = Notification.objects.filter(recipient=world.secretary_a).first()
        assert note is not None and "已超期" in note.title
        assert first["notifications"] == Notification.objects.count() >= 3
        # Running it a second time through the worker adds nothing.
        second = app.send_task("branches.tasks.term_reminders", queue=queue).get(timeout=90)
        assert second["notifications"] == 0
        assert Notification.objects.count() == first["notifications"]
    finally:
        stop_worker(worker)
