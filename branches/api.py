"""Organization API: /api/v1/organizations/.

Who may do what (decided by ``partybuild.accounts.access``):
- 系统管理员: everything, including new top-level committees.
- 党务干部, 支部书记: read and change the subtree of the organizations they hold the role in;
  anything outside it answers 404, as if it did not exist.
- 党员: sees no organizations; any write answers 403.

Organizations are never deleted (DELETE answers 405); they are dissolved (撤销).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from branches.filters import OrganizationFilter
from branches.models import Organization
from branches.selectors import get_org_for_user, visible_orgs
from branches.serializers import (
    OrganizationCreateSerializer,
    OrganizationDissolveSerializer,
    OrganizationMoveSerializer,
    OrganizationSerializer,
    OrganizationUpdateSerializer,
    organization_context,
)
from branches.services import organization_create, organization_dissolve, organization_move, organization_update
from partybuild.accounts import access
from partybuild.api.permissions import CanWrite
from partybuild.api.views import PortalAPIMixin

_ERRORS = {
    400: OpenApiResponse(description="输入有误：按字段给出中文提示"),
    403: OpenApiResponse(description="无权修改"),
    404: OpenApiResponse(description="不存在或不在您的范围内"),
}


@extend_schema_view(
    list=extend_schema(summary="党组织列表", description="您范围内的党组织，每项含本组织及下级的在册党员人数。"),
    retrieve=extend_schema(summary="党组织详情", responses={200: OrganizationSerializer, 404: _ERRORS[404]}),
    create=extend_schema(
        summary="新建党组织",
        description="须指定上级党组织（parent）；只有系统管理员可以新建最高一级党委。",
        request=OrganizationCreateSerializer,
        responses={201: OrganizationSerializer, **_ERRORS},
    ),
    partial_update=extend_schema(
        summary="修改党组织",
        request=OrganizationUpdateSerializer,
        responses={200: OrganizationSerializer, **_ERRORS},
    ),
)
class OrganizationViewSet(PortalAPIMixin, viewsets.GenericViewSet):
    permission_classes = [*PortalAPIMixin.permission_classes, CanWrite.guarding("管理党组织")]
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    search_fields = ["name", "short_name", "code"]
    ordering_fields = ["path", "name", "short_name", "code", "founded_on", "term_end", "id"]
    ordering = ["path"]
    # No PUT (use PATCH) and no DELETE: organizations are dissolved, never deleted.
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        # The browsable API draws its forms from this; responses always use OrganizationSerializer.
        return {
            "create": OrganizationCreateSerializer,
            "partial_update": OrganizationUpdateSerializer,
            "move": OrganizationMoveSerializer,
            "dissolve": OrganizationDissolveSerializer,
        }.get(self.action, OrganizationSerializer)

    def get_queryset(self) -> QuerySet[Organization]:
        return visible_orgs(self.request.user).order_by("path")

    def get_object(self) -> Organization:
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return get_org_for_user(self.request.user, self.kwargs["pk"], write=write)

    def _represent(self, orgs: list[Organization], *, many: bool) -> Any:
        context = organization_context(self.request, orgs)
        if many:
            return OrganizationSerializer(orgs, many=True, context=context).data
        return OrganizationSerializer(orgs[0], context=context).data

    def _list_response(self, queryset: QuerySet[Organization]) -> Response:
        queryset = self.filter_queryset(queryset)
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(self._represent(list(page), many=True))
        return Response(self._represent(list(queryset), many=True))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._list_response(self.get_queryset())

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._represent([self.get_object()], many=False))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # A body that is not an object is the serializer's to refuse (400), not a top-level request.
        top_level = isinstance(request.data, Mapping) and request.data.get("parent") in (None, "")
        if top_level and not access.can_create_top_level_org(request.user):
            raise PermissionDenied("只有系统管理员可以新建最高一级党组织，请选择上级党组织。")
        serializer = OrganizationCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        parent = fields.pop("parent", None)
        org = organization_create(parent=parent, actor=request.user, **fields)
        return Response(self._represent([org], many=False), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        org = self.get_object()
        serializer = OrganizationUpdateSerializer(org, data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        org = organization_update(org=org, actor=request.user, **serializer.validated_data)
        return Response(self._represent([org], many=False))

    @extend_schema(
        summary="移动党组织",
        description="把党组织（连同其下级）移到新的上级党组织之下。",
        request=OrganizationMoveSerializer,
        responses={200: OrganizationSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        org = self.get_object()
        serializer = OrganizationMoveSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        org = organization_move(org=org, new_parent=serializer.validated_data["parent"], actor=request.user)
        return Response(self._represent([org], many=False))

    @extend_schema(
        summary="撤销党组织",
        description="党组织不删除：标记为已撤销，保留全部记录。须先撤销或移走下级组织、转走党员。",
        request=OrganizationDissolveSerializer,
        responses={200: OrganizationSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def dissolve(self, request: Request, pk: str | None = None) -> Response:
        org = self.get_object()
        serializer = OrganizationDissolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        org = organization_dissolve(org=org, on=data["on"], reason=data["reason"], actor=request.user)
        return Response(self._represent([org], many=False))

    @extend_schema(
        summary="下级党组织",
        description="直接下级党组织（可再用列表的筛选条件），分页。",
        responses={200: OrganizationSerializer(many=True), 404: _ERRORS[404]},
    )
    @action(detail=True, methods=["get"])
    def children(self, request: Request, pk: str | None = None) -> Response:
        org = self.get_object()
        return self._list_response(self.get_queryset().filter(path__startswith=org.path, depth=org.depth + 1))
