"""The root URLconf. It names every app's URLs, so it sits in portal, the top layer."""

from django.contrib import admin
from django.urls import include, path

from branches import urls as branches_urls
from meetings import urls as meetings_urls
from members import urls as members_urls
from members.development import urls as development_urls
from members.transfers import urls as transfers_urls
from partybuild.accounts import urls as accounts_urls
from partybuild.notifications import urls as notifications_urls
from portal import api_urls
from portal import views as portal_views

admin.site.site_header = "机关党建工作平台 · 系统管理"
admin.site.site_title = "机关党建工作平台"
admin.site.index_title = "系统管理"

# The portal's own pages, under the "portal" namespace.
portal_patterns = ([path("", portal_views.home, name="home")], "portal")

urlpatterns = [
    path("", include(portal_patterns)),
    path("accounts/", include(accounts_urls)),
    path("notifications/", include(notifications_urls)),
    path("orgs/", include(branches_urls)),
    path("members/", include(members_urls)),
    path("meetings/", include(meetings_urls)),
    path("transfers/", include(transfers_urls)),
    path("development/", include(development_urls)),
    path("api/v1/", include(api_urls)),
    path("admin/", admin.site.urls),
    path("healthz/", portal_views.healthz, name="healthz"),
]

handler404 = portal_views.not_found
handler403 = portal_views.forbidden
