from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "partybuild.portal"
    label = "portal"
    verbose_name = "门户"
