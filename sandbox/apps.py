from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "sandbox"
    verbose_name = "1688 sandbox gateway"

    def ready(self):
        from . import signals  # noqa: F401 - connects the offer-change receivers
