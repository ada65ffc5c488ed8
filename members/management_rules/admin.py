"""系统管理 of the member-management rule numbers."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from members.management_rules.models import ManagementRule
from partybuild.history_admin import ViewOnlyHistoryAdmin


@admin.register(ManagementRule)
class ManagementRuleAdmin(ViewOnlyHistoryAdmin):
    """The numbers of member management (未交党费 and 未参加组织生活 warned at 3 months and flagged at 6,
    补交 up to 6 months, transfers waiting 7 days, 发展党员 deadlines 30 days ahead). The reads take
    the number from here each time, so a change applies from then on; each change is kept in the
    history (who, when, the old number). Like the 发展党员 rules: the number and its basis may be
    changed, a rule is never added (nothing would read it) nor deleted (the reads need it)."""

    list_display = ("key", "value", "unit", "basis")
    readonly_fields = ("key", "unit")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # every rule the reads use is seeded; a new key would be read by nothing

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
