"""A 党支部's month of dues (``dues/branches/{id}/month/``).

Reading: ``DuesLedgerSerializer``, the month's ledger that members.dues.ledger_presenters computes
(the same rows as the page), turned into plain data by ``ledger_data``.

Writing: ``DuesMonthRecordSerializer`` (a month's payments for a 党支部, in one batch) checks types,
formats and ranges, in Chinese; who may be recorded is members.dues.services' to say.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rest_framework import serializers

from branches.filters import MAX_ID
from members.dues.display import MONTH_STATE_LABELS, MOVED
from members.dues.forms import MONEY_ERRORS, PAID_BY_MAX
from members.dues.ledger_presenters import Ledger
from members.dues.models import DuesPayment, PaymentMethod
from members.dues.serializer_fields import (
    AMOUNT_BOUNDS,
    dues_category_field,
    dues_month_field,
    money_field,
    month_text,
    payment_method_field,
    short_name,
)
from members.dues.services import DuesEntry
from members.roster.choices import DuesCategory
from partybuild.api.fields import NamedChoiceField


class DuesMonthQuerySerializer(serializers.Serializer):
    month = dues_month_field(required=False)


class DuesLedgerRowSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="党员ID")
    member_name = serializers.CharField(help_text="姓名")
    dues_category = dues_category_field(help_text="党费类别")
    dues_category_display = serializers.CharField(help_text="党费类别（中文）")
    state = NamedChoiceField(
        list(MONTH_STATE_LABELS.items()),
        enum_name="DuesMonthStateEnum",
        help_text="情况：" + "、".join(f"{value} {label}" for value, label in MONTH_STATE_LABELS.items()),
    )
    state_label = serializers.CharField(help_text="情况（中文）")
    recordable = serializers.BooleanField(help_text="可以登记该月党费（在册、已入党、已核定）")
    due = money_field(allow_null=True, help_text="应交（元）；未核定、尚未入党为空")
    amount_paid = money_field(allow_null=True, help_text="实交（元）；未登记为空")
    paid_on = serializers.DateField(allow_null=True, help_text="交纳日期")
    method = payment_method_field(allow_null=True, help_text="交纳方式")
    method_display = serializers.CharField(allow_null=True, help_text="交纳方式（中文）")
    paid_by = serializers.CharField(help_text="代交人（他人代交时）")
    paid_by_other = serializers.BooleanField(help_text="由他人代交")
    back_payment = serializers.BooleanField(help_text="补交（在所属月份之后交纳）")
    paid_up_to = serializers.CharField(allow_null=True, help_text="党费交至：最后一个交足的月份，如 2026-10；无记录为空")
    collected_by_name = serializers.CharField(
        allow_null=True, help_text="收缴党支部（简称）；elsewhere 时为党员原所在的党支部；未登记为空"
    )
    now_in_branch_name = serializers.CharField(allow_null=True, help_text="moved：党员现在所在的党支部（简称）；其他情况为空")


class DuesLedgerSerializer(serializers.Serializer):
    org = serializers.IntegerField(help_text="党支部ID")
    org_name = serializers.CharField(help_text="党支部名称")
    month = serializers.CharField(help_text="月份，如 2026-11")
    month_label = serializers.CharField(help_text="月份（中文）")
    can_record = serializers.BooleanField(help_text="能否登记（党支部未撤销、月份已到）")
    due_total = money_field(help_text="应交合计（元）")
    paid_total = money_field(help_text="实交合计（元）")
    paid_count = serializers.IntegerField(help_text="已交人数")
    unpaid_count = serializers.IntegerField(help_text="未交人数（含少交）")
    unassessed_count = serializers.IntegerField(help_text="尚未核定该年度党费的人数")
    rows = DuesLedgerRowSerializer(
        many=True, help_text="党支部在册党员，以及该月向本支部交过党费、后来已离开的党员（只读），按姓名排列"
    )


class DuesMonthRecordResultSerializer(DuesLedgerSerializer):
    recorded = serializers.IntegerField(help_text="本次登记（或更正）的人数")
    warnings = serializers.ListField(
        child=serializers.CharField(), help_text="提示（如补交超过党员管理规则所定月数），不影响登记"
    )


def ledger_data(ledger: Ledger, *, can_record: bool) -> dict[str, Any]:
    rows = []
    for row in ledger.rows:
        p: DuesPayment | None = row.payment
        rows.append(
            {
                "member": row.member.pk,
                "member_name": row.member.name,
                "dues_category": row.member.dues_category,
                "dues_category_display": DuesCategory(row.member.dues_category).label,
                "state": row.state,
                "state_label": row.state_label,
                "recordable": row.recordable,
                "due": row.due,
                "amount_paid": p.amount_paid if p else None,
                "paid_on": p.paid_on if p else None,
                "method": p.method if p else None,
                "method_display": p.get_method_display() if p else None,
                "paid_by": p.paid_by if p else "",
                "paid_by_other": bool(p and p.paid_by),
                "back_payment": bool(p and p.is_back_payment),
                "paid_up_to": month_text(row.paid_up_to),
                "collected_by_name": short_name(p.branch) if p else None,
                "now_in_branch_name": short_name(row.member.branch) if row.state == MOVED else None,
            }
        )
    return {
        "org": ledger.org.pk,
        "org_name": ledger.org.name,
        "month": str(ledger.month),
        "month_label": ledger.month.label,
        "can_record": can_record,
        "due_total": ledger.due_total,
        "paid_total": ledger.paid_total,
        "paid_count": ledger.paid_count,
        "unpaid_count": ledger.unpaid_count,
        "unassessed_count": len(ledger.unassessed),
        "rows": rows,
    }


class DuesEntrySerializer(serializers.Serializer):
    member = serializers.IntegerField(
        label="党员",
        min_value=1,
        max_value=MAX_ID,
        help_text="党员ID（本党支部的在册党员）",
        error_messages={
            "required": "请选择党员。",
            "null": "请选择党员。",
            "invalid": "党员ID应为整数。",
            "min_value": "党员ID无效。",
            "max_value": "党员ID无效。",
        },
    )
    amount_paid = serializers.DecimalField(
        label="实交金额",
        error_messages={**MONEY_ERRORS, "required": "请填写实交金额。", "null": "请填写实交金额。"},
        help_text="实交（元）",
        **AMOUNT_BOUNDS,
    )
    paid_on = serializers.DateField(
        label="交纳日期",
        error_messages={
            "required": "请填写交纳日期。",
            "null": "请填写交纳日期。",
            "invalid": "请填写有效的日期，如 2026-11-20。",
        },
        help_text="交纳日期，不晚于今天",
    )
    method = payment_method_field(label="交纳方式", default=PaymentMethod.CASH.value, help_text="交纳方式，默认现金")
    paid_by = serializers.CharField(
        label="代交人", max_length=PAID_BY_MAX, required=False, allow_blank=True, default="", help_text="他人代交时填写代交人"
    )


class DuesEntryListField(serializers.ListField):
    """The month's entries, one per member: ``{member, amount_paid, paid_on, method, paid_by}``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", DuesEntrySerializer())
        kwargs.setdefault("allow_empty", False)
        kwargs.setdefault(
            "error_messages",
            {
                "required": "请填写本次登记的党员（entries）。",
                "null": "请填写本次登记的党员（entries）。",
                "empty": "请至少登记一名党员的党费。",
                "not_a_list": "entries 应为列表，每名党员一行。",
            },
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> dict[int, DuesEntry]:  # type: ignore[override]
        rows = super().to_internal_value(data)
        seen = Counter(row["member"] for row in rows)
        repeated = sorted(pk for pk, n in seen.items() if n > 1)
        if repeated:
            raise serializers.ValidationError(f"同一党员只能登记一次（重复的党员ID：{'、'.join(map(str, repeated))}）。")
        return {
            row["member"]: DuesEntry(row["amount_paid"], row["paid_on"], row["method"], row.get("paid_by", "")) for row in rows
        }


class DuesMonthRecordSerializer(serializers.Serializer):
    """A month's payments of a 党支部, recorded together: all rows or none. A member already
    recorded that month is corrected in place (with its history)."""

    month = dues_month_field(
        label="月份",
        help_text="所属月份，如 2026-11（不能是尚未到来的月份）",
        error_messages={"required": "请填写所属月份。", "null": "请填写所属月份。", "blank": "请填写所属月份。"},
    )
    entries = DuesEntryListField(label="交纳记录", help_text="每名交纳党费的党员一行")
