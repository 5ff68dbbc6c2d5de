from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "personalize_admin.api"
    label = "api"
    verbose_name = "Management API"
