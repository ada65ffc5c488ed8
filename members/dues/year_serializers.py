"""A 党支部's year of dues (``dues/branches/{id}/year/``).

Reading: ``DuesYearSheetSerializer``, the year's table that members.dues.year_presenters computes
(the same rows as the page), turned into plain data by ``year_sheet_data``.

Writing: ``DuesAssessSerializer`` (one member's dues for a year) checks types, formats and ranges,
in Chinese, and ``kind_errors`` what the member's 党费类别 does not take; whether the amounts are
allowed is members.dues.services' to say.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from branches.filters import MAX_ID
from members.dues.display import BAND, FLAT, MANUAL
from members.dues.forms import MONEY_ERRORS, REASON_MAX
from members.dues.models import DuesAssessment, DuesRule
from members.dues.serializer_fields import AMOUNT_BOUNDS, DuesYearField, dues_category_field, dues_kind_field, money_field
from members.dues.year_presenters import YearRow, YearSheet


class DuesYearQuerySerializer(serializers.Serializer):
    year = DuesYearField(required=False)


class DuesAssessmentSerializer(serializers.ModelSerializer):
    """已核定的年度党费。税后月工资收入、按标准计算的金额、计算依据和调整理由只给管理该党员的人看：
    其他人（党员本人）看到的这几项为空。"""

    dues_category = dues_category_field(source="category", help_text="核定时的党费类别")
    dues_category_display = serializers.CharField(source="get_category_display", help_text="核定时的党费类别（中文）")
    base_income = money_field(allow_null=True, help_text="税后月工资收入（元）；定额类别为空")
    computed_amount = money_field(allow_null=True, help_text="按党费标准计算的每月党费（元）；没有标准时为空")
    amount = money_field(help_text="每月应交（元）")
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
    flat_min = money_field(allow_null=True, help_text="定额下限（元），仅 flat")
    flat_max = money_field(allow_null=True, help_text="定额上限（元），仅 flat")
    flat_default = money_field(allow_null=True, help_text="标准定额（元），仅 flat：不填定额时按此核定")
    assessment = DuesAssessmentSerializer(allow_null=True, help_text="该年度已核定的党费；尚未核定为空")
    stale = serializers.BooleanField(help_text="核定后党费类别已变更，需要重新核定")


class DuesYearSheetSerializer(serializers.Serializer):
    org = serializers.IntegerField(help_text="党支部ID")
    org_name = serializers.CharField(help_text="党支部名称")
    year = serializers.IntegerField(help_text="年度")
    can_assess = serializers.BooleanField(help_text="能否核定（已撤销的党支部只能查看）")
    assessed = serializers.IntegerField(help_text="已核定人数（不含党费类别已变更待重新核定的）")
    missing = serializers.IntegerField(help_text="未核定人数")
    monthly_total = money_field(help_text="每月应交合计（元）")
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
        **AMOUNT_BOUNDS,
    )
    amount = serializers.DecimalField(
        label="每月党费",
        required=False,
        allow_null=True,
        error_messages=MONEY_ERRORS,
        help_text="与标准不同的每月党费（元），须说明理由；“其他”类别必填",
        **AMOUNT_BOUNDS,
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
