"""The Celery application: settings under the CELERY_ namespace, tasks autodiscovered."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _site_default_sync(**kwargs):
    """Keep the site default credential in step with ALIBABA_APP_KEY / ALIBABA_APP_SECRET; check it if new."""
    from sourcing.services.checks import check_start
    from sourcing.services.credentials import site_default_sync

    credential = site_default_sync()
    if credential is not None and not credential.is_verified:
        check_start(credential=credential, user=None, kind="credential")
