"""Writes to the roster. Views, API, admin, imports and tasks all call these."""

from __future__ import annotations

import datetime

from django.utils import timezone


def development_reminders_run(today: datetime.date | None = None) -> dict[str, int]:
    """The daily 发展党员 job: talks due and 预备期 ending within the days of the management rules
    (``development_reminder_within``, 30 by default), or already past without the step recorded,
    are notified to everyone whose scope covers the 党支部. Idempotent: one notification per (user,
    record, deadline, date)."""
    from django.urls import reverse

    from branches.models import Organization
    from members.development.selectors import development_deadlines
    from partybuild.accounts.access import notification_recipients_for_paths
    from partybuild.notifications.services import NotificationSpec, notifications_send

    today = today or timezone.localdate()
    due = development_deadlines(Organization.objects.all(), today)
    recipients = notification_recipients_for_paths(sorted({d.record.branch.path for d in due}))
    specs = []
    for d in due:
        left = d.deadline.days_left
        when = f"已超过{-left}天" if left < 0 else ("今天到期" if left == 0 else f"还有{left}天")
        title = f"{d.record.branch.short_name} {d.record.name}：{d.deadline.label}{d.deadline.due_on:%Y-%m-%d}（{when}）"
        key = f"dev:{d.deadline.kind}:{d.record.pk}:{d.deadline.due_on:%Y%m%d}:{'late' if left < 0 else 'soon'}"
        url = reverse("development:detail", args=[d.record.pk])
        level = "danger" if left < 0 else "warning"
        for user_id in recipients[d.record.branch.path]:
            specs.append(NotificationSpec(recipient_id=user_id, dedupe_key=key, title=title, url=url, level=level))
    return {"deadlines": len(due), "notifications": notifications_send(specs)}
