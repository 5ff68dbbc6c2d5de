"""Base classes of every Management API endpoint (see the package docstring)."""

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from personalize_admin.core.uids import is_uid
from personalize_admin.projects.access import resolve_access
from personalize_admin.projects.models import ProjectPermission

from ..negotiation import JsonOnlyNegotiation
from ..schema import PROJECT_HEADER
from ..throttling import AnonymousRateThrottle

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Larger numbers cannot be ids; refusing them early keeps them away from the database.
MAX_ID = 2**31 - 1


class MissingProjectHeader(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "project_uid_required"
    default_detail = f"Send the project's uid in the {PROJECT_HEADER} header."


class ApiView(APIView):
    """JSON in and out, token or session authentication, throttling, the error envelope.

    ``required_permissions`` maps an HTTP method to the Django permission it needs
    (``{"POST": "projects.add_project"}``); methods not listed need only a signed-in caller.
    """

    content_negotiation_class = JsonOnlyNegotiation
    http_method_names = ["get", "post", "put", "patch", "delete", "head"]
    required_permissions = {}
    permission_denied_message = "You are not allowed to do this."

    def perform_authentication(self, request):
        try:
            request.user  # noqa: B018 (authenticates)
        except exceptions.AuthenticationFailed:
            # Failed credentials count against the caller's address: guessing tokens is throttled.
            throttle = AnonymousRateThrottle()
            if not throttle.allow_request(request, self):
                self.throttled(request, throttle.wait())
            raise

    def initial(self, request, *args, **kwargs):
        # DRF's order, except that throttling comes before the permission check, so
        # requests without credentials use up their address's budget too.
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(
            request
        )
        request.version, request.versioning_scheme = self.determine_version(
            request, *args, **kwargs
        )
        self.perform_authentication(request)
        self.check_throttles(request)
        self.check_permissions(request)
        if request.method.lower() not in self.http_method_names or not hasattr(
            self, request.method.lower()
        ):
            raise exceptions.MethodNotAllowed(request.method)
        self.check_required_permission(request)

    def get_required_permission(self, method):
        return self.required_permissions.get(method.upper())

    def check_required_permission(self, request):
        needed = self.get_required_permission(request.method)
        if needed and not request.user.has_perm(needed):
            raise exceptions.PermissionDenied(self.permission_denied_message)

    # ---- helpers for handlers ----

    def parse(self, serializer_class, *, partial=False, **context):
        """The request body validated by ``serializer_class`` (shape only), as snake_case data."""
        serializer = serializer_class(
            data=self.request.data,
            partial=partial,
            context={**self.get_serializer_context(), **context},
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def respond(self, serializer_class, instance, *, status=status.HTTP_200_OK, many=False):
        serializer = serializer_class(instance, many=many, context=self.get_serializer_context())
        return Response(serializer.data, status=status)

    def no_content(self):
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_serializer_context(self):
        return {"request": self.request, "view": self}


class ProjectScopedApiView(ApiView):
    """An endpoint inside one project.

    The project comes from the ``x-project-uid`` header (``project_scope = "header"``)
    or from the URL's ``uid`` (``project_scope = "path"``) and is resolved with the
    same ``resolve_access`` as the web UI: a missing header is 400, a project that
    does not exist or that the caller is not a member of is 404, and a role without
    the method's permission is 403. ``required_permissions`` maps methods to project
    permissions (``ProjectPermission``); by default reading needs ``view_project``
    and writing ``edit_content``, exactly like the UI's ``ProjectScopedMixin``.
    Handlers get ``self.project`` and ``self.access``.
    """

    project_scope = "header"
    project_url_kwarg = "uid"
    read_permission = ProjectPermission.VIEW
    write_permission = ProjectPermission.EDIT_CONTENT
    permission_denied_message = "Your role in this project does not allow this."

    def get_required_permission(self, method):
        method = method.upper()
        if method in self.required_permissions:
            return self.required_permissions[method]
        return self.read_permission if method in SAFE_METHODS else self.write_permission

    def get_project_uid(self):
        if self.project_scope == "path":
            return self.kwargs[self.project_url_kwarg]
        value = self.request.headers.get(PROJECT_HEADER)
        if value is None or not value.strip():
            raise MissingProjectHeader()
        return value.strip()

    def check_required_permission(self, request):
        self.access = resolve_access(request.user, self.get_project_uid())
        self.project = self.access.project
        needed = self.get_required_permission(request.method)
        if needed and not self.access.can(needed):
            raise exceptions.PermissionDenied(self.permission_denied_message)


def get_object_or_404(queryset, **lookup):
    """``queryset.get(**lookup)``, or 404 for a missing object and for any ``*uid``
    or ``*id`` value that cannot be one (so it never reaches the database)."""
    for key, value in lookup.items():
        if key.endswith("uid") and not is_uid(value):
            raise _not_found(queryset)
        if key.endswith("id") and isinstance(value, int) and not 0 < value <= MAX_ID:
            raise _not_found(queryset)
    try:
        return queryset.get(**lookup)
    except ObjectDoesNotExist:
        raise _not_found(queryset) from None


def _not_found(queryset):
    return Http404(f"No such {queryset.model._meta.verbose_name}.")
