"""发展党员 pages, mounted at /development/ (app_name "development")."""

from django.urls import path

from members.development import views

app_name = "development"


urlpatterns = [
    path("", views.pipeline, name="pipeline"),
    path("new/", views.application_new, name="new"),
    path("<int:pk>/", views.record_detail, name="detail"),
    path("<int:pk>/step/<slug:step>/", views.record_step, name="step"),
    path("<int:pk>/person/", views.record_person, name="person"),
    path("<int:pk>/correct/<slug:fact>/", views.record_correct, name="correct"),
]
