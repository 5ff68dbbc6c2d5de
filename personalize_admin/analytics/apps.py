from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "personalize_admin.analytics"
    label = "analytics"
    verbose_name = "Analytics"
