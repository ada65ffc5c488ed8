from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from branches.models import Organization, OrgStatus, TermStatus
from branches.selectors import org_kind_summary, term_status_summary
from members.models import ON_ROSTER_STATES, MemberState, MemberType
from partybuild.accounts.access import scope_for, visible_members, visible_orgs


def home_summary(user: Any) -> dict[str, Any]:
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


__all__ = ["Organization", "home_summary"]
