from django.urls import path

from . import views

app_name = "preview"

urlpatterns = [
    path("", views.PreviewView.as_view(), name="page"),
]
