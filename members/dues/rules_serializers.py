"""The dues table in force (``GET dues/rules/``): ``DuesRulesSerializer``, one row per income band
or flat amount, from members.dues.calculation.rules_in_force.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from members.dues.display import BAND, FLAT
from members.dues.models import DuesRule
from members.dues.serializer_fields import dues_category_field, money_field
from members.roster.choices import DuesCategory


class DuesRulesQuerySerializer(serializers.Serializer):
    on = serializers.DateField(required=False, error_messages={"invalid": "日期无法识别，请写成 2026-01-01 这样的日期。"})


class DuesRuleSerializer(serializers.ModelSerializer):
    """党费标准的一行：按月工资收入的一个档次（比例），或一类党员的每月定额（及其上下限）。"""

    dues_category = dues_category_field(source="category", help_text="党费类别")
    dues_category_display = serializers.CharField(source="get_category_display", help_text="党费类别（中文）")
    kind = serializers.SerializerMethodField(help_text="band：按月工资收入比例交纳；flat：按定额交纳")
    income_above = money_field(help_text="月收入高于（元，不含）")
    income_up_to = money_field(allow_null=True, help_text="月收入至（元，含）；为空表示不设上限")
    rate = serializers.DecimalField(
        max_digits=6, decimal_places=4, allow_null=True, read_only=True, help_text="交纳比例，如 0.0050 即 0.5%；定额时为空"
    )
    flat_amount = money_field(allow_null=True, help_text="每月定额（元）；按比例时为空")
    flat_min = money_field(allow_null=True, help_text="定额下限（元）")
    flat_max = money_field(allow_null=True, help_text="定额上限（元）")

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
