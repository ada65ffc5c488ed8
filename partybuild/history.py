"""A record's change history as its page shows it (templates/_history_card.html): newest first, who,
when, why, and each changed field old → new. One builder over the django-simple-history rows of any
model; each page says which fields to leave out and how to show the few values that need more than
the defaults (a name for a foreign key, a masked ID number)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

# Bookkeeping fields that are never facts of a record.
BOOKKEEPING = frozenset({"id", "created_at", "updated_at"})
LONG_TEXT = 80


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    kind: str  # "+", "~", "-"
    reason: str
    changes: list[FieldChange]


def shown_value(field: models.Field, value: Any) -> str:
    """A stored value as users read it: "—" for nothing, choices by label, 是/否, dates, long
    text cut at 80 characters."""
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    text = str(value)
    return text if len(text) <= LONG_TEXT else text[:LONG_TEXT] + "…"


# ``special(field, value)``: the text for a value the defaults do not show well, or None.
Special = Callable[[models.Field, Any], str | None]


def change_history(
    model: type[models.Model], rows: Sequence[Any], *, skip: Collection[str] = (), special: Special | None = None
) -> list[HistoryEntry]:
    """``rows``: the record's history, oldest first, with ``history_user`` selected. No queries of
    its own (names for foreign keys come through ``special``)."""
    fields = [f for f in model._meta.concrete_fields if f.name not in BOOKKEEPING and f.name not in skip]

    def display(f: models.Field, row: Any) -> str:
        value = getattr(row, f.attname)
        if value not in (None, "") and special is not None:
            text = special(f, value)
            if text is not None:
                return text
        return shown_value(f, value)

    entries: list[HistoryEntry] = []
    previous = None
    for row in rows:
        changes: list[FieldChange] = []
        if previous is not None:
            for f in fields:
                if getattr(previous, f.attname) != getattr(row, f.attname):
                    changes.append(FieldChange(str(f.verbose_name), display(f, previous), display(f, row)))
        who = ""
        if row.history_user is not None:
            who = getattr(row.history_user, "display_name", "") or row.history_user.get_username()
        entries.append(
            HistoryEntry(
                when=row.history_date,
                who=who or "系统",
                kind=row.history_type,
                reason=row.history_change_reason or "",
                changes=changes,
            )
        )
        previous = row
    entries.reverse()
    return entries


def history_rows(record: models.Model, *related: str) -> list[Any]:
    """A record's history, oldest first, with who made each version and the ``related`` objects
    its versions name (one query)."""
    rows = record.history.select_related("history_user", *related)  # type: ignore[attr-defined]
    return list(rows.order_by("history_date", "history_id"))
