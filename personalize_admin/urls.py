from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from personalize_admin.core import views as core_views

PROJECT = "projects/<str:project_uid>/"

urlpatterns = [
    path("", include("personalize_admin.projects.urls")),
    path(
        PROJECT + "experiences/<str:experience_uid>/analytics/",
        include("personalize_admin.analytics.urls"),
    ),
    path(PROJECT + "experiences/", include("personalize_admin.experiences.urls")),
    path(PROJECT, include("personalize_admin.audiences.urls")),
    path(PROJECT + "preview/", include("personalize_admin.edge.preview_urls")),
    path("signin/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", core_views.healthz, name="healthz"),
    path("edge/", include("personalize_admin.edge.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("personalize_admin.api.urls")),
    path("account/api-tokens/", include("personalize_admin.api.token_urls")),
]

handler400 = "personalize_admin.core.views.bad_request"
handler403 = "personalize_admin.core.views.permission_denied"
handler404 = "personalize_admin.core.views.page_not_found"
handler500 = "personalize_admin.core.views.server_error"

admin.site.site_header = "Personalize Admin"
admin.site.site_title = "Personalize Admin"
admin.site.index_title = "Operations"
