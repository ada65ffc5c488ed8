"""Reading serializers of the 发展党员 API (/api/v1/development/).

``DevelopmentRecordSerializer`` (a list row, as the pipeline page shows it: the name, the
stage and the date it was entered, the current 培养联系人, the next deadline; never the 公民身份号码
or the phone) and ``DevelopmentRecordDetailSerializer`` (every fact of every stage, the
培养联系人, the exceptions recorded with their reasons, and the 公民身份号码 as the record's page
shows it: whole to those who may change the record, masked to anyone else). Both say which
actions the user may post now (``available_actions``).

The writing side, one serializer per stage service, is members.development.step_serializers.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from members.development.correction_forms import CORRECTION_FORMS, person_editable
from members.development.models import STAGE_ENTERED, Cultivator, DevelopmentRecord, DevelopmentStage, vote_columns
from members.development.selectors import DEADLINE_LABELS, Deadline, next_deadline
from members.development.step_forms import next_steps
from partybuild.accounts.access import can_write_org
from partybuild.api.fields import NamedChoiceField

# Every action of /api/v1/development/{id}/<action>/, in the order of the procedure. Except
# ``person``, each is one of the pages' steps (``step_forms.STEP_FORMS``), under the same name.
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
    (correction_forms.CORRECTION_FORMS: the same rules)."""
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
