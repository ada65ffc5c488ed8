"""The numbers of member management as data (members.management_rules), with the defaults DOMAIN.md
gives: 党章 第九条 (自行脱党: six consecutive months without organizational life or dues; the
portal warns at 3 and flags at 6), the 2008 党费规定 (back-payment generally at most 6 months),
and the portal's own reminders (a transfer waiting 7 days on one side, 发展党员 deadlines 30 days
ahead). Read each time by the reads and jobs: data to change, not constants in code. Existing
rows are left as they are."""

from __future__ import annotations

from django.db import migrations

CONSTITUTION = "《中国共产党章程》第九条"
LAPSE = f"{CONSTITUTION}：党员无正当理由，连续六个月不参加党的组织生活，或不交纳党费，或不做党所分配的工作，就被认为是自行脱党"
DUES = "《关于中国共产党党费收缴、使用和管理的规定》（2008）"

# (key, value, unit, basis)
DEFAULTS = [
    ("dues_arrears_warn", 3, "month", f"{LAPSE}。满此月数未交党费时提醒党组织及早谈话了解情况"),
    ("dues_arrears_flag", 6, "month", f"{CONSTITUTION}：连续六个月不交纳党费。满此月数标记自行脱党风险，由党组织核实处理"),
    ("life_absence_warn", 3, "month", f"{LAPSE}。满此月数未参加组织生活时提醒党组织及早谈话了解情况"),
    (
        "life_absence_flag",
        6,
        "month",
        f"{CONSTITUTION}：连续六个月不参加党的组织生活。满此月数标记自行脱党风险，由党组织核实处理",
    ),
    ("dues_back_payment_max", 6, "month", f"{DUES}：补交党费的时间一般不超过6个月；超过的照常登记并提示"),
    ("transfer_wait", 7, "day", "本系统：组织关系转接在一方等待审核转出或接收超过此天数时提醒该方党组织"),
    ("development_reminder_within", 30, "day", "本系统：谈话期限、预备期届满前此天数内提醒党支部（已逾期的一并提醒）"),
]


def seed(apps, schema_editor) -> None:
    rule = apps.get_model("members", "ManagementRule")
    for key, value, unit, basis in DEFAULTS:
        rule.objects.get_or_create(key=key, defaults={"value": value, "unit": unit, "basis": basis})


class Migration(migrations.Migration):
    dependencies = [("members", "0013_management_rule")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
