from django.urls import path, re_path

from .views import analytics, docs, projects

app_name = "api"

urlpatterns = [
    path("projects", projects.ProjectListView.as_view(), name="projects"),
    path("projects/<str:uid>", projects.ProjectDetailView.as_view(), name="project"),
    path("projects/<str:uid>/members", projects.MemberListView.as_view(), name="members"),
    path(
        "projects/<str:uid>/members/<int:userId>",
        projects.MemberDetailView.as_view(),
        name="member",
    ),
    path(
        "experiences/<str:uid>/analytics/summary",
        analytics.SummaryView.as_view(),
        name="analytics-summary",
    ),
    path(
        "experiences/<str:uid>/analytics/time-series",
        analytics.TimeSeriesView.as_view(),
        name="analytics-time-series",
    ),
    path("openapi", docs.OpenApiView.as_view(), name="openapi"),
    path("docs", docs.DocsView.as_view(), name="docs"),
    # Anything else under /api answers in the envelope, not with the HTML 404 page.
    re_path(r"^(?P<path>[\s\S]*)$", docs.not_found, name="not-found"),
]
