"""Serializers for the member API.

Reading: ``MemberSerializer``; the 公民身份号码 is shown whole only to users who manage the member
(``id_number_for``), masked to everyone else.

Writing: the serializers check types and choices; every roster rule (ID number checksum and birth
date, member type and dates, branch and group, states) lives in ``members.roster.services`` and the model's
``clean`` and comes back as a 400 with their field keys and Chinese messages.
"""

from __future__ import annotations

from rest_framework import serializers

from branches.serializers import ScopedOrganizationField
from members.roster.choices import MemberState
from members.roster.models import Member
from members.roster.selectors import id_number_for
from members.roster.services import MEMBER_EDITABLE_FIELDS
from members.roster.timeline import TimelineEntry


class MemberSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField(label="公民身份号码", help_text="公民身份号码；不是您管理的党员时打码显示")
    gender_display = serializers.CharField(source="get_gender_display", read_only=True)
    education_display = serializers.CharField(source="get_education_display", read_only=True)
    degree_display = serializers.CharField(source="get_degree_display", read_only=True)
    member_type_display = serializers.CharField(source="get_member_type_display", read_only=True)
    dues_category_display = serializers.CharField(source="get_dues_category_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True, help_text="所在党支部名称")
    group_name = serializers.SerializerMethodField(help_text="所在党小组名称")

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "gender",
            "gender_display",
            "id_number",
            "ethnicity",
            "birth_date",
            "native_place",
            "education",
            "education_display",
            "degree",
            "degree_display",
            "phone",
            "residence",
            "household_registration",
            "member_type",
            "member_type_display",
            "branch",
            "branch_name",
            "group",
            "group_name",
            "joined_on",
            "confirmed_on",
            "is_leader",
            "dues_category",
            "dues_category_display",
            "work_unit_position",
            "job_post",
            "work_started_on",
            "state",
            "state_display",
            "state_changed_on",
            "state_reason",
            "mobile_destination",
            "lost_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_id_number(self, obj: Member) -> str:
        return id_number_for(self.context["request"].user, obj)

    def get_group_name(self, obj: Member) -> str | None:
        return obj.group.name if obj.group_id else None


class MemberWriteSerializer(serializers.ModelSerializer):
    """Fields a POST or PATCH may set. State changes go through ``change-state``."""

    branch = ScopedOrganizationField(label="所在党支部", help_text="所在党支部ID（须在您的管理范围内）")
    group = ScopedOrganizationField(
        label="所在党小组", required=False, allow_null=True, help_text="所在党小组ID（须属于所在党支部）"
    )
    # Plain text: the service normalizes full-width digits and spaces, then checks the number.
    id_number = serializers.CharField(label="公民身份号码", max_length=40, help_text="公民身份号码，18位，末位可为X")
    # Plain text too: the service removes spaces and full-width digits, then the model checks the format.
    phone = serializers.CharField(
        label="手机号码", max_length=40, required=False, allow_blank=True, help_text="11位手机号码或带区号的固定电话"
    )

    class Meta:
        model = Member
        fields = list(MEMBER_EDITABLE_FIELDS)
        extra_kwargs = {
            # Filled from the ID number when left out.
            "gender": {"required": False},
            "birth_date": {"required": False},
        }


class MemberChangeStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(label="新状态", choices=MemberState.choices)
    on = serializers.DateField(label="变更日期", help_text="如 2026-10-01")
    reason = serializers.CharField(label="变更原因", max_length=200, allow_blank=True, default="")
    destination = serializers.CharField(label="流入地", max_length=200, allow_blank=True, default="", help_text="流动党员必填")


class TimelineEntrySerializer(serializers.Serializer):
    """One step of a member's 党员生涯 (members.roster.timeline.TimelineEntry)."""

    on = serializers.DateField(read_only=True, allow_null=True, help_text="日期")
    until = serializers.DateField(read_only=True, allow_null=True, help_text="持续事项（培训、公示）的结束日期")
    category = serializers.CharField(
        read_only=True,
        help_text="类别：development 入党、transfer 组织关系、state 党员状态、position 职务、dues 党费",
    )
    category_label = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text="step 步骤、done 完成、warn 需关注、end 结束")
    facts = serializers.SerializerMethodField(help_text="事项的详细信息：[{label, value}]")
    link = serializers.CharField(read_only=True, help_text="相应页面的地址（仅在您有权查看时给出）")

    def get_facts(self, entry: TimelineEntry) -> list[dict[str, str]]:
        return [{"label": label, "value": value} for label, value in entry.facts]
