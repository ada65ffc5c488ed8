"""The numbers of 发展党员 as data: 党章 第一、七条, 《中国共产党发展党员工作细则》(2014), and the
local rule for the 公示 (at least 5 working days). Read by the members.development services each
time a stage is recorded: data to change, not constants in code. Existing rows are left as they are."""

from __future__ import annotations

from django.db import migrations

CONSTITUTION = "《中国共产党章程》"
RULES = "《中国共产党发展党员工作细则》"

# (key, value, unit, basis)
DEFAULTS = [
    ("min_age", 18, "year", f"{CONSTITUTION}第一条：年满十八岁"),
    ("talk_within", 1, "month", f"{RULES}：党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话"),
    ("cultivators_min", 1, "person", f"{RULES}：指定一至两名正式党员作入党积极分子的培养联系人"),
    ("cultivators_max", 2, "person", f"{RULES}：指定一至两名正式党员作入党积极分子的培养联系人"),
    ("activist_min", 1, "year", f"{RULES}：经过一年以上培养教育和考察，方可列为发展对象"),
    ("training_min_days", 3, "day", f"{RULES}：发展对象短期集中培训时间一般不少于三天"),
    ("training_min_hours", 24, "class_hour", f"{RULES}：或不少于二十四个学时"),
    ("publicity_min", 5, "working_day", "发展对象公示（地方规定）：公示期不少于五个工作日"),
    ("approval_within", 3, "month", f"{RULES}：基层党委对接收预备党员的决议，应当在三个月内审批"),
    ("approval_within_special", 6, "month", f"{RULES}：因特殊情况可适当延长审批时间，但不得超过六个月"),
    ("probation", 1, "year", f"{CONSTITUTION}第七条：预备党员的预备期为一年，从支部大会通过之日算起"),
    ("extension_min", 6, "month", f"{RULES}：延长预备期的时间不能少于半年"),
    ("extension_max", 12, "month", f"{CONSTITUTION}第七条：延长预备期，但不能超过一年"),
    ("extension_times", 1, "times", "延长预备期以一次为限"),
]


def seed(apps, schema_editor) -> None:
    rule = apps.get_model("members", "DevelopmentRule")
    for key, value, unit, basis in DEFAULTS:
        rule.objects.get_or_create(key=key, defaults={"value": value, "unit": unit, "basis": basis})


class Migration(migrations.Migration):
    dependencies = [("members", "0008_development")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
