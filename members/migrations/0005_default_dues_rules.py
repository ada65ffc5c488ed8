"""The dues table of 《关于中国共产党党费收缴、使用和管理的规定》(中组发〔2008〕3号), in force from 2008.

In service: monthly after-tax salary up to 3,000 yuan 0.5%, 3,000–5,000 1%, 5,000–10,000 1.5%,
above 10,000 2% (each upper bound inclusive). Retired: up to 5,000 0.5%, above 1%. Farmers 0.2 to
1 yuan a month; students, the laid-off and those on relief or 低保 0.2 yuan a month. For a flat
category the amount is chosen within the range; the minimum is the default here."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from django.db import migrations

EFFECTIVE = datetime.date(2008, 1, 1)
BASIS = "《关于中国共产党党费收缴、使用和管理的规定》（2008年）"

# (category, income above, income up to (inclusive), rate, flat amount, flat min, flat max)
DEFAULTS = [
    ("employed", D("0"), D("3000"), D("0.005"), None, None, None),
    ("employed", D("3000"), D("5000"), D("0.01"), None, None, None),
    ("employed", D("5000"), D("10000"), D("0.015"), None, None, None),
    ("employed", D("10000"), None, D("0.02"), None, None, None),
    ("retired", D("0"), D("5000"), D("0.005"), None, None, None),
    ("retired", D("5000"), None, D("0.01"), None, None, None),
    ("farmer", D("0"), None, None, D("0.20"), D("0.20"), D("1.00")),
    ("student", D("0"), None, None, D("0.20"), D("0.20"), D("0.20")),
    ("unemployed", D("0"), None, None, D("0.20"), D("0.20"), D("0.20")),
]


def seed(apps, schema_editor) -> None:
    rule = apps.get_model("members", "DuesRule")
    for category, above, up_to, rate, flat, flat_min, flat_max in DEFAULTS:
        rule.objects.get_or_create(
            category=category,
            income_above=above,
            effective_from=EFFECTIVE,
            defaults={
                "income_up_to": up_to,
                "rate": rate,
                "flat_amount": flat,
                "flat_min": flat_min,
                "flat_max": flat_max,
                "note": BASIS,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0004_dues_rule")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
