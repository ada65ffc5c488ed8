"""A member's dues card (``GET dues/members/{id}/``): ``DuesCardSerializer``, the card that
members.dues.card_presenters computes (the same as the member's record), turned into plain data by
``card_data``.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from members.dues.card_presenters import DuesCard
from members.dues.display import MONTH_STATE_LABELS, PAID, SHORT, UNPAID
from members.dues.serializer_fields import money_field, month_text, payment_method_field
from members.dues.year_serializers import DuesAssessmentSerializer
from partybuild.api.fields import NamedChoiceField

# The states of a month on a member's card (members.dues.card_presenters.CardMonth).
CARD_STATE_LABELS = {
    PAID: MONTH_STATE_LABELS[PAID],
    SHORT: MONTH_STATE_LABELS[SHORT],
    UNPAID: MONTH_STATE_LABELS[UNPAID],
    "current": "本月待交",
    "none": "无应交",
}


class DuesCardMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="月份，如 2026-11")
    month_label = serializers.CharField(help_text="月份（中文）")
    state = NamedChoiceField(
        list(CARD_STATE_LABELS.items()),
        enum_name="DuesCardStateEnum",
        help_text="paid 已交、short 少交、unpaid 未交、current 本月待交、none 无应交（未核定或尚未入党）",
    )
    state_label = serializers.CharField(help_text="情况（中文）")
    due = money_field(allow_null=True, help_text="应交（元）")
    amount_paid = money_field(allow_null=True, help_text="实交（元）；未登记为空")
    paid_on = serializers.DateField(allow_null=True, help_text="交纳日期")
    method = payment_method_field(allow_null=True, help_text="交纳方式")
    method_display = serializers.CharField(allow_null=True, help_text="交纳方式（中文）")
    paid_by = serializers.CharField(help_text="代交人")
    back_payment = serializers.BooleanField(help_text="补交")


class DuesCardSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="党员ID")
    member_name = serializers.CharField(help_text="姓名")
    year = serializers.IntegerField(help_text="本年度")
    assessment = DuesAssessmentSerializer(
        allow_null=True, help_text="本年度核定的党费；尚未核定为空。收入等只给管理该党员的人看，党员本人看到的为空"
    )
    paid_up_to = serializers.CharField(allow_null=True, help_text="党费交至：最后一个交足的月份；无记录为空")
    months = DuesCardMonthSerializer(many=True, help_text="最近12个月，由近及远")


def card_data(member_pk: int, member_name: str, card: DuesCard) -> dict[str, Any]:
    months = []
    for m in card.months:
        p = m.payment
        months.append(
            {
                "month": str(m.month),
                "month_label": m.month.label,
                "state": m.state,
                "state_label": CARD_STATE_LABELS[m.state],
                "due": m.due,
                "amount_paid": p.amount_paid if p else None,
                "paid_on": p.paid_on if p else None,
                "method": p.method if p else None,
                "method_display": p.get_method_display() if p else None,
                "paid_by": p.paid_by if p else "",
                "back_payment": bool(p and p.is_back_payment),
            }
        )
    return {
        "member": member_pk,
        "member_name": member_name,
        "year": card.year,
        "assessment": card.assessment,
        "paid_up_to": month_text(card.paid_up_to),
        "months": months,
    }
