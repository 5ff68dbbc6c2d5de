from django.views.generic import TemplateView

from personalize_admin.projects.access import ProjectScopedMixin


class ExperienceListView(ProjectScopedMixin, TemplateView):
    template_name = "experiences/experience_list.html"
    extra_context = {"nav": "experiences"}
