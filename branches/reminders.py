"""The daily 换届 reminder job (declared in settings.PERIODIC_JOBS as ``term_reminders``)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from branches.models import Organization, TermStatus
from branches.services import refresh_term_statuses
from partybuild.notifications.services import Reminder, reminders_fan_out


def term_reminders_run(today: datetime.date | None = None) -> dict[str, int]:
    """The daily 换届 job: refresh statuses, then notify everyone whose scope covers an
    organization whose term ends within the warning window or is overdue.

    Idempotent: one notification per (user, organization, status, term end); a rerun the same day
    (or any later day with nothing changed) adds none.
    """
    today = today or timezone.localdate()
    changed = refresh_term_statuses(today)
    flagged = list(
        Organization.objects.filter(term_status__in=[TermStatus.DUE_SOON, TermStatus.OVERDUE]).values(
            "pk", "path", "name", "term_status", "term_end", "term_extended_until"
        )
    )
    reminders: list[Reminder] = []
    for o in flagged:
        end = o["term_extended_until"] or o["term_end"]
        overdue = o["term_status"] == TermStatus.OVERDUE
        reminders.append(
            Reminder(
                org_path=o["path"],
                dedupe_key=f"term:{o['pk']}:{o['term_status']}:{end:%Y%m%d}",
                title=(
                    f"{o['name']}已超期未换届（届满日期{end:%Y-%m-%d}）"
                    if overdue
                    else f"{o['name']}将于{end:%Y-%m-%d}届满，请做好换届准备"
                ),
                url=reverse("branches:detail", args=[o["pk"]]),
                level="danger" if overdue else "warning",
            )
        )
    created = reminders_fan_out(reminders)
    return {"flagged": len(flagged), "notifications": created, **{f"set_{k}": v for k, v in changed.items()}}
