from django.apps import AppConfig


class ExperiencesConfig(AppConfig):
    name = "personalize_admin.experiences"
    label = "experiences"
    verbose_name = "Experiences"
