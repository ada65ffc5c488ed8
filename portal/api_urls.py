"""API v1: each app defines its viewsets in its api.py; this file registers them on one router."""

from typing import Any

from django.urls import include, path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from branches.api import OrganizationViewSet
from meetings.api import ComplianceViewSet, MeetingViewSet
from members.development.api import DevelopmentRecordViewSet
from members.dues.api import BranchDuesViewSet, DuesViewSet, MemberDuesViewSet
from members.roster.api import MemberViewSet
from members.transfers.api import TransferViewSet

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("members", MemberViewSet, basename="member")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("compliance", ComplianceViewSet, basename="compliance")
router.register("transfers", TransferViewSet, basename="transfer")
router.register("dues/branches", BranchDuesViewSet, basename="dues-branch")
router.register("dues/members", MemberDuesViewSet, basename="member-dues")
router.register("dues", DuesViewSet, basename="dues")
router.register("development", DevelopmentRecordViewSet, basename="development")


# The token endpoint needs no credentials (it is where they are exchanged); django-axes counts
# its failures like the login page's.
@extend_schema_view(
    post=extend_schema(
        summary="获取访问令牌",
        description="用用户名和密码换取令牌，之后在请求头中携带 `Authorization: Token <令牌>`。",
        auth=[],
        responses={
            200: inline_serializer("AuthToken", {"token": serializers.CharField(read_only=True)}),
            400: OpenApiResponse(description="用户名或密码错误"),
            429: OpenApiResponse(description="失败次数过多，已锁定"),
        },
    )
)
class TokenView(ObtainAuthToken):
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # django-axes marks the request it refused; say so instead of "wrong password".
            if getattr(request, "axes_locked_out", False):
                return Response(
                    {"detail": "登录失败次数过多，账号已暂时锁定1小时。如需立即解锁，请联系系统管理员。"},
                    status=status.HTTP_429_TOO_MANY_REQUESTS,
                )
            raise


app_name = "api"
urlpatterns = [
    path("", include(router.urls)),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
