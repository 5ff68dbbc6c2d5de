from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "personalize_admin.projects"
    label = "projects"
    verbose_name = "Projects"
