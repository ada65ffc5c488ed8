"""The members behind with their dues (``GET dues/arrears/``): ``DuesArrearsReportSerializer``, the
rows of members.dues.selectors.arrears turned into plain data by ``arrears_row_data``.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from branches.filters import MAX_ID
from members.dues.selectors import Arrears
from members.dues.serializer_fields import month_text, short_name
from partybuild.api.fields import NamedChoiceField

# The months of each level are data (members.management_rules): the labels do not name them.
ARREARS_LEVEL_LABELS = {"warn": "达到提醒月数未交（提醒）", "flag": "达到标记月数未交（自行脱党风险）"}


class DuesArrearsQuerySerializer(serializers.Serializer):
    org = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        error_messages={"invalid": "党组织ID无效。", "min_value": "党组织ID无效。", "max_value": "党组织ID无效。"},
    )


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
        "branch_name": short_name(a.member.branch),
        "paid_up_to": month_text(a.paid_up_to),
        "months_behind": a.months_behind,
        "level": a.level,
        "label": a.label,
    }
