"""Member API: /api/v1/members/.

Who may do what (decided by ``partybuild.accounts.access``):
- 系统管理员: every member.
- 党务干部, 支部书记: read and change members of branches in their subtree, with the whole
  公民身份号码; members elsewhere answer 404.
- 党员: reads their own record only (公民身份号码 masked); every other record answers 404 and any
  write 403.

Members are never deleted (DELETE answers 405): their state changes. ``/timeline/`` is the record
page's 党员生涯, for whoever may read the member.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from members.roster.filters import MemberFilter
from members.roster.models import Member
from members.roster.selectors import get_member_for_user, member_positions, visible_members
from members.roster.serializers import (
    MemberChangeStateSerializer,
    MemberSerializer,
    MemberWriteSerializer,
    TimelineEntrySerializer,
)
from members.roster.services import member_change_state, member_create, member_update
from members.roster.timeline import member_timeline
from partybuild.api.permissions import CanWrite
from partybuild.api.views import PortalAPIMixin

_ERRORS = {
    400: OpenApiResponse(description="输入有误：按字段给出中文提示"),
    403: OpenApiResponse(description="无权修改"),
    404: OpenApiResponse(description="不存在或不在您的范围内"),
}


@extend_schema_view(
    list=extend_schema(summary="党员列表", description="您范围内的党员。可按姓名、手机号码搜索。"),
    retrieve=extend_schema(summary="党员详情", responses={200: MemberSerializer, 404: _ERRORS[404]}),
    create=extend_schema(
        summary="新增党员",
        description="出生日期、性别未填时按公民身份号码填写。",
        request=MemberWriteSerializer,
        responses={201: MemberSerializer, **_ERRORS},
    ),
    partial_update=extend_schema(
        summary="修改党员信息",
        request=MemberWriteSerializer,
        responses={200: MemberSerializer, **_ERRORS},
    ),
)
class MemberViewSet(PortalAPIMixin, viewsets.GenericViewSet):
    permission_classes = [*PortalAPIMixin.permission_classes, CanWrite.guarding("修改党员信息")]
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    search_fields = ["name", "phone"]
    ordering_fields = ["name", "joined_on", "confirmed_on", "birth_date", "branch__path", "id"]
    ordering = ["branch__path", "name", "id"]
    # No PUT (use PATCH) and no DELETE: members change state, they are never deleted.
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        # The browsable API draws its forms from this; responses always use MemberSerializer.
        return {
            "create": MemberWriteSerializer,
            "partial_update": MemberWriteSerializer,
            "change_state": MemberChangeStateSerializer,
            "timeline": TimelineEntrySerializer,
        }.get(self.action, MemberSerializer)

    def get_queryset(self) -> QuerySet[Member]:
        return visible_members(self.request.user).select_related("branch", "group").order_by(*self.ordering)

    def get_object(self) -> Member:
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return get_member_for_user(self.request.user, self.kwargs["pk"], write=write)

    def _represent(self, member: Member) -> Any:
        return MemberSerializer(member, context=self.get_serializer_context()).data

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(MemberSerializer(page, many=True, context=self.get_serializer_context()).data)
        return Response(MemberSerializer(queryset, many=True, context=self.get_serializer_context()).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._represent(self.get_object()))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = MemberWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        member = member_create(actor=request.user, **serializer.validated_data)
        return Response(self._represent(member), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = self.get_object()
        serializer = MemberWriteSerializer(member, data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        member = member_update(member=member, actor=request.user, **serializer.validated_data)
        return Response(self._represent(member))

    @extend_schema(
        summary="党员生涯时间轴",
        description=(
            "按时间先后列出该党员的入党经历（发展党员记录，或花名册中的入党、转正日期）、组织关系转接的各步、"
            "党员状态变更、担任和不再担任的职务、年度党费核定与补交。category 为类别；link 仅在您有权查看"
            "相应页面时给出。与党员档案页的“党员生涯”相同。"
        ),
        responses={200: TimelineEntrySerializer(many=True), 404: _ERRORS[404]},
    )
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        member = self.get_object()
        entries = member_timeline(request.user, member, positions=member_positions(member))
        return Response(TimelineEntrySerializer(entries, many=True).data)

    @extend_schema(
        summary="变更党员状态",
        description=(
            "正常、流动党员、失联党员、停止党籍，以及出党、去世（正在办理的组织关系转接随之退回）。"
            "“已转出”不能直接变更，须通过组织关系转接（转出系统外）办理。变更日期不能早于上次状态变更日期。"
            "留有记录，不删除党员。"
        ),
        request=MemberChangeStateSerializer,
        responses={200: MemberSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="change-state")
    def change_state(self, request: Request, pk: str | None = None) -> Response:
        member = self.get_object()
        serializer = MemberChangeStateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = member_change_state(member=member, actor=request.user, **serializer.validated_data)
        return Response(self._represent(member))
