from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.AnalyticsView.as_view(), name="tab"),
    path("export.csv", views.ExportView.as_view(), name="export"),
]
