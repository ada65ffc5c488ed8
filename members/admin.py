from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Member


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ("name", "gender", "branch", "member_type", "state", "joined_on")
    list_filter = ("member_type", "state", "education", "dues_category")
    search_fields = ("name", "phone", "id_number")
    raw_id_fields = ("branch", "group", "user")

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
