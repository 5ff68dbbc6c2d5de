from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from personalize_admin.audiences.models import Audience
from personalize_admin.core.errors import DomainError
from personalize_admin.core.forms import add_domain_error
from personalize_admin.core.htmx import redirect as htmx_redirect
from personalize_admin.core.htmx import render_page_or_partial
from personalize_admin.experiences.models import Version, VersionStatus

from . import services
from .access import ProjectScopedMixin
from .forms import AddMemberForm, DeleteProjectForm, MemberRoleForm, ProjectForm
from .models import Membership, Project, ProjectPermission


def _count(queryset, group_by):
    """A correlated COUNT subquery: one query for the whole list, however long."""
    return Coalesce(
        Subquery(
            queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def can_create_projects(user):
    return user.is_authenticated and (user.is_superuser or user.has_perm("projects.add_project"))


class ProjectListView(LoginRequiredMixin, TemplateView):
    """The landing page: "Personalize Projects"."""

    template_name = "projects/project_list.html"

    def get_queryset(self):
        projects = Project.objects.visible_to(self.request.user).annotate(
            active_experience_count=_count(
                Version.objects.filter(
                    experience__project=OuterRef("pk"), status=VersionStatus.ACTIVE
                ),
                "experience__project",
            ),
            audience_count=_count(
                Audience.objects.filter(project=OuterRef("pk"), deleted_at__isnull=True), "project"
            ),
            user_count=_count(Membership.objects.filter(project=OuterRef("pk")), "project"),
        )
        query = self.request.GET.get("q", "").strip()
        if query:
            projects = projects.filter(Q(name__icontains=query) | Q(description__icontains=query))
        return projects

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["projects"] = self.get_queryset()
        context["query"] = self.request.GET.get("q", "").strip()
        context["can_create"] = can_create_projects(self.request.user)
        context.setdefault("form", ProjectForm())
        return context

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        return render_page_or_partial(request, self.template_name, "project-grid", context)


class ProjectCreateView(LoginRequiredMixin, View):
    """The "+ New Personalize Project" modal posts here."""

    template_name = "projects/project_list.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_create_projects(request.user):
            raise PermissionDenied("You may not create projects. Ask an administrator.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return redirect(f"{reverse('projects:list')}#new-project")

    def post(self, request):
        form = ProjectForm(request.POST)
        if form.is_valid():
            try:
                project = services.create_project(
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    actor=request.user,
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, f'Project "{project.name}" created.')
                return htmx_redirect(request, project.get_absolute_url())
        view = ProjectListView(request=request, kwargs={})
        context = view.get_context_data(form=form, open_dialog="new-project")
        return render_page_or_partial(
            request, self.template_name, "new-project-form", context, status=422
        )


class ProjectHomeView(ProjectScopedMixin, View):
    def get(self, request, project_uid):
        return redirect(self.project.get_absolute_url())


class SettingsView(ProjectScopedMixin, TemplateView):
    """Settings → General: name, description, UID; Delete Project."""

    template_name = "projects/settings_general.html"
    permission_required = ProjectPermission.CHANGE
    write_permission = ProjectPermission.CHANGE
    extra_context = {"nav": "settings"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault(
            "form",
            ProjectForm(
                initial={
                    "name": self.project.name,
                    "description": self.project.description,
                    "revision": self.project.revision,
                }
            ),
        )
        context.setdefault("delete_form", DeleteProjectForm())
        context["settings_tab"] = "general"
        return context

    def post(self, request, project_uid):
        form = ProjectForm(request.POST)
        if form.is_valid():
            try:
                services.update_project(
                    project=self.project,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    expected_revision=form.cleaned_data["revision"],
                    actor=request.user,
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "Project settings saved.")
                return htmx_redirect(request, reverse("projects:settings", args=[self.project.uid]))
        context = self.get_context_data(form=form)
        return render_page_or_partial(
            request, self.template_name, "general-form", context, status=422
        )


class DeleteProjectView(ProjectScopedMixin, View):
    permission_required = ProjectPermission.DELETE
    write_permission = ProjectPermission.DELETE
    template_name = "projects/settings_general.html"

    def get(self, request, project_uid):
        return redirect(f"{reverse('projects:settings', args=[self.project.uid])}#delete-project")

    def post(self, request, project_uid):
        form = DeleteProjectForm(request.POST)
        if form.is_valid():
            name = self.project.name
            try:
                services.delete_project(
                    project=self.project,
                    actor=request.user,
                    confirmation=form.cleaned_data["confirmation"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, f'Project "{name}" deleted.')
                return htmx_redirect(request, reverse("projects:list"))
        view = SettingsView(request=request, kwargs=self.kwargs)
        view.project, view.access = self.project, self.access
        context = view.get_context_data(delete_form=form, open_dialog="delete-project")
        return render_page_or_partial(
            request, self.template_name, "delete-form", context, status=422
        )


class MembersView(ProjectScopedMixin, TemplateView):
    """Settings → Users: add an existing user with a role, change roles, remove."""

    template_name = "projects/settings_users.html"
    permission_required = ProjectPermission.MANAGE_MEMBERS
    write_permission = ProjectPermission.MANAGE_MEMBERS
    extra_context = {"nav": "settings"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        memberships = list(Membership.objects.filter(project=self.project).select_related("user"))
        context["memberships"] = memberships
        context["owner_count"] = sum(1 for m in memberships if m.is_owner)
        context.setdefault("form", AddMemberForm())
        context["settings_tab"] = "users"
        return context

    def post(self, request, project_uid):
        form = AddMemberForm(request.POST)
        if form.is_valid():
            try:
                membership = services.add_member(
                    project=self.project,
                    user_identifier=form.cleaned_data["user"],
                    role=form.cleaned_data["role"],
                    actor=request.user,
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    f"{membership.user.get_username()} added as {membership.get_role_display()}.",
                )
                return htmx_redirect(request, reverse("projects:members", args=[self.project.uid]))
        context = self.get_context_data(form=form)
        return render_page_or_partial(
            request, self.template_name, "add-member-form", context, status=422
        )


class MembershipActionView(ProjectScopedMixin, View):
    permission_required = ProjectPermission.MANAGE_MEMBERS
    write_permission = ProjectPermission.MANAGE_MEMBERS

    def get_membership(self):
        return get_object_or_404(
            Membership.objects.select_related("user", "project"),
            project=self.project,
            pk=self.kwargs["membership_id"],
        )

    def get(self, request, project_uid, membership_id):
        # A membership of another project (or none) is 404 here as on POST.
        self.get_membership()
        return redirect("projects:members", project_uid=self.project.uid)

    def finish(self, request):
        return htmx_redirect(request, reverse("projects:members", args=[self.project.uid]))


class MemberRoleView(MembershipActionView):
    def post(self, request, project_uid, membership_id):
        membership = self.get_membership()
        form = MemberRoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose a role: Owner or Member.")
            return self.finish(request)
        try:
            membership = services.change_member_role(
                membership=membership, role=form.cleaned_data["role"], actor=request.user
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"{membership.user.get_username()} is now {membership.get_role_display()}."
            )
        return self.finish(request)


class MemberRemoveView(MembershipActionView):
    def post(self, request, project_uid, membership_id):
        membership = self.get_membership()
        username = membership.user.get_username()
        removed_self = membership.user_id == request.user.pk
        try:
            services.remove_member(membership=membership, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return self.finish(request)
        messages.success(request, f"{username} removed from the project.")
        if removed_self and not request.user.is_superuser:
            return htmx_redirect(request, reverse("projects:list"))
        return self.finish(request)
