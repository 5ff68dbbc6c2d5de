"""``/api/openapi`` (the OpenAPI 3 document), ``/api/docs`` (Swagger UI served
from local files) and the envelope for paths under ``/api`` that match nothing."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer

from ..exceptions import error_response


class OpenApiView(SpectacularAPIView):
    """JSON by default; ``?format=yaml`` for YAML."""

    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]

    def handle_exception(self, exc):
        # Errors are plain JSON envelopes, not OpenAPI documents.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


class DocsView(LoginRequiredMixin, TemplateView):
    template_name = "api/docs.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["schema_url"] = reverse("api:openapi")
        return context


@csrf_exempt  # answers every method with 404; nothing to protect, and no HTML 403 page
def not_found(request, path=""):
    message = "No such endpoint. The API's paths are listed at /api/docs."
    if request.path.endswith("/") and request.path != "/api/":
        suggestion = request.path.rstrip("/")
        message = f"No such endpoint. The API's paths have no trailing slash: try {suggestion}."
    return error_response(404, "personalize.NOT_FOUND", message)
