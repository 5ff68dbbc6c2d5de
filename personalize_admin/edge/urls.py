"""The Edge API: ``Personalize.setEdgeApiUrl("https://<host>/edge")``."""

from django.urls import path

from . import views

app_name = "edge"

urlpatterns = [
    path("manifest", views.manifest, name="manifest"),
    path("user-attributes", views.user_attributes, name="user_attributes"),
    path(
        "user-attributes/actions/merge",
        views.merge_user_attributes,
        name="merge_user_attributes",
    ),
    path("events", views.events, name="events"),
    path("ping", views.ping, name="ping"),
]
