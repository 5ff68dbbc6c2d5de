from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="list"),
    path("projects/new/", views.ProjectCreateView.as_view(), name="create"),
    path("projects/<str:project_uid>/", views.ProjectHomeView.as_view(), name="detail"),
    path("projects/<str:project_uid>/settings/", views.SettingsView.as_view(), name="settings"),
    path(
        "projects/<str:project_uid>/settings/delete/",
        views.DeleteProjectView.as_view(),
        name="delete",
    ),
    path("projects/<str:project_uid>/settings/users/", views.MembersView.as_view(), name="members"),
    path(
        "projects/<str:project_uid>/settings/users/<int:membership_id>/role/",
        views.MemberRoleView.as_view(),
        name="member-role",
    ),
    path(
        "projects/<str:project_uid>/settings/users/<int:membership_id>/remove/",
        views.MemberRemoveView.as_view(),
        name="member-remove",
    ),
]
