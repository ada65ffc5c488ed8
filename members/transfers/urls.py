"""组织关系转接 pages, mounted at /transfers/ (members.transfers.views)."""

from django.urls import path

from members.transfers import views

app_name = "transfers"


urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("new/", views.transfer_new, name="new"),
    path("new/members/", views.member_options_view, name="member_options"),
    path("new/dues-paid-to/", views.member_dues_paid_to_view, name="member_dues_paid_to"),
    path("<int:pk>/", views.transfer_detail, name="detail"),
    path("<int:pk>/approve-out/", views.transfer_approve_out_view, name="approve_out"),
    path("<int:pk>/accept/", views.transfer_accept_view, name="accept"),
    path("<int:pk>/return/", views.transfer_return_view, name="return"),
    path("<int:pk>/suspend/", views.transfer_suspend_view, name="suspend"),
    path("<int:pk>/resume/", views.transfer_resume_view, name="resume"),
]
