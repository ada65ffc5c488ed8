"""Reads of 组织关系转接 for the pages and the API: the inbox and its tabs, the count of
transfers waiting on the user ("待我方处理", for the sidebar and the home page), what a row
shows, and a transfer's history as a timeline. Fixed query counts whatever the number of
transfers: the tab counts are one aggregate query.

What the user sees at all is ``visible_transfers`` (access.py decides, from the two sides'
organizations); "waiting on me" is ``waiting_on(t) in transfer_sides(user, t)``, as one Q.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.html import escape

from branches.models import Organization, OrgKind, OrgStatus
from branches.selectors import tree_version
from members.dues.selectors import with_paid_up_to
from members.roster.choices import ON_ROSTER_STATES
from members.roster.models import Member
from members.roster.selectors import managed_members
from members.transfers.models import OPEN_STATUSES, Transfer, TransferStatus
from members.transfers.sides import transfer_sides, waiting_on
from partybuild.accounts import access
from partybuild.accounts.access import AnyUser, scope_for
from partybuild.accounts.models import User

# --- access: the transfers a user sees (access.py decides; their sides: members.transfers.sides) -

# Each side's organization, as access.py reads it.
_SIDE_PATHS = ("from_org__path", "to_org__path")


def visible_transfers(user: AnyUser) -> QuerySet[Transfer]:
    """Transfers sent from or to the organizations in the user's scope."""
    transfers = Transfer.objects.select_related("member__branch", "from_org", "to_org", "created_by")
    return access.filter_in_scope(user, transfers, org_path=_SIDE_PATHS)


def get_transfer_for_user(user: AnyUser, pk: int | str) -> Transfer:
    """The transfer, or 404 if it is missing or touches nothing in the user's scope."""
    transfers = Transfer.objects.select_related("member__branch", "from_org", "to_org", "created_by")
    return access.get_in_scope(user, transfers, pk, org_path=_SIDE_PATHS, missing="转接记录不存在")


# The inbox tabs: (key, label). 办理中 holds every open transfer, those waiting on the user too.
TABS: tuple[tuple[str, str], ...] = (
    ("waiting", "待我方处理"),
    ("open", "办理中"),
    ("done", "已完成"),
    ("returned", "已退回"),
    ("all", "全部"),
)


DEFAULT_TAB = "waiting"


DONE_STATUSES = (TransferStatus.ACCEPTED, TransferStatus.COMPLETED)


def waiting_q(user: User) -> Q:
    """Transfers waiting on a side the user acts for: 已申请 and sent from the user's scope (the
    sending side reviews), or 转出方已审核 and going to it (the receiving side accepts)."""
    scope = scope_for(user)
    if not scope.sees_orgs:
        return Q(pk__in=[])
    out_side = Q(status=TransferStatus.APPLIED, from_org__isnull=False) & scope.org_q("from_org__")
    in_side = Q(status=TransferStatus.OUT_APPROVED, to_org__isnull=False) & scope.org_q("to_org__")
    return out_side | in_side


def tab_q(user: User, tab: str) -> Q:
    if tab == "waiting":
        return waiting_q(user)
    if tab == "open":
        return Q(status__in=OPEN_STATUSES)
    if tab == "done":
        return Q(status__in=DONE_STATUSES)
    if tab == "returned":
        return Q(status=TransferStatus.RETURNED)
    return Q()


def waiting_for_me_count(user: User) -> int:
    """How many transfers wait on a side the user acts for (待我方处理). One query; none for a user
    who sees no organizations."""
    if not scope_for(user).sees_orgs:
        return 0
    return visible_transfers(user).filter(waiting_q(user)).order_by().count()


def inbox_counts(user: User, *, kind: str = "", q: str = "") -> dict[str, int]:
    """The count of each tab, for the transfers the user sees (with the kind and search filters
    applied). One aggregate query."""
    if not scope_for(user).sees_orgs:
        return {key: 0 for key, _ in TABS}
    qs = _filtered(visible_transfers(user), kind=kind, q=q).order_by()
    return qs.aggregate(**{key: Count("pk", filter=tab_q(user, key)) for key, _ in TABS})


def _filtered(qs: QuerySet[Transfer], *, kind: str, q: str) -> QuerySet[Transfer]:
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(member__name__icontains=q) | Q(incoming__name__icontains=q))
    return qs


def inbox_queryset(user: User, *, tab: str, kind: str = "", q: str = "") -> QuerySet[Transfer]:
    """The rows of a tab, with what a row shows joined in. 待我方处理 lists the longest waiting
    first; the other tabs the newest first."""
    qs = _filtered(visible_transfers(user).filter(tab_q(user, tab)), kind=kind, q=q)
    if tab == "waiting":
        return qs.order_by("updated_at", "id")
    return qs.order_by("-created_at", "-id")


def person_name(transfer: Transfer) -> str:
    """The member's name, or (from outside, before acceptance) the name on the letter."""
    if transfer.member_id:
        return transfer.member.name
    return str(transfer.incoming.get("name", ""))


def from_label(transfer: Transfer) -> str:
    return transfer.from_org.name if transfer.from_org_id else transfer.from_name


def to_label(transfer: Transfer) -> str:
    return transfer.to_org.name if transfer.to_org_id else transfer.to_name


def days_waiting(transfer: Transfer, today: datetime.date) -> int | None:
    """Days since the transfer reached its present step (the services save it only when its
    status changes), while it is open; None once it is closed."""
    if transfer.status not in OPEN_STATUSES:
        return None
    return max(0, (today - timezone.localdate(transfer.updated_at)).days)


def decorate(transfers: Iterable[Transfer], user: User, today: datetime.date) -> None:
    """Set what the list shows on each row (no query: the relations are joined in)."""
    for t in transfers:
        t.person_name = person_name(t)  # type: ignore[attr-defined]
        t.from_label = from_label(t)  # type: ignore[attr-defined]
        t.to_label = to_label(t)  # type: ignore[attr-defined]
        t.days_waiting = days_waiting(t, today)  # type: ignore[attr-defined]
        t.applied_on = timezone.localdate(t.created_at)  # type: ignore[attr-defined]
        t.waits_on_me = waiting_on(t) in transfer_sides(user, t)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Step:
    when: datetime.datetime
    who: str
    status: str
    status_label: str
    what: str
    reason: str


def transfer_timeline(transfer: Transfer) -> list[Step]:
    """Who did what when, oldest first, with the reasons given for 退回 and 挂起. One query."""
    records = transfer.history.select_related("history_user").order_by("history_date", "history_id")
    steps: list[Step] = []
    for h in records:
        user = h.history_user
        what = h.history_change_reason or ("登记" if h.history_type == "+" else "修改")
        reason = ""
        if h.status in (TransferStatus.RETURNED, TransferStatus.SUSPENDED) and h.status_reason:
            # The change reason is "退回：<reason>" cut to 100 characters; the reason itself is whole.
            what, reason = what.split("：", 1)[0], h.status_reason
        steps.append(
            Step(
                when=h.history_date,
                who=(user.display_name if user is not None else "系统"),
                status=h.status,
                status_label=TransferStatus(h.status).label,
                what=what,
                reason=reason,
            )
        )
    return steps


DESTINATION_CACHE_SECONDS = 600


def destination_options_html() -> str:
    """``<optgroup>``s of every active 党支部 of the portal under its parent organization, in tree
    order: a transfer may go anywhere in the system (the names of other organizations are shown,
    never their members). From the cache (keyed on the tree version), or two queries."""
    key = f"members:transfer-destinations:{tree_version()}"
    html = cache.get(key)
    if html is not None:
        return html
    branches = list(
        Organization.objects.filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
        .order_by("path")
        .values_list("pk", "path", "name")
    )
    step = Organization.steplen
    parent_paths = {path[:-step] for _, path, _ in branches if len(path) > step}
    parents = dict(Organization.objects.filter(path__in=parent_paths).values_list("path", "name"))
    parts: list[str] = []
    current: str | None = None
    for pk, path, name in branches:
        parent = path[:-step]
        if parent != current:
            if current is not None:
                parts.append("</optgroup>")
            parts.append(f'<optgroup label="{escape(parents.get(parent, "（无上级）"))}">')
            current = parent
        parts.append(f'<option value="{pk}">{escape(name)}</option>')
    if current is not None:
        parts.append("</optgroup>")
    html = "".join(parts)
    cache.set(key, html, DESTINATION_CACHE_SECONDS)
    return html


MEMBER_OPTIONS_LIMIT = 100


def transferable_members(user: User) -> QuerySet[Any]:
    """Members the user manages who are still on the roster: those whose transfer they may apply for."""
    return managed_members(user).filter(state__in=ON_ROSTER_STATES)


@dataclass(frozen=True)
class MemberOptions:
    groups: list[tuple[str, list[tuple[int, str]]]]  # (党支部 name, [(pk, name)]) in tree order
    more: bool  # more members match than are offered: the user should type to narrow it down


def member_options(user: User, *, q: str = "", include: int | None = None) -> MemberOptions:
    """The members to offer in the transfer form's select, grouped by 党支部: those matching ``q``
    (by name), at most MEMBER_OPTIONS_LIMIT, and the member ``include`` (already chosen) if the
    user may send them. One query, two with ``include``."""
    qs = transferable_members(user)
    if q:
        qs = qs.filter(name__icontains=q)
    fields = ("pk", "name", "branch__name", "branch__path")
    rows = list(qs.order_by("branch__path", "name", "pk").values_list(*fields)[: MEMBER_OPTIONS_LIMIT + 1])
    more = len(rows) > MEMBER_OPTIONS_LIMIT
    rows = rows[:MEMBER_OPTIONS_LIMIT]
    if include is not None and include not in {row[0] for row in rows}:
        rows += list(transferable_members(user).filter(pk=include).values_list(*fields))
        rows.sort(key=lambda row: (row[3], row[1], row[0]))
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    for pk, name, branch_name, _path in rows:
        if not groups or groups[-1][0] != branch_name:
            groups.append((branch_name, []))
        groups[-1][1].append((pk, name))
    return MemberOptions(groups=groups, more=more)


def dues_paid_up_to(member_id: int, *, among: QuerySet[Any] | None = None) -> datetime.date | None:
    """党费交至 as the portal knows it (members.dues.with_paid_up_to, as the arrears count it); None
    when not known, or when the member is not ``among`` those given (the user's). What a
    transfer's 党费交至 is prefilled with. One query."""
    members = among if among is not None else Member.objects.all()
    return with_paid_up_to(members.filter(pk=member_id)).values_list("paid_up_to", flat=True).first()
