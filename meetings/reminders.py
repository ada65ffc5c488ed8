"""The daily 自行脱党 risk reminder job (declared in settings.PERIODIC_JOBS as ``lapse_reminders``).

It lives in meetings, not beside the roster, because it reads attendance (organizational life),
and meetings sits above members in the layers."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from meetings.selectors import members_without_life
from members.dues.selectors import arrears
from members.management_rules.selectors import management_rules
from members.roster.models import Member
from partybuild.notifications.services import Reminder, reminders_fan_out

_RISK = "，按党章第九条有自行脱党风险，请及时谈话了解情况"


def _lapse_reminder(member: Member, kind: str, level: str, since: datetime.date | None, title: str) -> Reminder:
    key = f"lapse:{kind}:{member.pk}:{level}:{since:%Y%m}" if since else f"lapse:{kind}:{member.pk}:{level}:none"
    return Reminder(
        org_path=member.branch.path,
        dedupe_key=key,
        title=title,
        url=reverse("members:detail", args=[member.pk]),
        level="danger" if level == "flag" else "warning",
    )


def lapse_reminders_run(today: datetime.date | None = None) -> dict[str, int]:
    """The daily job: members behind with dues, or without organizational life, for the warning
    months of the management rules or more (members.management_rules: 3 by default) are notified to everyone
    whose scope covers their branch (secretaries, staff above, admins); at the flagging months (6 by
    default) as a 自行脱党 risk. No member's state is changed. Who is counted: dues, 正常 and 流动党员
    (members.dues.selectors.arrears); organizational life, 正常 members only
    (meetings.selectors.members_without_life); 失联 and 停止党籍 members in neither.

    Idempotent: one notification per (user, member, kind, level, since when); a rerun adds none, a
    member who reaches the flagging months (or pays and falls behind again later) is notified anew."""
    today = today or timezone.localdate()
    rules = management_rules()
    owing = arrears(Member.objects.all(), today=today, rules=rules)
    absent = members_without_life(Member.objects.all(), today=today, rules=rules)
    reminders: list[Reminder] = []
    for a in owing:
        risk = _RISK if a.level == "flag" else ""
        title = f"{a.member.branch.short_name} {a.member.name}已{a.months_behind}个月未交党费{risk}"
        reminders.append(_lapse_reminder(a.member, "dues", a.level, a.paid_up_to, title))
    for b in absent:
        risk = _RISK if b.level == "flag" else ""
        title = f"{b.member.branch.short_name} {b.member.name}已连续{b.months_without}个月未参加组织生活{risk}"
        reminders.append(_lapse_reminder(b.member, "life", b.level, b.last_attended, title))
    return {"dues": len(owing), "life": len(absent), "notifications": reminders_fan_out(reminders)}
