from django.urls import path

from meetings import attachment_views, attendance_views, book_views, views
from meetings.compliance import views as compliance_views

app_name = "meetings"
urlpatterns = [
    # The meeting book (book_views.py).
    path("", book_views.meeting_list, name="list"),
    path("export/", book_views.meeting_export, name="export"),
    # A meeting and its attendance (views.py).
    path("new/", views.meeting_new, name="new"),
    path("roll/", views.meeting_roll, name="roll"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/cancel/", views.meeting_cancel_view, name="cancel"),
    path("<int:pk>/print/", views.meeting_print, name="print"),
    # Its photos and sign-in sheets (attachment_views.py).
    path("<int:pk>/attachments/", attachment_views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", attachment_views.attachment_download, name="attachment_download"),
    path("<int:pk>/attachments/<int:attachment_pk>/remove/", attachment_views.attachment_remove_view, name="attachment_remove"),
    # A member's attendance card, loaded into the member record (attendance_views.py).
    path("members/<int:member_pk>/attendance/", attendance_views.member_attendance_card, name="member_attendance"),
    # Compliance (compliance/views.py).
    path("month/", compliance_views.month, name="month"),
    path("compliance/", compliance_views.compliance_matrix, name="compliance"),
    path("compliance/export/", compliance_views.compliance_export, name="compliance_export"),
    path("dual-life/", compliance_views.dual_life, name="dual_life"),
]
