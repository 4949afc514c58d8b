from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _site_default_sync(**kwargs):
    from sourcing.services.credentials import site_default_sync

    site_default_sync()


class SourcingConfig(AppConfig):
    name = "sourcing"
    verbose_name = "Sourcing portal"

    def ready(self):
        # The site default credential is created or updated once, at migrate (and at worker start, see
        # portal/celery.py), never while a page is being served.
        post_migrate.connect(_site_default_sync, sender=self)
