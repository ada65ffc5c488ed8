"""Reads of the roster that span models. Fixed query counts whatever the roster size."""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet

from branches.models import Organization, OrgKind, Position
from members.roster.choices import ENDED_STATES, ON_ROSTER_STATES, Education, MemberState, MemberType
from members.roster.models import Member
from members.roster.validators import mask_id_number
from partybuild.accounts import access
from partybuild.accounts.access import AnyUser
from partybuild.accounts.models import User
from partybuild.history import HistoryEntry, change_history, history_rows
from partybuild.periods import add_years

# --- access: the members a user sees and manages (access.py decides) ----------------------------


def visible_members(user: AnyUser) -> QuerySet[Member]:
    """Members of the organizations in the user's scope, and the user's own record."""
    return access.filter_in_scope(user, Member.objects.all(), org_path="branch__path", own_member="pk")


def managed_members(user: AnyUser) -> QuerySet[Member]:
    """Members the user manages: may change, and may see unmasked 公民身份号码."""
    return access.filter_in_scope(user, Member.objects.all(), org_path="branch__path")


def manages_member(user: AnyUser, member: Member) -> bool:
    return access.covers_path(user, member.branch.path)


def get_member_for_user(user: AnyUser, pk: int | str, *, write: bool = False) -> Member:
    """The member, or 404 if missing or neither managed by the user nor the user's own record;
    403 when the user may read but not change it (their own record)."""
    return access.get_in_scope(
        user,
        Member.objects.select_related("branch", "group"),
        pk,
        org_path="branch__path",
        own_member="pk",
        missing="党员不存在",
        read_only="您没有修改该党员信息的权限",
        write=write,
    )


def id_number_for(user: AnyUser, member: Member) -> str:
    """The number as this user may see it: whole for those who manage the member, masked otherwise."""
    return member.id_number if manages_member(user, member) else member.masked_id_number


# (value, label, youngest age, oldest age) — ages inclusive; None = open.
AGE_BANDS: tuple[tuple[str, str, int | None, int | None], ...] = (
    ("le35", "35岁及以下", None, 35),
    ("36_45", "36-45岁", 36, 45),
    ("46_55", "46-55岁", 46, 55),
    ("56_60", "56-60岁", 56, 60),
    ("ge61", "61岁及以上", 61, None),
)


STATE_FILTER_ON_ROSTER = ""


STATE_FILTER_ALL = "all"


STATE_FILTER_ENDED = "ended"


# sort key → order_by fields (ascending). A trailing pk keeps pages stable.
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "pk"),
    "joined_on": ("joined_on", "pk"),
    "birth_date": ("birth_date", "pk"),
    "branch": ("branch__path", "name", "pk"),
}


DEFAULT_SORT = "branch"


def age_band_q(band: str, today: datetime.date) -> Q:
    """Members whose age today lies in the band, as a birth-date range (indexed, no per-row work).

    age >= a  ⇔  born on or before today minus a years;
    age <= b  ⇔  born after today minus (b + 1) years.
    """
    for value, _label, youngest, oldest in AGE_BANDS:
        if value == band:
            q = Q()
            if youngest is not None:
                q &= Q(birth_date__lte=add_years(today, -youngest))
            if oldest is not None:
                q &= Q(birth_date__gt=add_years(today, -(oldest + 1)))
            return q
    return Q()


def normalize_search(raw: str) -> str:
    """Full-width to half-width and no surrounding spaces, so ＸＸ１２３４ finds 1234-ending numbers."""
    return unicodedata.normalize("NFKC", raw or "").strip()


# The tail of a 公民身份号码 that a search may match: enough to pick a person out, never the whole
# number (searches are GET requests, and URLs reach access logs and browser histories).
ID_TAIL_MIN, ID_TAIL_MAX = 4, 6


def _looks_like_id_tail(q: str) -> bool:
    body = q.upper()
    return ID_TAIL_MIN <= len(body) <= ID_TAIL_MAX and all(ch.isdigit() or ch == "X" for ch in body) and "X" not in body[:-1]


def search_q(raw: str) -> Q:
    """Name (contains), phone (contains) or — for 4 to 6 digits, the last may be X — the end of
    the 公民身份号码. A longer string is never matched against the number.

    Only members the user manages can be matched on more digits than the mask shows: the visible
    but unmanaged set is at most the user's own record.
    """
    q = normalize_search(raw)
    if not q:
        return Q()
    # Chinese has no case: without a cased letter (Latin or other) a plain LIKE finds the same
    # names, and spares PostgreSQL an UPPER() on every candidate row.
    cond = Q(name__contains=q) if q.upper() == q.lower() else Q(name__icontains=q)
    compact = "".join(q.split())
    if compact.isdigit():
        cond |= Q(phone__contains=compact)
    if _looks_like_id_tail(compact):
        cond |= Q(id_number__endswith=compact.upper())
    return cond


def org_filter_q(org: Organization) -> Q:
    """Members in the organization's whole subtree (a 党小组: its members)."""
    if org.kind == OrgKind.GROUP:
        return Q(group_id=org.pk)
    # The subtree's ids as a subquery, not a join on the branch's path: PostgreSQL then combines
    # the (branch_id, state) index with the other filters' indexes.
    return Q(branch_id__in=Organization.objects.filter(path__startswith=org.path).values("pk"))


@dataclass
class MemberFilters:
    org: Organization | None = None
    member_type: str = ""
    state: str = STATE_FILTER_ON_ROSTER
    education: str = ""
    age: str = ""
    joined_year: int | None = None
    q: str = ""
    sort: str = DEFAULT_SORT
    today: datetime.date = field(default_factory=datetime.date.today)


def member_list_queryset(user: User, filters: MemberFilters) -> QuerySet[Member]:
    """The roster rows the user may see, filtered and sorted, with what each row shows joined in."""
    qs = visible_members(user).select_related("branch", "group")
    if filters.state == STATE_FILTER_ON_ROSTER:
        qs = qs.filter(state__in=ON_ROSTER_STATES)
    elif filters.state == STATE_FILTER_ENDED:
        qs = qs.filter(state__in=ENDED_STATES)
    elif filters.state != STATE_FILTER_ALL:
        qs = qs.filter(state=filters.state)
    if filters.org is not None:
        qs = qs.filter(org_filter_q(filters.org))
    if filters.member_type:
        qs = qs.filter(member_type=filters.member_type)
    if filters.education:
        qs = qs.filter(education=filters.education)
    if filters.age:
        qs = qs.filter(age_band_q(filters.age, filters.today))
    if filters.joined_year:
        y = filters.joined_year
        qs = qs.filter(joined_on__gte=datetime.date(y, 1, 1), joined_on__lt=datetime.date(y + 1, 1, 1))
    if filters.q:
        qs = qs.filter(search_q(filters.q))
    key = filters.sort.lstrip("-")
    order = SORTS.get(key, SORTS[DEFAULT_SORT])
    if filters.sort.startswith("-"):
        order = tuple(f"-{f}" for f in order)
    return qs.order_by(*order)


def member_positions(member: Member) -> list[Position]:
    """Committee positions the member holds or held, current first. One query."""
    return list(
        Position.objects.filter(member=member)
        .select_related("organization")
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on")
    )


# ``user`` (a member's login) is bookkeeping, not a roster fact.
_HISTORY_SKIP = {"user"}


def member_history_rows(member: Member) -> list[Any]:
    """The member's history versions, oldest first, with who made them and the 党支部 and 党小组
    each names (one query)."""
    return history_rows(member, "branch", "group")


def member_history(user: User, member: Member, rows: list[Any] | None = None) -> list[HistoryEntry]:
    """The member's change timeline, newest first: who, when, which fields changed old → new and
    why. ID numbers are masked unless the user manages the member. One query (none when ``rows``
    from member_history_rows are given)."""
    records = member_history_rows(member) if rows is None else rows
    # The versions carry their 党支部 and 党小组 (select_related): no query for the names.
    org_names = {org.pk: org.short_name for r in records for org in (r.branch, r.group) if org is not None}
    show_id = manages_member(user, member)

    def special(f: Any, value: Any) -> str | None:
        if f.name == "id_number":
            return value if show_id else mask_id_number(value)
        if f.is_relation:
            return org_names.get(value, f"#{value}")
        return None

    return change_history(Member, records, skip=_HISTORY_SKIP, special=special)


def member_type_choices() -> list[tuple[str, str]]:
    return [("", "全部"), *MemberType.choices]


def education_choices() -> list[tuple[str, str]]:
    return [("", "全部"), *Education.choices]


def state_filter_choices() -> list[tuple[str, str]]:
    return [
        (STATE_FILTER_ON_ROSTER, "在册党员"),
        *[(s.value, s.label) for s in MemberState],
        (STATE_FILTER_ENDED, "已减少（转出/出党/去世）"),
        (STATE_FILTER_ALL, "全部"),
    ]
