from django.apps import AppConfig


class AudiencesConfig(AppConfig):
    name = "personalize_admin.audiences"
    label = "audiences"
    verbose_name = "Audiences"
