"""HTML pages of 组织关系转接 (transfers): the inbox, a new transfer, a transfer's page with its
history, and one POST view per action (审核转出, 接收, 退回, 挂起, 恢复办理).

Who may do what:
- Every lookup goes through partybuild.accounts.access: a transfer that touches nothing in the
  user's scope is 404, as if it did not exist. A member with no other role has no transfer pages
  (404), like the meeting pages.
- Which side may press which action is members.transfers.actions.require_side: a user who sees the
  transfer but does not act for that side gets 403.
- Every write goes through members.transfers; its errors are shown next to the fields they name.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members.roster.choices import Education, Gender, MemberType
from members.roster.selectors import get_member_for_user, id_number_for, manages_member
from members.roster.validators import mask_id_number
from members.transfers.actions import (
    ACTIONS,
    SIDE_LABELS,
    available_actions,
    perform,
    require_side,
    waiting_label,
)
from members.transfers.application_services import transfer_apply
from members.transfers.forms import InboxFilterForm, ReasonForm, TransferForm
from members.transfers.incoming import INCOMING_LABELS, returning_member
from members.transfers.models import Transfer, TransferKind, TransferStatus
from members.transfers.selectors import (
    DEFAULT_TAB,
    TABS,
    decorate,
    dues_paid_up_to,
    get_transfer_for_user,
    inbox_counts,
    inbox_queryset,
    member_options,
    person_name,
    transfer_sides,
    transfer_timeline,
    transferable_members,
)
from members.transfers.sides import waiting_on
from partybuild.accounts.access import require_org_scope
from partybuild.web.forms import add_service_errors

PAGE_SIZE = 50


NAV_SECTION = "transfers"


REASON_PLACEHOLDERS = {"return": "退回原因，如：接收单位信息有误", "suspend": "挂起原因，如：党费未交清"}


@login_required
@require_GET
def transfer_list(request: HttpRequest) -> HttpResponse:
    """Staff, secretaries and admins: the transfers sent from or to their subtree, by tab — 待我方
    处理 (waiting on a side they act for; the longest waiting first), 办理中, 已完成, 已退回, 全部 —
    each with its count, filtered by kind and searched by name, 50 a page. The ID number is never
    shown here. Members with no other role: 404."""
    require_org_scope(request.user)
    tab = request.GET.get("tab") or DEFAULT_TAB
    if tab not in dict(TABS):
        tab = DEFAULT_TAB
    form = InboxFilterForm(request.GET or None)
    kind, q = form.values()
    counts = inbox_counts(request.user, kind=kind, q=q)
    page = Paginator(inbox_queryset(request.user, tab=tab, kind=kind, q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    decorate(page.object_list, request.user, timezone.localdate())
    filters = {k: v for k, v in (("kind", kind), ("q", q)) if v}
    params = request.GET.copy()
    params.pop("page", None)
    tabs = []
    for key, label in TABS:
        query = urlencode({"tab": key, **filters})
        tabs.append({"key": key, "label": label, "count": counts[key], "active": key == tab, "query": query})
    context = {
        "tabs": tabs,
        "tab": tab,
        "tab_label": dict(TABS)[tab],
        "filter_form": form,
        "page": page,
        "query_string": params.urlencode(),
        "nav_section": NAV_SECTION,
    }
    return render(request, "members/transfers/list.html", context)


@sensitive_post_parameters("incoming_id_number")
@login_required
@require_http_methods(["GET", "POST"])
def transfer_new(request: HttpRequest) -> HttpResponse:
    """Staff, secretaries and admins. The sending side applies for a 系统内转接 of a member they
    manage to any active 党支部 of the portal, or a 转出系统外 to an organization by name; the
    receiving side records a 从系统外转入 (the person's facts) into a 党支部 they manage.
    ``?member=<pk>`` pre-selects a member (out of scope: 404); ``?kind=`` a kind. Members with no
    other role: 404."""
    require_org_scope(request.user)
    initial: dict[str, Any] = {}
    if request.GET.get("member"):
        initial["member"] = get_member_for_user(request.user, request.GET["member"], write=True).pk
    if request.GET.get("kind") in TransferKind.values:
        initial["kind"] = request.GET["kind"]
    form = TransferForm(request.POST or None, user=request.user, initial=initial)
    if not form.is_bound:
        own = list(form.fields["in_org"].queryset[:2])
        if len(own) == 1:  # a secretary: their 党支部 receives
            form.initial["in_org"] = own[0].pk
    if request.method == "POST" and form.is_valid():
        try:
            transfer = transfer_apply(actor=request.user, **form.apply_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            verb = "登记" if transfer.kind == TransferKind.IN else "提交"
            messages.success(
                request, f"已{verb}{transfer.get_kind_display()}：{person_name(transfer)}。{waiting_label(transfer)}。"
            )
            return redirect("transfers:detail", pk=transfer.pk)
    context = {"form": form, "chosen_kind": form.chosen_kind(), "nav_section": NAV_SECTION}
    return render(request, "members/transfers/form.html", context)


@login_required
@require_GET
def member_options_view(request: HttpRequest) -> HttpResponse:
    """The ``<option>``s of the new-transfer form's member select (htmx, as the user types a name):
    members they manage who are on the roster, at most 100. Members with no other role: 404."""
    require_org_scope(request.user)
    q = (request.GET.get("member_q") or "").strip()[:50]
    options = member_options(request.user, q=q)
    return render(request, "members/transfers/_member_options.html", {"options": options, "q": q})


@login_required
@require_GET
def member_dues_paid_to_view(request: HttpRequest) -> HttpResponse:
    """党费交至 of the member chosen in the new-transfer form (its script asks when a member is
    chosen): the last month they paid in full as ``2026-10``, or empty. Members the user may not
    send: 404. Members with no other role: 404."""
    require_org_scope(request.user)
    raw = request.GET.get("member") or ""
    if not raw.isdigit() or not transferable_members(request.user).filter(pk=int(raw)).exists():
        raise Http404("党员不存在")
    month = dues_paid_up_to(int(raw))
    return HttpResponse(f"{month:%Y-%m}" if month else "", content_type="text/plain; charset=utf-8")


def _incoming_rows(transfer: Transfer, sides: set[str]) -> list[tuple[str, str]]:
    """The facts a letter from outside carries, as (label, value); the ID number whole only for
    the receiving side (who will manage the person)."""
    choices = {"gender": dict(Gender.choices), "member_type": dict(MemberType.choices), "education": dict(Education.choices)}
    rows = []
    for name, label in INCOMING_LABELS.items():
        value = transfer.incoming.get(name)
        if value in (None, ""):
            continue
        if name == "id_number" and "in" not in sides:
            value = mask_id_number(str(value))
        rows.append((label, choices.get(name, {}).get(value, str(value))))
    return rows


def _confirm_text(action: str, transfer: Transfer, person: str) -> str:
    """What the browser asks before an action that cannot be undone."""
    if action == "approve_out" and transfer.kind == TransferKind.OUT:
        return f"审核后{person}的组织关系即转出至{transfer.to_name}，其在本系统的党员状态将变为“已转出”。确定审核转出？"
    if action == "approve_out":
        return f"审核通过后，由转入方（{transfer.to_org.name}）接收。确定审核转出？"
    if action == "accept" and transfer.kind == TransferKind.IN:
        if returning_member(str(transfer.incoming.get("id_number", ""))) is not None:
            return f"{person}曾由本系统转出，接收后将恢复其党员档案并列入{transfer.to_org.name}的花名册。确定接收？"
        return f"接收后将在{transfer.to_org.name}的花名册中建立{person}的党员档案。确定接收？"
    if action == "accept":
        return f"接收后{person}将转入{transfer.to_org.name}。确定接收？"
    if action == "return":
        return "退回后该转接即办结，不能再审核或接收。确定退回？"
    return ""


def _render_detail(
    request: HttpRequest,
    transfer: Transfer,
    *,
    form: ReasonForm | None = None,
    refusal: tuple[str, list[str]] | None = None,
) -> HttpResponse:
    """The transfer's page. ``form``: the bound reason form of a refused 退回 or 挂起 (its errors
    next to the field); ``refusal``: (action label, messages) of a refused action."""
    user = request.user
    sides = transfer_sides(user, transfer)
    person = person_name(transfer)
    member = transfer.member if transfer.member_id else None
    actions = []
    for action in available_actions(user, transfer, sides):
        reason_form = None
        if action.needs_reason:
            reason_form = form if form is not None and form.prefix == action.name else None
            reason_form = reason_form or ReasonForm(placeholder=REASON_PLACEHOLDERS[action.name], prefix=action.name)
        actions.append(
            {
                "name": action.name,
                "label": action.label,
                "url": f"transfers:{action.name}",
                "form": reason_form,
                "confirm": _confirm_text(action.name, transfer, person),
            }
        )
    context = {
        "transfer": transfer,
        "person": person,
        "member": member,
        "member_link": member is not None and manages_member(user, member),
        "member_id_number": id_number_for(user, member) if member is not None else "",
        "incoming_rows": _incoming_rows(transfer, sides) if transfer.kind == TransferKind.IN else [],
        "out_mine": "out" in sides,
        "in_mine": "in" in sides,
        "sides_label": "、".join(SIDE_LABELS[s] for s in ("out", "in") if s in sides),
        "actions": actions,
        "refusal": refusal,
        "waiting": waiting_label(transfer),
        "waits_on_me": waiting_on(transfer) in sides,
        "expired": bool(transfer.valid_until and transfer.valid_until < timezone.localdate() and transfer.is_open),
        "timeline": transfer_timeline(transfer),
        "nav_section": NAV_SECTION,
    }
    return render(request, "members/transfers/detail.html", context)


@login_required
@require_GET
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Those whose scope covers the sending or the receiving 党支部: everything recorded, who must
    act next, the history (who did what when, with reasons), and the actions the user may press
    for the side(s) they act for. Others: 404."""
    return _render_detail(request, get_transfer_for_user(request.user, pk))


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One action: 404 out of scope, 403 for a side the user does not act for; the service's
    refusal is shown on the transfer's page (next to the reason field when it is the reason)."""
    transfer = get_transfer_for_user(request.user, pk)
    require_side(request.user, transfer, action)
    rule = ACTIONS[action]
    form = None
    reason = ""
    if rule.needs_reason:
        form = ReasonForm(request.POST, placeholder=REASON_PLACEHOLDERS[action], prefix=action)
        if not form.is_valid():
            return _render_detail(request, transfer, form=form)
        reason = form.cleaned_data["reason"]
    try:
        done = perform(action, transfer=transfer, actor=request.user, reason=reason)
    except ValidationError as exc:
        texts: list[str] = []
        details = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for key, messages_ in details.items():
            if form is not None and key == "status_reason":
                form.add_error("reason", messages_)
                continue
            label = INCOMING_LABELS.get(key.removeprefix("incoming."), "") if key.startswith("incoming.") else ""
            texts.extend(f"{label}：{m}" if label else m for m in messages_)
        transfer = get_transfer_for_user(request.user, pk)  # as it is now
        return _render_detail(request, transfer, form=form, refusal=(rule.label, texts) if texts else None)
    messages.success(request, _done_message(action, done))
    return redirect("transfers:detail", pk=done.pk)


def _done_message(action: str, transfer: Transfer) -> str:
    person = person_name(transfer)
    if action == "approve_out":
        if transfer.status == TransferStatus.COMPLETED:
            return f"已审核转出：{person}的组织关系已转出至{transfer.to_name}。"
        return f"已审核转出：{person}。{waiting_label(transfer)}。"
    if action == "accept":
        return f"已接收：{person}已转入{transfer.to_org.name}。"
    if action == "return":
        return f"已退回{person}的组织关系转接。"
    if action == "suspend":
        return f"已挂起{person}的组织关系转接。"
    return f"已恢复办理{person}的组织关系转接。{waiting_label(transfer)}。"


@login_required
@require_POST
def transfer_approve_out_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The sending side (转出方): approve an applied transfer. Out of the portal, this ends the
    membership here. The receiving side: 403. Out of scope: 404."""
    return _act(request, pk, "approve_out")


@login_required
@require_POST
def transfer_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The receiving side (转入方): accept an approved transfer; the member moves to the receiving
    党支部 (or, from outside, is created in it). The sending side: 403. Out of scope: 404."""
    return _act(request, pk, "accept")


@login_required
@require_POST
def transfer_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Either side: return an open transfer with a reason (it is closed; nothing moves).
    Out of scope: 404."""
    return _act(request, pk, "return")


@login_required
@require_POST
def transfer_suspend_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Either side: put an open transfer on hold with a reason. Out of scope: 404."""
    return _act(request, pk, "suspend")


@login_required
@require_POST
def transfer_resume_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Either side: take a suspended transfer up again where it was. Out of scope: 404."""
    return _act(request, pk, "resume")
