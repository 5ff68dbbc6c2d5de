"""The OpenAPI document: error responses, auth schemes and the project header,
derived from each view so the document always says what the view answers.

``ApiAutoSchema`` adds to every operation the errors its view can answer (401,
403, 404, 400/413/415/422 for request bodies, 429, 503); an endpoint declares only
its own success responses and the domain conflicts it can meet, with
``errors(...)``::

    @extend_schema(
        summary="Create an attribute",
        request=AttributeInputSerializer,
        responses={201: AttributeSerializer, 409: errors("personalize.ATTRIBUTES.DUPLICATE_KEY")},
    )
"""

import re

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import serializers

from personalize_admin.core.uids import UID_PATTERN
from personalize_admin.projects.models import ProjectPermission

PROJECT_HEADER = "x-project-uid"
PATH_VARIABLE = re.compile(r"{(\w+)}")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
BODY_METHODS = {"POST", "PUT", "PATCH"}


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "description": "Messages per field path in the request body, e.g. `variants[1].audiences`; "
        "empty when the error is not about a field.",
        "example": {"variants[1].audiences": ["Choose at least one audience."]},
    }
)
class FieldErrorsField(serializers.DictField):
    child = serializers.ListField(child=serializers.CharField())


class ErrorSerializer(serializers.Serializer):
    """The envelope of every error response."""

    error = serializers.CharField(
        help_text="Machine-readable code, e.g. `personalize.PROJECTS.DUPLICATE_NAME`."
    )
    message = serializers.CharField(help_text="A sentence for people.")
    errors = FieldErrorsField()

    class Meta:
        ref_name = "Error"


def errors(*codes, description=""):
    """An error response documenting the codes an endpoint can answer with its status."""
    listed = ", ".join(f"`{code}`" for code in codes)
    text = " ".join(part for part in (description, f"Codes: {listed}." if codes else "") if part)
    return OpenApiResponse(ErrorSerializer, description=text)


GENERIC_ERRORS = {
    "400": "Malformed request: the body is not valid JSON{header}.",
    "401": "No token, or an invalid or revoked one (`personalize.UNAUTHORIZED`).",
    "403": "{forbidden} (`personalize.FORBIDDEN`).",
    "404": "{not_found} (`personalize.NOT_FOUND`).",
    "413": "The request body is too large (`personalize.PAYLOAD_TOO_LARGE`).",
    "415": "The body is not JSON: send `Content-Type: application/json` "
    "(`personalize.UNSUPPORTED_MEDIA_TYPE`).",
    "422": "Invalid fields; `errors` names each field path (`personalize.VALIDATION_FAILED` "
    "or a more specific code).",
    "429": "Too many requests for this token; retry after `Retry-After` seconds "
    "(`personalize.TOO_MANY_REQUESTS`).",
    "503": "The database cannot be reached for a moment; retry after `Retry-After` seconds "
    "(`personalize.SERVICE_UNAVAILABLE`).",
}


class ApiAutoSchema(AutoSchema):
    """Adds the errors each operation can answer, the ``x-project-uid`` header for
    project-scoped views and the ``Retry-After`` header of 429 responses."""

    def get_description(self):
        # The handler's docstring only: a view class's docstring is written for developers.
        handler = getattr(self.view, self.method.lower(), None)
        return get_doc(handler) if handler is not None else ""

    def _view_attr(self, name, default=None):
        return getattr(self.view, name, default)

    def _header_scoped(self):
        return self._view_attr("project_scope") == "header"

    def _project_scoped(self):
        return self._view_attr("project_scope") in {"header", "path"}

    def _has_request_body(self):
        return self.method in BODY_METHODS and self.get_request_serializer() is not None

    def _required_permission(self):
        getter = self._view_attr("get_required_permission")
        return getter(self.method) if getter else None

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._header_scoped():
            parameters.append(
                OpenApiParameter(
                    PROJECT_HEADER,
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=True,
                    description="The uid of the project to work in (Settings → General → UID).",
                )
            )
        for name in PATH_VARIABLE.findall(self.path):
            if name == "uid" or name.endswith("Uid"):
                parameters.append(
                    OpenApiParameter(
                        name,
                        {"type": "string", "pattern": f"^{UID_PATTERN}$"},
                        OpenApiParameter.PATH,
                        description="24 lowercase hex characters.",
                    )
                )
        parameters.append(
            OpenApiParameter(
                "Retry-After",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                response=[429, 503],
                description="Seconds to wait before the next request.",
            )
        )
        return parameters

    def get_error_statuses(self):
        """``{status: description}`` of the errors this operation can answer besides its own."""
        statuses = {key: GENERIC_ERRORS[key] for key in ("401", "429", "503")}
        has_body = self._has_request_body()
        if has_body or self._header_scoped():
            header = (
                f", or the `{PROJECT_HEADER}` header is missing" if self._header_scoped() else ""
            )
            statuses["400"] = GENERIC_ERRORS["400"].format(header=header)
        permission = self._required_permission()
        role_limited = permission not in (None, ProjectPermission.VIEW)
        if self.method in UNSAFE_METHODS or role_limited:
            reasons = []
            if role_limited:
                reasons.append("your role or permissions do not allow this")
            if self.method in UNSAFE_METHODS:
                reasons.append("a browser session sent no valid CSRF token")
            forbidden = "; or ".join(reasons)
            statuses["403"] = GENERIC_ERRORS["403"].format(
                forbidden=forbidden[:1].upper() + forbidden[1:]
            )
        if "{" in self.path or self._project_scoped():
            what = "The project or object does not exist, or you are not a member of the project"
            statuses["404"] = GENERIC_ERRORS["404"].format(not_found=what)
        if has_body:
            for status in ("413", "415", "422"):
                statuses[status] = GENERIC_ERRORS[status]
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status, description in self.get_error_statuses().items():
            if status in responses:
                continue
            responses[status] = self._get_response_for_code(
                OpenApiResponse(ErrorSerializer, description=description),
                status,
                direction=direction,
            )
        return dict(sorted(responses.items()))


class AuthTokenHeaderScheme(OpenApiAuthenticationExtension):
    target_class = "personalize_admin.api.authentication.AuthTokenHeaderAuthentication"
    name = "authtoken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "authtoken",
            "description": "An API token (user menu → API tokens, "
            "or `manage.py drf_create_token`).",
        }


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "personalize_admin.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'The same token with the prefix "Token": '
            "`Authorization: Token <token>`.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "personalize_admin.api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "A signed-in browser on the same origin; unsafe methods also need "
            "the `X-CSRFToken` header.",
        }
