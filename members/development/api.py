"""发展党员 API: /api/v1/development/.

Who may do what (decided by ``partybuild.accounts.access``, as on the 发展党员 pages):
- 系统管理员: every record.
- 党务干部, 支部书记: read and record the records of the 党支部 in their subtree; a record
  elsewhere answers 404, as if it did not exist (``get_development_record_for_user``); one
  they may read but not change answers 403. A new application is received by a 党支部 they may
  change (any other id: "所选党组织不存在").
- 党员 (with no other role): sees no records (an empty list; each record 404); any write 403.

Records are never edited or deleted (PUT, PATCH and DELETE answer 405): they move through one POST
action per stage service of ``members.development``, under the names of the pages' steps, plus
``person`` to correct the person's facts. A step recorded already and still open to correction
(the talk, political review, training, 公示, 预审, the votes) is corrected by sending it again
with a ``correction_reason``, as on the record page; ``person`` needs a ``reason``. A refusal comes back as a 400 keyed by the field sent, in
the service's Chinese words, and nothing is changed (each service runs in one transaction). Where
the rules allow a late step (the talk, the 党委's approvals), the service refuses it without a
``reason`` and records it as an exception with one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from branches.filters import MAX_ID, OrgIdFilter, scoped_org
from branches.selectors import visible_orgs
from members.development import services
from members.development.models import OPEN_STAGES, Cultivator, DevelopmentRecord, DevelopmentStage
from members.development.record_serializers import DevelopmentRecordDetailSerializer, DevelopmentRecordSerializer
from members.development.selectors import development_records, get_development_record_for_user
from members.development.step_serializers import (
    DevelopmentActivistSerializer,
    DevelopmentApplySerializer,
    DevelopmentApprovalSerializer,
    DevelopmentCandidateSerializer,
    DevelopmentDecisionSerializer,
    DevelopmentExtendSerializer,
    DevelopmentPersonSerializer,
    DevelopmentPoliticalReviewSerializer,
    DevelopmentPreReviewSerializer,
    DevelopmentPublicitySerializer,
    DevelopmentStepSerializer,
    DevelopmentTalkSerializer,
    DevelopmentTerminateSerializer,
    DevelopmentTrainingSerializer,
    DevelopmentVoteSerializer,
)
from partybuild.api.permissions import CanWrite
from partybuild.api.views import PortalAPIMixin, validation_detail

_ERRORS = {
    400: OpenApiResponse(
        description="输入有误，或不符合发展党员工作细则、该记录当前阶段不能进行此操作：按字段给出中文提示，记录不变"
    ),
    403: OpenApiResponse(description="无权办理发展党员工作，或只能查看该记录"),
    404: OpenApiResponse(description="不存在或不在您的范围内"),
}


class DevelopmentFilter(django_filters.FilterSet):
    org = OrgIdFilter(method="filter_org", label="党组织ID：该党支部，或上级党组织下的全部党支部")
    stage = django_filters.ChoiceFilter(choices=DevelopmentStage.choices, label="所处阶段")
    status = django_filters.ChoiceFilter(
        choices=[("open", "进行中"), ("closed", "已结束")],
        method="filter_status",
        label="open：进行中（入党申请人至预备党员）；closed：已结束（正式党员、终止培养、取消预备党员资格）",
    )

    class Meta:
        model = DevelopmentRecord
        fields = ["org", "stage", "status"]

    def filter_org(self, queryset: QuerySet[DevelopmentRecord], name: str, value: int) -> QuerySet[DevelopmentRecord]:
        org = scoped_org(self.request, value)
        if org is None:
            return queryset.none()
        return queryset.filter(branch__path__startswith=org.path)

    def filter_status(self, queryset: QuerySet[DevelopmentRecord], name: str, value: str) -> QuerySet[DevelopmentRecord]:
        if value == "open":
            return queryset.filter(stage__in=OPEN_STAGES)
        return queryset.exclude(stage__in=OPEN_STAGES)


@dataclass(frozen=True)
class Step:
    serializer: type[DevelopmentStepSerializer]
    service: Callable[..., DevelopmentRecord]
    summary: str
    description: str


# One POST action per stage service; the names are the pages' step names (``development:step``).
STEPS: dict[str, Step] = {
    "person": Step(
        DevelopmentPersonSerializer,
        services.development_person_update,
        "更正个人信息",
        "更正姓名、公民身份号码、出生日期等个人信息（只改提交的项目）。列入党员花名册后请在党员档案中修改；"
        "已结束的记录不能修改。更换公民身份号码而未同时提交出生日期、性别的，按新号码填写。",
    ),
    "talk": Step(
        DevelopmentTalkSerializer,
        services.development_talk_record,
        "登记谈话",
        "党组织派人与入党申请人谈话。晚于谈话期限的须说明原因（reason），记入例外情况。入党申请人阶段可重新登记以更正。",
    ),
    "activist": Step(
        DevelopmentActivistSerializer,
        services.development_activist_record,
        "确定为入党积极分子",
        "须已登记谈话；同时指定培养联系人：本党支部的正式党员（cultivators，党员ID）或不在本系统花名册中的"
        "正式党员（cultivator_names，姓名），人数按发展党员规则（默认1至2名）。",
    ),
    "candidate": Step(
        DevelopmentCandidateSerializer,
        services.development_candidate_record,
        "列为发展对象",
        "入党积极分子经过规定期限（默认一年）以上的培养教育和考察后，方可列为发展对象。",
    ),
    "political_review": Step(
        DevelopmentPoliticalReviewSerializer,
        services.development_political_review_record,
        "登记政治审查",
        "发展对象的政治审查日期和结论。党委预审前可重新登记以更正。",
    ),
    "training": Step(
        DevelopmentTrainingSerializer,
        services.development_training_record,
        "登记集中培训",
        "发展对象短期集中培训：天数或学时不少于规定（默认3天或24学时）。党委预审前可重新登记以更正。",
    ),
    "publicity": Step(
        DevelopmentPublicitySerializer,
        services.development_publicity_record,
        "登记公示",
        "发展对象公示：不少于规定的工作日（默认5个工作日，按国家法定节假日安排计算）；"
        "公示尚未结束时可填预定结束日期。党委预审前可重新登记以更正。",
    ),
    "pre_review": Step(
        DevelopmentPreReviewSerializer,
        services.development_pre_review_record,
        "登记党委预审",
        "须已完成政治审查、集中培训和公示，且在公示期结束后。支部党员大会表决前可重新登记以更正。",
    ),
    "admission_vote": Step(
        DevelopmentVoteSerializer,
        services.development_admission_vote_record,
        "登记支部党员大会表决（接收预备党员）",
        "须经党委预审。到会有表决权的正式党员超过应到会的半数、赞成票超过应到会的半数方为通过；"
        "未通过的不予登记，记录不变。党委审批前可重新登记以更正。",
    ),
    "admission_approve": Step(
        DevelopmentApprovalSerializer,
        services.development_admission_approve,
        "党委审批（接收为预备党员）",
        "接收为预备党员并列入党员花名册（入党日期为支部党员大会日期），预备期自表决之日起计算。"
        "超过审批期限（默认3个月）的须说明特殊情况（reason），记入例外情况；超过最长期限（默认6个月）的不予登记。",
    ),
    "confirmation_vote": Step(
        DevelopmentVoteSerializer,
        services.development_confirmation_vote_record,
        "登记支部党员大会表决（预备党员转正）",
        "预备期届满后讨论转正，表决规则同接收预备党员。党委审批前可重新登记以更正。",
    ),
    "extend": Step(
        DevelopmentExtendSerializer,
        services.development_probation_extend,
        "延长预备期",
        "预备期届满后决定延长，须写明原因；按发展党员规则（默认延长不少于6个月、累计不超过1年、只能延长一次）。",
    ),
    "confirm": Step(
        DevelopmentApprovalSerializer,
        services.development_confirm,
        "党委审批（转为正式党员）",
        "党员花名册中的人员类别改为正式党员，转正日期为预备期满之日。超过审批期限的须说明特殊情况（reason），记入例外情况。",
    ),
    "terminate": Step(
        DevelopmentTerminateSerializer,
        services.development_terminate,
        "终止培养",
        "入党申请人、入党积极分子或发展对象终止培养，须写明原因；培养联系人同日结束。",
    ),
    "probation_cancel": Step(
        DevelopmentDecisionSerializer,
        services.development_probation_cancel,
        "取消预备党员资格",
        "须写明原因；党员花名册中该预备党员以“出党”离开花名册（保留记录）。",
    ),
}


def _step_action(name: str) -> Any:
    """The POST action ``/api/v1/development/{id}/<name>/`` of one stage service."""
    step = STEPS[name]

    def handler(self: DevelopmentRecordViewSet, request: Request, pk: str | None = None) -> Response:
        return self._step(request, pk, name)

    handler.__name__ = name
    handler.__qualname__ = f"DevelopmentRecordViewSet.{name}"
    handler.__doc__ = step.summary
    routed = action(detail=True, methods=["post"], url_path=name, url_name=name.replace("_", "-"))(handler)
    return extend_schema(
        summary=step.summary,
        description=step.description,
        request=step.serializer,
        responses={200: DevelopmentRecordDetailSerializer, **_ERRORS},
    )(routed)


def _person_errors(detail: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    # The age rule names the application date; a correction changes the birth date (or the
    # number it follows from), so its refusal is shown there.
    if "applied_on" in detail:
        key = "birth_date" if "birth_date" in sent else "id_number"
        detail.setdefault(key, []).extend(detail.pop("applied_on"))
    return detail


@extend_schema_view(
    list=extend_schema(
        summary="发展党员列表",
        description=(
            "您范围内党支部的发展党员记录（不含公民身份号码等个人信息），按党支部、申请日期排列："
            "所处阶段、进入该阶段的日期、现任培养联系人、下一期限，以及您现在可以进行的操作。"
            "可按党组织（含下级党支部）、所处阶段、进行中/已结束筛选，按姓名搜索。"
        ),
    ),
    retrieve=extend_schema(
        summary="发展党员记录详情",
        description=(
            "个人信息（公民身份号码：能修改该记录的用户看到完整号码，其他人打码）、各阶段登记的全部事实、"
            "培养联系人、例外情况及其原因、下一期限，以及您现在可以进行的操作（actions）。"
        ),
        responses={200: DevelopmentRecordDetailSerializer, 404: _ERRORS[404]},
    ),
    create=extend_schema(
        summary="登记入党申请",
        description=(
            "由您管理的正常状态的党支部受理的入党申请，连同申请人的个人信息（出生日期、性别未填时按公民身份号码填写）。"
            "申请时须年满18周岁；已在党员花名册中或已有进行中记录的公民身份号码不能登记。谈话期限自申请日期起计算。"
        ),
        request=DevelopmentApplySerializer,
        responses={201: DevelopmentRecordDetailSerializer, **_ERRORS},
    ),
)
class DevelopmentRecordViewSet(PortalAPIMixin, viewsets.GenericViewSet):
    permission_classes = [*PortalAPIMixin.permission_classes, CanWrite.guarding("办理发展党员工作")]
    serializer_class = DevelopmentRecordSerializer
    filterset_class = DevelopmentFilter
    search_fields = ["name"]
    ordering_fields = ["applied_on", "created_at", "updated_at", "name", "branch__path", "id"]
    ordering = ["branch__path", "applied_on", "id"]
    # Records are neither edited nor deleted: they move through their actions.
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        # The browsable API draws its forms from this; responses use the read serializers.
        if self.action == "create":
            return DevelopmentApplySerializer
        if self.action in STEPS:
            return STEPS[self.action].serializer
        return DevelopmentRecordDetailSerializer if self.action == "retrieve" else DevelopmentRecordSerializer

    def get_queryset(self) -> QuerySet[DevelopmentRecord]:
        cultivators = Cultivator.objects.select_related("member").order_by("assigned_on", "pk")
        return (
            development_records(visible_orgs(self.request.user))
            .select_related("branch")
            .prefetch_related(Prefetch("cultivators", queryset=cultivators, to_attr="all_cultivators"))
            .order_by(*self.ordering)
        )

    def _record(self, pk: Any, *, write: bool = False) -> DevelopmentRecord:
        """The record through the access module: 404 when missing or out of scope, 403 when read-only."""
        try:
            number = int(pk)
        except (TypeError, ValueError):
            raise Http404("发展党员记录不存在") from None
        if not 1 <= number <= MAX_ID:
            raise Http404("发展党员记录不存在")
        return get_development_record_for_user(self.request.user, number, write=write)  # type: ignore[no-any-return]

    def _detail(self, pk: Any) -> dict[str, Any]:
        record = self._record(pk)
        return DevelopmentRecordDetailSerializer(record, context=self.get_serializer_context()).data

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page) if page is not None else list(queryset)
        data = DevelopmentRecordSerializer(rows, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._detail(kwargs["pk"]))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = DevelopmentApplySerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        record = services.development_apply(actor=request.user, **serializer.service_kwargs())
        return Response(self._detail(record.pk), status=status.HTTP_201_CREATED)

    def _step(self, request: Request, pk: Any, name: str) -> Response:
        step = STEPS[name]
        record = self._record(pk, write=True)
        body = step.serializer(data=request.data, context={**self.get_serializer_context(), "record": record})
        body.is_valid(raise_exception=True)
        arguments = body.service_kwargs()
        try:
            if name in services.CORRECTABLE_FACTS:
                # Sent again while recorded, a step is a correction: the service wants its reason.
                services.development_fact_record(record=record, fact=name, actor=request.user, **arguments)
            else:
                step.service(record=record, actor=request.user, **arguments)
        except DjangoValidationError as exc:
            detail: dict[str, Any] = validation_detail(exc)
            if name == "person":
                detail = _person_errors(detail, arguments)
            raise serializers.ValidationError(detail) from None
        return Response(self._detail(record.pk))

    person = _step_action("person")
    talk = _step_action("talk")
    activist = _step_action("activist")
    candidate = _step_action("candidate")
    political_review = _step_action("political_review")
    training = _step_action("training")
    publicity = _step_action("publicity")
    pre_review = _step_action("pre_review")
    admission_vote = _step_action("admission_vote")
    admission_approve = _step_action("admission_approve")
    confirmation_vote = _step_action("confirmation_vote")
    extend = _step_action("extend")
    confirm = _step_action("confirm")
    terminate = _step_action("terminate")
    probation_cancel = _step_action("probation_cancel")
