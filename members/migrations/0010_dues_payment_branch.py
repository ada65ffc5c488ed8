"""Each dues payment keeps the 党支部 that collected it, so that a member's earlier months stay on
their old branch's ledger after a transfer.

Existing payments get the branch the member belonged to when the payment was recorded (the
member's history version in force at ``recorded_at``), else the member's branch today; their
history rows likewise at their own ``history_date``. Two UPDATE statements.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_branches(apps: Any, schema_editor: Any) -> None:
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    Member = apps.get_model("members", "Member")
    HistoricalMember = apps.get_model("members", "HistoricalMember")
    DuesPayment = apps.get_model("members", "DuesPayment")
    HistoricalDuesPayment = apps.get_model("members", "HistoricalDuesPayment")
    today = Member.objects.filter(pk=OuterRef("member_id")).values("branch_id")[:1]

    def then(moment: str) -> Subquery:
        return Subquery(
            HistoricalMember.objects.filter(id=OuterRef("member_id"), history_date__lte=OuterRef(moment))
            .order_by("-history_date", "-history_id")
            .values("branch_id")[:1]
        )

    DuesPayment.objects.update(branch_id=Coalesce(then("recorded_at"), Subquery(today)))
    HistoricalDuesPayment.objects.update(branch_id=Coalesce(then("history_date"), Subquery(today)))


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0005_org_date_and_term_validators"),
        ("members", "0009_default_development_rules"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="duespayment",
            name="branch",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="branches.organization",
                verbose_name="收缴党支部",
            ),
        ),
        migrations.AddField(
            model_name="historicalduespayment",
            name="branch",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="branches.organization",
                verbose_name="收缴党支部",
            ),
        ),
        migrations.RunPython(fill_branches, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="duespayment",
            index=models.Index(fields=["branch", "month"], name="members_due_branch__72c1f8_idx"),
        ),
    ]
