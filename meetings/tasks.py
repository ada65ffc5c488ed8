"""Celery tasks for meetings: thin wrappers over their jobs."""

from __future__ import annotations

from celery import shared_task

from meetings.reminders import lapse_reminders_run


# The name stays members.tasks.lapse_reminders (as scheduled in PERIODIC_JOBS and in existing beat rows):
# the job moved to meetings because it reads attendance, which members may not import.
@shared_task(name="members.tasks.lapse_reminders", autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def lapse_reminders() -> dict[str, int]:
    return lapse_reminders_run()
