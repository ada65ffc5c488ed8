"""HTML pages of compliance (三会一课达标): the secretary's month, the compliance matrix and its
Excel export, and leaders' dual organizational life (双重组织生活).

Who: 系统管理员, 党务干部 and 支部书记, for the organizations in their scope. Everything goes
through partybuild.accounts.access: an organization out of scope is 404, the same as a missing one;
a member with no other role has no organizations, so every page here is 404 for them. All GET.

Every page is built from ``selectors.compliance()``, a fixed number of queries per period whatever
the number of organizations; compliance_pages lays the reports out without querying.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from branches.fields import org_picker
from branches.models import Organization, OrgKind, OrgStatus
from branches.selectors import get_org_for_user, own_org, visible_orgs
from meetings.compliance.exports import write_compliance
from meetings.compliance.presenters import WEEKDAY_LABELS, matrix_rows, month_weeks, monthly_branch_shares, requirements
from meetings.compliance.selectors import DUE, FAILED, MET, NONE, STATE_LABELS, ComplianceReport, combine_states, compliance
from meetings.models import MeetingCredit, MeetingStatus
from meetings.selectors import leaders_without_dual_life, visible_meetings
from members.roster.choices import ON_ROSTER_STATES
from members.roster.selectors import managed_members, org_filter_q
from partybuild.accounts.access import require_org_scope
from partybuild.accounts.models import User
from partybuild.downloads import written_file
from partybuild.periods import Period, PeriodKind
from partybuild.web.forms import read_period

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# More organizations than this and the matrix collapses to its upper levels (see matrix_rows);
# when even those are more, it paginates them.
MATRIX_MAX_ROWS = 300


DUAL_LIFE_PAGE_SIZE = 100


def _org_from_query(request: HttpRequest) -> Organization | None:
    """The organization chosen with ``?org=``: None when not given, 404 when missing or out of scope."""
    pk = request.GET.get("org", "").strip()
    return get_org_for_user(request.user, pk) if pk else None


def _own_org(user: User) -> Organization | None:
    """Where the month page opens: the user's own organization, else the first of the scope (an admin's: the top)."""
    return own_org(user) or visible_orgs(user).filter(status=OrgStatus.ACTIVE).order_by("path").first()


def _neighbours(period: Period) -> tuple[Period | None, Period | None]:
    """The periods before and after, None past the calendar's ends (years 1900 to 2999)."""
    found: list[Period | None] = []
    for step in (period.previous, period.next):
        try:
            found.append(step())
        except ValueError:
            found.append(None)
    return found[0], found[1]


def _subtree(org: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(path__startswith=org.path)


def _period_choices(chosen: Period, today: datetime.date) -> list[tuple[str, list[tuple[str, str]]]]:
    """The periods offered by the matrix's picker (grouped for <optgroup>): recent years,
    quarters and months, and the chosen one wherever it is."""
    this_year = today.year
    years = [Period.of_year(y) for y in range(this_year, this_year - 3, -1)]
    quarters = [q for y in (this_year, this_year - 1) for q in reversed(Period.of_year(y).subperiods(PeriodKind.QUARTER))]
    months = [m for y in (this_year, this_year - 1) for m in reversed(Period.of_year(y).subperiods(PeriodKind.MONTH))]
    groups = {PeriodKind.YEAR: years, PeriodKind.QUARTER: quarters, PeriodKind.MONTH: months}
    if chosen not in groups[chosen.kind]:
        groups[chosen.kind].insert(0, chosen)
    names = {PeriodKind.YEAR: "年度", PeriodKind.QUARTER: "季度", PeriodKind.MONTH: "月份"}
    return [(names[kind], [(str(p), p.label) for p in periods]) for kind, periods in groups.items()]


def _org_and_groups(org: Organization) -> QuerySet[Organization]:
    """The organization and the 党小组 directly under it (a 党支部's groups hold their own meetings)."""
    return Organization.objects.filter(Q(pk=org.pk) | Q(path__startswith=org.path, depth=org.depth + 1, kind=OrgKind.GROUP))


def _month_url(org: Organization, month: Period | None) -> str:
    return f"{reverse('meetings:month')}?org={org.pk}&month={month}" if month else ""


@login_required
@require_GET
def month(request: HttpRequest) -> HttpResponse:
    """系统管理员, 党务干部 and 支部书记: one organization's month (``?org=<pk>&month=2026-11``;
    defaults: a secretary's own organization or the first of the scope, and the current month):
    its meetings and its 党小组's on a calendar, what the month, its quarter and its year require
    with what is held, and a 登记 button for each type still due. Out of scope: 404."""
    require_org_scope(request.user)
    today = timezone.localdate()
    org = _org_from_query(request) or _own_org(request.user)
    if org is None:
        raise Http404("没有可查看的党组织")
    this_month = Period.containing(PeriodKind.MONTH, today)
    chosen, period_error = read_period(request.GET.get("month"), this_month, kind=PeriodKind.MONTH)
    before, after = _neighbours(chosen)
    orgs = _org_and_groups(org)
    titled = (
        (chosen, "本月要求"),
        (Period.containing(PeriodKind.QUARTER, chosen.start), "本季度要求"),
        (Period.of_year(chosen.year), "本年度要求"),
    )
    reports = [compliance(orgs, period, today=today) for period, _ in titled]
    sections = []
    for (period, title), report in zip(titled, reports, strict=True):
        items = requirements(report)
        sections.append({"title": title, "period": period, "items": items, "state": combine_states([i.state for i in items])})
    month_report = reports[0]
    own_row = month_report.row(org.pk)
    overall = own_row.state if own_row else NONE
    meetings = (
        visible_meetings(request.user)
        .filter(organization__in=orgs.values("pk"))
        .filter(_in_month(chosen))
        .select_related("organization")
        .prefetch_related(Prefetch("credits", queryset=MeetingCredit.objects.order_by("meeting_type")))
    )
    context = {
        "nav_section": "meetings_month",
        "org": org,
        "month": chosen,
        "today": today,
        "is_current": chosen == this_month,
        "period_error": period_error,
        "sections": sections,
        "overall": overall,
        "overall_label": STATE_LABELS[overall],
        "weeks": month_weeks(chosen, meetings, today),
        "weekday_labels": WEEKDAY_LABELS,
        "previous_url": _month_url(org, before),
        "next_url": _month_url(org, after),
        "this_month_url": _month_url(org, this_month),
        "can_record": org.status == OrgStatus.ACTIVE,
        "org_select": org_picker(request.user, org, empty_label="请选择党组织"),
    }
    return render(request, "meetings/month.html", context)


def _in_month(month: Period) -> Q:
    """Held in the month (by local date), or planned for it (the local day's bounds)."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(month.start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(month.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return Q(status=MeetingStatus.HELD, held_on__gte=month.start, held_on__lte=month.end) | Q(
        status=MeetingStatus.PLANNED, planned_at__gte=start, planned_at__lt=end
    )


def _matrix_input(request: HttpRequest, today: datetime.date) -> tuple[Organization | None, QuerySet[Organization], Period, str]:
    """The chosen organization (None: the whole scope), its subtree, the period, and a message
    when the written period could not be read."""
    org = _org_from_query(request)
    orgs = _subtree(org) if org else visible_orgs(request.user)
    period, error = read_period(request.GET.get("period"), Period.containing(PeriodKind.QUARTER, today))
    return org, orgs, period, error


def _branch_counts(report: ComplianceReport) -> dict[str, int]:
    states = [r.state for r in report.rows if r.kind == OrgKind.BRANCH]
    return {"total": len(states), "met": states.count(MET), "failed": states.count(FAILED), "due": states.count(DUE)}


@login_required
@require_GET
def compliance_matrix(request: HttpRequest) -> HttpResponse:
    """系统管理员, 党务干部 and 支部书记: organizations × meeting types for a period (``?org=<pk>
    &period=2026Q3``; defaults: the whole scope and the current quarter), each cell held/required
    and its verdict, linking to the meetings behind it; the share of compliant 党支部 under each
    党委 and 党总支, and month by month in a chart. A period that cannot be read: a message and
    the current quarter. Out of scope: 404."""
    require_org_scope(request.user)
    today = timezone.localdate()
    org, orgs, period, period_error = _matrix_input(request, today)
    report = compliance(orgs, period, today=today)
    rows, collapsed_below = matrix_rows(report, reverse("meetings:list"), max_rows=MATRIX_MAX_ROWS)
    page = Paginator(rows, MATRIX_MAX_ROWS).get_page(request.GET.get("page"))
    # The chart: each month of the quarter or year, read from the same report; a month is shown
    # among the months of its year (one more report).
    chart_report = report if period.kind != PeriodKind.MONTH else compliance(orgs, Period.of_year(period.year), today=today)
    shares = monthly_branch_shares(chart_report, today)
    query = {**({"org": org.pk} if org else {}), "period": str(period)}
    before, after = _neighbours(period)
    context = {
        "nav_section": "meetings_compliance",
        "org": org,
        "period": period,
        "period_string": str(period),
        "period_error": period_error,
        "report": report,
        "query_string": urlencode(query),
        "page": page,
        "collapsed_below": collapsed_below,
        "max_rows": MATRIX_MAX_ROWS,
        "branches": _branch_counts(report),
        "shares": shares,
        "chart": {
            "labels": [f"{s.month.index}月" for s in shares],
            "values": [None if s.share is None else round(s.share * 100, 1) for s in shares],
            "met": [s.met for s in shares],
            "total": [s.total for s in shares],
        },
        "chart_title": f"{chart_report.period.label}各月党支部达标率",
        "period_choices": _period_choices(period, today),
        "previous_url": _matrix_url(org, before),
        "next_url": _matrix_url(org, after),
        "export_url": f"{reverse('meetings:compliance_export')}?{urlencode(query)}",
        "org_select": org_picker(request.user, org, empty_label="全部（本人管理范围）"),
    }
    return render(request, "meetings/compliance.html", context)


def _matrix_url(org: Organization | None, period: Period | None) -> str:
    if period is None:
        return ""
    return f"{reverse('meetings:compliance')}?{urlencode({**({'org': org.pk} if org else {}), 'period': str(period)})}"


@login_required
@require_GET
def compliance_export(request: HttpRequest) -> FileResponse:
    """The same as the matrix, as an .xlsx with every organization of the subtree (nothing
    collapsed): same people, same parameters, same 404s."""
    require_org_scope(request.user)
    today = timezone.localdate()
    org, orgs, period, _error = _matrix_input(request, today)
    report = compliance(orgs, period, today=today)
    where = (org.short_name or org.name) if org else "全部"
    title = f"{where}三会一课达标情况（{period.label}）"
    handle = written_file(lambda target: write_compliance(target, report, title))
    return FileResponse(
        handle, as_attachment=True, filename=f"三会一课达标情况-{where}-{period}.xlsx", content_type=XLSX_CONTENT_TYPE
    )


@login_required
@require_GET
def dual_life(request: HttpRequest) -> HttpResponse:
    """系统管理员, 党务干部 and 支部书记: the 党员领导干部 they manage (``?org=<pk>`` narrows to a
    subtree) who attended none of their own branch's or group's meetings in a month
    (``?month=2026-11``, default the current one), with branch, phone and a link to the record.
    Out of scope: 404."""
    require_org_scope(request.user)
    today = timezone.localdate()
    org = _org_from_query(request)
    this_month = Period.containing(PeriodKind.MONTH, today)
    chosen, period_error = read_period(request.GET.get("month"), this_month, kind=PeriodKind.MONTH)
    members = managed_members(request.user)
    if org is not None:
        members = members.filter(org_filter_q(org))
    missing = leaders_without_dual_life(members, chosen).select_related("group")
    page = Paginator(missing, DUAL_LIFE_PAGE_SIZE).get_page(request.GET.get("page"))
    leaders_total = members.filter(is_leader=True, state__in=ON_ROSTER_STATES).count()
    base = {**({"org": org.pk} if org else {}), "month": str(chosen)}
    before, after = _neighbours(chosen)
    context = {
        "nav_section": "meetings_dual_life",
        "org": org,
        "month": chosen,
        "is_current": chosen == this_month,
        "period_error": period_error,
        "page": page,
        "leaders_total": leaders_total,
        "query_string": urlencode(base),
        "previous_url": f"{reverse('meetings:dual_life')}?{urlencode({**base, 'month': str(before)})}" if before else "",
        "next_url": f"{reverse('meetings:dual_life')}?{urlencode({**base, 'month': str(after)})}" if after else "",
        "org_select": org_picker(request.user, org, empty_label="全部（本人管理范围）"),
    }
    return render(request, "meetings/dual_life.html", context)
