from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.member_create_view, name="create"),
    path("groups/", views.group_options, name="groups"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit_view, name="edit"),
    path("<int:pk>/state/", views.member_state_view, name="state"),
]
