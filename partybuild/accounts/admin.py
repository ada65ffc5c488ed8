from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from partybuild.accounts.models import RoleAssignment, User
from partybuild.history_admin import ViewOnlyHistoryAdmin


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    fields = ("role", "organization", "granted_at", "revoked_at")
    readonly_fields = ("granted_at",)
    autocomplete_fields = ("organization",)
    can_delete = False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("党建平台", {"fields": ("full_name",)}))
    list_display = ("username", "full_name", "is_active", "is_superuser", "last_login")
    search_fields = ("username", "full_name")
    inlines = [RoleInline]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # deactivate instead: the history of who did what must keep its user


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ViewOnlyHistoryAdmin):
    list_display = ("user", "role", "organization", "granted_at", "revoked_at")
    list_filter = ("role", "revoked_at")
    search_fields = ("user__username", "user__full_name", "organization__name")
    autocomplete_fields = ("user", "organization")

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
