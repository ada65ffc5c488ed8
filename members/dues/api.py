"""党费 API: /api/v1/dues/...

- ``GET  dues/rules/?on=``: the dues table in force on a day (every logged-in user: it is the
  published 2008 table, it holds nobody's data).
- ``GET  dues/branches/{id}/year/?year=``: a 党支部's 年度党费核定, one row per member on its roster,
  base incomes included; ``POST`` the same URL sets one member's dues for a year (``dues_assess``).
- ``GET  dues/branches/{id}/month/?month=``: a 党支部's month ledger with its totals; ``POST`` the same
  URL records the month for several members in one batch (``dues_record_month``): all or none.
- ``GET  dues/arrears/?org=``: the members behind with their dues (3 months warned, 6 flagged).
- ``GET  dues/members/{id}/``: a member's dues card (this year, 党费交至, the last 12 months).

Who may do what — the rules of the 党费 pages (members.dues.views), decided by
``partybuild.accounts.access``:
- 系统管理员, 党务干部 and 支部书记: read and write the 党支部 of their subtree, base incomes
  included (they manage those members); a 党支部 elsewhere, or an id that is not a 党支部, is 404.
  A 党支部 that has been dissolved is read only (403 on writes).
- 党员 (with no other role): every branch URL is 404, the arrears list is empty, any write is 403;
  they read their own dues card, without the base income, the basis or the reason of an adjustment.

Every write goes through members.dues.services; its refusals come back as a 400 keyed by field (for a
batch, a row's format errors under ``entries`` by position), in Chinese, with nothing changed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from branches.filters import MAX_ID
from branches.models import Organization, OrgKind, OrgStatus
from branches.selectors import get_org_for_user
from members.dues.arrears_serializers import DuesArrearsQuerySerializer, DuesArrearsReportSerializer, arrears_row_data
from members.dues.calculation import rules_in_force
from members.dues.card_presenters import member_dues_card
from members.dues.card_serializers import DuesCardSerializer, card_data
from members.dues.forms import YearRowInput
from members.dues.ledger_presenters import month_ledger
from members.dues.ledger_serializers import (
    DuesLedgerSerializer,
    DuesMonthQuerySerializer,
    DuesMonthRecordResultSerializer,
    DuesMonthRecordSerializer,
    ledger_data,
)
from members.dues.rules_serializers import DuesRulesQuerySerializer, DuesRulesSerializer, rules_data
from members.dues.selectors import arrears
from members.dues.services import dues_assess, dues_record_month, dues_require_active
from members.dues.year_presenters import assess_arguments, place_refusal, year_changes, year_sheet
from members.dues.year_serializers import (
    DuesAssessSerializer,
    DuesYearQuerySerializer,
    DuesYearRowSerializer,
    DuesYearSheetSerializer,
    kind_errors,
    year_row_data,
    year_sheet_data,
)
from members.management_rules.models import ManagementRuleKey
from members.management_rules.selectors import management_rules
from members.roster.choices import ON_ROSTER_STATES
from members.roster.models import Member
from members.roster.selectors import get_member_for_user, managed_members, manages_member, org_filter_q
from partybuild.accounts.models import User
from partybuild.api.permissions import CanWrite
from partybuild.api.views import PortalAPIMixin, validation_detail
from partybuild.periods import Period, PeriodKind

_ERRORS = {
    400: OpenApiResponse(description="输入有误，或不能核定、登记：按字段给出中文提示，不做任何修改"),
    403: OpenApiResponse(description="无权核定或登记党费（党员），或党支部已撤销"),
    404: OpenApiResponse(description="不存在、不是党支部或不在您的范围内"),
}


_BRANCH_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="党支部ID")


def _object_id(pk: Any, missing: str) -> int:
    """A path id as an integer; anything else (letters, beyond 64 bits) is 'not found'."""
    text = str(pk or "")
    if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise Http404(missing)
    return int(text)


def _branch(user: User, pk: Any, *, write: bool = False) -> Organization:
    """The 党支部 through the access module: 404 when missing, out of scope or not a 党支部; with
    ``write``, 403 when it has been dissolved (the dues services' rule, asked before the body is read)."""
    org = get_org_for_user(user, _object_id(pk, "党组织不存在"), write=write)
    if org.kind != OrgKind.BRANCH:
        raise Http404("党费按党支部核定和收缴：该党组织不是党支部。")
    if write:
        dues_require_active(org)
    return org


def _roster(user: User, branch: Organization) -> QuerySet[Member]:
    """The members of the 党支部 the user manages (all of them: the branch is in the scope)."""
    return managed_members(user).filter(branch=branch)


def _query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


class ArrearsPagination(PageNumberPagination):
    """As on the arrears page: 100 members to a page."""

    page_size = 100


class DuesViewSet(PortalAPIMixin, viewsets.ViewSet):
    """The dues table, and the members behind with their dues."""

    filter_backends: list[Any] = []

    @extend_schema(
        summary="党费标准",
        description=(
            "某日有效的党费标准（《关于中国共产党党费收缴、使用和管理的规定》，2008）：在职、离退休按税后月工资收入分档、"
            "按比例交纳（档次上限含本数）；农民、学生、下岗失业/低保按定额交纳。某年度的党费按该年1月1日有效的标准核定。"
            "没有标准的类别（其他）由党支部直接核定并说明理由。"
        ),
        parameters=[OpenApiParameter("on", OpenApiTypes.DATE, description="日期，如 2026-01-01；不填为今天")],
        responses={200: DuesRulesSerializer, 400: _ERRORS[400]},
    )
    @action(detail=False, methods=["get"])
    def rules(self, request: Request) -> Response:
        on = _query(DuesRulesQuerySerializer, request).get("on") or timezone.localdate()
        return Response(DuesRulesSerializer(rules_data(on, rules_in_force(on))).data)

    @extend_schema(
        summary="欠费提醒",
        description=(
            "您管理的党员（正常、流动党员；失联、停止党籍的不计）中连续未交党费达到提醒月数的，未交月数多的在前："
            "党费交至、未交月数，达到标记月数的标记为自行脱党风险（党章第九条；系统不会自动变更党员状态）。"
            "提醒月数和标记月数见党员管理规则（默认3个月和6个月），在 warn_months、flag_months 中返回。"
            "有交足月份（在任何党支部交纳）或转接时注明党费交至的，从其后一个月算起；否则从核定党费的年度、"
            "本党支部开始在系统中收缴党费的月份和入党月份中最晚的一个算起；到上月为止。"
            "每页100人。党员（无其他角色）没有管理的党员，列表为空。"
        ),
        parameters=[
            OpenApiParameter("org", OpenApiTypes.INT, description="党组织ID：该组织及其全部下级；不填为您管理的全部党员"),
            OpenApiParameter("page", OpenApiTypes.INT, description="页码"),
        ],
        responses={200: DuesArrearsReportSerializer, 400: _ERRORS[400], 404: _ERRORS[404]},
    )
    @action(detail=False, methods=["get"])
    def arrears(self, request: Request) -> Response:
        params = _query(DuesArrearsQuerySerializer, request)
        today = timezone.localdate()
        members = managed_members(request.user)
        if "org" in params:
            members = members.filter(org_filter_q(get_org_for_user(request.user, params["org"])))
        rules = management_rules()
        found = arrears(members, today=today, rules=rules)
        paginator = ArrearsPagination()
        page = paginator.paginate_queryset(found, request, view=self) or []  # type: ignore[arg-type]
        last_due = Period.containing(PeriodKind.MONTH, today).previous()
        data = {
            "as_of": str(last_due),
            "as_of_label": last_due.label,
            "warn_months": rules.value(ManagementRuleKey.DUES_ARREARS_WARN),
            "flag_months": rules.value(ManagementRuleKey.DUES_ARREARS_FLAG),
            "count": len(found),
            "flagged": sum(1 for a in found if a.level == "flag"),
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": [arrears_row_data(a) for a in page],
        }
        return Response(DuesArrearsReportSerializer(data).data)


class BranchDuesViewSet(PortalAPIMixin, viewsets.ViewSet):
    """A 党支部's year (年度党费核定) and month (月度收缴)."""

    permission_classes = [*PortalAPIMixin.permission_classes, CanWrite.guarding("核定或登记党费")]
    filter_backends: list[Any] = []

    # --- 年度党费核定 ------------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="年度党费核定表",
        description=(
            "党支部每名在册党员该年度的每月党费：党费类别、核定方式、税后月工资收入（在职、离退休）或定额、"
            "按标准计算的金额、每月应交、调整理由；以及已核定、未核定人数和每月应交合计。"
            "核定后党费类别已变更的（stale）需要重新核定。"
        ),
        parameters=[_BRANCH_ID, OpenApiParameter("year", OpenApiTypes.INT, description="年度，2008年至明年；不填为今年")],
        responses={200: DuesYearSheetSerializer, 400: _ERRORS[400], 404: _ERRORS[404]},
    )
    @extend_schema(
        methods=["POST"],
        summary="核定一名党员的年度党费",
        description=(
            "按党员的党费类别：在职、离退休填税后月工资收入（base_income）；农民、学生、下岗失业/低保填定额（flat，"
            "在标准上下限之间；不填按标准定额）；其他类别直接填每月党费（amount）并说明理由（reason）。"
            "每月党费与标准不同（amount），或年内调整已核定的党费，须说明理由。"
            "与已核定的相同时不做修改。返回该党员在核定表中的一行。"
        ),
        parameters=[_BRANCH_ID],
        request=DuesAssessSerializer,
        responses={200: DuesYearRowSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["get", "post"])
    def year(self, request: Request, pk: str | None = None) -> Response:
        if request.method == "POST":
            return self._assess(request, pk)
        org = _branch(request.user, pk)
        year = _query(DuesYearQuerySerializer, request).get("year") or timezone.localdate().year
        sheet = year_sheet(org, _roster(request.user, org).filter(state__in=ON_ROSTER_STATES), year)
        return Response(DuesYearSheetSerializer(year_sheet_data(sheet, can_assess=org.status == OrgStatus.ACTIVE)).data)

    def _assess(self, request: Request, pk: str | None) -> Response:
        org = _branch(request.user, pk, write=True)
        body = DuesAssessSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        year: int = data["year"]
        roster = _roster(request.user, org).filter(state__in=ON_ROSTER_STATES, pk=data["member"])
        sheet = year_sheet(org, roster, year)
        if not sheet.rows:
            raise serializers.ValidationError({"member": ["所选党员不是本党支部的在册党员。"]})
        row = sheet.rows[0]
        wrong = kind_errors(row, data)
        if wrong:
            raise serializers.ValidationError(wrong)
        given = YearRowInput(
            raw={}, base_income=data.get("base_income"), flat=data.get("flat"), amount=data.get("amount"), reason=data["reason"]
        )
        # Nothing set yet (or set under another 党费类别): the service decides, so that a missing
        # income is said rather than ignored. Otherwise only a change is written, as on the page.
        if row.assessment is None or row.stale or year_changes(sheet, {row.member.pk: given}):
            try:
                dues_assess(member=row.member, year=year, actor=request.user, **assess_arguments(row, given))
            except DjangoValidationError as exc:
                raise serializers.ValidationError(place_refusal(row, given, validation_detail(exc))) from None
            sheet = year_sheet(org, roster, year)
        return Response(DuesYearRowSerializer(year_row_data(sheet.rows[0], sheet.rules)).data)

    # --- 月度收缴 --------------------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="月度党费收缴",
        description=(
            "党支部该月的党费收缴：每名在册党员的应交、实交、交纳日期、交纳方式、代交人、是否补交、党费交至，"
            "以及应交合计、实交合计、已交和未交人数。该月向本支部交过党费、后来已离开的党员也列出（只读）。"
            "尚未核定该年度党费的党员为未核定，须先核定才能登记。"
        ),
        parameters=[_BRANCH_ID, OpenApiParameter("month", OpenApiTypes.STR, description="月份，如 2026-11；不填为本月")],
        responses={200: DuesLedgerSerializer, 400: _ERRORS[400], 404: _ERRORS[404]},
    )
    @extend_schema(
        methods=["POST"],
        summary="登记月度党费",
        description=(
            "一次登记党支部多名党员该月的党费（entries 每人一行：党员、实交金额、交纳日期、交纳方式、代交人）。"
            "全部成功或全部不登记：任何一行有误都返回400，不登记任何一行。某行的格式错误在 entries 下按行号（从0起）给出；"
            "党员不在本支部、尚未核定党费、尚未入党、交纳日期晚于今天等在 entries 下逐条给出。"
            "已登记过的党员再次登记即更正（保留修改记录）。补交超过党员管理规则所定月数（默认6个月）的照常登记，在 warnings 中提示。"
            "返回登记后的该月收缴情况。"
        ),
        parameters=[_BRANCH_ID],
        request=DuesMonthRecordSerializer,
        responses={200: DuesMonthRecordResultSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["get", "post"])
    def month(self, request: Request, pk: str | None = None) -> Response:
        today = timezone.localdate()
        if request.method == "POST":
            org = _branch(request.user, pk, write=True)
            body = DuesMonthRecordSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            period: Period = body.validated_data["month"]
            payments, warnings = dues_record_month(
                branch=org, month=period, entries=body.validated_data["entries"], actor=request.user
            )
            extra: dict[str, Any] = {"recorded": len(payments), "warnings": warnings}
            result_class: type[serializers.Serializer] = DuesMonthRecordResultSerializer
        else:
            org = _branch(request.user, pk)
            period = _query(DuesMonthQuerySerializer, request).get("month") or Period.containing(PeriodKind.MONTH, today)
            extra, result_class = {}, DuesLedgerSerializer
        ledger = month_ledger(org, _roster(request.user, org), period, today=today)
        can_record = org.status == OrgStatus.ACTIVE and period.start <= today
        return Response(result_class({**ledger_data(ledger, can_record=can_record), **extra}).data)


class MemberDuesViewSet(PortalAPIMixin, viewsets.ViewSet):
    """A member's dues card, as on their record."""

    filter_backends: list[Any] = []

    @extend_schema(
        summary="党员的党费",
        description=(
            "本年度每月应交、党费交至（最后一个交足的月份）和最近12个月的交纳情况。管理该党员的人另可看到"
            "税后月工资收入、按标准计算的金额、计算依据和调整理由；党员本人看到的这几项为空。"
            "不在您范围内的党员为404。"
        ),
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="党员ID")],
        responses={200: DuesCardSerializer, 404: _ERRORS[404]},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        member = get_member_for_user(request.user, _object_id(pk, "党员不存在"))
        card = member_dues_card(member, timezone.localdate())
        context = {"manages": manages_member(request.user, member)}
        return Response(DuesCardSerializer(card_data(member.pk, member.name, card), context=context).data)
