from django.urls import path

from . import views

app_name = "audiences"

urlpatterns = [
    path("audiences/", views.AudienceListView.as_view(), name="list"),
    path("audiences/new/", views.AudienceEditorView.as_view(), name="create"),
    path("audiences/<str:audience_uid>/", views.AudienceEditorView.as_view(), name="edit"),
    path("audiences/<str:audience_uid>/delete/", views.AudienceDeleteView.as_view(), name="delete"),
    path("attributes/", views.AttributeListView.as_view(), name="attributes"),
    path("attributes/new/", views.AttributeCreateView.as_view(), name="attribute-create"),
    path("attributes/<str:uid>/edit/", views.AttributeEditView.as_view(), name="attribute-edit"),
    path(
        "attributes/<str:uid>/delete/", views.AttributeDeleteView.as_view(), name="attribute-delete"
    ),
    path("events/", views.EventListView.as_view(), name="events"),
    path("events/new/", views.EventCreateView.as_view(), name="event-create"),
    path("events/<str:uid>/edit/", views.EventEditView.as_view(), name="event-edit"),
    path("events/<str:uid>/delete/", views.EventDeleteView.as_view(), name="event-delete"),
]
