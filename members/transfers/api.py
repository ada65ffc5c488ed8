"""组织关系转接 API: /api/v1/transfers/.

Who may do what (decided by ``partybuild.accounts.access`` and ``members.transfers.actions``):
- 系统管理员: every transfer, both sides.
- 党务干部, 支部书记: the transfers sent from or to the 党支部 of their subtree; a transfer that
  touches nothing in it answers 404, as if it did not exist. They act for the side(s) in their
  subtree: 审核转出 is the sending side's, 接收 the receiving side's (the other side gets 403);
  退回, 挂起 and 恢复办理 either side's.
- 党员 (with no other role): sees no transfers (an empty list; each transfer 404); any write 403.

Transfers are never deleted or edited (DELETE, PUT and PATCH answer 405): they move through their
actions. Every write goes through ``members.transfers``; its errors come back as a 400 keyed by
field, in Chinese (the facts of a letter from outside under ``incoming``).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from members.transfers.actions import ACTIONS, perform, require_side
from members.transfers.application_services import transfer_apply
from members.transfers.models import Transfer, TransferKind, TransferStatus
from members.transfers.selectors import get_transfer_for_user, visible_transfers, waiting_q
from members.transfers.serializers import (
    TransferCreateSerializer,
    TransferDetailSerializer,
    TransferReasonSerializer,
    TransferSerializer,
)
from partybuild.api.permissions import CanWrite
from partybuild.api.views import PortalAPIMixin, validation_detail

_ERRORS = {
    400: OpenApiResponse(description="输入有误，或该转接当前状态不能进行此操作：按字段给出中文提示"),
    403: OpenApiResponse(description="不是该转接可以办理此事项的一方，或无权办理转接"),
    404: OpenApiResponse(description="不存在或不在您的范围内"),
}


class TransferFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TransferStatus.choices, label="状态")
    kind = django_filters.ChoiceFilter(choices=TransferKind.choices, label="转接类型")
    waiting = django_filters.ChoiceFilter(
        choices=[("me", "待我方处理")], method="filter_waiting", label="me：等待您办理的一方处理的转接（待我方处理）"
    )

    class Meta:
        model = Transfer
        fields = ["status", "kind", "waiting"]

    def filter_waiting(self, queryset: QuerySet[Transfer], name: str, value: str) -> QuerySet[Transfer]:
        return queryset.filter(waiting_q(self.request.user)) if value == "me" else queryset


def _api_errors(exc: DjangoValidationError, *, rename: dict[str, str] | None = None) -> dict[str, Any]:
    """A service's errors as the API answers them: ``incoming.x`` nested under ``incoming``."""
    detail: dict[str, Any] = validation_detail(exc)
    nested = {key.removeprefix("incoming."): detail.pop(key) for key in list(detail) if key.startswith("incoming.")}
    if nested:
        detail["incoming"] = nested
    for old, new in (rename or {}).items():
        if old in detail:
            detail[new] = detail.pop(old)
    return detail


def _action_schema(summary: str, description: str, *, with_reason: bool = False) -> Any:
    return extend_schema(
        summary=summary,
        description=description,
        request=TransferReasonSerializer if with_reason else None,
        responses={200: TransferDetailSerializer, **_ERRORS},
    )


@extend_schema_view(
    list=extend_schema(
        summary="组织关系转接列表",
        description=(
            "转出或转入您范围内党支部的组织关系转接，按申请时间由近及远（不含公民身份号码）。"
            "可按状态、转接类型筛选；waiting=me 只列出等待您办理的一方处理的转接（待我方处理）。"
        ),
    ),
    retrieve=extend_schema(
        summary="组织关系转接详情",
        description="转接信息、系统外转入的人员信息、办理记录，以及您办理的一方和现在可以进行的操作。",
        responses={200: TransferDetailSerializer, 404: _ERRORS[404]},
    ),
    create=extend_schema(
        summary="新建组织关系转接",
        description=(
            "系统内转接（kind=internal）：党员（您管理的在册党员）和转入党支部（系统内任一正常状态的党支部），"
            "待转出方审核、转入方接收。转出系统外（kind=out）：党员和转入单位名称，转出方审核后即转出。"
            "从系统外转入（kind=in）：接收党支部（您管理的）、转出单位名称和介绍信所载人员信息（incoming），"
            "待接收党支部接收后建立党员档案。"
        ),
        request=TransferCreateSerializer,
        responses={201: TransferDetailSerializer, **_ERRORS},
    ),
)
class TransferViewSet(PortalAPIMixin, viewsets.GenericViewSet):
    permission_classes = [*PortalAPIMixin.permission_classes, CanWrite.guarding("办理组织关系转接")]
    serializer_class = TransferSerializer
    filterset_class = TransferFilter
    search_fields = ["member__name"]
    ordering_fields = ["created_at", "updated_at", "id"]
    ordering = ["-created_at", "-id"]
    # Transfers are neither edited nor deleted: they move through their actions.
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        # The browsable API draws its forms from this; responses use the read serializers.
        if self.action == "create":
            return TransferCreateSerializer
        if self.action in ("return_", "suspend"):
            return TransferReasonSerializer
        return TransferDetailSerializer if self.action == "retrieve" else TransferSerializer

    def get_queryset(self) -> QuerySet[Transfer]:
        return visible_transfers(self.request.user).order_by(*self.ordering)

    def _detail(self, transfer: Transfer) -> dict[str, Any]:
        return TransferDetailSerializer(transfer, context=self.get_serializer_context()).data

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page) if page is not None else list(queryset)
        data = TransferSerializer(rows, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._detail(get_transfer_for_user(request.user, kwargs["pk"])))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = TransferCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        try:
            transfer = transfer_apply(actor=request.user, **serializer.apply_kwargs())
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_api_errors(exc)) from None
        return Response(self._detail(get_transfer_for_user(request.user, transfer.pk)), status=status.HTTP_201_CREATED)

    def _act(self, request: Request, pk: Any, name: str) -> Response:
        transfer = get_transfer_for_user(request.user, pk)
        require_side(request.user, transfer, name)
        reason = ""
        if ACTIONS[name].needs_reason:
            body = TransferReasonSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            reason = body.validated_data["reason"]
        try:
            perform(name, transfer=transfer, actor=request.user, reason=reason)
        except DjangoValidationError as exc:
            # The service names the model field; the request calls it ``reason``.
            raise serializers.ValidationError(_api_errors(exc, rename={"status_reason": "reason"})) from None
        return Response(self._detail(get_transfer_for_user(request.user, transfer.pk)))

    @_action_schema(
        "审核转出", "转出方审核已申请的转接。系统内转接随后由转入方接收；转出系统外的转接即办结，党员状态变为已转出。"
    )
    @action(detail=True, methods=["post"], url_path="approve_out", url_name="approve-out")
    def approve_out(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, pk, "approve_out")

    @_action_schema(
        "接收",
        "转入方接收转出方已审核的转接：党员转入接收党支部（系统外转入的，在接收党支部建立党员档案）。介绍信过期的不能接收。",
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, pk, "accept")

    @_action_schema("退回", "转出方或转入方退回办理中的转接，须写明原因；转接即办结，党员不转移。", with_reason=True)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, pk, "return")

    @_action_schema("挂起", "转出方或转入方暂停办理（如党费未交清），须写明原因。", with_reason=True)
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, pk, "suspend")

    @_action_schema("恢复办理", "转出方或转入方恢复挂起的转接，回到挂起前的状态。")
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, pk, "resume")
