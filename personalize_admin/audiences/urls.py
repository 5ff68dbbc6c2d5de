from django.urls import path

from . import views

app_name = "audiences"

urlpatterns = [
    path("audiences/", views.AudienceListView.as_view(), name="list"),
    path("attributes/", views.AttributeListView.as_view(), name="attributes"),
    path("events/", views.EventListView.as_view(), name="events"),
]
