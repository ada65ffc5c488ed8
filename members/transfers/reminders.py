"""The daily 组织关系转接 reminder job (declared in settings.PERIODIC_JOBS as ``transfer_reminders``)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from members.management_rules.models import ManagementRuleKey
from members.management_rules.selectors import management_rules
from members.transfers.models import Transfer, TransferStatus
from partybuild.notifications.services import Reminder, reminders_fan_out


def transfer_reminders_run(today: datetime.date | None = None) -> dict[str, int]:
    """The daily transfer job: a transfer waiting on one side (the sending side to approve, the
    receiving side to accept) longer than the 组织关系转接等待提醒 rule (7 days by default: reminded
    on the 8th) is notified to everyone whose scope covers that side's 党支部. Idempotent: one notification per (user, transfer, status, the day the wait began — the
    transfer's last save, i.e. its last status change): a rerun adds none, and a transfer that
    moves and comes back to the same step (挂起, then 恢复办理) is notified anew once it has waited as
    long again."""
    today = today or timezone.localdate()
    wait_days = management_rules().value(ManagementRuleKey.TRANSFER_WAIT)  # 组织关系转接等待提醒: data, 7 days by default
    cutoff = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=wait_days), datetime.time.min))
    waiting = list(
        Transfer.objects.filter(status__in=[TransferStatus.APPLIED, TransferStatus.OUT_APPROVED], updated_at__lt=cutoff)
        .select_related("member", "from_org", "to_org")
        .order_by("pk")
    )
    sides = [(t, t.from_org if t.status == TransferStatus.APPLIED else t.to_org) for t in waiting]
    sides = [(t, org) for t, org in sides if org is not None]
    reminders: list[Reminder] = []
    for t, org in sides:
        who = t.member.name if t.member_id else t.incoming.get("name", "")
        step = "审核转出" if t.status == TransferStatus.APPLIED else "接收"
        since = timezone.localdate(t.updated_at)
        days = (today - since).days
        reminders.append(
            Reminder(
                org_path=org.path,
                dedupe_key=f"transfer:{t.pk}:{t.status}:{since:%Y%m%d}",
                title=f"{who}的组织关系转接已等待{step}{days}天（{org.short_name}）",
                url=reverse("transfers:detail", args=[t.pk]),
                level="warning",
            )
        )
    return {"waiting": len(sides), "notifications": reminders_fan_out(reminders)}
