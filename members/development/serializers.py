"""Serializers for the 发展党员 API (/api/v1/development/).

Reading: ``DevelopmentRecordSerializer`` (a list row, as the pipeline page shows it: the name, the
stage and the date it was entered, the current 培养联系人, the next deadline; never the 公民身份号码
or the phone) and ``DevelopmentRecordDetailSerializer`` (every fact of every stage, the
培养联系人, the exceptions recorded with their reasons, and the 公民身份号码 as the record's page
shows it: whole to those who may change the record, masked to anyone else). Both say which
actions the user may post now.

Writing: one serializer per stage service, its fields named as the service's keyword arguments, so
that the service's ValidationError comes back keyed by the field that was sent. As on the pages,
most fields are optional here: a missing date or number reaches the service, whose refusal in
Chinese ("请填写谈话日期。") is the answer. The serializers check types, bounds and that ids are
within the user's scope; the rules of 《中国共产党发展党员工作细则》 are the services'.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from branches.filters import MAX_ID
from branches.serializer_fields import WritableOrganizationField
from members.development.forms import CORRECTION_FORMS, next_steps, person_editable
from members.development.models import STAGE_ENTERED, Cultivator, DevelopmentRecord, DevelopmentStage, vote_columns
from members.development.selectors import DEADLINE_LABELS, Deadline, next_deadline
from members.roster.models import Education, Gender, Member
from partybuild.accounts.access import can_write_org
from partybuild.api.fields import NamedChoiceField

# Every action of /api/v1/development/{id}/<action>/, in the order of the procedure. Except
# ``person``, each is one of the pages' steps (``development_forms.STEP_FORMS``), under the same name.
ACTION_ORDER = (
    "person",
    "talk",
    "activist",
    "candidate",
    "political_review",
    "training",
    "publicity",
    "pre_review",
    "admission_vote",
    "admission_approve",
    "confirmation_vote",
    "extend",
    "confirm",
    "terminate",
    "probation_cancel",
)


def corrections(record: DevelopmentRecord) -> list[str]:
    """What the services still accept again, to correct a fact already recorded: the person's
    facts until the roster has them, and each step whose correction form the record page offers
    (development_forms.CORRECTION_FORMS: the same rules)."""
    return (["person"] if person_editable(record) else []) + [
        name for name, form in CORRECTION_FORMS.items() if form.offered(record)
    ]


def available_actions(record: DevelopmentRecord) -> list[str]:
    """Everything a writer may post on the record now: the pages' next steps and the corrections.
    The services still decide (a step offered can be refused, e.g. 预审 before the 公示 ended)."""
    wanted = set(next_steps(record)) | set(corrections(record))
    return [name for name in ACTION_ORDER if name in wanted]


class _Writer:
    # Whether the user may change the record, computed once per record (no query: the scope is
    # cached and the record comes with its 党支部).

    def _can_write(self, obj: DevelopmentRecord) -> bool:
        cache = self.context.setdefault("_can_write", {})  # type: ignore[attr-defined]
        if obj.pk not in cache:
            cache[obj.pk] = can_write_org(self.context["request"].user, obj.branch)  # type: ignore[attr-defined]
        return cache[obj.pk]


def stage_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(DevelopmentStage, enum_name="DevelopmentStageEnum", **kwargs)


class DevelopmentDeadlineSerializer(serializers.Serializer):
    kind = NamedChoiceField(list(DEADLINE_LABELS.items()), enum_name="DevelopmentDeadlineKindEnum", help_text="期限类别")
    label = serializers.CharField(help_text="期限名称，如“谈话期限”“预备期满”")
    due_on = serializers.DateField(help_text="日期")
    days_left = serializers.IntegerField(help_text="距今天数；已过期为负数")
    overdue = serializers.BooleanField(help_text="是否已过期")


class DevelopmentCultivatorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", help_text="姓名")
    member = serializers.IntegerField(source="member_id", allow_null=True, help_text="党员ID；不在本系统花名册中的为空")
    current = serializers.SerializerMethodField(help_text="是否仍在培养联系（未结束）")

    class Meta:
        model = Cultivator
        fields = ["id", "name", "member", "assigned_on", "ended_on", "current"]
        read_only_fields = fields

    def get_current(self, obj: Cultivator) -> bool:
        return obj.ended_on is None


class DevelopmentExceptionSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text="规则（发展党员规则表的键，如 talk_within、approval_within）")
    rule_label = serializers.CharField(help_text="规则名称")
    detail = serializers.CharField(help_text="例外情况")
    reason = serializers.CharField(help_text="原因（特殊情况说明）")
    on = serializers.DateField(help_text="事项发生的日期")
    recorded_on = serializers.DateField(help_text="登记日期")


class DevelopmentRecordSerializer(_Writer, serializers.ModelSerializer):
    """发展党员记录（列表）：不含公民身份号码、手机号码等个人信息。"""

    stage = stage_field(read_only=True, help_text="所处阶段")
    stage_display = serializers.CharField(source="get_stage_display", read_only=True, help_text="所处阶段（中文）")
    is_open = serializers.BooleanField(read_only=True, help_text="是否进行中（入党申请人至预备党员）")
    branch_name = serializers.CharField(source="branch.name", read_only=True, help_text="党支部名称")
    entered_on = serializers.SerializerMethodField(help_text="进入当前阶段的日期（申请、确定、接收、转正或终止的日期）")
    cultivators = serializers.SerializerMethodField(help_text="现任培养联系人姓名")
    next_deadline = serializers.SerializerMethodField(help_text="下一期限；没有待办期限时为空")
    exception_count = serializers.SerializerMethodField(help_text="已登记的例外情况项数")
    next_steps = serializers.SerializerMethodField(help_text="下一步（与网页提供的步骤相同）")
    actions = serializers.SerializerMethodField(
        help_text="您现在可以提交的操作（下一步和更正已登记的事项），即 /api/v1/development/{id}/<操作>/"
    )

    class Meta:
        model = DevelopmentRecord
        fields = [
            "id",
            "name",
            "branch",
            "branch_name",
            "stage",
            "stage_display",
            "is_open",
            "applied_on",
            "entered_on",
            "cultivators",
            "next_deadline",
            "exception_count",
            "member",
            "next_steps",
            "actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _today(self) -> datetime.date:
        return self.context.setdefault("today", timezone.localdate())  # type: ignore[no-any-return]

    def get_entered_on(self, obj: DevelopmentRecord) -> datetime.date | None:
        return getattr(obj, STAGE_ENTERED[DevelopmentStage(obj.stage)])

    def _cultivators(self, obj: DevelopmentRecord) -> list[Cultivator]:
        # The viewset prefetches them (``all_cultivators``): no query per record.
        cultivators = getattr(obj, "all_cultivators", None)
        if cultivators is None:
            cultivators = list(obj.cultivators.select_related("member").order_by("assigned_on", "pk"))
            obj.all_cultivators = cultivators  # type: ignore[attr-defined]
        return cultivators

    def get_cultivators(self, obj: DevelopmentRecord) -> list[str]:
        return [c.display_name for c in self._cultivators(obj) if c.ended_on is None]

    @extend_schema_field(DevelopmentDeadlineSerializer(allow_null=True))
    def get_next_deadline(self, obj: DevelopmentRecord) -> dict[str, Any] | None:
        deadline: Deadline | None = next_deadline(obj, self._today())
        if deadline is None:
            return None
        data = {
            "kind": deadline.kind,
            "label": deadline.label,
            "due_on": deadline.due_on,
            "days_left": deadline.days_left,
            "overdue": deadline.overdue,
        }
        return DevelopmentDeadlineSerializer(data).data

    def get_exception_count(self, obj: DevelopmentRecord) -> int:
        return len(obj.exceptions)

    def get_next_steps(self, obj: DevelopmentRecord) -> list[str]:
        return next_steps(obj) if self._can_write(obj) else []

    def get_actions(self, obj: DevelopmentRecord) -> list[str]:
        return available_actions(obj) if self._can_write(obj) else []


class DevelopmentRecordDetailSerializer(DevelopmentRecordSerializer):
    """发展党员记录（详情）：个人信息（公民身份号码按您的权限打码）、各阶段的全部事实、培养联系人和例外情况。"""

    id_number = serializers.SerializerMethodField(help_text="公民身份号码；您不能修改该记录时打码显示")
    gender_display = serializers.CharField(source="get_gender_display", read_only=True)
    education_display = serializers.CharField(source="get_education_display", read_only=True)
    age = serializers.SerializerMethodField(help_text="今天的周岁年龄")
    all_cultivators = serializers.SerializerMethodField(help_text="全部培养联系人（含已结束的）")
    exceptions = serializers.SerializerMethodField(help_text="例外情况：超过期限而说明原因后登记的事项")
    created_by_name = serializers.CharField(source="created_by.display_name", read_only=True, help_text="登记人")

    class Meta(DevelopmentRecordSerializer.Meta):
        fields = [
            *DevelopmentRecordSerializer.Meta.fields,
            # 个人信息
            "gender",
            "gender_display",
            "id_number",
            "birth_date",
            "age",
            "ethnicity",
            "education",
            "education_display",
            "phone",
            "work_unit_position",
            # 入党申请人
            "talk_due_on",
            "talked_on",
            "talked_by",
            # 入党积极分子
            "activist_on",
            "candidate_eligible_on",
            "all_cultivators",
            # 发展对象
            "candidate_on",
            "political_review_on",
            "political_review_conclusion",
            "training_started_on",
            "training_ended_on",
            "training_days",
            "training_hours",
            "publicity_started_on",
            "publicity_ended_on",
            "publicity_working_days",
            "pre_reviewed_on",
            # 支部党员大会讨论接收预备党员，党委审批
            *vote_columns("admission").values(),
            "approval_due_on",
            "approved_on",
            # 预备期
            "probation_ends_on",
            "extension_count",
            "extension_months",
            "extension_decided_on",
            "extension_reason",
            # 转正
            *vote_columns("confirmation").values(),
            "confirmation_approval_due_on",
            "confirmation_approved_on",
            # 终止培养 / 取消预备党员资格
            "ended_on",
            "end_reason",
            "exceptions",
            "created_by_name",
        ]
        read_only_fields = fields

    def get_id_number(self, obj: DevelopmentRecord) -> str:
        # As the record's page: whole for those who may change the record, masked otherwise.
        return obj.id_number if self._can_write(obj) else obj.masked_id_number

    def get_age(self, obj: DevelopmentRecord) -> int:
        return obj.age_on(self._today())

    @extend_schema_field(DevelopmentCultivatorSerializer(many=True))
    def get_all_cultivators(self, obj: DevelopmentRecord) -> list[dict[str, Any]]:
        return DevelopmentCultivatorSerializer(self._cultivators(obj), many=True).data

    @extend_schema_field(DevelopmentExceptionSerializer(many=True))
    def get_exceptions(self, obj: DevelopmentRecord) -> list[dict[str, Any]]:
        rows = [
            {**e, "on": datetime.date.fromisoformat(e["on"]), "recorded_on": datetime.date.fromisoformat(e["recorded_on"])}
            for e in obj.exceptions
        ]
        return DevelopmentExceptionSerializer(rows, many=True).data


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
