"""Resolving what the current user may do in a project, once per request."""

from dataclasses import dataclass, field

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from guardian.shortcuts import get_user_perms

from personalize_admin.core.uids import is_uid

from .models import Project, ProjectPermission, Role
from .roles import ALL_PERMISSIONS, role_for_permissions


@dataclass(frozen=True)
class ProjectAccess:
    project: Project
    role: str
    perms: frozenset = field(default_factory=frozenset)

    def can(self, perm):
        return perm in self.perms

    @property
    def is_owner(self):
        return self.role == Role.OWNER

    @property
    def can_edit(self):
        return ProjectPermission.EDIT_CONTENT in self.perms

    @property
    def can_manage(self):
        return ProjectPermission.MANAGE_MEMBERS in self.perms


def resolve_access(user, project_uid):
    """The user's access to the project with ``project_uid``.

    Raises ``Http404`` when the project does not exist or the user may not see
    it: a non-member cannot tell the two apart. Superusers act as Owners.
    """
    if not is_uid(project_uid):
        raise Http404("No such project.")
    try:
        project = Project.objects.get(uid=project_uid)
    except Project.DoesNotExist:
        raise Http404("No such project.") from None
    if user.is_superuser:
        return ProjectAccess(project=project, role=Role.OWNER, perms=ALL_PERMISSIONS)
    perms = frozenset(get_user_perms(user, project)) & ALL_PERMISSIONS
    role = role_for_permissions(perms)
    if role is None:
        raise Http404("No such project.")
    return ProjectAccess(project=project, role=role, perms=perms)


class ProjectScopedMixin:
    """For every view under ``/projects/<project_uid>/``.

    Anonymous users are sent to sign in, non-members get 404, and a member
    without ``permission_required`` gets 403. Unsafe methods need
    ``write_permission``. The view gets ``self.project`` and ``self.access``;
    templates get ``project`` and ``access``.
    """

    permission_required = ProjectPermission.VIEW
    write_permission = ProjectPermission.EDIT_CONTENT
    project_url_kwarg = "project_uid"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.access = resolve_access(request.user, kwargs[self.project_url_kwarg])
        self.project = self.access.project
        needed = self.get_permission_required(request)
        if needed and not self.access.can(needed):
            raise PermissionDenied("Your role in this project does not allow this.")
        return super().dispatch(request, *args, **kwargs)

    def get_permission_required(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.permission_required
        return self.write_permission or self.permission_required

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["project"] = self.project
        context["access"] = self.access
        return context
