"""Serializers for the compliance API: the query (organization, period) and the report, one
organization a row, its cells per meeting type and the units (months, quarters) each is judged by."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from branches.filters import MAX_ID
from branches.models import OrgKind
from meetings.compliance.selectors import STATE_LABELS
from meetings.serializer_fields import compliance_state_field, meeting_type_field
from partybuild.api.fields import NamedChoiceField, PeriodField


class ComplianceQuerySerializer(serializers.Serializer):
    org = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        error_messages={"invalid": "党组织ID无效。", "min_value": "党组织ID无效。", "max_value": "党组织ID无效。"},
    )
    period = PeriodField(required=False)


class ComplianceUnitSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="考核周期，如 2026-07、2026Q3、2026")
    period_label = serializers.CharField(source="period.label", help_text="考核周期（中文）")
    required = serializers.IntegerField(help_text="至少应召开次数")
    held = serializers.IntegerField(help_text="已召开次数")
    state = compliance_state_field(help_text="达标情况")
    state_label = serializers.SerializerMethodField(help_text="达标情况（中文）")

    def get_state_label(self, obj: Any) -> str:
        return STATE_LABELS[obj.state]


class ComplianceCellSerializer(serializers.Serializer):
    meeting_type = meeting_type_field(help_text="会议类型")
    label = serializers.CharField(help_text="会议类型（中文）")
    held = serializers.IntegerField(help_text="期间内已召开次数")
    required = serializers.IntegerField(help_text="期间内至少应召开次数（各考核周期之和）")
    state = compliance_state_field(help_text="达标情况：met 达标、failed 未达标、due 进行中、none 无要求")
    state_label = serializers.SerializerMethodField(help_text="达标情况（中文）")
    units = ComplianceUnitSerializer(many=True, help_text="各考核周期（如季度内的每个月）")

    def get_state_label(self, obj: Any) -> str:
        return STATE_LABELS[obj.state]


class ComplianceOrgSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", help_text="党组织ID")
    name = serializers.CharField(help_text="名称")
    short_name = serializers.CharField(help_text="简称")
    kind = NamedChoiceField(OrgKind, enum_name="OrgKindEnum", help_text="类型")
    kind_display = serializers.CharField(source="kind_label", help_text="类型（中文）")
    depth = serializers.IntegerField(help_text="在组织树中的层级（最高一级为1）")
    state = compliance_state_field(help_text="本组织达标情况（党支部含其党小组）")
    state_label = serializers.CharField(help_text="本组织达标情况（中文）")
    branches_total = serializers.IntegerField(help_text="本组织及下级的党支部数")
    branches_met = serializers.IntegerField(help_text="其中达标的党支部数")
    branches_failed = serializers.IntegerField(help_text="其中未达标的党支部数")
    share_met = serializers.FloatField(allow_null=True, help_text="达标党支部占比（0-1；没有党支部时为空）")
    cells = serializers.DictField(child=ComplianceCellSerializer(), help_text="按会议类型：已召开与应召开次数")


class ComplianceTypeSerializer(serializers.Serializer):
    meeting_type = meeting_type_field(help_text="会议类型")
    label = serializers.CharField(help_text="会议类型（中文）")


class ComplianceReportSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="期间，如 2026Q3")
    period_label = serializers.CharField(help_text="期间（中文），如 2026年第3季度")
    start = serializers.DateField(help_text="期间第一天")
    end = serializers.DateField(help_text="期间最后一天")
    today = serializers.DateField(help_text="判断“进行中”所依据的日期")
    types = ComplianceTypeSerializer(many=True, help_text="有要求或有召开记录的会议类型（矩阵的列）")
    count = serializers.IntegerField(help_text="党组织总数")
    next = serializers.URLField(allow_null=True, help_text="下一页")
    previous = serializers.URLField(allow_null=True, help_text="上一页")
    results = ComplianceOrgSerializer(many=True, help_text="本页的党组织（按组织树顺序）")
