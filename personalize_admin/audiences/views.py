"""Audiences, attributes and events pages. Rules live in ``services`` and ``rules``;
the rules builder's form handling lives in ``editor``."""

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from personalize_admin.core.errors import DomainError
from personalize_admin.core.forms import add_domain_error
from personalize_admin.core.htmx import redirect as htmx_redirect
from personalize_admin.core.htmx import render_page_or_partial
from personalize_admin.core.pagination import paginate
from personalize_admin.projects.access import ProjectScopedMixin

from . import editor, samples, services
from .forms import AttributeForm, AudienceForm, EventForm
from .models import Attribute, Audience, Event
from .rules import catalog
from .rules.validation import definition_limits

# ---------- audiences ----------


class AudienceListView(ProjectScopedMixin, TemplateView):
    template_name = "audiences/audience_list.html"
    extra_context = {"nav": "audiences"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        audiences = Audience.objects.for_project(self.project).select_related("project")
        if query:
            audiences = audiences.filter(
                Q(name__icontains=query) | Q(description__icontains=query) | Q(uid=query)
            )
        page = paginate(self.request, audiences)
        context.update(audiences=page.object_list, page=page, query=query)
        return context

    def get(self, request, *args, **kwargs):
        return render_page_or_partial(
            request, self.template_name, "audience-table", self.get_context_data()
        )


class AudienceEditorView(ProjectScopedMixin, TemplateView):
    """The audience editor ("+ New Audience" and Edit): name, description, the
    rules builder and the "Test this audience" panel.

    Every builder change posts the whole form with an ``_action`` and gets the
    builder back (plus the test panel, out of band); ``_action=save`` saves.
    """

    template_name = "audiences/audience_edit.html"
    extra_context = {"nav": "audiences", "breadcrumb": True}
    audience = None

    def get_audience(self):
        uid = self.kwargs.get("audience_uid")
        if uid is None:
            return None
        return get_object_or_404(
            Audience.objects.for_project(self.project).select_related("created_by", "updated_by"),
            uid=uid,
        )

    @cached_property
    def attributes(self):
        return list(Attribute.objects.for_project(self.project))

    def editor_url(self):
        if self.audience is None:
            return reverse("audiences:create", kwargs={"project_uid": self.project.uid})
        return self.audience.get_absolute_url()

    def get_context_data(self, *, form, root, test=None, **kwargs):
        context = super().get_context_data(**kwargs)
        presets, custom = editor.attribute_choices(self.attributes)
        editor.decorate(root, presets=presets, custom=custom)
        context.update(
            audience=self.audience,
            form=form,
            root=root,
            preset_choices=presets,
            custom_choices=custom,
            limits=definition_limits(),
            editor_url=self.editor_url(),
            usages=services.audience_usages(self.audience) if self.audience else [],
            samples=samples.sample_inputs(root, presets + custom, self.request.POST),
            test=test,
        )
        return context

    def get(self, request, *args, **kwargs):
        self.audience = self.get_audience()
        if self.audience is None:
            form = AudienceForm()
            root = editor.new_tree()
        else:
            form = AudienceForm(
                initial={
                    "name": self.audience.name,
                    "description": self.audience.description,
                    "revision": self.audience.revision,
                }
            )
            root = editor.from_definition(self.audience.definition)
        return self.render_to_response(self.get_context_data(form=form, root=root))

    def post(self, request, *args, **kwargs):
        self.audience = self.get_audience()
        try:
            root = editor.parse_form(request.POST)
        except editor.MalformedForm as error:
            return HttpResponseBadRequest(str(error))
        action = request.POST.get("_action", "save")
        form = AudienceForm(request.POST)
        if action == "save":
            return self.save(form, root)
        test = None
        try:
            if action == "test":
                test = samples.run(root, self.attributes, request.POST, now=timezone.now())
            else:
                editor.apply_action(
                    root, action, attribute_types=editor.attribute_types(self.attributes)
                )
        except editor.ActionRefused as error:
            messages.error(request, str(error))
        context = self.get_context_data(form=form, root=root, test=test, oob=bool(request.htmx))
        return render_page_or_partial(request, self.template_name, "rules-builder", context)

    def save(self, form, root):
        definition = editor.to_definition(root)
        status = 422
        if form.is_valid():
            try:
                audience = self.save_audience(form.cleaned_data, definition)
            except DomainError as error:
                status = error.status
                self.show_error(form, root, error)
            else:
                messages.success(self.request, f"Audience “{audience.name}” saved.")
                usages = services.audience_usages(audience)
                if usages:
                    names = ", ".join(f"“{usage.experience.name}”" for usage in usages)
                    messages.warning(
                        self.request,
                        f"This audience is used by {names}; they use the new rules now.",
                    )
                return htmx_redirect(self.request, audience.get_absolute_url())
        else:
            # Show the rules' problems together with the form's.
            editor.place_errors(
                root, services.definition_errors(project=self.project, definition=definition)
            )
        context = self.get_context_data(form=form, root=root)
        return render_page_or_partial(
            self.request, self.template_name, "audience-form", context, status=status
        )

    def save_audience(self, data, definition):
        if self.audience is None:
            return services.create_audience(
                project=self.project,
                name=data["name"],
                description=data["description"],
                definition=definition,
                actor=self.request.user,
            )
        return services.update_audience(
            audience=self.audience,
            name=data["name"],
            description=data["description"],
            definition=definition,
            expected_revision=data["revision"],
            actor=self.request.user,
        )

    @staticmethod
    def show_error(form, root, error):
        for path, field_messages in error.field_errors.items():
            if path in form.fields:
                for message in field_messages:
                    form.add_error(path, message)
        unplaced = editor.place_errors(root, error.field_errors)
        if any(path.startswith("definition") for path in error.field_errors):
            form.add_error(None, "Some rules need your attention: see the messages next to them.")
        if not error.field_errors:
            form.add_error(None, error.message)
        for message in unplaced:
            form.add_error(None, message)


class AudienceDeleteView(ProjectScopedMixin, TemplateView):
    """The Delete confirmation: lists the experiences that keep it from being deleted."""

    template_name = "audiences/audience_list.html"
    extra_context = {"nav": "audiences"}

    def get_object(self):
        return get_object_or_404(
            Audience.objects.for_project(self.project), uid=self.kwargs["audience_uid"]
        )

    def render_dialog(self, partial, audience, status=200, **extra):
        listing = AudienceListView(
            request=self.request, kwargs=self.kwargs, project=self.project, access=self.access
        )
        context = listing.get_context_data(
            deleting=audience, usages=services.audience_usages(audience), **extra
        )
        return render_page_or_partial(
            self.request, self.template_name, partial, context, status=status
        )

    def get(self, request, *args, **kwargs):
        return self.render_dialog("delete-dialog", self.get_object())

    def post(self, request, *args, **kwargs):
        audience = self.get_object()
        try:
            services.delete_audience(audience=audience, actor=request.user)
        except DomainError as error:
            return self.render_dialog(
                "delete-form", audience, status=error.status, error=error.message
            )
        messages.success(request, f"Audience “{audience.name}” deleted.")
        return htmx_redirect(
            request, reverse("audiences:list", kwargs={"project_uid": self.project.uid})
        )


# ---------- attributes and events: a list with create, edit and delete in modals ----------


class _ModalCrud(ProjectScopedMixin, TemplateView):
    """Shared by the attributes and events pages: one list page whose modals post
    to small views that answer with the form again (422) or redirect."""

    model = None
    form_class = None
    noun = ""
    list_url_name = ""
    nav = ""

    def list_url(self):
        return reverse(self.list_url_name, kwargs={"project_uid": self.project.uid})

    def get_object(self):
        return get_object_or_404(
            self.model.objects.for_project(self.project), uid=self.kwargs["uid"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nav"] = self.nav
        context.setdefault("form", self.form_class(prefix_id="new"))
        page = paginate(self.request, self.model.objects.for_project(self.project))
        context.update(items=page.object_list, page=page, list_url=self.list_url())
        return context

    def render_list(self, partial, status=200, **extra):
        context = self.get_context_data(**extra)
        return render_page_or_partial(
            self.request, self.template_name, partial, context, status=status
        )


class AttributeMixin:
    template_name = "audiences/attribute_list.html"
    model = Attribute
    form_class = AttributeForm
    noun = "Attribute"
    list_url_name = "audiences:attributes"
    nav = "attributes"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["presets"] = catalog.PRESET_ATTRIBUTES
        context["type_labels"] = catalog.TYPE_LABELS
        return context

    def values(self, data):
        return {
            "name": data["name"],
            "key": data["key"],
            "description": data["description"],
            "type": data["type"],
        }

    def create(self, data):
        return services.create_attribute(
            project=self.project, actor=self.request.user, **self.values(data)
        )

    def update(self, obj, data):
        return services.update_attribute(
            attribute=obj,
            expected_revision=data["revision"],
            actor=self.request.user,
            **self.values(data),
        )

    def delete_object(self, obj):
        services.delete_attribute(attribute=obj, actor=self.request.user)

    def usages(self, obj):
        return services.audiences_using_attribute(obj)

    def initial(self, obj):
        return {
            "name": obj.name,
            "key": obj.key,
            "description": obj.description,
            "type": obj.type,
            "revision": obj.revision,
        }


class EventMixin:
    template_name = "audiences/event_list.html"
    model = Event
    form_class = EventForm
    noun = "Event"
    list_url_name = "audiences:events"
    nav = "events"

    def values(self, data):
        return {"key": data["key"], "description": data["description"]}

    def create(self, data):
        return services.create_event(
            project=self.project, actor=self.request.user, **self.values(data)
        )

    def update(self, obj, data):
        return services.update_event(
            event=obj,
            expected_revision=data["revision"],
            actor=self.request.user,
            **self.values(data),
        )

    def delete_object(self, obj):
        services.delete_event(event=obj, actor=self.request.user)

    def usages(self, obj):
        return services.event_usages(obj)

    def initial(self, obj):
        return {"key": obj.key, "description": obj.description, "revision": obj.revision}


class _ListView(_ModalCrud):
    def get(self, request, *args, **kwargs):
        return self.render_list(None)


class _CreateView(_ModalCrud):
    def get(self, request, *args, **kwargs):
        return htmx_redirect(request, f"{self.list_url()}#new-item")

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, prefix_id="new")
        if form.is_valid():
            try:
                obj = self.create(form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, f"{self.noun} “{obj}” created.")
                return htmx_redirect(request, self.list_url())
        return self.render_list("new-form", status=422, form=form, open_dialog="new-item")


class _EditView(_ModalCrud):
    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.form_class(initial=self.initial(obj), prefix_id="edit")
        return self.render_list("edit-dialog", editing=obj, edit_form=form)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.form_class(request.POST, prefix_id="edit")
        status = 422
        if form.is_valid():
            try:
                obj = self.update(obj, form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
                status = error.status
            else:
                messages.success(request, f"{self.noun} “{obj}” saved.")
                return htmx_redirect(request, self.list_url())
        return self.render_list("edit-form", status=status, editing=obj, edit_form=form)


class _DeleteView(_ModalCrud):
    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.render_list("delete-dialog", deleting=obj, usages=self.usages(obj))

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            self.delete_object(obj)
        except DomainError as error:
            return self.render_list(
                "delete-form",
                status=error.status,
                deleting=obj,
                usages=self.usages(obj),
                error=error.message,
            )
        messages.success(request, f"{self.noun} “{obj}” deleted.")
        return htmx_redirect(request, self.list_url())


class AttributeListView(AttributeMixin, _ListView):
    pass


class AttributeCreateView(AttributeMixin, _CreateView):
    pass


class AttributeEditView(AttributeMixin, _EditView):
    pass


class AttributeDeleteView(AttributeMixin, _DeleteView):
    pass


class EventListView(EventMixin, _ListView):
    pass


class EventCreateView(EventMixin, _CreateView):
    pass


class EventEditView(EventMixin, _EditView):
    pass


class EventDeleteView(EventMixin, _DeleteView):
    pass
