"""Meetings in the Django admin: the frequency rules are edited here by 系统管理员; meetings are
read here and recorded in the portal, whose services enforce their rules.

A frequency rule is versioned by the date it takes effect: a rule that is in force, or was,
judged periods that have begun, so its numbers are not edited in place (that would rewrite old
verdicts). To change a requirement, add a rule with a later 生效日期; only its note stays
editable. A rule that has not taken effect yet may still be corrected. Rules are never deleted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from meetings.models import FrequencyRule, Meeting
from partybuild.history_admin import VersionedRuleAdmin, ViewOnlyHistoryAdmin


@admin.register(FrequencyRule)
class FrequencyRuleAdmin(VersionedRuleAdmin):
    list_display = ("org_kind", "meeting_type", "period_kind", "min_count", "effective_from", "note")
    list_filter = ("org_kind", "meeting_type", "period_kind")
    ordering = ("org_kind", "meeting_type", "-effective_from")
    versioned_fields = ("meeting_type", "org_kind", "period_kind", "min_count", "effective_from")


@admin.register(Meeting)
class MeetingAdmin(ViewOnlyHistoryAdmin):
    list_display = ("topic", "organization", "meeting_type", "status", "held_on")
    list_filter = ("meeting_type", "status")
    search_fields = ("topic", "organization__name")
    date_hierarchy = "held_on"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
