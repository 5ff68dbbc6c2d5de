from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "personalize_admin.api"
    label = "api"
    verbose_name = "Management API"

    def ready(self):
        # Registers the OpenAPI descriptions of the authentication classes.
        from . import schema  # noqa: F401
