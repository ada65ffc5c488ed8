from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from branches.models import OrgKind, OrgStatus, TermStatus
from branches.selectors import org_kind_summary, term_status_summary, tree_version, visible_orgs
from meetings.compliance.selectors import DUE, FAILED, MET, compliance
from meetings.selectors import life_version
from members.roster.choices import ON_ROSTER_STATES, MemberState, MemberType
from members.roster.selectors import visible_members
from members.transfers.selectors import waiting_for_me_count
from partybuild.accounts.access import scope_for
from partybuild.accounts.models import User
from partybuild.periods import Period, PeriodKind


def home_summary(user: User) -> dict[str, Any]:
    """Figures for the 工作台: a handful of aggregate queries over the user's subtree."""
    scope = scope_for(user)
    context: dict[str, Any] = {"scope": scope}
    if not scope.sees_orgs:
        return context
    members = visible_members(user)
    member_stats = members.aggregate(
        on_roster=Count("pk", filter=Q(state__in=ON_ROSTER_STATES)),
        full=Count("pk", filter=Q(state__in=ON_ROSTER_STATES, member_type=MemberType.FULL)),
        probationary=Count("pk", filter=Q(state__in=ON_ROSTER_STATES, member_type=MemberType.PROBATIONARY)),
        mobile=Count("pk", filter=Q(state=MemberState.MOBILE)),
        lost=Count("pk", filter=Q(state=MemberState.LOST)),
    )
    terms = term_status_summary(user)
    kinds = org_kind_summary(user)
    attention = list(
        visible_orgs(user)
        .filter(status=OrgStatus.ACTIVE, term_status__in=[TermStatus.OVERDUE, TermStatus.DUE_SOON])
        .order_by("term_end")[:10]
    )
    # Branches below the minimum of 3 正式党员 or above 50 members (warnings, DOMAIN.md).
    branch_sizes = list(
        visible_orgs(user)
        .filter(status=OrgStatus.ACTIVE, kind="branch")
        .annotate(
            full_count=Count("members", filter=Q(members__state__in=ON_ROSTER_STATES, members__member_type=MemberType.FULL)),
            total=Count("members", filter=Q(members__state__in=ON_ROSTER_STATES)),
        )
        .filter(Q(full_count__lt=3) | Q(total__gt=50))
        .order_by("path")[:10]
    )
    context["life"] = _organizational_life(user)
    context["birthdays"] = political_birthdays(members, timezone.localdate())
    context["transfers_waiting"] = waiting_for_me_count(user)
    context.update(
        {
            "member_stats": member_stats,
            "terms": terms,
            "kinds": kinds,
            "attention": attention,
            "branch_sizes": branch_sizes,
            "org_total": sum(kinds.values()),
            "term_chart": [{"name": TermStatus(k).label, "value": v, "key": k} for k, v in terms.items()],
        }
    )
    return context


def political_birthdays(members: Any, today: Any, *, limit: int = 30) -> dict[str, Any]:
    """政治生日: members on the roster whose 入党日期 falls in this month, by day, with the years since
    (one query for the list, one for the count)."""
    this_month = members.filter(state__in=ON_ROSTER_STATES, joined_on__month=today.month, joined_on__year__lt=today.year)
    rows = list(this_month.select_related("branch").order_by("joined_on__day", "branch__path", "name")[:limit])
    for member in rows:
        member.party_years = today.year - member.joined_on.year
    return {"rows": rows, "total": this_month.count() if len(rows) == limit else len(rows), "month": today.month}


# The figures of a wide scope (a 党委 of many branches) are kept this long at most; any meeting
# or rule change, and any change to the tree, makes them unreachable at once (versioned keys).
LIFE_FIGURES_SECONDS = 10 * 60


def _life_figures_key(user: User, today: Any) -> str:
    scope = scope_for(user)
    who = "admin" if scope.is_admin else hashlib.sha256("|".join(sorted(scope.paths)).encode()).hexdigest()[:24]
    return f"portal:life:{who}:{today:%Y%m%d}:{tree_version()}:{life_version()}"


def _organizational_life(user: User) -> dict[str, Any]:
    """This month's 三会一课 for the user's subtree (three queries, or one cache read for a wide
    scope seen before since the last change): how many 党支部 have held everything, how many are
    still due or failed; for a single-branch scope (a secretary), what is still due, each with
    its 登记 link."""
    today = timezone.localdate()
    month = Period.containing(PeriodKind.MONTH, today)
    key = _life_figures_key(user, today)
    figures = cache.get(key)
    if figures is not None:
        return {"month": month, **figures}
    report = compliance(visible_orgs(user), month, today=today)
    branches = [r for r in report.rows if r.kind == OrgKind.BRANCH]
    figures = {
        "total": len(branches),
        "met": sum(1 for r in branches if r.state == MET),
        "failed": sum(1 for r in branches if r.state == FAILED),
        "due": sum(1 for r in branches if r.state == DUE),
    }
    life: dict[str, Any] = {"month": month, **figures}
    if len(branches) == 1:
        branch = branches[0]
        life["branch"] = branch
        life["due_items"] = [
            {"org": row, "cell": cell}
            for row in report.rows
            if row.pk == branch.pk or (row.kind == OrgKind.GROUP and row.path.startswith(branch.path))
            for cell in row.cells.values()
            if cell.units and cell.state != MET
        ]
    else:
        cache.set(key, figures, LIFE_FIGURES_SECONDS)
    return life


__all__ = ["home_summary"]
