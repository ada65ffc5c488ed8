"""HTML pages of 党费 (dues): the month's ledger of a 党支部 with batch entry and its Excel export,
the year's dues of its members (年度党费核定), and the members behind with their dues.

Who: 系统管理员, 党务干部 and 支部书记, for the organizations in their scope; these pages are for
those who manage members, so base incomes show on them. Everything goes through
partybuild.accounts.access: an organization out of scope is 404, the same as a missing one, and a
member with no other role (who manages no one) gets 404 on every page here. A member sees their own
dues on their record (members.roster.views.member_detail).
"""

from __future__ import annotations

import datetime
import tempfile
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from branches.fields import org_picker
from branches.models import Organization, OrgKind, OrgStatus
from branches.selectors import get_org_for_user, own_org, visible_orgs
from members.dues.calculation import FIRST_YEAR, rules_in_force
from members.dues.exports import write_ledger
from members.dues.forms import YearRowInput, month_entries, read_month_rows, read_year_row
from members.dues.ledger_presenters import Ledger, month_ledger
from members.dues.models import PaymentMethod
from members.dues.selectors import arrears
from members.dues.services import DuesRefused, DuesSetting, dues_assess_many, dues_record_month, dues_require_active
from members.dues.year_presenters import YearRow, assess_arguments, dues_preview, place_refusal, year_changes, year_sheet
from members.management_rules.models import ManagementRuleKey
from members.management_rules.selectors import management_rules
from members.roster.choices import ON_ROSTER_STATES
from members.roster.models import Member
from members.roster.selectors import managed_members, org_filter_q
from partybuild.accounts.access import require_org_scope
from partybuild.accounts.models import User
from partybuild.periods import Period, PeriodKind
from partybuild.web.forms import read_period

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


ARREARS_PAGE_SIZE = 100


BRANCH_CHOICES_SHOWN = 200


def _org_from_query(request: HttpRequest, *, write: bool = False) -> Organization | None:
    """The organization chosen with ``?org=``: None when not given, 404 when missing or out of scope."""
    pk = request.GET.get("org", "").strip()
    return get_org_for_user(request.user, pk, write=write) if pk else None


def _org_or_own_branch(request: HttpRequest, *, write: bool = False) -> Organization | None:
    """``?org=`` (404 when out of scope), else a secretary's own 党支部, else None."""
    if request.GET.get("org", "").strip():
        return _org_from_query(request, write=write)
    return _own_branch(request.user)


def _own_branch(user: User) -> Organization | None:
    """Where the ledger and the year open without ``?org=``: the user's own active 党支部 (a secretary's)."""
    return own_org(user, kind=OrgKind.BRANCH)


def _branch_choices(user: User, under: Organization | None) -> dict[str, Any]:
    """When no 党支部 is chosen: the active ones under the chosen organization (or in the scope)."""
    branches = visible_orgs(user).filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
    if under is not None:
        branches = branches.filter(path__startswith=under.path)
    shown = list(branches.order_by("path").only("pk", "name", "short_name")[: BRANCH_CHOICES_SHOWN + 1])
    return {"under": under, "branches": shown[:BRANCH_CHOICES_SHOWN], "more": len(shown) > BRANCH_CHOICES_SHOWN}


def _read_year(value: str | None, today: datetime.date) -> tuple[int, str]:
    """The year written in the query string (2008 to next year), or this year and a message."""
    value = (value or "").strip()
    if not value:
        return today.year, ""
    last = today.year + 1
    if value.isdigit() and FIRST_YEAR <= int(value) <= last:
        return int(value), ""
    return today.year, f"年度“{value}”无法识别，应为{FIRST_YEAR}年至{last}年之间的年份。已改为显示{today.year}年。"


def _url(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _roster(user: User, branch: Organization) -> QuerySet[Member]:
    """The members of a 党支部 the user manages (all of them: the branch is in the scope)."""
    return managed_members(user).filter(branch=branch)


def _neighbour(step: Any) -> Period | None:
    try:
        return step()
    except ValueError:
        return None


def _ledger_context(
    request: HttpRequest, org: Organization, month: Period, ledger: Ledger, today: datetime.date, **extra: Any
) -> dict[str, Any]:
    this_month = Period.containing(PeriodKind.MONTH, today)
    before, after = _neighbour(month.previous), _neighbour(month.next)
    return {
        "nav_section": "dues",
        "tab": "month",
        "org": org,
        "month": month,
        "year": month.year,
        "ledger": ledger,
        "today": today,
        "is_current": month == this_month,
        "is_future": month.start > today,
        "can_record": org.status == OrgStatus.ACTIVE and month.start <= today,
        "methods": PaymentMethod.choices,
        "previous_url": _url("members:dues_month", org=org.pk, month=before) if before else "",
        "next_url": _url("members:dues_month", org=org.pk, month=after) if after else "",
        "this_month_url": _url("members:dues_month", org=org.pk, month=this_month),
        "export_url": _url("members:dues_month_export", org=org.pk, month=month),
        "year_url": _url("members:dues_year", org=org.pk, year=month.year),
        "org_select": org_picker(request.user, org, empty_label="请选择党支部"),
        "top_errors": [],
        # 补交一般不超过…: the number of the management rules (one query).
        "back_payment_max": management_rules()[ManagementRuleKey.DUES_BACK_PAYMENT_MAX],
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def dues_month(request: HttpRequest) -> HttpResponse:
    """系统管理员, 党务干部 and 支部书记: the month's dues ledger of a 党支部 in their scope
    (``?org=<pk>&month=2026-11``; defaults: a secretary's own 党支部, this month), one row per
    member with the due amount of the year's assessment, what is recorded, and 应交合计, 实交合计,
    未交人数. POST records the ticked rows (已交) in one go, all or none; a recorded row is corrected
    in place. Another organization than a 党支部: its 党支部 to choose from. Out of scope: 404."""
    require_org_scope(request.user)
    today = timezone.localdate()
    writing = request.method == "POST"
    org = _org_or_own_branch(request, write=writing)
    month, period_error = read_period(request.GET.get("month"), Period.containing(PeriodKind.MONTH, today), kind=PeriodKind.MONTH)
    if org is None or org.kind != OrgKind.BRANCH:
        if writing:
            raise Http404("请选择党支部")
        return render(
            request,
            "members/dues/choose_branch.html",
            {
                "nav_section": "dues",
                "tab": "month",
                "title": "党费收缴",
                "target": "members:dues_month",
                "param": ("month", str(month)),
                "org_select": org_picker(request.user, org, empty_label="请选择党支部"),
                **_branch_choices(request.user, org),
            },
        )
    members = _roster(request.user, org)
    if not writing:
        ledger = month_ledger(org, members, month, today=today)
        return render(
            request, "members/dues/month.html", _ledger_context(request, org, month, ledger, today, period_error=period_error)
        )

    dues_require_active(org)
    ledger = month_ledger(org, members, month, today=today)
    names = {row.member.pk: row.member.name for row in ledger.rows}
    rows = read_month_rows(request.POST, names)
    top_errors: list[str] = []
    row_errors = {row.pk: row.errors for row in rows if row.errors}
    top_errors += [e for pk, errors in row_errors.items() if pk not in names for e in errors]
    if period_error:
        # Never record into another month than the one the form was for.
        top_errors = [f"月份“{request.GET.get('month')}”无法识别，本次未登记任何党费。"]
    elif not rows:
        top_errors.append("请勾选已交党费的党员（可点击“全部已交”），再保存。")
    elif row_errors:
        top_errors.insert(0, f"有{len(row_errors)}行填写有误，请按行内红色提示修改后再保存；本次未登记任何党费。")
    else:
        try:
            payments, warnings = dues_record_month(branch=org, month=month, entries=month_entries(rows), actor=request.user)
        except ValidationError as exc:
            top_errors += exc.messages
        else:
            messages.success(request, f"已登记{month.label}党费 {len(payments)} 人。")
            for warning in warnings:
                messages.warning(request, warning)
            return redirect(_url("members:dues_month", org=org.pk, month=month))
    ledger = month_ledger(org, members, month, today=today, typed=request.POST, row_errors=row_errors)
    context = _ledger_context(request, org, month, ledger, today, top_errors=top_errors, period_error=period_error)
    return render(request, "members/dues/month.html", context)


@login_required
@require_GET
def dues_month_export(request: HttpRequest) -> FileResponse:
    """The month's ledger of a 党支部 as an .xlsx (``?org=<pk>&month=2026-11``): same people, same
    parameters, same 404s as the ledger; another organization than a 党支部: 404."""
    require_org_scope(request.user)
    today = timezone.localdate()
    org = _org_or_own_branch(request)
    if org is None or org.kind != OrgKind.BRANCH:
        raise Http404("请选择党支部")
    month, _error = read_period(request.GET.get("month"), Period.containing(PeriodKind.MONTH, today), kind=PeriodKind.MONTH)
    ledger = month_ledger(org, _roster(request.user, org), month, today=today)
    where = org.short_name or org.name
    title = f"{org.name}{month.label}党费收缴登记表"
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it, and the system deletes it)
    try:
        write_ledger(handle, ledger, title, today)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"党费收缴-{where}-{month}.xlsx", content_type=XLSX_CONTENT_TYPE)


def _assess_all(changes: list[tuple[YearRow, YearRowInput]], year: int, actor: User) -> dict[int, dict[str, list[str]]]:
    """Set every changed row with services.dues_assess_many: all rows or none, in a fixed number
    of queries. The refusals, by member and field; empty when everything was saved."""
    try:
        dues_assess_many(
            year=year,
            settings={row.member.pk: DuesSetting(**assess_arguments(row, given)) for row, given in changes},
            actor=actor,
        )
    except DuesRefused as exc:
        given_by_member = {row.member.pk: (row, given) for row, given in changes}
        return {pk: place_refusal(*given_by_member[pk], refusal) for pk, refusal in exc.by_member.items()}
    return {}


@login_required
@require_http_methods(["GET", "POST"])
def dues_year(request: HttpRequest) -> HttpResponse:
    """系统管理员, 党务干部 and 支部书记: the year's dues of the members of a 党支部 in their scope
    (``?org=<pk>&year=2026``; defaults: a secretary's own 党支部, this year): for each member the
    党费类别, the monthly after-tax income (在职, 离退休) or the flat amount (农民, 学生, 下岗失业/低保),
    an override with its reason, and what is set. POST sets every changed row in one transaction,
    all or none, each refusal next to its row. Another organization than a 党支部: its 党支部 to
    choose from. Out of scope: 404."""
    require_org_scope(request.user)
    today = timezone.localdate()
    writing = request.method == "POST"
    org = _org_or_own_branch(request, write=writing)
    year, year_error = _read_year(request.GET.get("year"), today)
    if org is None or org.kind != OrgKind.BRANCH:
        if writing:
            raise Http404("请选择党支部")
        return render(
            request,
            "members/dues/choose_branch.html",
            {
                "nav_section": "dues",
                "tab": "year",
                "title": "年度党费核定",
                "target": "members:dues_year",
                "param": ("year", str(year)),
                "org_select": org_picker(request.user, org, empty_label="请选择党支部"),
                **_branch_choices(request.user, org),
            },
        )
    members = _roster(request.user, org).filter(state__in=ON_ROSTER_STATES)
    sheet = year_sheet(org, members, year)
    errors: dict[int, dict[str, list[str]]] = {}
    typed: dict[int, YearRowInput] = {}
    if writing:
        dues_require_active(org)
        if year_error:
            # Never set another year than the one the form was for.
            messages.error(request, f"{year_error}本次未保存任何修改。")
            return redirect(_url("members:dues_year", org=org.pk))
        for row in sheet.rows:
            given = read_year_row(request.POST, row.member.pk)
            if given is not None:
                typed[row.member.pk] = given
        errors = {pk: given.errors for pk, given in typed.items() if given.errors}
        if not errors:
            changes = year_changes(sheet, typed)
            if not changes:
                messages.info(request, "没有需要保存的修改。")
                return redirect(_url("members:dues_year", org=org.pk, year=year))
            errors = _assess_all(changes, year, request.user)
            if not errors:
                messages.success(request, f"已核定{len(changes)}名党员的{year}年党费。")
                return redirect(_url("members:dues_year", org=org.pk, year=year))
        sheet = year_sheet(org, members, year, typed=typed, errors=errors)
    before = year - 1 if year > FIRST_YEAR else None
    after = year + 1 if year < today.year + 1 else None
    context = {
        "nav_section": "dues",
        "tab": "year",
        "org": org,
        "year": year,
        "month": Period.containing(PeriodKind.MONTH, today) if year == today.year else Period.month(year, 1),
        "sheet": sheet,
        "errors_count": len(errors),
        "year_error": year_error,
        "can_assess": org.status == OrgStatus.ACTIVE,
        "previous_url": _url("members:dues_year", org=org.pk, year=before) if before else "",
        "next_url": _url("members:dues_year", org=org.pk, year=after) if after else "",
        "org_select": org_picker(request.user, org, empty_label="请选择党支部"),
    }
    return render(request, "members/dues/year.html", context)


@login_required
@require_GET
def dues_arrears(request: HttpRequest) -> HttpResponse:
    """系统管理员, 党务干部 and 支部书记: the members they manage (``?org=<pk>`` narrows to a subtree)
    who have not paid their dues for the warning months of the management rules or more (3 by
    default), most behind first: 党费交至, months behind, and the flag at the flagging months (6 by
    default: 自行脱党风险, 党章 第九条; the portal never changes a state by itself). Out of scope: 404."""
    require_org_scope(request.user)
    today = timezone.localdate()
    org = _org_from_query(request)
    members = managed_members(request.user)
    if org is not None:
        members = members.filter(org_filter_q(org))
    rules = management_rules()
    found = arrears(members, today=today, rules=rules)
    page = Paginator(found, ARREARS_PAGE_SIZE).get_page(request.GET.get("page"))
    last_due = Period.containing(PeriodKind.MONTH, today).previous()
    context = {
        "nav_section": "dues",
        "tab": "arrears",
        "org": org,
        "page": page,
        "total": len(found),
        "flagged": sum(1 for a in found if a.level == "flag"),
        "warn_months": rules.value(ManagementRuleKey.DUES_ARREARS_WARN),
        "flag_months": rules.value(ManagementRuleKey.DUES_ARREARS_FLAG),
        "last_due": last_due,
        "month": Period.containing(PeriodKind.MONTH, today),
        "year": today.year,
        "query_string": urlencode({"org": org.pk}) if org else "",
        "org_select": org_picker(request.user, org, empty_label="全部（本人管理范围）"),
    }
    return render(request, "members/dues/arrears.html", context)


@login_required
@require_GET
def dues_year_preview(request: HttpRequest) -> HttpResponse:
    """Those who may open the year's table: the amount the dues table gives for one row as an
    income or a flat amount is typed (htmx swaps it into the row's 按标准每月 cell). Reads no member:
    ``?year=&category=&row=<member pk>&income-<pk>=…`` or ``flat-<pk>=…``."""
    require_org_scope(request.user)
    year, _error = _read_year(request.GET.get("year"), timezone.localdate())
    row = request.GET.get("row", "")
    rules = rules_in_force(datetime.date(year, 1, 1))
    amount = dues_preview(
        request.GET.get("category", ""), request.GET.get(f"income-{row}", ""), request.GET.get(f"flat-{row}", ""), year, rules
    )
    return HttpResponse(amount or "—")
