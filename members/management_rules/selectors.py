"""The numbers of member management as data: when a member behind with dues or without
organizational life is warned and flagged (自行脱党, 党章 第九条), how far back a payment is
normal (2008 党费规定), how long a transfer may wait on one side, how far ahead 发展党员
deadlines are reminded.

Seeded by a data migration with the defaults of DOMAIN.md; 系统管理员 change a number in the admin
(in place, with its history: who, when, the old value) and the reads use it from then on. Each
read takes the whole table in one query (``management_rules()``). A missing row is a configuration
error, never a silent default. Imported at the end of ``members/models.py`` (so Django finds the
model in the ``members`` app); the 发展党员 numbers have their own table
(``members.development.models.DevelopmentRule``), of the same shape.
"""

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
