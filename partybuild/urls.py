from django.contrib import admin
from django.urls import include, path

from partybuild.portal import views as portal_views

admin.site.site_header = "机关党建工作平台 · 系统管理"
admin.site.site_title = "机关党建工作平台"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", include("partybuild.portal.urls")),
    path("accounts/", include("partybuild.accounts.urls")),
    path("notifications/", include("partybuild.notifications.urls")),
    path("orgs/", include("branches.urls")),
    path("members/", include("members.urls")),
    path("meetings/", include("meetings.urls")),
    path("transfers/", include("members.transfers.urls")),
    path("development/", include("members.development.urls")),
    path("api/v1/", include("partybuild.api_urls")),
    path("admin/", admin.site.urls),
    path("healthz/", portal_views.healthz, name="healthz"),
]

handler404 = "partybuild.portal.views.not_found"
handler403 = "partybuild.portal.views.forbidden"
