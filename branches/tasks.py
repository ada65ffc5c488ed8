"""Celery tasks for the organization tree: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task

from branches.reminders import term_reminders_run


@shared_task(name="branches.tasks.term_reminders", autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def term_reminders() -> dict[str, int]:
    return term_reminders_run()
