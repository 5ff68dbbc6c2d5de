from django.views.generic import TemplateView

from personalize_admin.projects.access import ProjectScopedMixin


class AudienceListView(ProjectScopedMixin, TemplateView):
    template_name = "audiences/audience_list.html"
    extra_context = {"nav": "audiences"}


class AttributeListView(ProjectScopedMixin, TemplateView):
    template_name = "audiences/attribute_list.html"
    extra_context = {"nav": "attributes"}


class EventListView(ProjectScopedMixin, TemplateView):
    template_name = "audiences/event_list.html"
    extra_context = {"nav": "events"}
