from django.contrib import admin

from partybuild.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "level", "created_at", "read_at")
    list_filter = ("level",)
    search_fields = ("title", "recipient__username")
    raw_id_fields = ("recipient",)
