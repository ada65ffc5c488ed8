"""The daily 发展党员 reminder job (declared in settings.PERIODIC_JOBS as ``development_reminders``)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from branches.models import Organization
from members.development.selectors import development_deadlines
from partybuild.notifications.services import Reminder, reminders_fan_out


def development_reminders_run(today: datetime.date | None = None) -> dict[str, int]:
    """The daily 发展党员 job: talks due and 预备期 ending within the days of the management rules
    (``development_reminder_within``, 30 by default), or already past without the step recorded,
    are notified to everyone whose scope covers the 党支部. Idempotent: one notification per (user,
    record, deadline, date)."""
    today = today or timezone.localdate()
    due = development_deadlines(Organization.objects.all(), today)
    reminders: list[Reminder] = []
    for d in due:
        left = d.deadline.days_left
        when = f"已超过{-left}天" if left < 0 else ("今天到期" if left == 0 else f"还有{left}天")
        reminders.append(
            Reminder(
                org_path=d.record.branch.path,
                dedupe_key=f"dev:{d.deadline.kind}:{d.record.pk}:{d.deadline.due_on:%Y%m%d}:{'late' if left < 0 else 'soon'}",
                title=f"{d.record.branch.short_name} {d.record.name}：{d.deadline.label}{d.deadline.due_on:%Y-%m-%d}（{when}）",
                url=reverse("development:detail", args=[d.record.pk]),
                level="danger" if left < 0 else "warning",
            )
        )
    return {"deadlines": len(due), "notifications": reminders_fan_out(reminders)}
