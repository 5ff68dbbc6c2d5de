from django.apps import AppConfig


class EdgeConfig(AppConfig):
    name = "personalize_admin.edge"
    label = "edge"
    verbose_name = "Edge API"
