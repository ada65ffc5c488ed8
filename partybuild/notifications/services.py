"""Creating and reading notifications."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from partybuild.accounts.access import notification_recipients_for_paths
from partybuild.accounts.models import User
from partybuild.notifications.models import Notification


@dataclass(frozen=True)
class NotificationSpec:
    recipient_id: int
    dedupe_key: str
    title: str
    body: str = ""
    url: str = ""
    level: str = "info"


def notifications_send(specs: list[NotificationSpec]) -> int:
    """Insert notifications; a (recipient, dedupe_key) already present is skipped.

    Returns how many were new. Safe to call twice with the same specs (idempotent by the unique
    constraint, not by a prior read).
    """
    if not specs:
        return 0
    keys = {(s.recipient_id, s.dedupe_key) for s in specs}
    recipients = {r for r, _ in keys}
    with transaction.atomic():
        before = Notification.objects.filter(recipient_id__in=recipients, dedupe_key__in={k for _, k in keys}).count()
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=s.recipient_id,
                    dedupe_key=s.dedupe_key,
                    title=s.title,
                    body=s.body,
                    url=s.url,
                    level=s.level,
                )
                for s in specs
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        after = Notification.objects.filter(recipient_id__in=recipients, dedupe_key__in={k for _, k in keys}).count()
    return after - before


@dataclass(frozen=True)
class Reminder:
    """What a reminder job says about one organization: everyone whose scope covers ``org_path``
    hears it once (per ``dedupe_key``)."""

    org_path: str
    dedupe_key: str
    title: str
    url: str = ""
    level: str = "warning"
    body: str = ""


def reminders_fan_out(reminders: Iterable[Reminder]) -> int:
    """The one fan-out every reminder job uses: each reminder goes to the users whose scope covers
    its organization (staff and secretaries at or above it, and admins).

    Returns how many notifications were new. Idempotent: a (user, dedupe_key) already notified is
    skipped by the unique constraint, so running a job twice notifies once. Three queries plus the
    insert, whatever the number of reminders.
    """
    reminders = list(reminders)
    recipients = notification_recipients_for_paths(sorted({r.org_path for r in reminders}))
    return notifications_send(
        [
            NotificationSpec(
                recipient_id=user_id,
                dedupe_key=r.dedupe_key,
                title=r.title,
                body=r.body,
                url=r.url,
                level=r.level,
            )
            for r in reminders
            for user_id in sorted(recipients[r.org_path])
        ]
    )


def notification_mark_read(*, user: User, pk: int | None = None) -> int:
    """Mark one (or, with pk None, all) of the user's notifications read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(read_at=timezone.now())
