"""Seed the term lengths (支部工作条例 第二十一条; 党章): admins may change them later."""

from django.db import migrations

RULES = [
    ("committee", "", 5),
    ("general_branch", "", 3),
    ("general_branch", "village", 5),
    ("general_branch", "community", 5),
    ("branch", "", 3),
    ("branch", "village", 5),
    ("branch", "community", 5),
]


def seed(apps, schema_editor):
    TermLengthRule = apps.get_model("branches", "TermLengthRule")
    for kind, category, years in RULES:
        TermLengthRule.objects.get_or_create(kind=kind, category=category, defaults={"years": years})


class Migration(migrations.Migration):
    dependencies = [("branches", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
