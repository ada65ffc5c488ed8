from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Organization, Position, TermLengthRule


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    """Read and correct records. The tree itself (create, move) is kept in the portal, whose
    services enforce the parent rules."""

    list_display = ("name", "code", "kind", "category", "term_end", "term_status", "status")
    list_filter = ("kind", "category", "term_status", "status")
    search_fields = ("name", "short_name", "code")
    readonly_fields = ("path", "depth", "numchild", "term_end", "term_status")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Position)
class PositionAdmin(SimpleHistoryAdmin):
    list_display = ("organization", "title", "member", "started_on", "ended_on")
    list_filter = ("title",)
    search_fields = ("organization__name", "member__name")
    raw_id_fields = ("organization", "member")

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TermLengthRule)
class TermLengthRuleAdmin(admin.ModelAdmin):
    list_display = ("kind", "category", "years")
