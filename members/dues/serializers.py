"""Serializers for the 党费 API (/api/v1/dues/...).

Reading: the dues table in force (``DuesRulesSerializer``), a 党支部's year (``DuesYearSheetSerializer``)
and month (``DuesLedgerSerializer``), the members behind with their dues (``DuesArrearsReportSerializer``)
and a member's dues card (``DuesCardSerializer``). They serialize what members.dues.presenters and
members.dues.calculation compute (the same rows as the pages), turned into plain data by the ``*_data`` helpers
here. Money is a Decimal, written as a string with two decimals ("40.00"); a month is "2026-11".

Writing: ``DuesAssessSerializer`` (one member's dues for a year) and ``DuesMonthRecordSerializer``
(a month's payments for a 党支部, in one batch) check types, formats and ranges, in Chinese; who
may be set or recorded, and whether the amounts are allowed, is members.dues.services' to say.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from branches.filters import MAX_ID
from branches.models import Organization
from members.dues.calculation import Arrears
from members.dues.forms import MONEY_ERRORS, PAID_BY_MAX, REASON_MAX
from members.dues.models import DuesAssessment, DuesPayment, DuesRule, PaymentMethod
from members.dues.presenters import (
    BAND,
    FLAT,
    MANUAL,
    MONTH_STATE_LABELS,
    MOVED,
    PAID,
    SHORT,
    UNPAID,
    DuesCard,
    Ledger,
    YearRow,
    YearSheet,
)
from members.dues.services import DuesEntry
from members.dues.views import FIRST_YEAR
from members.roster.models import DuesCategory
from partybuild.api.fields import NamedChoiceField, PeriodField
from partybuild.periods import PeriodKind

KIND_LABELS = {BAND: "按月工资收入比例交纳", FLAT: "按定额交纳", MANUAL: "无标准，手工核定"}


# The states of a month on a member's card (members.dues.presenters.CardMonth).
CARD_STATE_LABELS = {
    PAID: MONTH_STATE_LABELS[PAID],
    SHORT: MONTH_STATE_LABELS[SHORT],
    UNPAID: MONTH_STATE_LABELS[UNPAID],
    "current": "本月待交",
    "none": "无应交",
}


# The months of each level are data (members.management_rules): the labels do not name them.
ARREARS_LEVEL_LABELS = {"warn": "达到提醒月数未交（提醒）", "flag": "达到标记月数未交（自行脱党风险）"}


def _month_text(value: datetime.date | None) -> str | None:
    return None if value is None else f"{value:%Y-%m}"


def _short_name(org: Organization) -> str:
    return org.short_name or org.name


def _money_field(**kwargs: Any) -> serializers.DecimalField:
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 2)
    kwargs.setdefault("read_only", True)
    return serializers.DecimalField(**kwargs)


def dues_category_field(**kwargs: Any) -> serializers.ChoiceField:
    # A plain ChoiceField, always named ``dues_category``: drf-spectacular then names its enum
    # DuesCategoryEnum, the same component as the member's field (one choice set, one name).
    return serializers.ChoiceField(choices=DuesCategory.choices, **kwargs)


def dues_kind_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(list(KIND_LABELS.items()), enum_name="DuesKindEnum", **kwargs)


_METHODS_TEXT = "、".join(f"{value}（{label}）" for value, label in PaymentMethod.choices)


def payment_method_field(**kwargs: Any) -> NamedChoiceField:
    kwargs.setdefault("error_messages", {"invalid_choice": f"交纳方式“{{input}}”无效，应为 {_METHODS_TEXT}。"})
    return NamedChoiceField(PaymentMethod, enum_name="PaymentMethodEnum", **kwargs)


def dues_month_field(**kwargs: Any) -> PeriodField:
    """A month: ``2026-11``."""
    messages = {"invalid_period": "月份“{value}”无法识别：请写成 2026-11 这样的年月。", **kwargs.pop("error_messages", {})}
    return PeriodField(kind=PeriodKind.MONTH, error_messages=messages, **kwargs)


def _year_bounds_error(year: int) -> str | None:
    last = timezone.localdate().year + 1
    if FIRST_YEAR <= year <= last:
        return None
    return f"年度应为{FIRST_YEAR}年至{last}年之间的年份。"


class DuesYearField(serializers.IntegerField):
    """A year whose dues may be set: from 2008 (the dues table in force since) to next year."""

    default_error_messages = {"invalid": "年度应为整数，如 2026。", "required": "请填写年度。", "null": "请填写年度。"}

    def to_internal_value(self, data: Any) -> int:
        year = super().to_internal_value(data)
        error = _year_bounds_error(year)
        if error:
            raise serializers.ValidationError(error)
        return year


class DuesRulesQuerySerializer(serializers.Serializer):
    on = serializers.DateField(required=False, error_messages={"invalid": "日期无法识别，请写成 2026-01-01 这样的日期。"})


class DuesYearQuerySerializer(serializers.Serializer):
    year = DuesYearField(required=False)


class DuesMonthQuerySerializer(serializers.Serializer):
    month = dues_month_field(required=False)


class DuesArrearsQuerySerializer(serializers.Serializer):
    org = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        error_messages={"invalid": "党组织ID无效。", "min_value": "党组织ID无效。", "max_value": "党组织ID无效。"},
    )


class DuesRuleSerializer(serializers.ModelSerializer):
    """党费标准的一行：按月工资收入的一个档次（比例），或一类党员的每月定额（及其上下限）。"""

    dues_category = dues_category_field(source="category", help_text="党费类别")
    dues_category_display = serializers.CharField(source="get_category_display", help_text="党费类别（中文）")
    kind = serializers.SerializerMethodField(help_text="band：按月工资收入比例交纳；flat：按定额交纳")
    income_above = _money_field(help_text="月收入高于（元，不含）")
    income_up_to = _money_field(allow_null=True, help_text="月收入至（元，含）；为空表示不设上限")
    rate = serializers.DecimalField(
        max_digits=6, decimal_places=4, allow_null=True, read_only=True, help_text="交纳比例，如 0.0050 即 0.5%；定额时为空"
    )
    flat_amount = _money_field(allow_null=True, help_text="每月定额（元）；按比例时为空")
    flat_min = _money_field(allow_null=True, help_text="定额下限（元）")
    flat_max = _money_field(allow_null=True, help_text="定额上限（元）")

    class Meta:
        model = DuesRule
        fields = [
            "id",
            "dues_category",
            "dues_category_display",
            "kind",
            "income_above",
            "income_up_to",
            "rate",
            "flat_amount",
            "flat_min",
            "flat_max",
            "effective_from",
            "note",
        ]
        read_only_fields = fields

    def get_kind(self, obj: DuesRule) -> str:
        return BAND if obj.rate is not None else FLAT


class DuesRulesSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="所查日期")
    manual_categories = serializers.ListField(
        child=serializers.CharField(), help_text="没有党费标准的党费类别（如 other）：每月党费由党支部直接核定并说明理由"
    )
    results = DuesRuleSerializer(many=True, help_text="该日有效的党费标准，按党费类别、收入档次排列")


def rules_data(on: datetime.date, rules: Mapping[str, list[DuesRule]]) -> dict[str, Any]:
    lines = [line for category in DuesCategory.values for line in rules.get(category, [])]
    return {"on": on, "manual_categories": [c for c in DuesCategory.values if c not in rules], "results": lines}


class DuesAssessmentSerializer(serializers.ModelSerializer):
    """已核定的年度党费。税后月工资收入、按标准计算的金额、计算依据和调整理由只给管理该党员的人看：
    其他人（党员本人）看到的这几项为空。"""

    dues_category = dues_category_field(source="category", help_text="核定时的党费类别")
    dues_category_display = serializers.CharField(source="get_category_display", help_text="核定时的党费类别（中文）")
    base_income = _money_field(allow_null=True, help_text="税后月工资收入（元）；定额类别为空")
    computed_amount = _money_field(allow_null=True, help_text="按党费标准计算的每月党费（元）；没有标准时为空")
    amount = _money_field(help_text="每月应交（元）")
    basis = serializers.CharField(allow_null=True, help_text="计算依据，如“月收入 4,000.00 元 × 1% = 40.00 元”")
    override_reason = serializers.CharField(allow_null=True, help_text="调整理由（与标准不同或年内调整时）")
    has_override = serializers.SerializerMethodField(help_text="每月应交是否与按标准计算的结果不同")

    class Meta:
        model = DuesAssessment
        fields = [
            "year",
            "dues_category",
            "dues_category_display",
            "base_income",
            "computed_amount",
            "amount",
            "basis",
            "override_reason",
            "has_override",
            "set_at",
        ]
        read_only_fields = fields

    def get_has_override(self, obj: DuesAssessment) -> bool | None:
        return obj.amount != obj.computed_amount

    def to_representation(self, instance: DuesAssessment) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("manages", True):
            for name in ("base_income", "computed_amount", "basis", "override_reason", "has_override"):
                data[name] = None
        return data


class DuesYearRowSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="党员ID")
    member_name = serializers.CharField(help_text="姓名")
    dues_category = dues_category_field(help_text="党员现在的党费类别")
    dues_category_display = serializers.CharField(help_text="党费类别（中文）")
    kind = dues_kind_field(
        help_text="核定方式：band 填税后月工资收入；flat 填定额（在上下限之间）；manual 直接填每月党费并说明理由"
    )
    flat_min = _money_field(allow_null=True, help_text="定额下限（元），仅 flat")
    flat_max = _money_field(allow_null=True, help_text="定额上限（元），仅 flat")
    flat_default = _money_field(allow_null=True, help_text="标准定额（元），仅 flat：不填定额时按此核定")
    assessment = DuesAssessmentSerializer(allow_null=True, help_text="该年度已核定的党费；尚未核定为空")
    stale = serializers.BooleanField(help_text="核定后党费类别已变更，需要重新核定")


class DuesYearSheetSerializer(serializers.Serializer):
    org = serializers.IntegerField(help_text="党支部ID")
    org_name = serializers.CharField(help_text="党支部名称")
    year = serializers.IntegerField(help_text="年度")
    can_assess = serializers.BooleanField(help_text="能否核定（已撤销的党支部只能查看）")
    assessed = serializers.IntegerField(help_text="已核定人数（不含党费类别已变更待重新核定的）")
    missing = serializers.IntegerField(help_text="未核定人数")
    monthly_total = _money_field(help_text="每月应交合计（元）")
    rows = DuesYearRowSerializer(many=True, help_text="党支部在册党员，每人一行，按姓名排列")


def year_row_data(row: YearRow, rules: Mapping[str, list[DuesRule]]) -> dict[str, Any]:
    flat_default = rules[row.member.dues_category][0].flat_amount if row.kind == FLAT else None
    return {
        "member": row.member.pk,
        "member_name": row.member.name,
        "dues_category": row.member.dues_category,
        "dues_category_display": row.category_label,
        "kind": row.kind,
        "flat_min": row.flat_min,
        "flat_max": row.flat_max,
        "flat_default": flat_default,
        "assessment": row.assessment,
        "stale": row.stale,
    }


def year_sheet_data(sheet: YearSheet, *, can_assess: bool) -> dict[str, Any]:
    return {
        "org": sheet.org.pk,
        "org_name": sheet.org.name,
        "year": sheet.year,
        "can_assess": can_assess,
        "assessed": sheet.assessed,
        "missing": sheet.missing,
        "monthly_total": sheet.monthly_total,
        "rows": [year_row_data(row, sheet.rules) for row in sheet.rows],
    }


_INCOME = {"max_digits": 10, "decimal_places": 2, "min_value": Decimal("0")}


_AMOUNT = {"max_digits": 8, "decimal_places": 2, "min_value": Decimal("0")}


class DuesAssessSerializer(serializers.Serializer):
    """One member's monthly dues for a year. By the member's 党费类别: 在职 and 离退休 give
    ``base_income``; 农民, 学生, 下岗失业/低保 give ``flat`` (or nothing: the table's amount); 其他
    gives ``amount`` and ``reason``. ``amount`` other than the table's, or changing a year already
    set, needs a ``reason``."""

    member = serializers.IntegerField(
        label="党员",
        min_value=1,
        max_value=MAX_ID,
        help_text="党员ID（本党支部的在册党员）",
        error_messages={
            "required": "请选择党员。",
            "null": "请选择党员。",
            "invalid": "党员ID应为整数。",
            "min_value": "所选党员不是本党支部的在册党员。",
            "max_value": "所选党员不是本党支部的在册党员。",
        },
    )
    year = DuesYearField(label="年度", help_text="年度，如 2026")
    base_income = serializers.DecimalField(
        label="税后月工资收入",
        required=False,
        allow_null=True,
        error_messages=MONEY_ERRORS,
        help_text="在职、离退休：税后月工资收入（元）",
        **_INCOME,
    )
    flat = serializers.DecimalField(
        label="每月定额",
        required=False,
        allow_null=True,
        error_messages=MONEY_ERRORS,
        help_text="农民、学生、下岗失业/低保：每月定额（元），在标准上下限之间；不填按标准定额",
        **_AMOUNT,
    )
    amount = serializers.DecimalField(
        label="每月党费",
        required=False,
        allow_null=True,
        error_messages=MONEY_ERRORS,
        help_text="与标准不同的每月党费（元），须说明理由；“其他”类别必填",
        **_AMOUNT,
    )
    reason = serializers.CharField(
        label="理由",
        max_length=REASON_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="调整理由：每月党费与标准不同，或年内调整已核定的党费时必填",
    )


def kind_errors(row: YearRow, data: Mapping[str, Any]) -> dict[str, list[str]]:
    """What was given that the member's 党费类别 does not take: said, never silently dropped."""
    label = row.category_label
    errors: dict[str, list[str]] = {}
    if row.kind == BAND and data.get("flat") is not None:
        errors["flat"] = [f"{label}党员按税后月工资收入计算党费，请填写 base_income，不填定额。"]
    if row.kind == FLAT and data.get("base_income") is not None:
        errors["base_income"] = [f"{label}党员按定额交纳党费，请填写 flat，不填月工资收入。"]
    if row.kind == MANUAL:
        for name in ("base_income", "flat"):
            if data.get(name) is not None:
                errors[name] = [f"“{label}”类别没有党费标准，请直接填写每月党费（amount）并说明理由。"]
    return errors


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
    due = _money_field(allow_null=True, help_text="应交（元）；未核定、尚未入党为空")
    amount_paid = _money_field(allow_null=True, help_text="实交（元）；未登记为空")
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
    due_total = _money_field(help_text="应交合计（元）")
    paid_total = _money_field(help_text="实交合计（元）")
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
                "paid_up_to": _month_text(row.paid_up_to),
                "collected_by_name": _short_name(p.branch) if p else None,
                "now_in_branch_name": _short_name(row.member.branch) if row.state == MOVED else None,
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
        **_AMOUNT,
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


class DuesArrearsRowSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="党员ID")
    member_name = serializers.CharField(help_text="姓名")
    branch = serializers.IntegerField(help_text="所在党支部ID")
    branch_name = serializers.CharField(help_text="所在党支部（简称）")
    paid_up_to = serializers.CharField(allow_null=True, help_text="党费交至：最后一个交足的月份；无记录为空")
    months_behind = serializers.IntegerField(help_text="连续未交月数（本月尚未到期，不计入）")
    level = NamedChoiceField(
        list(ARREARS_LEVEL_LABELS.items()),
        enum_name="ArrearsLevelEnum",
        help_text="warn：达到提醒月数（warn_months）；flag：达到标记月数（flag_months）",
    )
    label = serializers.CharField(help_text="提醒（中文）")


class DuesArrearsReportSerializer(serializers.Serializer):
    as_of = serializers.CharField(help_text="计算截至的月份（上月），如 2026-11")
    as_of_label = serializers.CharField(help_text="计算截至的月份（中文）")
    warn_months = serializers.IntegerField(help_text="提醒的月数（党员管理规则，默认3）")
    flag_months = serializers.IntegerField(help_text="标记自行脱党风险的月数（党员管理规则，默认6）")
    count = serializers.IntegerField(help_text="连续未交党费达到提醒月数的人数")
    flagged = serializers.IntegerField(help_text="其中达到标记月数的人数")
    next = serializers.URLField(allow_null=True, help_text="下一页")
    previous = serializers.URLField(allow_null=True, help_text="上一页")
    results = DuesArrearsRowSerializer(many=True)


def arrears_row_data(a: Arrears) -> dict[str, Any]:
    return {
        "member": a.member.pk,
        "member_name": a.member.name,
        "branch": a.member.branch_id,
        "branch_name": _short_name(a.member.branch),
        "paid_up_to": _month_text(a.paid_up_to),
        "months_behind": a.months_behind,
        "level": a.level,
        "label": a.label,
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
    due = _money_field(allow_null=True, help_text="应交（元）")
    amount_paid = _money_field(allow_null=True, help_text="实交（元）；未登记为空")
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
        "paid_up_to": _month_text(card.paid_up_to),
        "months": months,
    }
