from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "personalize_admin.core"
    label = "core"
    verbose_name = "Core"
