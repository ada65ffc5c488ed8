"""Writing serializers of the 发展党员 API (/api/v1/development/): the application and the steps.

One serializer per stage service, its fields named as the service's keyword arguments, so
that the service's ValidationError comes back keyed by the field that was sent. As on the pages,
most fields are optional here: a missing date or number reaches the service, whose refusal in
Chinese ("请填写谈话日期。") is the answer. The serializers check types, bounds and that ids are
within the user's scope; the rules of 《中国共产党发展党员工作细则》 are the services'.

The reading side (the record, its list row and the actions it offers) is
members.development.record_serializers.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from branches.filters import MAX_ID
from branches.serializer_fields import WritableOrganizationField
from members.development.models import DevelopmentRecord
from members.roster.choices import Education, Gender
from members.roster.models import Member


class WritableBranchField(WritableOrganizationField):
    """The 党支部 receiving an application: an organization the user may change (one outside the
    scope gets the same answer as one that does not exist); whether it is an active 党支部 is the
    service's to say."""

    default_error_messages = {
        "required": "入党申请须由党支部受理，请选择党支部。",
        "null": "入党申请须由党支部受理，请选择党支部。",
        "read_only": "您没有在该党组织受理入党申请的权限。",
    }


def _date(label: str, help_text: str = "") -> serializers.DateField:
    return serializers.DateField(label=label, required=False, allow_null=True, help_text=help_text or "如 2026-10-01")


def _count(label: str, max_value: int = 10000) -> serializers.IntegerField:
    return serializers.IntegerField(label=label, required=False, allow_null=True, min_value=0, max_value=max_value)


def _text(label: str, help_text: str = "", max_length: int = 200) -> serializers.CharField:
    return serializers.CharField(label=label, max_length=max_length, allow_blank=True, default="", help_text=help_text)


# A reason the record keeps (终止原因, 延长预备期原因: 200 characters) and the change history repeats
# (a text column).
HISTORY_REASON_MAX = 200


class _PersonFields(serializers.Serializer):
    """The person's facts as the roster takes them (the service normalizes and checks them)."""

    name = serializers.CharField(label="姓名", max_length=50, required=False, allow_blank=True)
    # Plain text: the service removes spaces and full-width digits, then checks the number.
    id_number = serializers.CharField(
        label="公民身份号码", max_length=40, required=False, allow_blank=True, help_text="18位，末位可为X"
    )
    gender = serializers.ChoiceField(
        label="性别", choices=Gender.choices, required=False, allow_blank=True, help_text="留空则按公民身份号码识别"
    )
    birth_date = serializers.DateField(label="出生日期", required=False, allow_null=True, help_text="留空则按公民身份号码填写")
    ethnicity = serializers.CharField(label="民族", max_length=20, required=False)
    education = serializers.ChoiceField(label="学历", choices=Education.choices, required=False, allow_blank=True)
    phone = serializers.CharField(label="手机号码", max_length=40, required=False, allow_blank=True)
    work_unit_position = serializers.CharField(label="工作单位及职务", max_length=200, required=False, allow_blank=True)


class DevelopmentApplySerializer(_PersonFields):
    """入党申请: the 党支部 that receives it (one you may change), the date and the person's facts."""

    branch = WritableBranchField(label="受理党支部", help_text="党支部ID（须在您的管理范围内）")
    applied_on = _date("入党申请日期")

    def service_kwargs(self) -> dict[str, Any]:
        """validated_data as ``development_apply`` takes it: what was not sent keeps its default."""
        data = dict(self.validated_data)
        data.setdefault("applied_on", None)
        data.setdefault("name", "")
        data.setdefault("id_number", "")
        return data


class DevelopmentStepSerializer(serializers.Serializer):
    """The arguments of one stage service (the record and the actor come from the request). A
    field not sent is passed as None: the service asks for it in its own words."""

    def service_kwargs(self) -> dict[str, Any]:
        return {name: self.validated_data.get(name) for name in self.fields}


class _Correctable(DevelopmentStepSerializer):
    """A step its service accepts again, as a correction, until the step that relies on it: the
    correction needs a reason (``development_fact_record`` asks for it), kept in the change
    history (as on the record page)."""

    correction_reason = _text("更正原因", "该事项已登记、重新提交以更正时必填，记入变更记录", HISTORY_REASON_MAX)


class DevelopmentPersonSerializer(DevelopmentStepSerializer, _PersonFields):
    """更正个人信息: only the facts sent are changed; the reason is required (as on the page)."""

    reason = _text("更正原因", "必填，记入变更记录", HISTORY_REASON_MAX)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        # The service requires the reason too ("请填写修改原因。"); the API says it in its own
        # field's name (更正原因), as its tests pin.
        if not (data.get("reason") or "").strip():
            raise serializers.ValidationError({"reason": "请填写更正原因。"})
        return data

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.validated_data)


class DevelopmentTalkSerializer(_Correctable):
    talked_on = _date("谈话日期")
    talked_by = _text("谈话人", max_length=100)
    reason = _text("超过期限的原因", "谈话晚于谈话期限时必填，记入例外情况")


class DevelopmentActivistSerializer(DevelopmentStepSerializer):
    activist_on = _date("确定为入党积极分子日期")
    cultivators = serializers.ListField(
        label="培养联系人（本支部党员）",
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        help_text="本党支部正式党员的党员ID",
    )
    cultivator_names = serializers.ListField(
        label="其他培养联系人",
        child=serializers.CharField(max_length=50, allow_blank=True),
        required=False,
        default=list,
        help_text="不在本系统花名册中的正式党员的姓名",
    )

    def validate_cultivators(self, value: list[int]) -> list[Member]:
        # Members of the record's 党支部, as the page lists them; whether each is a 正式党员 on the
        # roster is the service's to say.
        record: DevelopmentRecord = self.context["record"]
        found = {m.pk: m for m in Member.objects.filter(pk__in=value, branch_id=record.branch_id)}
        missing = [pk for pk in value if pk not in found]
        if missing:
            raise serializers.ValidationError(f"所选党员不存在或不是本党支部的党员（ID：{'、'.join(map(str, missing))}）。")
        return [found[pk] for pk in value]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.validated_data
        return {
            "activist_on": data.get("activist_on"),
            "cultivators": [*data.get("cultivators", []), *data.get("cultivator_names", [])],
        }


class DevelopmentCandidateSerializer(DevelopmentStepSerializer):
    candidate_on = _date("确定为发展对象日期")


class DevelopmentPoliticalReviewSerializer(_Correctable):
    reviewed_on = _date("政治审查日期")
    conclusion = _text("政治审查结论")


class DevelopmentTrainingSerializer(_Correctable):
    started_on = _date("培训开始日期")
    ended_on = _date("培训结束日期")
    days = _count("培训天数", 365)
    class_hours = _count("培训学时", 2000)


class DevelopmentPublicitySerializer(_Correctable):
    started_on = _date("公示开始日期")
    ended_on = _date("公示结束日期", "公示尚未结束时可填预定结束日期")


class DevelopmentPreReviewSerializer(_Correctable):
    pre_reviewed_on = _date("党委预审日期")


class DevelopmentVoteSerializer(_Correctable):
    voted_on = _date("支部党员大会日期")
    entitled = _count("应到会有表决权的正式党员人数")
    present = _count("实到会有表决权的正式党员人数")
    votes_for = _count("赞成票数")
    votes_against = _count("反对票数")
    abstentions = _count("弃权票数")


class DevelopmentApprovalSerializer(DevelopmentStepSerializer):
    approved_on = _date("党委审批日期")
    reason = _text("超过审批期限的特殊情况", "审批晚于党委审批期限时必填，记入例外情况（特殊情况延长有最长期限）")


class DevelopmentExtendSerializer(DevelopmentStepSerializer):
    decided_on = _date("决定日期", "预备期届满后")
    months = _count("延长月数", 120)
    reason = _text("延长原因", max_length=HISTORY_REASON_MAX)


class DevelopmentDecisionSerializer(DevelopmentStepSerializer):
    decided_on = _date("决定日期")
    reason = _text("原因", max_length=HISTORY_REASON_MAX)


class DevelopmentTerminateSerializer(DevelopmentStepSerializer):
    ended_on = _date("终止日期")
    reason = _text("终止原因", max_length=HISTORY_REASON_MAX)
