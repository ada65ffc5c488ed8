"""Writes to the roster. Views, API, admin, imports and tasks all call these."""

from __future__ import annotations

import datetime

from django.utils import timezone

from members.roster.models import Member


def lapse_reminders_run(today: datetime.date | None = None) -> dict[str, int]:
    """The daily job: members behind with dues, or without organizational life, for the warning
    months of the management rules or more (members.management_rules: 3 by default) are notified to everyone
    whose scope covers their branch (secretaries, staff above, admins); at the flagging months (6 by
    default) as a 自行脱党 risk. No member's state is changed. Who is counted: dues, 正常 and 流动党员
    (members.dues.arrears); organizational life, 正常 members only
    (meetings.selectors.members_without_life); 失联 and 停止党籍 members in neither.

    Idempotent: one notification per (user, member, kind, level, since when); a rerun adds none, a
    member who reaches the flagging months (or pays and falls behind again later) is notified anew."""
    from django.urls import reverse

    from meetings.selectors import members_without_life
    from members.dues.calculation import arrears
    from members.management_rules.selectors import management_rules
    from partybuild.accounts.access import notification_recipients_for_paths
    from partybuild.notifications.services import NotificationSpec, notifications_send

    today = today or timezone.localdate()
    rules = management_rules()
    owing = arrears(Member.objects.all(), today=today, rules=rules)
    absent = members_without_life(Member.objects.all(), today=today, rules=rules)
    recipients = notification_recipients_for_paths(sorted({x.member.branch.path for x in [*owing, *absent]}))
    specs: list[NotificationSpec] = []

    def notify(member: Member, kind: str, level: str, since: datetime.date | None, title: str) -> None:
        key = f"lapse:{kind}:{member.pk}:{level}:{since:%Y%m}" if since else f"lapse:{kind}:{member.pk}:{level}:none"
        for user_id in recipients[member.branch.path]:
            specs.append(
                NotificationSpec(
                    recipient_id=user_id,
                    dedupe_key=key,
                    title=title,
                    url=reverse("members:detail", args=[member.pk]),
                    level="danger" if level == "flag" else "warning",
                )
            )

    for a in owing:
        risk = "，按党章第九条有自行脱党风险，请及时谈话了解情况" if a.level == "flag" else ""
        notify(
            a.member,
            "dues",
            a.level,
            a.paid_up_to,
            f"{a.member.branch.short_name} {a.member.name}已{a.months_behind}个月未交党费{risk}",
        )
    for b in absent:
        risk = "，按党章第九条有自行脱党风险，请及时谈话了解情况" if b.level == "flag" else ""
        notify(
            b.member,
            "life",
            b.level,
            b.last_attended,
            f"{b.member.branch.short_name} {b.member.name}已连续{b.months_without}个月未参加组织生活{risk}",
        )
    created = notifications_send(specs)
    return {"dues": len(owing), "life": len(absent), "notifications": created}
