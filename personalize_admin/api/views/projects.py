"""``/api/projects``, ``/api/projects/{uid}`` and their members."""

from drf_spectacular.utils import OpenApiParameter, extend_schema

from personalize_admin.projects import services
from personalize_admin.projects.models import Membership, Project, ProjectPermission

from ..exceptions import VALIDATION_FAILED
from ..schema import errors
from ..serializers.projects import (
    MemberCreateSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    ProjectCreateSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
)
from .base import MAX_ID, ApiView, ProjectScopedApiView, get_object_or_404

PROJECTS = ["Projects"]
MEMBERS = ["Members"]
USER_ID = OpenApiParameter(
    "userId",
    {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    OpenApiParameter.PATH,
    description="The member's `userId`.",
)
DUPLICATE_NAME = "personalize.PROJECTS.DUPLICATE_NAME"
INVALID_PROJECT = errors(VALIDATION_FAILED, description="Invalid fields; `errors` names each one.")
LAST_OWNER = "personalize.PROJECTS.MEMBERS.LAST_OWNER"


class ProjectListView(ApiView):
    required_permissions = {"POST": "projects.add_project"}
    permission_denied_message = "You may not create projects. Ask an administrator."

    @extend_schema(
        tags=PROJECTS,
        summary="List projects",
        description="The projects you are a member of (all of them for superusers), by name.",
        responses={200: ProjectSerializer(many=True)},
    )
    def get(self, request):
        projects = Project.objects.visible_to(request.user).select_related(
            "created_by", "updated_by"
        )
        return self.respond(ProjectSerializer, projects, many=True)

    @extend_schema(
        tags=PROJECTS,
        summary="Create a project",
        description="Needs the `projects.add_project` permission (or a superuser). "
        "You become the project's first Owner.",
        request=ProjectCreateSerializer,
        responses={201: ProjectSerializer, 409: errors(DUPLICATE_NAME), 422: INVALID_PROJECT},
    )
    def post(self, request):
        data = self.parse(ProjectCreateSerializer)
        project = services.create_project(actor=request.user, **data)
        return self.respond(ProjectSerializer, project, status=201)


class ProjectDetailView(ProjectScopedApiView):
    project_scope = "path"
    required_permissions = {
        "GET": ProjectPermission.VIEW,
        "HEAD": ProjectPermission.VIEW,
        "PUT": ProjectPermission.CHANGE,
        "DELETE": ProjectPermission.DELETE,
    }

    @extend_schema(tags=PROJECTS, summary="Get a project", responses={200: ProjectSerializer})
    def get(self, request, uid):
        return self.respond(ProjectSerializer, self.project)

    @extend_schema(
        tags=PROJECTS,
        summary="Change a project's name and description",
        description="Owner only. Send the `revision` you read to make the write conditional.",
        request=ProjectUpdateSerializer,
        responses={
            200: ProjectSerializer,
            409: errors(DUPLICATE_NAME, "personalize.PROJECTS.STALE_REVISION"),
            422: INVALID_PROJECT,
        },
    )
    def put(self, request, uid):
        data = self.parse(ProjectUpdateSerializer)
        project = services.update_project(
            project=self.project,
            name=data["name"],
            description=data.get("description", ""),
            expected_revision=data.get("revision"),
            actor=request.user,
        )
        return self.respond(ProjectSerializer, project)

    @extend_schema(
        tags=PROJECTS,
        summary="Delete a project permanently",
        description="Owner only. Deletes the project with all its audiences, experiences, versions "
        "and analytics, for good: it cannot be undone.",
        responses={204: None},
    )
    def delete(self, request, uid):
        services.delete_project(
            project=self.project, actor=request.user, confirmation=services.DELETE_CONFIRMATION
        )
        return self.no_content()


class MemberListView(ProjectScopedApiView):
    project_scope = "path"
    read_permission = ProjectPermission.MANAGE_MEMBERS
    write_permission = ProjectPermission.MANAGE_MEMBERS

    @extend_schema(
        tags=MEMBERS,
        summary="List a project's members",
        description="Owner only.",
        responses={200: MemberSerializer(many=True)},
    )
    def get(self, request, uid):
        memberships = Membership.objects.filter(project=self.project).select_related("user")
        return self.respond(MemberSerializer, memberships, many=True)

    @extend_schema(
        tags=MEMBERS,
        summary="Add a member",
        description="Owner only. `user` is the username or email of an existing user.",
        request=MemberCreateSerializer,
        responses={
            201: MemberSerializer,
            409: errors("personalize.PROJECTS.MEMBERS.ALREADY_MEMBER"),
            422: errors(
                VALIDATION_FAILED,
                "personalize.PROJECTS.MEMBERS.USER_NOT_FOUND",
                description="Invalid fields, or no user with that username or email.",
            ),
        },
    )
    def post(self, request, uid):
        data = self.parse(MemberCreateSerializer)
        membership = services.add_member(
            project=self.project,
            user_identifier=data["user"],
            role=data["role"],
            actor=request.user,
        )
        return self.respond(MemberSerializer, membership, status=201)


class MemberDetailView(ProjectScopedApiView):
    project_scope = "path"
    read_permission = ProjectPermission.MANAGE_MEMBERS
    write_permission = ProjectPermission.MANAGE_MEMBERS

    def get_membership(self):
        return get_object_or_404(
            Membership.objects.select_related("user", "project"),
            project=self.project,
            user_id=self.kwargs["userId"],
        )

    @extend_schema(
        tags=MEMBERS,
        summary="Change a member's role",
        description="Owner only. The last Owner cannot be demoted.",
        parameters=[USER_ID],
        request=MemberUpdateSerializer,
        responses={
            200: MemberSerializer,
            409: errors(LAST_OWNER, "personalize.PROJECTS.MEMBERS.GONE"),
        },
    )
    def put(self, request, uid, userId):  # noqa: N803 (the spec's path parameter)
        membership = self.get_membership()
        data = self.parse(MemberUpdateSerializer)
        membership = services.change_member_role(
            membership=membership, role=data["role"], actor=request.user
        )
        return self.respond(MemberSerializer, membership)

    @extend_schema(
        tags=MEMBERS,
        summary="Remove a member",
        description="Owner only. The last Owner cannot be removed.",
        parameters=[USER_ID],
        responses={204: None, 409: errors(LAST_OWNER)},
    )
    def delete(self, request, uid, userId):  # noqa: N803
        services.remove_member(membership=self.get_membership(), actor=request.user)
        return self.no_content()
