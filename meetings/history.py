"""A meeting's change timeline (django-simple-history), shown on its page like a member's: who,
when, why, and each changed field old → new."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from branches.models import Organization
from members.models import Member
from members.selectors import FieldChange, HistoryEntry

from .models import Meeting

# Bookkeeping, not facts of the meeting.
_SKIP = {"id", "created_at", "updated_at", "held_on", "created_by"}
_PEOPLE = ("host_id", "recorder_id", "lecturer_id")


def _fields() -> list[Any]:
    return [f for f in Meeting._meta.concrete_fields if f.name not in _SKIP]


def meeting_history(meeting: Meeting) -> list[HistoryEntry]:
    """Newest first. Three queries: the records (with their users), the people and the
    organizations they name."""
    records = list(meeting.history.select_related("history_user").order_by("history_date", "history_id"))
    fields = _fields()
    member_ids = {getattr(r, name) for r in records for name in _PEOPLE} - {None}
    org_ids = {r.organization_id for r in records} - {None}
    names = dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "name")) if member_ids else {}
    orgs = dict(Organization.objects.filter(pk__in=org_ids).values_list("pk", "short_name")) if org_ids else {}

    def display(f: Any, record: Any) -> str:
        value = getattr(record, f.attname)
        if value in (None, ""):
            return "—"
        if f.attname in _PEOPLE:
            return names.get(value, f"#{value}")
        if f.attname == "organization_id":
            return orgs.get(value, f"#{value}")
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, datetime.datetime):
            return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
        text = str(value)
        return text if len(text) <= 80 else text[:80] + "…"

    entries: list[HistoryEntry] = []
    previous = None
    for r in records:
        changes: list[FieldChange] = []
        if previous is not None:
            for f in fields:
                if getattr(previous, f.attname) != getattr(r, f.attname):
                    changes.append(FieldChange(str(f.verbose_name), display(f, previous), display(f, r)))
        who = ""
        if r.history_user is not None:
            who = getattr(r.history_user, "display_name", "") or r.history_user.get_username()
        entries.append(
            HistoryEntry(
                when=r.history_date, who=who or "系统", kind=r.history_type, reason=r.history_change_reason or "", changes=changes
            )
        )
        previous = r
    entries.reverse()
    return entries
