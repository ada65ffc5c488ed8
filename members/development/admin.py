"""系统管理 of the 发展党员 rule numbers."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from members.development.models import DevelopmentRule
from partybuild.history_admin import ViewOnlyHistoryAdmin


@admin.register(DevelopmentRule)
class DevelopmentRuleAdmin(ViewOnlyHistoryAdmin):
    """The numbers of the 发展党员 rules (18 周岁, 1 个月, 5 个工作日, ...). A change applies to stages
    recorded from then on; deadlines already worked out on a record stay as they were."""

    list_display = ("key", "value", "unit", "basis")
    readonly_fields = ("key", "unit")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # every rule the services read is seeded; a new key would be read by nothing

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
