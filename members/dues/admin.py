"""系统管理 of the dues table (党费标准), versioned by 生效日期."""

from django.contrib import admin

from members.dues.models import DuesRule
from partybuild.history_admin import VersionedRuleAdmin


@admin.register(DuesRule)
class DuesRuleAdmin(VersionedRuleAdmin):
    """The dues table: 系统管理员 add a version with a later 生效日期 to change it."""

    list_display = ("category", "income_above", "income_up_to", "rate", "flat_amount", "effective_from", "note")
    list_filter = ("category",)
    ordering = ("category", "-effective_from", "income_above")
    versioned_fields = (
        "category",
        "income_above",
        "income_up_to",
        "rate",
        "flat_amount",
        "flat_min",
        "flat_max",
        "effective_from",
    )
