"""The organization pages: tree, detail, create/edit/move/dissolve, committee positions.

Every organization is fetched through partybuild.accounts.access: outside the user's scope is 404,
exactly as missing. Writes go through branches.services; their ValidationErrors land on the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches import selectors, services
from branches.forms import (
    DissolveForm,
    MoveForm,
    OrganizationForm,
    PositionEndForm,
    PositionForm,
    kinds_allowed_under,
)
from branches.models import Organization, OrgKind, OrgStatus, Position, PositionTitle
from branches.selectors import get_org_for_user, visible_orgs, writable_orgs
from partybuild.accounts.access import can_create_top_level_org, can_write_org, require_org_scope, scope_for
from partybuild.web.forms import add_service_errors

STEP = Organization.steplen


def _require_active(org: Organization) -> None:
    if not org.is_active:
        raise PermissionDenied("该党组织已撤销，不能再修改。")


def _parent_of(org: Organization) -> Organization | None:
    if org.depth <= 1:
        return None
    return Organization.objects.filter(path=org.path[:-STEP]).first()


# --- reading ---------------------------------------------------------------------------------


@login_required
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    """Staff, secretaries and admins: the tree from the organizations they hold a role in (admins:
    from the real roots), two levels drawn, deeper ones loaded on demand. ``?q=`` searches name,
    short name and code within the scope and shows a flat list. A plain 党员: 404."""
    require_org_scope(request.user)
    query = request.GET.get("q", "").strip()
    context: dict[str, Any] = {
        "query": query,
        "can_create_top": can_create_top_level_org(request.user),
    }
    if query:
        context["results"] = selectors.search_orgs(request.user, query)
    else:
        context["nodes"] = selectors.tree_forest(request.user, levels=2)
    if request.htmx and request.htmx.target == "org-tree-area":
        return render(request, "branches/_tree_area.html", context)
    return render(request, "branches/tree.html", context)


@login_required
@require_GET
def children(request: HttpRequest, pk: int) -> HttpResponse:
    """The children of one organization in the tree (the htmx partial). Same readers as the tree."""
    org = get_org_for_user(request.user, pk)
    nodes = selectors.tree_forest(request.user, parent=org, levels=1)
    return render(request, "branches/_tree_nodes.html", {"nodes": nodes})


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone whose scope covers the organization: its record, term, committee, children,
    warnings and recent changes. Actions are shown to those who may change it."""
    org = get_org_for_user(request.user, pk)
    today = timezone.localdate()
    title_order = {title.value: index for index, title in enumerate(PositionTitle)}  # 书记 first
    positions = list(org.positions.select_related("member"))
    positions.sort(key=lambda p: (title_order.get(p.title, 99), p.started_on))
    current = [p for p in positions if p.ended_on is None]
    for p in current:  # the inline 离任 form, with ids of its own
        p.end_form = PositionEndForm(auto_id=f"end{p.pk}_%s")
    ended = sorted((p for p in positions if p.ended_on is not None), key=lambda p: p.ended_on, reverse=True)
    children, stats = selectors.org_children_and_stats(org)
    context = {
        "org": org,
        "breadcrumbs": selectors.org_breadcrumbs(request.user, org),
        "current_positions": current,
        "ended_positions": ended,
        "stats": stats,
        "children": children,
        "warnings": selectors.org_warnings(org, stats=stats, positions=current, today=today),
        "history": selectors.org_history(org),
        "can_write": can_write_org(request.user, org) and org.is_active,
        "may_have_children": org.kind != OrgKind.GROUP,
        "today": today,
    }
    return render(request, "branches/detail.html", context)


# --- the organization itself -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    """New organization under ``?parent=<pk>``: anyone who may change the parent. Without a parent
    (a new top-level committee): 系统管理员 only, others 403."""
    require_org_scope(request.user)
    parent_pk = request.GET.get("parent", "").strip()
    parent: Organization | None = None
    if parent_pk:
        parent = get_org_for_user(request.user, parent_pk, write=True)
        _require_active(parent)
    elif not can_create_top_level_org(request.user):
        raise PermissionDenied("只有系统管理员可以新建最高一级党组织。")
    kinds = kinds_allowed_under(parent)
    if not kinds:
        raise PermissionDenied("党小组下不能再设党组织。")
    form = OrganizationForm(request.POST or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(parent=parent, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"parent": "kind"})
        else:
            messages.success(request, f"已新建党组织：{org.name}")
            return redirect("branches:detail", org.pk)
    crumbs = selectors.org_breadcrumbs(request.user, parent) if parent else []
    return render(request, "branches/org_form.html", {"form": form, "parent": parent, "org": None, "breadcrumbs": crumbs})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an organization's record and term: anyone who may change it. Dissolved ones: 403."""
    org = get_org_for_user(request.user, pk, write=True)
    _require_active(org)
    parent = _parent_of(org)
    kinds = kinds_allowed_under(parent)
    if org.kind not in kinds:
        kinds.append(org.kind)
    initial = {name: getattr(org, name) for name in services.ORG_EDITABLE_FIELDS}
    form = OrganizationForm(request.POST or None, initial=initial, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(org=org, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"parent": "kind"})
            org.refresh_from_db()  # the service set the typed values on it before refusing
        else:
            messages.success(request, "已保存。")
            return redirect("branches:detail", org.pk)
    context = {"form": form, "parent": parent, "org": org, "breadcrumbs": selectors.org_breadcrumbs(request.user, org)}
    return render(request, "branches/org_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an organization (with its subtree) under another one: anyone who may change both."""
    org = get_org_for_user(request.user, pk, write=True)
    _require_active(org)
    targets = writable_orgs(request.user).filter(status=OrgStatus.ACTIVE).order_by("path")
    form = MoveForm(request.POST or None, org=org, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_move(org=org, new_parent=form.cleaned_data["parent"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已将{org.name}移动到{form.cleaned_data['parent'].name}之下。")
            return redirect("branches:detail", org.pk)
    return render(
        request,
        "branches/move.html",
        {"form": form, "org": org, "parent": _parent_of(org), "breadcrumbs": selectors.org_breadcrumbs(request.user, org)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    """撤销 an organization with a date and a reason: anyone who may change it. The services refuse
    while it has active children or members on its roster. Nothing is deleted."""
    org = get_org_for_user(request.user, pk, write=True)
    _require_active(org)
    form = DissolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_dissolve(
                org=org, on=form.cleaned_data["dissolved_on"], reason=form.cleaned_data["dissolve_reason"], actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            org.refresh_from_db()
        else:
            messages.success(request, f"已撤销党组织：{org.name}")
            if org.path in scope_for(request.user).paths:
                # The user's own role was held here; the organization leaves their scope.
                return redirect("branches:tree")
            return redirect("branches:detail", org.pk)
    return render(
        request, "branches/dissolve.html", {"form": form, "org": org, "breadcrumbs": selectors.org_breadcrumbs(request.user, org)}
    )


# --- committee positions -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def position_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Appoint a member of the subtree to a committee position: anyone who may change the organization."""
    org = get_org_for_user(request.user, pk, write=True)
    _require_active(org)
    # The select offers the first few candidates; the search box loads others (position_candidates).
    shown, more = selectors.search_position_candidates(org, "")
    form = PositionForm(request.POST or None, org=org, members=selectors.position_candidates(org), shown=shown)
    if request.method == "POST" and form.is_valid():
        try:
            position = services.position_assign(org=org, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已任命{position.member.name}为{position.get_title_display()}。")
            return redirect("branches:detail", org.pk)
    return render(
        request,
        "branches/position_form.html",
        {
            "form": form,
            "org": org,
            "more_candidates": more,
            "candidate_limit": selectors.POSITION_CANDIDATE_LIMIT,
            "breadcrumbs": selectors.org_breadcrumbs(request.user, org),
        },
    )


@login_required
@require_GET
def position_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """The <option>s of the member select on the new-position page (htmx, as the user types):
    at most 30 members on the roster of the organization's subtree whose name or phone contains
    ``?q=``. Anyone who may change the organization; out of scope 404; dissolved 403."""
    org = get_org_for_user(request.user, pk, write=True)
    _require_active(org)
    query = request.GET.get("q", "")
    members, more = selectors.search_position_candidates(org, query)
    context = {
        "members": members,
        "more": more,
        "query": query.strip(),
        "limit": selectors.POSITION_CANDIDATE_LIMIT,
    }
    return render(request, "branches/_position_candidate_options.html", context)


@login_required
@require_POST
def position_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    """End a position (离任) with a date and reason: anyone who may change its organization.
    Posted from the detail page; on an error the form is shown again on its own page."""
    position = get_object_or_404(
        Position.objects.select_related("member").filter(organization__in=visible_orgs(request.user)), pk=pk
    )
    org = get_org_for_user(request.user, position.organization_id, write=True)
    form = PositionEndForm(request.POST)
    if form.is_valid():
        try:
            services.position_end(
                position=position,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["end_reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"reason": "end_reason"})
            position.refresh_from_db()
        else:
            messages.success(request, f"{position.member.name}已离任{position.get_title_display()}。")
            return redirect("branches:detail", org.pk)
    return render(
        request,
        "branches/position_end.html",
        {"form": form, "org": org, "position": position, "breadcrumbs": selectors.org_breadcrumbs(request.user, org)},
    )
