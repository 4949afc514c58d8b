"""The Celery application: settings under the CELERY_ namespace, tasks autodiscovered."""

import gc
import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.exceptions import Reject
from celery.signals import celeryd_after_setup, task_postrun, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


class PortalTask(DjangoTask):
    """Celery's Django task (delay_on_commit …), except that a retry the broker could not take gives the task back instead of dropping it."""

    def retry(self, *args, **kwargs):
        try:
            return super().retry(*args, **kwargs)
        except Reject as reject:
            # Celery rejects a task whose retry it could not publish (the broker is restarting) without requeueing
            # it, so the work would be lost; requeued, it runs again once the broker is back.
            raise Reject(reject.reason, requeue=True) from None


app = Celery("portal", task_cls=PortalTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _site_default_sync(**kwargs):
    """Keep the site default credential in step with ALIBABA_APP_KEY / ALIBABA_APP_SECRET; check it if new."""
    from sourcing.connections.services.checks import check_start
    from sourcing.connections.services.credentials import site_default_sync

    credential = site_default_sync()
    if credential is not None and not credential.is_verified:
        check_start(credential=credential, user=None, kind="credential")


@celeryd_after_setup.connect
def _freeze_before_fork(**kwargs):
    """Right before the prefork pool forks its children: move everything loaded so far out of the garbage collector's
    reach, so collections in the children never write to those objects and their pages stay shared with the parent
    (gc.freeze; bench/refresh.py memory measures it)."""
    gc.collect()
    gc.freeze()


@task_postrun.connect
def _forget_queries(task=None, **kwargs):
    """With DEBUG on, Django keeps each connection's last 9,000 queries; a request forgets them when the next one
    starts, a task never would, so a DEBUG worker (the demo's, the bench's) would hold them all."""
    from django.conf import settings
    from django.db import reset_queries

    if settings.DEBUG and task is not None and not task.request.is_eager:  # an inline task: part of its caller
        reset_queries()
