"""Reading a user's notifications: the weightiest first (严重, then 预警, then 提示), newest first
within a level."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, QuerySet, Sum, Value, When, Window

from partybuild.accounts.models import User
from partybuild.notifications.models import Level, Notification

#: The order of the levels, weightiest first.
LEVEL_ORDER: tuple[str, ...] = (Level.DANGER, Level.WARNING, Level.INFO)

_WEIGHT = Case(
    *(When(level=level, then=Value(rank)) for rank, level in enumerate(LEVEL_ORDER)),
    default=Value(len(LEVEL_ORDER)),
    output_field=IntegerField(),
)


def by_weight(notifications: QuerySet[Notification]) -> QuerySet[Notification]:
    """``notifications`` ordered 严重 → 预警 → 提示, the newest first within each level."""
    return notifications.annotate(weight=_WEIGHT).order_by("weight", "-created_at", "-id")


@dataclass
class Unread:
    rows: list[Notification] = field(default_factory=list)  # the weightiest unread, at most ``limit``
    total: int = 0
    by_level: dict[str, int] = field(default_factory=dict)  # level → unread count, every level

    @property
    def levels(self) -> list[tuple[str, str, int]]:
        """(level, its label, count) of the levels that have unread notifications, weightiest first."""
        return [(level, Level(level).label, self.by_level[level]) for level in LEVEL_ORDER if self.by_level.get(level)]

    @property
    def top_level(self) -> str:
        return next((level for level in LEVEL_ORDER if self.by_level.get(level)), Level.INFO)


def unread_for(user: User, *, limit: int) -> Unread:
    """The user's unread notifications for the top bar, in one query: the ``limit`` weightiest,
    each row carrying the counts of all unread by level (windows over the filtered rows, computed
    before the LIMIT)."""
    per_level = {
        f"unread_{level}": Window(Sum(Case(When(level=level, then=Value(1)), default=Value(0), output_field=IntegerField())))
        for level in LEVEL_ORDER
    }
    rows = list(
        by_weight(Notification.objects.filter(recipient=user, read_at__isnull=True)).annotate(
            unread_total=Window(Count("pk")), **per_level
        )[:limit]
    )
    if not rows:
        return Unread(by_level=dict.fromkeys(LEVEL_ORDER, 0))
    first = rows[0]
    return Unread(
        rows=rows,
        total=first.unread_total,  # type: ignore[attr-defined]
        by_level={level: getattr(first, f"unread_{level}") or 0 for level in LEVEL_ORDER},
    )
