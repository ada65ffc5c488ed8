"""Reading the member-management numbers: ``management_rules()`` takes the whole table
(``members.management_rules.models.ManagementRule``) in one query, and its ``value(key)`` answers
a number or raises ImproperlyConfigured for a missing row (never a silent default)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured

from members.management_rules.models import ManagementRule, ManagementRuleKey


class ManagementRules:
    """The rule table, read once per call of a read or a job."""

    def __init__(self, rows: Iterable[ManagementRule]) -> None:
        self._rows = {row.key: row for row in rows}

    def __getitem__(self, key: str) -> ManagementRule:
        try:
            return self._rows[key]
        except KeyError:
            raise ImproperlyConfigured(f"党员管理规则“{ManagementRuleKey(key).label}”缺失，请在党员管理规则表中补充。") from None

    def value(self, key: str) -> int:
        return self[key].value


def management_rules() -> ManagementRules:
    """The whole table: one query."""
    return ManagementRules(ManagementRule.objects.all())
