"""Meetings and compliance API: /api/v1/meetings/ and /api/v1/compliance/.

Who may do what (decided by ``partybuild.accounts.access``):
- 系统管理员: every meeting and organization.
- 党务干部, 支部书记: read, record and change the meetings of the organizations in their subtree,
  and see its compliance; meetings and organizations elsewhere answer 404, as if they did not exist.
- 党员 (with no other role): sees no meetings (an empty list; each meeting 404) and no compliance;
  any write answers 403. Their own attendance is on their member record.

Meetings are never deleted (DELETE answers 405): they are cancelled with a reason. Every write goes
through ``meetings.services``; its errors come back as a 400 keyed by field, in Chinese.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from branches.selectors import get_org_for_user, visible_orgs
from meetings.compliance.selectors import compliance
from meetings.compliance.serializers import ComplianceQuerySerializer, ComplianceReportSerializer
from meetings.filters import MeetingFilter
from meetings.models import Attendance, Meeting, MeetingAttachment, MeetingStatus, MeetingType
from meetings.selectors import get_meeting_for_user, roll_members, visible_meetings
from meetings.serializers import (
    AttendanceSheetSerializer,
    AttendanceWriteSerializer,
    MeetingCancelSerializer,
    MeetingCreateSerializer,
    MeetingDetailSerializer,
    MeetingRecordResultSerializer,
    MeetingSerializer,
    MeetingUpdateSerializer,
    attendance_rows,
    prefilled_rows,
    quorum_data,
    quorum_for,
)
from meetings.services import RecordResult, meeting_cancel, meeting_record, meeting_update
from partybuild.api.permissions import CanWrite
from partybuild.api.views import PortalAPIMixin, validation_detail
from partybuild.periods import Period, PeriodKind

_ERRORS = {
    400: OpenApiResponse(description="输入有误：按字段给出中文提示"),
    403: OpenApiResponse(description="无权修改"),
    404: OpenApiResponse(description="不存在或不在您的范围内"),
}


def _attendance_counts(meetings: list[Meeting]) -> dict[int, dict[str, int]]:
    """出席/请假/缺席 per meeting of a page: one query whatever the page size."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Attendance.objects.filter(meeting__in=[m.pk for m in meetings])
        .values("meeting_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["meeting_id"]][row["status"]] = row["n"]
    return counts


@extend_schema_view(
    list=extend_schema(
        summary="会议列表",
        description="您范围内的会议（三会一课等组织生活），按召开日期由近及远。可按党组织（含下级）、计入类型、状态、期间筛选，按主题搜索。",
    ),
    retrieve=extend_schema(
        summary="会议详情",
        description="会议记录、计入类型、出勤、党员大会到会情况和附件。",
        responses={200: MeetingDetailSerializer, 404: _ERRORS[404]},
    ),
    create=extend_schema(
        summary="登记会议",
        description=(
            "登记已召开的会议（连同出勤：每名应到党员一行），或登记计划召开的会议。"
            "党小组会的党组织填党小组。一次会议可标明同时计入其他类型（extra_types），须为规则允许的组合。"
            "党员大会有表决事项而有表决权的党员到会未过半数时，在 warnings 中提示。"
        ),
        request=MeetingCreateSerializer,
        responses={201: MeetingRecordResultSerializer, **_ERRORS},
    ),
    partial_update=extend_schema(
        summary="修改会议",
        description="修改会议记录，或把计划中的会议登记为已召开（同时登记出勤）。已取消的会议不能修改。",
        request=MeetingUpdateSerializer,
        responses={200: MeetingRecordResultSerializer, **_ERRORS},
    ),
)
class MeetingViewSet(PortalAPIMixin, viewsets.GenericViewSet):
    permission_classes = [*PortalAPIMixin.permission_classes, CanWrite.guarding("登记会议")]
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    search_fields = ["topic"]
    ordering_fields = ["held_on", "planned_at", "held_at", "created_at", "id"]
    ordering = ["-held_on", "-planned_at", "-id"]
    # No PUT on a meeting (use PATCH; PUT is for its attendance) and no DELETE: meetings are cancelled.
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        # The browsable API draws its forms from this; responses use the read serializers.
        return {
            "retrieve": MeetingDetailSerializer,
            "create": MeetingCreateSerializer,
            "partial_update": MeetingUpdateSerializer,
            "cancel": MeetingCancelSerializer,
            "attendance": AttendanceWriteSerializer,
        }.get(self.action, MeetingSerializer)

    def get_queryset(self) -> QuerySet[Meeting]:
        return (
            visible_meetings(self.request.user)
            .select_related("organization", "host", "recorder", "lecturer")
            .prefetch_related("credits")
            .defer("minutes", "resolutions")
            .order_by(*self.ordering)
        )

    def _detail_queryset(self) -> QuerySet[Meeting]:
        return (
            visible_meetings(self.request.user)
            .select_related("organization", "host", "recorder", "lecturer", "created_by")
            .prefetch_related(
                "credits",
                Prefetch(
                    "attendance", queryset=Attendance.objects.select_related("member").order_by("member__name", "member_id")
                ),
                Prefetch("attachments", queryset=MeetingAttachment.objects.filter(removed_at__isnull=True)),
            )
        )

    def _visible(self, pk: Any) -> Meeting:
        """A meeting the user may read, with everything the detail shows; 404 otherwise."""
        try:
            return self._detail_queryset().get(pk=int(pk))
        except (Meeting.DoesNotExist, TypeError, ValueError, OverflowError):
            raise Http404("会议不存在") from None

    def _writable(self) -> Meeting:
        return get_meeting_for_user(self.request.user, self.kwargs["pk"], write=True)

    def _detail(self, meeting: Meeting) -> dict[str, Any]:
        return MeetingDetailSerializer(meeting, context=self.get_serializer_context()).data

    def _recorded(self, result: RecordResult) -> dict[str, Any]:
        """A meeting just written, read back with everything the detail shows, and the warnings."""
        meeting = self._visible(result.meeting.pk)
        meeting.warnings = result.warnings  # type: ignore[attr-defined]
        return MeetingRecordResultSerializer(meeting, context=self.get_serializer_context()).data

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        meetings = list(page) if page is not None else list(queryset)
        context = {**self.get_serializer_context(), "attendance_counts": _attendance_counts(meetings)}
        data = MeetingSerializer(meetings, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._detail(self._visible(kwargs["pk"])))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = MeetingCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        result = meeting_record(
            actor=request.user,
            organization=fields.pop("organization"),
            meeting_type=fields.pop("meeting_type"),
            extra_types=fields.pop("extra_types", ()),
            attendance=fields.pop("attendance", None),
            **fields,
        )
        return Response(self._recorded(result), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self._writable()
        serializer = MeetingUpdateSerializer(meeting, data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        result = meeting_update(
            actor=request.user,
            meeting=meeting,
            extra_types=fields.pop("extra_types", None),
            attendance=fields.pop("attendance", None),
            **fields,
        )
        return Response(self._recorded(result))

    @extend_schema(
        summary="取消会议",
        description="会议不删除：标记为已取消并记下原因，不再计入组织生活次数。",
        request=MeetingCancelSerializer,
        responses={200: MeetingDetailSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        meeting = self._writable()
        serializer = MeetingCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            meeting_cancel(actor=request.user, meeting=meeting, reason=serializer.validated_data["reason"])
        except DjangoValidationError as exc:
            # The service names the model field; the request calls it ``reason``.
            detail = validation_detail(exc)
            if "cancel_reason" in detail:
                detail["reason"] = detail.pop("cancel_reason")
            raise serializers.ValidationError(detail) from None
        return Response(self._detail(self._visible(meeting.pk)))

    def _attendance_sheet(self, meeting: Meeting, warnings: list[str] | None = None) -> dict[str, Any]:
        rows = attendance_rows(meeting)
        recorded = bool(rows)
        if not recorded and meeting.status != MeetingStatus.CANCELLED:
            rows = prefilled_rows(list(roll_members(meeting.organization, meeting.meeting_type)))
        quorum = quorum_for(meeting, rows) if recorded else None
        counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("present", "leave", "absent")}
        sheet: dict[str, Any] = {
            "meeting": meeting.pk,
            "meeting_status": meeting.status,
            "recorded": recorded,
            "rows": rows,
            "counts": counts,
            "quorum": quorum_data(quorum) if quorum is not None else None,
        }
        if warnings is not None:
            sheet["warnings"] = warnings
        return AttendanceSheetSerializer(sheet).data

    @extend_schema(
        methods=["GET"],
        summary="会议出勤",
        description=(
            "已登记出勤的会议：每名党员的出勤（出席、请假及原因、缺席）。"
            "尚未登记出勤时（recorded 为 false）：应到党员名单，预填为出席，改动请假、缺席后用 PUT 提交即可。"
        ),
        responses={200: AttendanceSheetSerializer, 404: _ERRORS[404]},
    )
    @extend_schema(
        methods=["PUT"],
        summary="登记会议出勤",
        description="用提交的名单替换出勤：须列出全部应到党员，请假须写原因。只有已召开的会议登记出勤。",
        request=AttendanceWriteSerializer,
        responses={200: AttendanceSheetSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["get", "put"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        if request.method == "GET":
            return Response(self._attendance_sheet(self._visible(pk)))
        meeting = self._writable()
        serializer = AttendanceWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if meeting.status == MeetingStatus.PLANNED:
            raise serializers.ValidationError(
                {"attendance": ["会议尚未召开，不能登记出勤；请先把会议登记为已召开（PATCH status=held 和召开时间）。"]}
            )
        result = meeting_update(actor=request.user, meeting=meeting, attendance=serializer.validated_data["attendance"])
        return Response(self._attendance_sheet(self._visible(result.meeting.pk), result.warnings))


# --- compliance --------------------------------------------------------------------------------


class CompliancePagination(PageNumberPagination):
    """Organizations, 200 to a page: a province is not one response."""

    page_size = 200


@extend_schema_view(
    list=extend_schema(
        summary="组织生活达标情况",
        description=(
            "按党组织和会议类型：期间内已召开次数与规定次数、各考核周期（如季度内每月）的达标情况，"
            "以及每个上级组织所属党支部的达标数。默认是您范围内的全部党组织、本季度。"
            "党组织按组织树顺序分页，每页200个；上级组织的党支部达标数按其全部下级计算。"
        ),
        parameters=[
            OpenApiParameter("org", OpenApiTypes.INT, description="党组织ID：该组织及其全部下级；不填为您范围内的全部党组织"),
            OpenApiParameter(
                "period", OpenApiTypes.STR, description="期间：2026-10（月）、2026Q3（季度）或 2026（年）；不填为本季度"
            ),
            OpenApiParameter("page", OpenApiTypes.INT, description="页码"),
        ],
        responses={200: ComplianceReportSerializer, 400: _ERRORS[400], 404: _ERRORS[404]},
    )
)
class ComplianceViewSet(PortalAPIMixin, viewsets.ViewSet):
    filter_backends: list[Any] = []

    def list(self, request: Request) -> Response:
        params = ComplianceQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        today = timezone.localdate()
        period: Period = params.validated_data.get("period") or Period.containing(PeriodKind.QUARTER, today)
        orgs = visible_orgs(request.user)
        if "org" in params.validated_data:
            org = get_org_for_user(request.user, params.validated_data["org"])
            orgs = orgs.filter(path__startswith=org.path)
        report = compliance(orgs, period, today=today)
        paginator = CompliancePagination()
        page = paginator.paginate_queryset(report.rows, request, view=self) or []  # type: ignore[arg-type]
        data = {
            "period": str(period),
            "period_label": period.label,
            "start": period.start,
            "end": period.end,
            "today": report.today,
            "types": [{"meeting_type": t, "label": MeetingType(t).label} for t in report.types],
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": page,
        }
        return Response(ComplianceReportSerializer(data).data)
