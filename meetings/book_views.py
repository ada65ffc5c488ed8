"""The meeting book (会议记录): the list of meetings with its filters, sorting and pages, and its Excel
export.

Every lookup goes through partybuild.accounts.access: a member with no other role gets 404 (they
see their attendance on their own record).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from meetings import listing
from meetings.forms import MeetingFilterForm
from meetings.models import MeetingType
from partybuild.accounts.access import require_org_scope
from partybuild.downloads import written_file
from partybuild.periods import Period, PeriodKind

PAGE_SIZE = 50
ROWS_TARGET = "meeting-rows"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SORTABLE_COLUMNS = (("date", "时间"), ("org", "党组织"))


def _sort_links(params: QueryDict, current: str) -> dict[str, dict[str, Any]]:
    base = params.copy()
    base.pop("page", None)
    links: dict[str, dict[str, Any]] = {}
    for key, label in SORTABLE_COLUMNS:
        active = current.lstrip("-") == key
        descending = active and current.startswith("-")
        # A first click on the date shows the newest first; on the organization, tree order.
        if active:
            base["sort"] = key if descending else f"-{key}"
        else:
            base["sort"] = f"-{key}" if key == "date" else key
        links[key] = {"label": label, "url": f"?{base.urlencode()}", "active": active, "descending": descending}
    return links


def _period_suggestions(today: datetime.date) -> list[Period]:
    month = Period.containing(PeriodKind.MONTH, today)
    quarter = Period.containing(PeriodKind.QUARTER, today)
    year = Period.containing(PeriodKind.YEAR, today)
    return [month, month.previous(), quarter, quarter.previous(), year, year.previous()]


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Staff, secretaries and admins: the meetings of their subtree, filtered by organization
    (subtree, or exactly with ``exact=1``), counted type, status (已召开 unless asked) and period,
    searched by topic, sorted by date, 50 a page. ``?org=&type=&period=`` is the compliance
    matrix's drill-down: exactly the meetings counted for that cell. Members with no other role:
    404. With ``HX-Target: meeting-rows`` only the rows region is returned."""
    require_org_scope(request.user)
    form = MeetingFilterForm(request.GET or None, user=request.user)
    form.is_valid()
    filters = form.filters()
    queryset = listing.meeting_list_queryset(request.user, filters)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    facts = listing.row_facts(page.object_list)
    for meeting in page.object_list:
        meeting.facts = facts[meeting.pk]
    params = request.GET.copy()
    params.pop("page", None)
    new_url = reverse("meetings:new")
    if filters.org is not None and filters.meeting_type:
        new_url += f"?org={filters.org.pk}&type={filters.meeting_type}"
    context = {
        "filter_form": form,
        "filters": filters,
        "page": page,
        "query_string": params.urlencode(),
        "sort": filters.sort,
        "sorts": _sort_links(request.GET, filters.sort),
        "rows_target": ROWS_TARGET,
        "period_suggestions": _period_suggestions(timezone.localdate()),
        "new_url": new_url,
        "type_label": MeetingType(filters.meeting_type).label if filters.meeting_type else "",
        "nav_section": "meetings",
    }
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request and htmx.target == ROWS_TARGET
    response = render(request, "meetings/_meeting_rows.html" if partial else "meetings/list.html", context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@login_required
@require_GET
def meeting_export(request: HttpRequest) -> FileResponse:
    """Whoever sees the list: the meetings it shows with the same filters, as an .xlsx (every
    meeting, not one page). Members with no other role: 404."""
    require_org_scope(request.user)
    form = MeetingFilterForm(request.GET or None, user=request.user, with_options=False)
    form.is_valid()
    queryset = listing.meeting_list_queryset(request.user, form.filters())
    handle = written_file(lambda target: listing.write_export(target, queryset))
    filename = f"会议记录-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
