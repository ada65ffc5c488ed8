"""Reads over the tree that span models. Fixed query counts whatever the tree size."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Q, QuerySet
from django.utils.html import escape

from branches.models import Organization, OrgKind, OrgStatus, Position, PositionTitle, TermStatus
from branches.roster import Candidate, ChildRow, MemberStats, roster
from partybuild import cache_versions
from partybuild.accounts import access
from partybuild.accounts.access import AnyUser, scope_for
from partybuild.accounts.models import User
from partybuild.periods import add_months, add_years

STEP = Organization.steplen


# --- access: the organizations a user sees (access.py decides) ----------------------------------


def visible_orgs(user: AnyUser) -> QuerySet[Organization]:
    """The organizations in the user's scope (none for a member with no other role)."""
    return access.filter_in_scope(user, Organization.objects.all(), org_path="path")


def own_org(user: AnyUser, *, kind: str | None = None) -> Organization | None:
    """Where a user's pages open without ``?org=``: the active organization they are 支部书记 of,
    else the one organization their whole scope is (a 党务干部's committee); None for admins and
    for several scopes. With ``kind``, only an organization of that kind. At most one query."""
    secretary_of = access.secretary_org_ids(user)
    sole_path = access.sole_scope_path(user)
    if not secretary_of and sole_path is None:
        return None
    candidates = visible_orgs(user).filter(status=OrgStatus.ACTIVE)
    if kind is not None:
        candidates = candidates.filter(kind=kind)
    found = list(candidates.filter(Q(pk__in=secretary_of) | Q(path=sole_path or "")).order_by("path"))
    return next((o for o in found if o.pk in secretary_of), None) or (found[0] if found else None)


def writable_orgs(user: AnyUser) -> QuerySet[Organization]:
    # Today every role that sees organizations may also change them.
    return visible_orgs(user)


def get_org_for_user(user: AnyUser, pk: int | str, *, write: bool = False) -> Organization:
    """The organization, or 404 if it is missing or outside the scope; 403 if read-only."""
    return access.get_in_scope(
        user,
        Organization.objects.all(),
        pk,
        org_path="path",
        missing="党组织不存在",
        read_only="您没有修改该党组织的权限",
        write=write,
    )


# --- the 党组织 picker of every page's filter ------------------------------------------------------


# The 党组织 filter lists every active organization the user sees (about 2,000 for the 工委's
# staff). Built in one pass from a narrow query and kept in the cache, keyed on the user's scope
# and on the tree version (every write to the tree bumps it): a change to the tree shows at once,
# and no scope sees another's list. Entries also expire after ten minutes: that bounds staleness where
# the cache is per process (LocMemCache under several worker processes, i.e. without Redis).
ORG_FILTER_CACHE_SECONDS = 600


_INDENT = "\u3000"  # a <select> shows no CSS padding on options: indent with full-width spaces


def _org_filter_cache_key(user: User) -> str | None:
    scope = scope_for(user)
    if scope.is_admin:
        who = "admin"
    elif scope.paths:
        who = hashlib.sha256("|".join(scope.paths).encode()).hexdigest()[:32]
    else:
        return None
    return f"branches:org-filter-options:{tree_version()}:{who}"


# The columns of an organization the filter needs: to draw the option, and to filter by it.
# In the model's column order, as Model.from_db expects them.
_ORG_FILTER_FIELDS = tuple(
    f.attname
    for f in Organization._meta.concrete_fields
    if f.attname in {"id", "path", "depth", "kind", "name", "short_name", "status"}
)


_PK, _DEPTH, _SHORT_NAME = (_ORG_FILTER_FIELDS.index(name) for name in ("id", "depth", "short_name"))


@dataclass
class OrgFilterOptions:
    html: str  # the <option>s, none selected
    # The rows behind ``html`` when it was built in this request (a cache miss), by pk; else None.
    rows: dict[int, tuple[Any, ...]] | None = None


def org_filter_options(user: User) -> OrgFilterOptions:
    """The ``<option>`` elements of the roster's 党组织 filter: the active organizations the user
    sees, in tree order, indented by level. From the cache, or one query."""
    key = _org_filter_cache_key(user)
    if key is None:
        return OrgFilterOptions(html="")
    html = cache.get(key)
    if html is not None:
        return OrgFilterOptions(html=html)
    rows = list(visible_orgs(user).filter(status=OrgStatus.ACTIVE).order_by("path").values_list(*_ORG_FILTER_FIELDS))
    top = min((row[_DEPTH] for row in rows), default=1)
    html = "".join(
        f'<option value="{row[_PK]}">{_INDENT * (row[_DEPTH] - top)}{escape(row[_SHORT_NAME])}</option>' for row in rows
    )
    cache.set(key, html, ORG_FILTER_CACHE_SECONDS)
    return OrgFilterOptions(html=html, rows={row[_PK]: row for row in rows})


def org_filter_org(user: User, pk: int, options: OrgFilterOptions | None = None) -> Organization | None:
    """The organization chosen in the 党组织 filter if the user may filter by it (active, in
    scope), else None. Checked against the database, never against cached options: no query when
    the options were just read from it, else one."""
    if options is not None and options.rows is not None:
        row = options.rows.get(pk)
        return Organization.from_db(DEFAULT_DB_ALIAS, _ORG_FILTER_FIELDS, row) if row else None
    return visible_orgs(user).filter(pk=pk, status=OrgStatus.ACTIVE).only(*_ORG_FILTER_FIELDS).first()


# --- tree version -------------------------------------------------------------------------------

TREE_VERSION_KEY = "branches:tree-version"


def tree_version() -> int:
    """A number that changes whenever an organization is created, changed, moved or dissolved
    (``bump_tree_version``): anything cached from the tree puts it in its key."""
    return cache_versions.current(TREE_VERSION_KEY)


def bump_tree_version() -> None:
    """Call after a write to the tree has committed (``transaction.on_commit``)."""
    cache_versions.bump(TREE_VERSION_KEY)


# --- members under an organization: read by members (branches.roster) -----------------------


def subtree_member_counts(orgs: Iterable[Organization]) -> dict[int, int]:
    """Members on the roster in each organization's whole subtree. One query."""
    return roster().subtree_member_counts(orgs)


def org_member_stats(org: Organization) -> MemberStats:
    """Members on the roster in the organization's subtree: total, 正式, 预备. One query."""
    return roster().org_member_stats(org)


def org_children_and_stats(org: Organization) -> tuple[list[ChildRow], MemberStats]:
    """The detail page's figures: the direct children (dissolved ones too, marked) with their subtree member
    counts, and ``org_member_stats``. Two queries."""
    return roster().org_children_and_stats(org)


def tree_roots(user: User) -> QuerySet[Organization]:
    """The top of the tree as this user sees it: the organizations they hold a role in
    (or the real roots, for an admin)."""
    scope = scope_for(user)
    if scope.is_admin:
        return Organization.objects.filter(depth=1)
    if not scope.paths:
        return Organization.objects.none()
    return Organization.objects.filter(path__in=scope.paths)


def tree_nodes(
    user: User, *, parent: Organization | None = None, levels: int = 2, include_dissolved: bool = False
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


def term_status_summary(user: User) -> dict[str, int]:
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


def org_kind_summary(user: User) -> dict[str, int]:
    rows = visible_orgs(user).filter(status=OrgStatus.ACTIVE).values_list("kind").annotate(n=Count("pk")).order_by()
    return dict(rows)


# --- the detail page ------------------------------------------------------------------------

# Titles that sit on a committee (班子); a 党小组组长 leads a group, not a committee.
COMMITTEE_TITLES = tuple(t for t in PositionTitle if t != PositionTitle.GROUP_LEADER)

_HISTORY_ACTIONS = {"+": "创建", "~": "修改", "-": "删除"}


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


def org_breadcrumbs(user: User, org: Organization) -> list[Organization]:
    """The ancestors of ``org`` the user may see, top first. One query."""
    prefixes = [org.path[:end] for end in range(STEP, len(org.path), STEP)]
    if not prefixes:
        return []
    return list(visible_orgs(user).filter(path__in=prefixes).order_by("path"))


# --- the tree page -----------------------------------------------------------------------------


def tree_forest(user: User, *, parent: Organization | None = None, levels: int = 2) -> list[dict[str, Any]]:
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


def search_orgs(user: User, text: str, limit: int = 50) -> list[dict[str, Any]]:
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


def position_candidates(org: Organization) -> QuerySet[Any]:
    """Members on the roster who may hold a position here: the organization's subtree; for a
    党小组, the members of its branch. The form validates a chosen member against this."""
    return roster().position_candidates(org)


def search_position_candidates(
    org: Organization, text: str, *, limit: int = POSITION_CANDIDATE_LIMIT
) -> tuple[list[Candidate], bool]:
    """Up to ``limit`` candidates whose name or phone contains ``text`` (all of them when it is
    empty), and whether there were more. One query."""
    return roster().search_position_candidates(org, text, limit=limit)
