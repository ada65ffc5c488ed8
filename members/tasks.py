"""Celery tasks of the members app (the task names are kept as they are: members.tasks.*): the
roster import's two steps, and the 发展党员 and transfer reminders. Thin wrappers over services.
Idempotent: an import step checks the import's status first, a reminder notifies once."""

from __future__ import annotations

from celery import shared_task

from members.development.reminders import development_reminders_run
from members.imports.runs import roster_import_run_apply, roster_import_run_preview
from members.transfers.reminders import transfer_reminders_run


@shared_task(name="members.tasks.roster_import_preview")
def roster_import_preview_task(import_pk: int) -> None:
    roster_import_run_preview(import_pk)


@shared_task(name="members.tasks.roster_import_apply")
def roster_import_apply_task(import_pk: int) -> None:
    roster_import_run_apply(import_pk)


@shared_task(name="members.tasks.development_reminders", autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def development_reminders() -> dict[str, int]:
    return development_reminders_run()


@shared_task(name="members.tasks.transfer_reminders", autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def transfer_reminders() -> dict[str, int]:
    return transfer_reminders_run()
