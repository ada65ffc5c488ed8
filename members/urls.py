from django.urls import path

from members.dues import views as dues_views
from members.imports import views as import_views
from members.roster import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.member_create_view, name="create"),
    path("groups/", views.group_options, name="groups"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit_view, name="edit"),
    path("<int:pk>/state/", views.member_state_view, name="state"),
    path("export.xlsx", import_views.roster_export, name="export"),
    path("import/", import_views.import_upload, name="import"),
    path("import/template.xlsx", import_views.import_template, name="import_template"),
    path("import/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("import/<int:pk>/status/", import_views.import_status, name="import_status"),
    path("import/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/cancel/", import_views.import_cancel, name="import_cancel"),
    path("import/<int:pk>/errors.xlsx", import_views.import_errors, name="import_errors"),
    path("import/<int:pk>/file/", import_views.import_file, name="import_file"),
    path("dues/", dues_views.dues_month, name="dues_month"),
    path("dues/export.xlsx", dues_views.dues_month_export, name="dues_month_export"),
    path("dues/year/", dues_views.dues_year, name="dues_year"),
    path("dues/year/preview/", dues_views.dues_year_preview, name="dues_year_preview"),
    path("dues/arrears/", dues_views.dues_arrears, name="dues_arrears"),
]
