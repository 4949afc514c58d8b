from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal configuration"

    def ready(self):
        from portal import checks  # noqa: F401 - registers the production settings checks
