from django.urls import path, re_path

from .views import analytics, audiences, docs, experiences, projects

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
    path("attributes", audiences.AttributeListView.as_view(), name="attributes"),
    path("attributes/<str:uid>", audiences.AttributeDetailView.as_view(), name="attribute"),
    path("events", audiences.EventListView.as_view(), name="events"),
    path("events/<str:uid>", audiences.EventDetailView.as_view(), name="event"),
    path("audiences", audiences.AudienceListView.as_view(), name="audiences"),
    path("audiences/<str:uid>", audiences.AudienceDetailView.as_view(), name="audience"),
    path("experiences", experiences.ExperienceListView.as_view(), name="experiences"),
    path("experiences/<str:uid>", experiences.ExperienceDetailView.as_view(), name="experience"),
    path("experiences/<str:uid>/versions", experiences.VersionListView.as_view(), name="versions"),
    path(
        "experiences/<str:uid>/versions/<str:versionUid>",
        experiences.VersionDetailView.as_view(),
        name="version",
    ),
    path("experiences-priority", experiences.PriorityView.as_view(), name="experiences-priority"),
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
