"""Reads over the tree that span models. Fixed query counts whatever the tree size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet

from members.models import ON_ROSTER_STATES, Member
from partybuild.accounts.access import scope_for, visible_orgs

from .models import Organization, OrgStatus, TermStatus

STEP = Organization.steplen


def subtree_member_counts(orgs: Iterable[Organization]) -> dict[int, int]:
    """Members on the roster in each organization's whole subtree: one grouped query."""
    orgs = list(orgs)
    if not orgs:
        return {}
    roots = _reduce([o.path for o in orgs])
    q = Q()
    for p in roots:
        q |= Q(branch__path__startswith=p)
    per_branch = (
        Member.objects.filter(q, state__in=ON_ROSTER_STATES).values_list("branch__path").annotate(n=Count("pk")).order_by()
    )
    by_prefix: dict[str, int] = defaultdict(int)
    for path, n in per_branch:
        for end in range(STEP, len(path) + 1, STEP):
            by_prefix[path[:end]] += n
    return {o.pk: by_prefix.get(o.path, 0) for o in orgs}


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
