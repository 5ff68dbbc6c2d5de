"""Experiences list and the experience page (Overview, Configuration, Draft), thin over ``services``."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from personalize_admin.audiences.models import Audience, Event
from personalize_admin.core import audit
from personalize_admin.core.errors import Conflict, DomainError
from personalize_admin.core.forms import add_domain_error
from personalize_admin.core.htmx import redirect as htmx_redirect
from personalize_admin.core.htmx import render_page_or_partial
from personalize_admin.core.pagination import paginate
from personalize_admin.projects.access import ProjectScopedMixin
from personalize_admin.projects.models import ProjectPermission

from . import services
from .compare import compare_contents
from .content import version_content
from .forms import TYPE_DESCRIPTIONS, ConfigurationEditor, GeneralDetailsForm, NewExperienceForm
from .models import (
    LIVE_STATUSES,
    Experience,
    ExperienceType,
    Metric,
    Tag,
    Variant,
    Version,
    VersionStatus,
)

# ---------- the list ----------

STATUS_FILTERS = [
    (VersionStatus.DRAFT, "Draft"),
    (VersionStatus.ACTIVE, "Active"),
    (VersionStatus.PAUSED, "Paused"),
]


def _version_audiences(version):
    """Every audience a version refers to, in the order a person meets them."""
    seen = []
    for variant in version.variants.all():
        for audience in variant.audiences.all():
            if audience not in seen:
                seen.append(audience)
    for audience in version.targeting_audiences.all():
        if audience not in seen:
            seen.append(audience)
    return seen


class ExperienceListView(ProjectScopedMixin, TemplateView):
    """Experiences: the project's experiences in priority order, with search and filters."""

    template_name = "experiences/experience_list.html"
    extra_context = {"nav": "experiences"}

    def get_filters(self):
        get = self.request.GET
        filters = {
            "q": get.get("q", "").strip()[:200],
            "status": get.get("status", ""),
            "type": get.get("type", ""),
            "tag": get.get("tag", "").strip().lower()[:50],
        }
        if filters["status"] not in dict(STATUS_FILTERS):
            filters["status"] = ""
        if filters["type"] not in ExperienceType.values:
            filters["type"] = ""
        return filters

    def get_queryset(self, filters):
        experiences = (
            Experience.objects.for_project(self.project)
            .prefetch_related("tags")
            .with_current_versions()
        )
        if filters["q"]:
            q = filters["q"]
            experiences = experiences.filter(
                Q(name__icontains=q)
                | Q(description__icontains=q)
                | Q(short_uid=q)
                | Q(uid=q.lower())
            )
        if filters["status"]:
            experiences = experiences.with_status(filters["status"])
        if filters["type"]:
            experiences = experiences.filter(type=filters["type"])
        if filters["tag"]:
            experiences = experiences.filter(tags__name=filters["tag"])
        return experiences

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = self.get_filters()
        page = paginate(self.request, self.get_queryset(filters))
        experiences = list(page.object_list)
        for experience in experiences:
            current = experience.current_version
            experience.shown_audiences = _version_audiences(current) if current else []
        context.update(
            experiences=experiences,
            page=page,
            filters=filters,
            filtered=any(filters.values()),
            status_filters=STATUS_FILTERS,
            type_filters=ExperienceType.choices,
            tags=Tag.objects.filter(project=self.project, experiences__isnull=False).distinct(),
            type_descriptions=TYPE_DESCRIPTIONS,
        )
        context.setdefault("form", NewExperienceForm())
        return context

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        return render_page_or_partial(request, self.template_name, "experience-table", context)


class ExperienceCreateView(ProjectScopedMixin, View):
    """The "+ New Experience" modal ("Select Experience Type") posts here."""

    def get(self, request, project_uid):
        return redirect(f"{reverse('experiences:list', args=[self.project.uid])}#new-experience")

    def post(self, request, project_uid):
        form = NewExperienceForm(request.POST)
        if form.is_valid():
            try:
                experience = services.create_experience(
                    project=self.project,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    type=form.cleaned_data["type"],
                    tags=form.cleaned_data["tags"],
                    actor=request.user,
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    f'Experience "{experience.name}" created. Add its variants, then activate it.',
                )
                return htmx_redirect(request, _url("configuration", experience))
        view = ExperienceListView(request=request, kwargs=self.kwargs)
        view.project, view.access = self.project, self.access
        context = view.get_context_data(form=form, open_dialog="new-experience")
        return render_page_or_partial(
            request, "experiences/experience_list.html", "new-experience-form", context, status=422
        )


class PrioritizeListView(ProjectScopedMixin, TemplateView):
    """The body of the "Prioritize Experiences" modal: every experience in priority
    order. Fetched when the modal opens, so the list page stays one page of rows."""

    template_name = "experiences/experience_list.html#prioritize-form"
    permission_required = ProjectPermission.EDIT_CONTENT

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        live_status = Version.objects.filter(
            experience=OuterRef("pk"), status__in=LIVE_STATUSES
        ).values("status")[:1]
        context["priority_list"] = list(
            Experience.objects.for_project(self.project).annotate(live_status=Subquery(live_status))
        )
        return context


class PrioritizeView(ProjectScopedMixin, View):
    """The "Prioritize Experiences" modal saves the full order here."""

    def get(self, request, project_uid):
        return redirect(f"{reverse('experiences:list', args=[self.project.uid])}#prioritize")

    def post(self, request, project_uid):
        try:
            changed = services.set_priorities(
                project=self.project,
                ordered_experience_uids=request.POST.getlist("order"),
                actor=request.user,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, "Priorities saved." if changed else "The priorities are unchanged."
            )
        return htmx_redirect(request, reverse("experiences:list", args=[self.project.uid]))


# ---------- the experience page ----------


def _url(name, experience, **kwargs):
    return reverse(
        f"experiences:{name}",
        kwargs={"project_uid": experience.project.uid, "experience_uid": experience.uid, **kwargs},
    )


@dataclass(frozen=True)
class Tab:
    """A tab of the experience page; ``shown(experience)`` decides whether it appears."""

    key: str
    label: str
    url_name: str
    shown: Callable = lambda experience: True


# Later features add their tab here (e.g. an Analytics tab per version).
TABS = [
    Tab("overview", "Overview", "experiences:detail"),
    Tab("configuration", "Configuration", "experiences:configuration"),
    Tab(
        "draft",
        "Draft",
        "experiences:draft",
        lambda e: e.live_version is not None and e.draft is not None,
    ),
    Tab("analytics", "Analytics", "analytics:tab"),
]


class ExperienceMixin(ProjectScopedMixin):
    """Loads the experience from the URL, scoped to the project, with what every tab shows."""

    tab = None

    def get_experience(self):
        if not hasattr(self, "_experience"):
            self._experience = get_object_or_404(
                Experience.objects.for_project(self.project)
                .select_related("created_by", "updated_by", "project")
                .prefetch_related("tags")
                .with_current_versions(),
                uid=self.kwargs["experience_uid"],
            )
        return self._experience

    @property
    def experience(self):
        return self.get_experience()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        experience = self.experience
        context.update(
            nav="experiences",
            experience=experience,
            draft=experience.draft,
            live=experience.live_version,
            tab=self.tab,
            tabs=[
                {
                    "key": tab.key,
                    "label": tab.label,
                    "url": reverse(tab.url_name, kwargs=self.tab_kwargs()),
                }
                for tab in TABS
                if tab.shown(experience)
            ],
            versions=experience.versions.select_related(
                "created_by", "activated_by", "archived_by"
            ).order_by("-number"),
            activity=audit.entries_for(experience, limit=12),
            tag_names=[tag.name for tag in experience.tags.all()],
        )
        return context

    def tab_kwargs(self):
        return {"project_uid": self.project.uid, "experience_uid": self.experience.uid}

    def url(self, name, **kwargs):
        return _url(name, self.experience, **kwargs)


class OverviewView(ExperienceMixin, TemplateView):
    """Overview: Name, Description, Tags and "Save General Details"."""

    template_name = "experiences/overview.html"
    tab = "overview"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        experience = self.experience
        context.setdefault(
            "form",
            GeneralDetailsForm(
                initial={
                    "name": experience.name,
                    "description": experience.description,
                    "tags": context["tag_names"],
                    "revision": experience.revision,
                }
            ),
        )
        current = experience.current_version
        context["summary_audiences"] = _version_audiences(current) if current else []
        return context

    def post(self, request, project_uid, experience_uid):
        form = GeneralDetailsForm(request.POST)
        if form.is_valid():
            try:
                services.update_experience(
                    experience=self.experience,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    tags=form.cleaned_data["tags"],
                    expected_revision=form.cleaned_data["revision"] or 0,
                    actor=request.user,
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "General details saved.")
                return htmx_redirect(request, self.url("detail"))
        context = self.get_context_data(form=form)
        return render_page_or_partial(
            request, self.template_name, "general-form", context, status=422
        )


def _choices(project, editor):
    """Audiences and events to pick from, plus any selected one that was deleted since."""
    referenced_audiences = {uid for row in editor.rows for uid in row.audiences} | set(
        editor.targeting_audiences
    )
    audiences = list(
        Audience.objects.filter(project=project)
        .filter(Q(deleted_at__isnull=True) | Q(uid__in=referenced_audiences))
        .only("uid", "name", "deleted_at")
    )
    referenced_events = {row.event for row in editor.metric_rows if row.event}
    events = list(
        Event.objects.filter(project=project)
        .filter(Q(deleted_at__isnull=True) | Q(uid__in=referenced_events))
        .only("uid", "key", "deleted_at")
    )
    editor.set_choices(audiences=audiences, events=events)
    return editor


class EditorMixin(ExperienceMixin):
    """Shows and saves the draft in the Configuration form (Configuration and Draft tabs)."""

    template_name = "experiences/configuration.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        draft = context["draft"]
        if draft is not None and "editor" not in context:
            context["editor"] = _choices(self.project, ConfigurationEditor.from_version(draft))
        editor = context.get("editor")
        live = context["live"]
        if editor is not None and live is not None:
            # What activation changes for visitors, as saved (unsaved edits are saved with it).
            context["changes"] = compare_contents(
                version_content(live),
                version_content(draft),
                audience_names={a.uid: a.name for a in editor.audience_choices}
                | {a.uid: a.name for a in _version_audiences(live)},
                event_keys={e.uid: e.key for e in editor.event_choices}
                | {m.event.uid: m.event.key for m in live.metrics.all()},
            )
        return context

    def post(self, request, project_uid, experience_uid):
        draft = self.experience.draft
        if draft is None:
            messages.error(
                request, "This experience has no draft any more; someone activated or discarded it."
            )
            return htmx_redirect(request, self.url("configuration"))
        editor = ConfigurationEditor.from_post(version=draft, post=request.POST)
        action = request.POST.get("action", "save")
        if action not in ("save", "activate"):
            if not editor.apply(action):
                messages.error(request, "That action is not available here.")
            context = self.get_context_data(editor=_choices(self.project, editor))
            return render_page_or_partial(request, self.template_name, "editor", context)
        expected = editor.revision if editor.revision is not None else 0
        try:
            if action == "activate":
                version = services.activate_version(
                    version=draft,
                    data=editor.to_data(),
                    expected_revision=expected,
                    actor=request.user,
                )
            else:
                version = services.save_draft(
                    version=draft,
                    data=editor.to_data(),
                    expected_revision=expected,
                    actor=request.user,
                )
        except DomainError as error:
            editor.set_errors(error.field_errors)
            if isinstance(error, Conflict) or not error.field_errors:
                summary = error.message
            elif action == "activate":
                summary = "The draft was not activated: fix the fields marked below, then activate it again."
            else:
                summary = "The draft was not saved: fix the fields marked below."
            context = self.get_context_data(
                editor=_choices(self.project, editor),
                editor_error=error,
                editor_error_summary=summary,
            )
            status = 409 if isinstance(error, Conflict) else 422
            return render_page_or_partial(
                request, self.template_name, "editor", context, status=status
            )
        if action == "activate":
            previous = self.experience.live_version
            text = f"Version {version.number} is now active."
            if previous is not None:
                text += f" Version {previous.number} was archived."
            messages.success(request, text + " Analytics for this version start now.")
            return htmx_redirect(request, self.url("configuration"))
        messages.success(request, f"Draft saved (version {version.number}).")
        return htmx_redirect(
            request, self.url(self.tab if self.tab == "draft" else "configuration")
        )


class ConfigurationView(EditorMixin, TemplateView):
    """Configuration: the draft being edited, or the live version read-only."""

    tab = "configuration"


class DraftView(EditorMixin, TemplateView):
    """Draft: present while a live experience also has a draft."""

    tab = "draft"

    def get(self, request, *args, **kwargs):
        if self.experience.draft is None or self.experience.live_version is None:
            return redirect(self.url("configuration"))
        return super().get(request, *args, **kwargs)


def _load_version(experience, number):
    return get_object_or_404(
        Version.objects.filter(experience=experience)
        .select_related("created_by", "activated_by", "archived_by", "paused_by", "based_on")
        .prefetch_related(
            Prefetch("variants", queryset=Variant.objects.prefetch_related("audiences")),
            "targeting_audiences",
            Prefetch("metrics", queryset=Metric.objects.select_related("event")),
        ),
        number=number,
    )


class VersionView(ExperienceMixin, TemplateView):
    """One version, read-only (Version History opens it); archived ones can be restored."""

    template_name = "experiences/version.html"
    tab = "history"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = _load_version(self.experience, self.kwargs["number"])
        version.experience = self.experience
        context["version"] = version
        context["current_version_number"] = version.number
        return context


class CompareView(ExperienceMixin, TemplateView):
    """The draft beside the live version, with what changed."""

    template_name = "experiences/compare.html"
    tab = "draft"

    def get(self, request, *args, **kwargs):
        if self.experience.draft is None or self.experience.live_version is None:
            messages.info(
                request,
                "There is nothing to compare: the experience has no draft and live version.",
            )
            return redirect(self.url("configuration"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        live, draft = context["live"], context["draft"]
        audiences = {a.uid: a.name for v in (live, draft) for a in _version_audiences(v)}
        events = {m.event.uid: m.event.key for v in (live, draft) for m in v.metrics.all()}
        context["changes"] = compare_contents(
            version_content(live),
            version_content(draft),
            audience_names=audiences,
            event_keys=events,
        )
        return context


# ---------- lifecycle actions (POST; a GET goes back to the page) ----------


class ActionView(ExperienceMixin, View):
    def get(self, request, *args, **kwargs):
        return redirect(self.url("configuration"))

    def post(self, request, *args, **kwargs):
        try:
            url = self.perform(request)
        except DomainError as error:
            messages.error(request, error.message)
            url = self.url("configuration")
        return htmx_redirect(request, url)

    def live_or_404(self):
        live = self.experience.live_version
        if live is None:
            raise Http404("This experience has no live version.")
        return live


class CreateDraftView(ActionView):
    """The "Edit Version" button of the Edit Version modal."""

    def perform(self, request):
        version = services.create_draft(experience=self.experience, actor=request.user)
        source = self.experience.live_version
        messages.success(
            request,
            f"Version {version.number} created as a draft"
            + (f" from version {source.number}" if source else "")
            + ". Make your changes and save them, then activate the draft from the Draft tab.",
        )
        return self.url("configuration")


class PauseView(ActionView):
    def perform(self, request):
        services.pause_version(version=self.live_or_404(), actor=request.user)
        messages.success(
            request, "Experience paused. Visitors see the base entry until you resume it."
        )
        return self.url("configuration")


class ResumeView(ActionView):
    def perform(self, request):
        services.resume_version(version=self.live_or_404(), actor=request.user)
        messages.success(request, "Experience resumed. Visitors get their variants again.")
        return self.url("configuration")


class DiscardView(ActionView):
    def perform(self, request):
        draft = self.experience.draft
        if draft is None:
            raise Http404("This experience has no draft.")
        try:
            expected = int(request.POST.get("revision", ""))
        except ValueError:
            expected = None
        emptied = services.discard_draft(
            version=draft, expected_revision=expected, actor=request.user
        )
        if emptied is None:
            messages.success(
                request, f"Draft discarded (version {draft.number}). The live version is unchanged."
            )
        else:
            messages.success(request, "Draft discarded: version 1 is empty again.")
        return self.url("configuration")


class RestoreView(ActionView):
    def perform(self, request):
        version = get_object_or_404(
            Version, experience=self.experience, number=self.kwargs["number"]
        )
        restored = services.restore_version(version=version, actor=request.user)
        messages.success(
            request, f"Version {version.number} restored as a draft (version {restored.number})."
        )
        return self.url("draft" if self.experience.live_version else "configuration")


class DeleteView(ActionView):
    def get(self, request, *args, **kwargs):
        return redirect(f"{self.url('detail')}#delete-experience")

    def perform(self, request):
        name = self.experience.name
        services.delete_experience(experience=self.experience, actor=request.user)
        messages.success(request, f'Experience "{name}" deleted.')
        return reverse("experiences:list", args=[self.project.uid])
