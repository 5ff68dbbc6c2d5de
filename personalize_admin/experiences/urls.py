from django.urls import path

from . import views

app_name = "experiences"

EXPERIENCE = "<str:experience_uid>/"

urlpatterns = [
    path("", views.ExperienceListView.as_view(), name="list"),
    path("new/", views.ExperienceCreateView.as_view(), name="create"),
    path("prioritize/", views.PrioritizeView.as_view(), name="prioritize"),
    path("prioritize/list/", views.PrioritizeListView.as_view(), name="prioritize-list"),
    path(EXPERIENCE, views.OverviewView.as_view(), name="detail"),
    path(EXPERIENCE + "configuration/", views.ConfigurationView.as_view(), name="configuration"),
    path(EXPERIENCE + "draft/", views.DraftView.as_view(), name="draft"),
    path(EXPERIENCE + "compare/", views.CompareView.as_view(), name="compare"),
    path(EXPERIENCE + "create-draft/", views.CreateDraftView.as_view(), name="create-draft"),
    path(EXPERIENCE + "pause/", views.PauseView.as_view(), name="pause"),
    path(EXPERIENCE + "resume/", views.ResumeView.as_view(), name="resume"),
    path(EXPERIENCE + "discard/", views.DiscardView.as_view(), name="discard"),
    path(EXPERIENCE + "delete/", views.DeleteView.as_view(), name="delete"),
    path(EXPERIENCE + "versions/<int:number>/", views.VersionView.as_view(), name="version"),
    path(
        EXPERIENCE + "versions/<int:number>/restore/", views.RestoreView.as_view(), name="restore"
    ),
]
