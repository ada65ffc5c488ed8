"""Reads over members by organization: subtree member counts, the detail page's figures, committee
position candidates, and whether an organization still has members on the roster.

These are queries over members, so they live in members; the tree's pages and services in branches reach them
through ``branches.roster.Roster`` (branches sits below members and imports nothing from it). ``OrganizationRoster``
is the implementation that ``MembersConfig.ready`` registers. Fixed query counts whatever the tree size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import BigIntegerField, CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Value

from branches.models import Organization, OrgKind
from branches.roster import ChildRow, MemberStats
from members.roster.choices import ON_ROSTER_STATES, MemberType
from members.roster.models import Member

STEP = Organization.steplen

# Members who count: on the roster (正常, 流动, 失联, 停止党籍), not those who left it.
_ON_ROSTER = Q(state__in=ON_ROSTER_STATES)


class _PerGroupSubquery(Subquery):
    """A subquery on columns the query already groups by. It is no grouping key itself (Django
    would add it to GROUP BY, and PostgreSQL would then run it for every row), so it runs once per
    group of the result."""

    def get_group_by_cols(self) -> list[Any]:
        return []


def _branch_path() -> Subquery:
    """The path of a member's 党支部, for a query grouped by ``branch_id``: PostgreSQL looks it up
    once per group (a primary-key probe), not once per member as a join before grouping would."""
    return _PerGroupSubquery(Organization.objects.filter(pk=OuterRef("branch_id")).order_by().values("path"))


def _members_under(roots: list[str], *, exact: bool = False) -> QuerySet[Member]:
    """Members on the roster whose 党支部 lies under one of ``roots`` (reduced paths).

    The subtree is a subquery of organization ids, so PostgreSQL reads the members from the
    ``(branch_id, state)`` index. Unless ``exact``, the set may be larger, for callers that key
    what they read by branch path: many roots are replaced by the subtree that holds them all,
    and a top-level root (about the whole tree: an admin's) by no filter at all, cheaper than
    matching every member against every organization."""
    members = Member.objects.filter(_ON_ROSTER)
    if not exact and len(roots) > _MAX_ROOTS:
        roots = [_common_prefix(roots)]  # e.g. a 党委's children: their parent's subtree
    if not exact and any(len(p) <= STEP for p in roots):
        return members
    q = Q()
    for p in roots:
        q |= Q(path__startswith=p)
    return members.filter(branch_id__in=Organization.objects.filter(q).values("pk"))


_MAX_ROOTS = 4


def _common_prefix(paths: list[str]) -> str:
    """The longest path (whole steps) that starts every one of ``paths``; "" if none."""
    low, high = min(paths), max(paths)  # the sorted extremes share what all of them share
    end = 0
    while end + STEP <= min(len(low), len(high)) and low[end : end + STEP] == high[end : end + STEP]:
        end += STEP
    return low[:end]


def _add_to_prefixes(by_prefix: dict[str, int], path: str, n: int) -> None:
    for end in range(STEP, len(path) + 1, STEP):
        by_prefix[path[:end]] += n


def subtree_member_counts(orgs: Iterable[Organization]) -> dict[int, int]:
    """Members on the roster in each organization's whole subtree. One query.

    Members belong to a 党支部 (``branch``), counted per ``branch_id`` (from the index alone) and
    added up along each branch's path; a 党小组 counts the members assigned to it (``group``),
    counted only for the groups given (a second SELECT in the same statement: UNION ALL)."""
    orgs = list(orgs)
    group_ids = [o.pk for o in orgs if o.kind == OrgKind.GROUP]
    roots = _reduce([o.path for o in orgs if o.kind != OrgKind.GROUP])
    parts: list[QuerySet[Member]] = []
    if roots:
        parts.append(
            _members_under(roots)
            .values("branch_id")
            .annotate(key=_branch_path(), group_key=Value(None, output_field=BigIntegerField()), n=Count("*"))
            .values_list("key", "group_key", "n")
            .order_by()
        )
    if group_ids:
        parts.append(
            Member.objects.filter(_ON_ROSTER, group_id__in=group_ids)
            .values("group_id")
            .annotate(key=Value("", output_field=CharField()), group_key=F("group_id"), n=Count("*"))
            .values_list("key", "group_key", "n")
            .order_by()
        )
    if not parts:
        return {}
    rows = parts[0].union(parts[1], all=True) if len(parts) == 2 else parts[0]
    by_prefix: dict[str, int] = defaultdict(int)
    by_group: dict[int, int] = {}
    for path, group_id, n in rows:
        if group_id is None:
            _add_to_prefixes(by_prefix, path, n)
        else:
            by_group[group_id] = n
    return {o.pk: by_group.get(o.pk, 0) if o.kind == OrgKind.GROUP else by_prefix.get(o.path, 0) for o in orgs}


def _reduce(paths: list[str]) -> list[str]:
    kept: list[str] = []
    for p in sorted(set(paths), key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return kept


def org_member_stats(org: Organization) -> MemberStats:
    """Members on the roster in the organization's subtree: total, 正式, 预备. One query."""
    if org.kind == OrgKind.GROUP:
        members = Member.objects.filter(_ON_ROSTER, group=org)
    else:
        members = _members_under([org.path], exact=True)
    return members.aggregate(
        total=Count("pk"),
        full=Count("pk", filter=Q(member_type=MemberType.FULL)),
        probationary=Count("pk", filter=Q(member_type=MemberType.PROBATIONARY)),
    )


def org_children_and_stats(org: Organization) -> tuple[list[ChildRow], MemberStats]:
    """The detail page's figures: the direct children (dissolved ones too, marked) with their
    subtree member counts, and ``org_member_stats``. Two queries: the children, and one count of
    the subtree's members on the roster per (branch, group, 人员类别) that gives both."""
    if org.kind == OrgKind.GROUP:
        return [], org_member_stats(org)  # a 党小组 has no children
    children = list(Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("status", "path"))
    stats: MemberStats = {"total": 0, "full": 0, "probationary": 0}
    rows = (
        _members_under([org.path])
        .values("branch_id", "group_id", "member_type")
        .annotate(key=_branch_path(), n=Count("*"))
        .values_list("key", "group_id", "member_type", "n")
        .order_by()
    )
    by_prefix: dict[str, int] = defaultdict(int)
    by_group: dict[int, int] = defaultdict(int)
    for path, group_id, member_type, n in rows:
        if not path.startswith(org.path):
            continue  # another top-level tree's (read when org is top-level: see _members_under)
        stats["total"] += n
        if member_type == MemberType.FULL:
            stats["full"] += n
        elif member_type == MemberType.PROBATIONARY:
            stats["probationary"] += n
        _add_to_prefixes(by_prefix, path, n)
        if group_id is not None:
            by_group[group_id] += n
    rows_out: list[ChildRow] = [
        {"org": c, "member_count": by_group.get(c.pk, 0) if c.kind == OrgKind.GROUP else by_prefix.get(c.path, 0)}
        for c in children
    ]
    return rows_out, stats


def position_candidates(org: Organization) -> QuerySet[Member]:
    """Members on the roster who may hold a position here: the organization's subtree; for a
    党小组, the members of its branch. The form validates a chosen member against this."""
    if org.kind == OrgKind.GROUP:
        where = Q(branch__path=org.path[:-STEP])
    else:
        where = Q(branch__path__startswith=org.path)
    return (
        Member.objects.filter(where, state__in=ON_ROSTER_STATES).select_related("branch").order_by("branch__path", "name", "pk")
    )


def search_position_candidates(org: Organization, text: str, *, limit: int) -> tuple[list[Member], bool]:
    """Up to ``limit`` candidates whose name or phone contains ``text`` (all of them when it is
    empty), and whether there were more. One query: a committee's subtree may hold 100,000 members,
    so the select never lists them all."""
    qs = position_candidates(org)
    text = " ".join(text.split())[:50]
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(phone__contains=text))
    found = list(qs[: limit + 1])
    return found[:limit], len(found) > limit


def has_members_on_roster(org: Organization) -> bool:
    return org.members.filter(state__in=ON_ROSTER_STATES).exists()


def group_has_members_on_roster(group: Organization) -> bool:
    return group.group_members.filter(state__in=ON_ROSTER_STATES).exists()


class OrganizationRoster:
    """``branches.roster.Roster`` over members: registered by ``MembersConfig.ready``."""

    subtree_member_counts = staticmethod(subtree_member_counts)
    org_member_stats = staticmethod(org_member_stats)
    org_children_and_stats = staticmethod(org_children_and_stats)
    position_candidates = staticmethod(position_candidates)
    search_position_candidates = staticmethod(search_position_candidates)
    has_members_on_roster = staticmethod(has_members_on_roster)
    group_has_members_on_roster = staticmethod(group_has_members_on_roster)
