"""The default minimum frequencies of 支部工作条例（试行）(2018) and seed 004, from 2018-10-28, the
day the 条例 was issued. Admins change them by adding rules with a later date."""

from __future__ import annotations

import datetime

from django.db import migrations

EFFECTIVE = datetime.date(2018, 10, 28)
BASIS = "《中国共产党支部工作条例（试行）》"

# (org kind, meeting type, period kind, minimum, basis)
DEFAULTS = [
    ("branch", "general_meeting", "quarter", 1, BASIS + "第十九条"),
    ("branch", "committee_meeting", "month", 1, BASIS + "第十九条"),
    ("branch", "lecture", "quarter", 1, BASIS + "第十九条"),
    ("branch", "theme_day", "month", 1, BASIS + "第二十条"),
    ("branch", "study", "quarter", 1, "机关党建工作要求（专题学习研讨每季度1次）"),
    ("branch", "life_meeting", "year", 1, BASIS + "第二十一条"),
    ("branch", "member_review", "year", 1, BASIS + "第二十一条"),
    ("group", "group_meeting", "month", 1, BASIS + "第十九条"),
    ("general_branch", "committee_meeting", "month", 1, "参照党支部委员会"),
    ("general_branch", "life_meeting", "year", 1, "参照党支部"),
    ("committee", "democratic_life", "year", 1, "《县以上党和国家机关党员领导干部民主生活会若干规定》"),
    ("committee", "study", "quarter", 1, "党委（党组）理论学习中心组学习"),
]


def seed(apps, schema_editor) -> None:
    rule = apps.get_model("meetings", "FrequencyRule")
    for org_kind, meeting_type, period_kind, minimum, note in DEFAULTS:
        rule.objects.get_or_create(
            meeting_type=meeting_type,
            org_kind=org_kind,
            effective_from=EFFECTIVE,
            defaults={"period_kind": period_kind, "min_count": minimum, "note": note},
        )


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
