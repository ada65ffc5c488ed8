from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from branches import services
from branches.models import Organization, Position, TermLengthRule
from partybuild.history_admin import ViewOnlyHistoryAdmin


@admin.register(Organization)
class OrganizationAdmin(ViewOnlyHistoryAdmin):
    """Read and correct the record's plain fields. The tree (create, move), the kind, terms'
    computed fields and dissolving are kept in the portal, whose services enforce their rules;
    a save here goes through ``organization_update`` too."""

    list_display = ("name", "code", "kind", "category", "term_end", "term_status", "status")
    list_filter = ("kind", "category", "term_status", "status")
    search_fields = ("name", "short_name", "code")
    readonly_fields = (
        "kind",
        "status",
        "dissolved_on",
        "dissolve_reason",
        "term_end",
        "term_status",
        "path",
        "depth",
        "numchild",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Organization | None = None) -> bool:
        # A dissolved organization is a closed record: shown, not changed.
        if obj is not None and not obj.is_active:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Organization, form: ModelForm, change: bool) -> None:
        fields: dict[str, Any] = {
            name: form.cleaned_data[name] for name in services.ORG_EDITABLE_FIELDS if name in form.cleaned_data
        }
        services.organization_update(org=obj, actor=request.user, **fields)
        obj.refresh_from_db()


@admin.register(Position)
class PositionAdmin(ViewOnlyHistoryAdmin):
    list_display = ("organization", "title", "member", "started_on", "ended_on")
    list_filter = ("title",)
    search_fields = ("organization__name", "member__name")
    raw_id_fields = ("organization", "member")

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TermLengthRule)
class TermLengthRuleAdmin(admin.ModelAdmin):
    list_display = ("kind", "category", "years")
