"""HTML pages of the member roster (党员花名册).

Every lookup goes through partybuild.accounts.access: out of scope is 404, read-only is 403.
Members are never deleted here: they leave the roster by a state change.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from branches.models import Organization, OrgKind, OrgStatus
from branches.selectors import get_org_for_user, writable_orgs
from members.dues.card_presenters import member_dues_card
from members.roster import selectors
from members.roster.forms import MemberFilterForm, MemberForm, MemberStateForm, member_initial
from members.roster.selectors import get_member_for_user, id_number_for, manages_member
from members.roster.services import member_change_state, member_create, member_edit_refusal, member_update
from members.roster.timeline import member_dues_records, member_timeline, member_transfers, timeline_categories
from partybuild.accounts.access import can_see_org, scope_for
from partybuild.accounts.models import User
from partybuild.web.forms import add_service_errors

PAGE_SIZE = 50


ROWS_TARGET = "member-rows"


# (sort key, column header) for the clickable headers of the list.
SORTABLE_COLUMNS = (("name", "姓名"), ("birth_date", "出生日期/年龄"), ("branch", "所在党支部"), ("joined_on", "入党日期"))


def _sort_links(params: QueryDict, current: str) -> dict[str, dict[str, Any]]:
    base = params.copy()
    base.pop("page", None)
    links: dict[str, dict[str, Any]] = {}
    for key, label in SORTABLE_COLUMNS:
        active = current.lstrip("-") == key
        descending = active and current.startswith("-")
        base["sort"] = f"-{key}" if active and not descending else key
        links[key] = {"label": label, "url": f"?{base.urlencode()}", "active": active, "descending": descending}
    return links


def _decorate_rows(user: User, page: Page, today: datetime.date) -> None:
    """What each row shows beyond its fields: the ID number as this user may see it, and the age."""
    for member in page.object_list:
        member.shown_id_number = id_number_for(user, member)
        member.age = member.age_on(today)


@login_required
@require_GET
def member_list(request: HttpRequest) -> HttpResponse:
    """Staff, secretaries and admins: the members of their subtree, filtered, searched, sorted and
    paginated. A member with no other role goes to their own record. With ``HX-Target: member-rows``
    only the rows region is returned."""
    scope = scope_for(request.user)
    if not scope.sees_orgs and scope.own_member_id is not None:
        return redirect("members:detail", pk=scope.own_member_id)
    today = timezone.localdate()
    form = MemberFilterForm(request.GET or None, user=request.user)
    form.is_valid()
    filters = form.filters(today)
    qs = selectors.member_list_queryset(request.user, filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _decorate_rows(request.user, page, today)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "filter_form": form,
        "filters": filters,
        "page": page,
        "query_string": params.urlencode(),
        "sort": filters.sort,
        "sorts": _sort_links(request.GET, filters.sort),
        "can_create": scope.sees_orgs,
        "rows_target": ROWS_TARGET,
    }
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request and htmx.target == ROWS_TARGET
    response = render(request, "members/_member_rows.html" if partial else "members/list.html", context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@login_required
@require_GET
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Those who manage the member: the whole record with edit actions. The member themself: their
    own record, read only, ID number masked. Anyone else: 404."""
    member = get_member_for_user(request.user, pk)
    today = timezone.localdate()
    can_manage = manages_member(request.user, member)
    scope = scope_for(request.user)
    positions = selectors.member_positions(member)
    history_rows = selectors.member_history_rows(member)
    # Fetched once for the timeline and the dues card.
    transfers = member_transfers(member)
    assessments, payments = member_dues_records(member)
    timeline = member_timeline(
        request.user,
        member,
        positions=positions,
        history_rows=history_rows,
        transfers=transfers,
        dues=(assessments, payments),
    )
    context = {
        "member": member,
        "can_manage": can_manage,
        "edit_refusal": member_edit_refusal(member),
        # The branch's own page only for those whose scope covers it (a member sees no organizations).
        "sees_branch": can_see_org(request.user, member.branch),
        "shown_id_number": id_number_for(request.user, member),
        "age": member.age_on(today),
        "standing_years": member.party_standing_years(today),
        "positions": positions,
        "timeline": timeline,
        "timeline_categories": timeline_categories(timeline),
        "history": selectors.member_history(request.user, member, history_rows),
        "sees_roster": scope.sees_orgs,
        # 党费: the base income and the basis only for those who manage the member (the card decides).
        "dues": member_dues_card(member, today, assessments=assessments, payments=payments, transfers=transfers),
    }
    return render(request, "members/detail.html", context)


@sensitive_post_parameters("id_number")
@login_required
@require_http_methods(["GET", "POST"])
def member_create_view(request: HttpRequest) -> HttpResponse:
    """Staff, secretaries and admins: add a member to a 党支部 in their subtree. ``?branch=<pk>``
    preselects the branch (404 if out of scope). Others: 403."""
    if not writable_orgs(request.user).filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE).exists():
        raise PermissionDenied("您没有新增党员的权限")
    initial: dict[str, Any] = {}
    if request.GET.get("branch"):
        branch = get_org_for_user(request.user, request.GET["branch"], write=True)
        if branch.kind == OrgKind.BRANCH:
            initial["branch"] = branch.pk
    form = MemberForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member = member_create(actor=request.user, reason=form.cleaned_data["reason"], **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已新增党员“{member.name}”。")
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "member": None, "cancel_url": reverse("members:list")})


@sensitive_post_parameters("id_number")
@login_required
@require_http_methods(["GET", "POST"])
def member_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Those who manage the member: change the roster fields (not the state). A member whose
    membership ended (转出, 出党, 去世): 403 for everyone. The member themself: 403. Anyone else: 404."""
    member = get_member_for_user(request.user, pk, write=True)
    refusal = member_edit_refusal(member)
    if refusal:
        raise PermissionDenied(refusal)
    original_name = member.name
    form = MemberForm(request.POST or None, user=request.user, member=member, initial=member_initial(member))
    if request.method == "POST" and form.is_valid():
        try:
            member_update(member=member, actor=request.user, reason=form.cleaned_data["reason"], **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存“{member.name}”的信息。")
            return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "members/form.html",
        {"form": form, "member": member, "member_name": original_name, "cancel_url": reverse("members:detail", args=[pk])},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_state_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Those who manage the member: move them to another state (流动, 失联, 停止党籍, back to 正常, or
    out of the roster: 出党, 去世) with a date and a reason. 转出 is not offered: a member leaves
    the portal by a 组织关系转接 (转出系统外). The member themself: 403. Anyone else: 404."""
    member = get_member_for_user(request.user, pk, write=True)
    form = MemberStateForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = member_change_state(
                member=member,
                state=data["state"],
                on=data["on"],
                reason=data["reason"],
                destination=data.get("destination") or "",
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{member.name}”的状态已变更为{member.get_state_display()}。")
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/state.html", {"form": form, "member": member})


@login_required
@require_GET
def group_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of the 党小组 select for the chosen 党支部 (htmx, on branch change). Only
    branches the user may write; others 404."""
    groups: list[Any] = []
    branch_pk = request.GET.get("branch")
    chosen = False
    if branch_pk:
        branch = get_org_for_user(request.user, branch_pk, write=True)
        if branch.kind == OrgKind.BRANCH:
            chosen = True
            groups = list(
                Organization.objects.get_children(branch).filter(kind=OrgKind.GROUP, status=OrgStatus.ACTIVE).order_by("path")
            )
    return render(request, "members/_group_options.html", {"groups": groups, "chosen": chosen})
