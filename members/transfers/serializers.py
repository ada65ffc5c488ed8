"""Serializers for the 组织关系转接 API (/api/v1/transfers/).

Reading: ``TransferSerializer`` (the list: never an ID number) and ``TransferDetailSerializer``
(adds the member's 公民身份号码 as the user may see it, the facts of a letter from outside, and
the history). Both say which sides the user acts for and which actions they may take now.

Writing: the serializers check types and choices, the member and organization ids against the
user's scope, and the facts of a letter from outside against the roster's rules; whether the
transfer itself may be made is members.transfers' to say (a 400 keyed by field, in Chinese).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from branches.models import Organization
from members.roster.choices import Education, Gender, MemberType
from members.roster.models import Member
from members.roster.selectors import id_number_for
from members.roster.validators import mask_id_number
from members.transfers.actions import available_actions
from members.transfers.incoming import INCOMING_LABELS, incoming_fact_errors
from members.transfers.models import Transfer, TransferKind, TransferScope, TransferStatus
from members.transfers.selectors import from_label, person_name, to_label, transfer_sides, transfer_timeline, transferable_members
from members.transfers.sides import waiting_on
from partybuild.accounts.access import can_write_org
from partybuild.api.fields import MonthField


def _inline_choice_field(name: str, choices: list[tuple[str, str]]) -> type[serializers.ChoiceField]:
    """A ChoiceField whose values the schema lists inline. drf-spectacular names enums after the
    field (``KindEnum``, ``StatusEnum``); the portal's API already has fields named ``kind`` and
    ``status`` with other choices, and a second named set under the same name is a warning."""
    schema = {
        "allOf": [{"type": "string", "enum": [value for value, _ in choices]}],
        "description": "；".join(f"{value}：{label}" for value, label in choices),
    }
    return extend_schema_field(schema)(type(name, (serializers.ChoiceField,), {}))


KindField = _inline_choice_field("KindField", TransferKind.choices)


ScopeField = _inline_choice_field("ScopeField", TransferScope.choices)


StatusField = _inline_choice_field("StatusField", TransferStatus.choices)


class _Sides:
    # The user's sides of a transfer, computed once per object (no query: the scope is cached).

    def _sides(self, obj: Transfer) -> set[str]:
        cache = self.context.setdefault("_sides", {})  # type: ignore[attr-defined]
        if obj.pk not in cache:
            cache[obj.pk] = transfer_sides(self.context["request"].user, obj)  # type: ignore[attr-defined]
        return cache[obj.pk]


class TransferSerializer(_Sides, serializers.ModelSerializer):
    """组织关系转接（列表）：不含公民身份号码。"""

    kind = KindField(choices=TransferKind.choices, read_only=True)
    scope = ScopeField(choices=TransferScope.choices, read_only=True)
    status = StatusField(choices=TransferStatus.choices, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    scope_display = serializers.CharField(source="get_scope_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    member_name = serializers.SerializerMethodField(help_text="党员姓名（系统外转入尚未接收时为介绍信所载姓名）")
    from_label = serializers.SerializerMethodField(help_text="转出党组织名称（系统内或系统外）")
    to_label = serializers.SerializerMethodField(help_text="转入党组织名称（系统内或系统外）")
    dues_paid_to = MonthField(read_only=True, help_text="党费交至（月份）")
    waiting_on = serializers.SerializerMethodField(help_text="等待哪一方办理：out 转出方、in 转入方、空为无")
    my_sides = serializers.SerializerMethodField(help_text="您办理的一方：out 转出方、in 转入方")
    actions = serializers.SerializerMethodField(help_text="您现在可以进行的操作")
    created_by_name = serializers.CharField(source="created_by.display_name", read_only=True, help_text="经办人")

    class Meta:
        model = Transfer
        fields = [
            "id",
            "kind",
            "kind_display",
            "scope",
            "scope_display",
            "status",
            "status_display",
            "status_reason",
            "member",
            "member_name",
            "from_org",
            "from_name",
            "from_label",
            "to_org",
            "to_name",
            "to_label",
            "reason",
            "dues_paid_to",
            "valid_until",
            "letter_no",
            "waiting_on",
            "my_sides",
            "actions",
            "created_by_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_member_name(self, obj: Transfer) -> str:
        return person_name(obj)

    def get_from_label(self, obj: Transfer) -> str:
        return from_label(obj)

    def get_to_label(self, obj: Transfer) -> str:
        return to_label(obj)

    def get_waiting_on(self, obj: Transfer) -> str:
        return waiting_on(obj)

    def get_my_sides(self, obj: Transfer) -> list[str]:
        return sorted(self._sides(obj), reverse=True)  # "out" before "in"

    def get_actions(self, obj: Transfer) -> list[str]:
        return [a.name for a in available_actions(self.context["request"].user, obj, self._sides(obj))]


class TransferStepSerializer(serializers.Serializer):
    when = serializers.DateTimeField(help_text="时间")
    who = serializers.CharField(help_text="经办人")
    status = serializers.CharField(help_text="办理后的状态")
    status_label = serializers.CharField(help_text="办理后的状态名称")
    what = serializers.CharField(help_text="办理事项")
    reason = serializers.CharField(help_text="退回或挂起的原因")


class IncomingSerializer(serializers.Serializer):
    """The person a letter from outside brings in, as the roster takes them."""

    name = serializers.CharField(label="姓名", max_length=50, required=False, allow_blank=True)
    id_number = serializers.CharField(label="公民身份号码", max_length=40, required=False, allow_blank=True)
    gender = serializers.ChoiceField(label="性别", choices=Gender.choices, required=False, allow_blank=True)
    birth_date = serializers.DateField(label="出生日期", required=False, allow_null=True)
    ethnicity = serializers.CharField(label="民族", max_length=20, required=False, allow_blank=True)
    member_type = serializers.ChoiceField(label="人员类别", choices=MemberType.choices, required=False, allow_blank=True)
    joined_on = serializers.DateField(label="入党日期", required=False, allow_null=True)
    confirmed_on = serializers.DateField(label="转正日期", required=False, allow_null=True)
    education = serializers.ChoiceField(label="学历", choices=Education.choices, required=False, allow_blank=True)
    phone = serializers.CharField(label="手机号码", max_length=20, required=False, allow_blank=True)
    work_unit_position = serializers.CharField(label="工作单位及职务", max_length=200, required=False, allow_blank=True)


class TransferDetailSerializer(TransferSerializer):
    """组织关系转接（详情）：另含党员公民身份号码（按您的权限打码）、系统外转入人员信息和办理记录。"""

    member_id_number = serializers.SerializerMethodField(help_text="党员的公民身份号码；不是您管理的党员时打码显示")
    incoming = serializers.SerializerMethodField(help_text="系统外转入：介绍信所载人员信息")
    history = serializers.SerializerMethodField(help_text="办理记录，由早到晚")

    class Meta(TransferSerializer.Meta):
        fields = [*TransferSerializer.Meta.fields, "member_id_number", "incoming", "history"]
        read_only_fields = fields

    def get_member_id_number(self, obj: Transfer) -> str | None:
        if not obj.member_id:
            return None
        return id_number_for(self.context["request"].user, obj.member)

    @extend_schema_field(IncomingSerializer(allow_null=True))
    def get_incoming(self, obj: Transfer) -> dict[str, Any] | None:
        if obj.kind != TransferKind.IN:
            return None
        facts = {k: v for k, v in obj.incoming.items() if k in INCOMING_LABELS}
        if facts.get("id_number") and "in" not in self._sides(obj):
            facts["id_number"] = mask_id_number(str(facts["id_number"]))
        return facts

    @extend_schema_field(TransferStepSerializer(many=True))
    def get_history(self, obj: Transfer) -> list[dict[str, Any]]:
        return TransferStepSerializer(transfer_timeline(obj), many=True).data


class ScopedMemberField(serializers.PrimaryKeyRelatedField):
    """A member the user manages who is on the roster; any other id is 'does not exist'."""

    default_error_messages = {
        "does_not_exist": "所选党员不存在、不在您的管理范围内或已不在册。",
        "incorrect_type": "党员ID应为整数。",
    }

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return transferable_members(request.user) if request is not None else Member.objects.none()


class TransferCreateSerializer(serializers.Serializer):
    """A new transfer. 系统内转接: ``member`` and ``to_org`` (any active 党支部). 转出系统外: ``member``
    and ``to_name``. 从系统外转入: ``to_org`` (a 党支部 you manage), ``from_name`` and ``incoming``."""

    kind = KindField(
        label="转接类型",
        choices=TransferKind.choices,
        error_messages={"required": "请选择转接类型。", "invalid_choice": "请选择转接类型。", "null": "请选择转接类型。"},
    )
    scope = ScopeField(
        label="转接范围",
        choices=TransferScope.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="系统内转接可不填：按两个党支部确定（同一党委为本党委内，否则为省（系统）内）",
        error_messages={"invalid_choice": "请选择转接范围。", "null": "请选择转接范围。"},
    )
    reason = serializers.CharField(label="转接原因", max_length=200, allow_blank=True, default="")
    member = ScopedMemberField(
        label="党员", queryset=Member.objects.all(), required=False, allow_null=True, help_text="系统内转接、转出系统外：党员ID"
    )
    to_org = serializers.PrimaryKeyRelatedField(
        label="转入党支部",
        queryset=Organization.objects.all(),
        required=False,
        allow_null=True,
        help_text="系统内转接：转入党支部ID（系统内任一正常状态的党支部）；从系统外转入：接收党支部ID（须在您的管理范围内）",
        error_messages={"does_not_exist": "所选党组织不存在。", "incorrect_type": "党组织ID应为整数。"},
    )
    to_name = serializers.CharField(label="转入单位名称", max_length=200, allow_blank=True, default="", help_text="转出系统外")
    from_name = serializers.CharField(
        label="转出单位名称", max_length=200, allow_blank=True, default="", help_text="从系统外转入"
    )
    incoming = IncomingSerializer(label="转入人员信息", required=False, help_text="从系统外转入：介绍信所载人员信息")
    dues_paid_to = MonthField(label="党费交至", required=False, allow_null=True, help_text="如 2026-10")
    valid_until = serializers.DateField(label="介绍信有效期至", required=False, allow_null=True)
    letter_no = serializers.CharField(label="介绍信编号", max_length=50, allow_blank=True, default="")

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["kind"] != TransferKind.IN:
            return data
        to_org = data.get("to_org")
        if to_org is not None and not can_write_org(self.context["request"].user, to_org):
            raise serializers.ValidationError({"to_org": ["所选党组织不存在。"]})
        errors = incoming_fact_errors(data.get("incoming") or {})
        if errors:
            raise serializers.ValidationError({"incoming": {name: [message] for name, message in errors.items()}})
        return data

    def apply_kwargs(self) -> dict[str, Any]:
        """validated_data as members.transfers.transfer_apply takes it."""
        data = dict(self.validated_data)
        if data["kind"] != TransferKind.IN:
            data.pop("incoming", None)
            data.pop("from_name", None)
        else:
            data.pop("member", None)
            data.pop("to_name", None)
            data["incoming"] = dict(data.get("incoming") or {})
        return data


class TransferReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label="原因", max_length=200, allow_blank=True, default="", help_text="退回或挂起的原因")
