from django.urls import path

from branches import views

app_name = "branches"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/dissolve/", views.dissolve, name="dissolve"),
    path("<int:pk>/positions/new/", views.position_add, name="position_add"),
    path("<int:pk>/positions/candidates/", views.position_candidates, name="position_candidates"),
    path("positions/<int:pk>/end/", views.position_end_view, name="position_end"),
]
