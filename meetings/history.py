"""A meeting's change timeline (django-simple-history), shown on its page like a member's: who,
when, why, and each changed field old → new."""

from __future__ import annotations

from typing import Any

from branches.models import Organization
from meetings.models import Meeting
from members.roster.models import Member
from partybuild.history import HistoryEntry, change_history, history_rows

# Bookkeeping, not facts of the meeting (``held_on`` follows ``held_at``).
_SKIP = {"held_on", "created_by"}
_PEOPLE = ("host_id", "recorder_id", "lecturer_id")


def meeting_history(meeting: Meeting) -> list[HistoryEntry]:
    """Newest first. Three queries: the records (with their users), the people and the
    organizations they name."""
    records = history_rows(meeting)
    member_ids = {getattr(r, name) for r in records for name in _PEOPLE} - {None}
    org_ids = {r.organization_id for r in records} - {None}
    names = dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "name")) if member_ids else {}
    orgs = dict(Organization.objects.filter(pk__in=org_ids).values_list("pk", "short_name")) if org_ids else {}

    def special(f: Any, value: Any) -> str | None:
        if f.attname in _PEOPLE:
            return names.get(value, f"#{value}")
        if f.attname == "organization_id":
            return orgs.get(value, f"#{value}")
        return None

    return change_history(Meeting, records, skip=_SKIP, special=special)
