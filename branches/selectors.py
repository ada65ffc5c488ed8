"""Reads over the tree that span models. Fixed query counts whatever the tree size."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import BigIntegerField, CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Value

from branches.models import Organization, OrgKind, OrgStatus, Position, PositionTitle, TermStatus, add_months, add_years
from members.roster.models import ON_ROSTER_STATES, Member, MemberType
from partybuild import cache_versions
from partybuild.accounts.access import scope_for, visible_orgs

STEP = Organization.steplen


# --- tree version -------------------------------------------------------------------------------

TREE_VERSION_KEY = "branches:tree-version"


def tree_version() -> int:
    """A number that changes whenever an organization is created, changed, moved or dissolved
    (``bump_tree_version``): anything cached from the tree puts it in its key."""
    return cache_versions.current(TREE_VERSION_KEY)


def bump_tree_version() -> None:
    """Call after a write to the tree has committed (``transaction.on_commit``)."""
    cache_versions.bump(TREE_VERSION_KEY)


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


def tree_roots(user: Any) -> QuerySet[Organization]:
    """The top of the tree as this user sees it: the organizations they hold a role in
    (or the real roots, for an admin)."""
    scope = scope_for(user)
    if scope.is_admin:
        return Organization.objects.filter(depth=1)
    if not scope.paths:
        return Organization.objects.none()
    return Organization.objects.filter(path__in=scope.paths)


def tree_nodes(
    user: Any, *, parent: Organization | None = None, levels: int = 2, include_dissolved: bool = False
) -> list[dict[str, Any]]:
    """Nodes to draw: ``levels`` levels from the user's roots (or below ``parent``), each with its
    subtree member count, in tree order. Three queries."""
    if parent is None:
        roots = list(tree_roots(user))
        if not roots:
            return []
        q = Q()
        for r in roots:
            q |= Q(path__startswith=r.path, depth__lt=r.depth + levels)
    else:
        q = Q(path__startswith=parent.path, depth__gt=parent.depth, depth__lte=parent.depth + levels)
    qs = visible_orgs(user).filter(q)
    if not include_dissolved:
        qs = qs.filter(status=OrgStatus.ACTIVE)
    nodes = list(qs.order_by("path"))
    counts = subtree_member_counts(nodes)
    base_depth = parent.depth + 1 if parent is not None else min((n.depth for n in nodes), default=1)
    return [
        {"org": n, "member_count": counts.get(n.pk, 0), "level": n.depth - base_depth, "has_children": n.numchild > 0}
        for n in nodes
    ]


def term_status_summary(user: Any) -> dict[str, int]:
    rows = (
        visible_orgs(user)
        .filter(status=OrgStatus.ACTIVE)
        .exclude(term_status=TermStatus.NONE)
        .values_list("term_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    summary = {s.value: 0 for s in TermStatus if s != TermStatus.NONE}
    summary.update(dict(rows))
    return summary


def org_kind_summary(user: Any) -> dict[str, int]:
    rows = visible_orgs(user).filter(status=OrgStatus.ACTIVE).values_list("kind").annotate(n=Count("pk")).order_by()
    return dict(rows)


# --- the detail page ------------------------------------------------------------------------

# Titles that sit on a committee (班子); a 党小组组长 leads a group, not a committee.
COMMITTEE_TITLES = tuple(t for t in PositionTitle if t != PositionTitle.GROUP_LEADER)

_HISTORY_ACTIONS = {"+": "创建", "~": "修改", "-": "删除"}


def org_member_stats(org: Organization) -> dict[str, int]:
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


def org_warnings(org: Organization, *, stats: dict[str, int], positions: list[Position], today: datetime.date) -> list[str]:
    """The rules of DOMAIN.md that are warnings, not blocks: branch size, committee size,
    secretary training. ``positions`` are the organization's current positions (no query here)."""
    if not org.is_active:
        return []
    warnings: list[str] = []
    if org.kind == OrgKind.BRANCH:
        full, total = stats["full"], stats["total"]
        if full < 3:
            warnings.append(f"正式党员{full}人，不足3人：应与邻近单位的党员联合成立党支部。")
        if full >= 7:
            committee = {p.member_id for p in positions if p.title in COMMITTEE_TITLES}
            if not 3 <= len(committee) <= 7:
                warnings.append(
                    f"正式党员{full}人（7人以上）应设立支部委员会，委员一般3至5人、最多不超过7人；现有班子成员{len(committee)}人。"
                )
        if total > 50:
            warnings.append(f"在册党员{total}人，超过50人，应考虑分设党支部。")
    secretaries = [p for p in positions if p.title == PositionTitle.SECRETARY]
    if org.has_term and not secretaries:
        warnings.append("尚未配备书记。")
    for p in secretaries:
        if p.trained_on is None:
            if add_months(p.started_on, 6) < today:
                warnings.append(f"书记{p.member.name}于{p.started_on:%Y-%m-%d}任职，超过6个月尚未参加培训。")
        elif add_years(p.trained_on, 1) < today:
            warnings.append(f"书记{p.member.name}最近一次培训为{p.trained_on:%Y-%m-%d}，已超过一年：书记应每年至少培训一次。")
    return warnings


def _display_value(field: Any, value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def org_history(org: Organization, limit: int = 10) -> list[dict[str, Any]]:
    """The last ``limit`` changes to the organization: when, who, what changed (old → new).
    One query: the record before the oldest shown is fetched too, to diff against."""
    records = list(org.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    entries: list[dict[str, Any]] = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[dict[str, str]] = []
        if previous is not None and record.history_type == "~":
            for change in record.diff_against(previous).changes:
                field = Organization._meta.get_field(change.field)
                changes.append(
                    {
                        "label": str(field.verbose_name),
                        "old": _display_value(field, change.old),
                        "new": _display_value(field, change.new),
                    }
                )
        user = record.history_user
        entries.append(
            {
                "when": record.history_date,
                "who": (user.display_name if user else "系统"),
                "action": _HISTORY_ACTIONS.get(record.history_type, record.history_type),
                "changes": changes,
                "reason": record.history_change_reason or "",
            }
        )
    return entries


def org_breadcrumbs(user: Any, org: Organization) -> list[Organization]:
    """The ancestors of ``org`` the user may see, top first. One query."""
    prefixes = [org.path[:end] for end in range(STEP, len(org.path), STEP)]
    if not prefixes:
        return []
    return list(visible_orgs(user).filter(path__in=prefixes).order_by("path"))


def org_children_and_stats(org: Organization) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The detail page's figures: the direct children (dissolved ones too, marked) with their
    subtree member counts, and ``org_member_stats``. Two queries: the children, and one count of
    the subtree's members on the roster per (branch, group, 人员类别) that gives both."""
    if org.kind == OrgKind.GROUP:
        return [], org_member_stats(org)  # a 党小组 has no children
    children = list(Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("status", "path"))
    stats = {"total": 0, "full": 0, "probationary": 0}
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
    rows_out = [
        {"org": c, "member_count": by_group.get(c.pk, 0) if c.kind == OrgKind.GROUP else by_prefix.get(c.path, 0)}
        for c in children
    ]
    return rows_out, stats


# --- the tree page -----------------------------------------------------------------------------


def tree_forest(user: Any, *, parent: Organization | None = None, levels: int = 2) -> list[dict[str, Any]]:
    """``tree_nodes`` nested for drawing: each node gets ``children``, a list for the levels
    loaded here, or None when its children are to be loaded on demand. Three queries."""
    nodes = tree_nodes(user, parent=parent, levels=levels)
    by_path: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for node in nodes:
        # Levels are counted from each drawn root: a user's roots may sit at different depths.
        above = by_path.get(node["org"].path[:-STEP])
        if above is not None and above["children"] is None:
            continue  # deeper than this page draws; loaded on demand
        node["level"] = above["level"] + 1 if above is not None else 0
        node["children"] = [] if node["level"] < levels - 1 else None
        if above is not None:
            above["children"].append(node)
        else:
            roots.append(node)
        by_path[node["org"].path] = node
    return roots


def search_orgs(user: Any, text: str, limit: int = 50) -> list[dict[str, Any]]:
    """Organizations in scope whose name, short name or code contains ``text``, as a flat list
    with their parent's name (when visible) and subtree member count. Three queries."""
    text = text.strip()
    if not text:
        return []
    orgs = list(
        visible_orgs(user)
        .filter(Q(name__icontains=text) | Q(short_name__icontains=text) | Q(code__icontains=text))
        .order_by("status", "path")[:limit]
    )
    counts = subtree_member_counts(orgs)
    scope = scope_for(user)
    parent_paths = {o.path[:-STEP] for o in orgs if o.depth > 1}
    parents = {
        p.path: p
        for p in Organization.objects.filter(path__in=parent_paths).only("pk", "path", "name")
        if scope.covers_path(p.path)
    }
    return [{"org": o, "member_count": counts.get(o.pk, 0), "parent": parents.get(o.path[:-STEP])} for o in orgs]


# --- committee position candidates -------------------------------------------------------------

POSITION_CANDIDATE_LIMIT = 30


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


def search_position_candidates(
    org: Organization, text: str, *, limit: int = POSITION_CANDIDATE_LIMIT
) -> tuple[list[Member], bool]:
    """Up to ``limit`` candidates whose name or phone contains ``text`` (all of them when it is
    empty), and whether there were more. One query: a committee's subtree may hold 100,000 members,
    so the select never lists them all."""
    qs = position_candidates(org)
    text = " ".join(text.split())[:50]
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(phone__contains=text))
    found = list(qs[: limit + 1])
    return found[:limit], len(found) > limit
