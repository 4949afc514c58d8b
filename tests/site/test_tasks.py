"""A task enqueued by a view runs in a real worker process on the configured broker."""

import pytest
from django.urls import reverse

from sourcing.accounts.models import Invitation
from tests.conftest import wait_for


@pytest.mark.worker
def test_invitation_email_is_sent_by_a_real_worker(client, alice, acme, celery_worker_process):
    # given a running worker; when alice invites someone through the page
    client.force_login(alice)
    client.post(reverse("team_invite", args=[acme.pk]), {"email": "wang@example.com", "role": "buyer"})
    invitation = Invitation.objects.get(email="wang@example.com")
    # then the worker sends the e-mail and stamps the invitation; the service claims the row (sent_at)
    # before it mails and forgets the link only after, so wait for that last step, not for sent_at
    sent = Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False, token_for_mail_encrypted="")
    wait_for(sent.exists, timeout=60)
    mails = list(celery_worker_process.mail_dir.iterdir())
    assert len(mails) == 1
    assert "/invite/" in mails[0].read_text()
    celery_worker_process.log.seek(0)
    assert "sourcing.tasks.invitation_send" in celery_worker_process.log.read()


def test_the_worker_parent_freezes_what_it_loaded_just_before_it_forks_its_processes():
    import gc

    from celery.signals import celeryd_after_setup

    gc.unfreeze()
    try:
        # when the worker command has set up, right before the prefork pool forks
        celeryd_after_setup.send(sender="background@host", instance=None, conf=None)
        # then what the parent loaded is out of the collector's reach, so the forked processes share its pages
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_worker_process_with_debug_on_forgets_each_tasks_queries(settings, db):
    from celery.signals import task_postrun
    from django.db import connection

    from portal.celery import app
    from sourcing.accounts.models import User

    settings.DEBUG = True  # Django then keeps each connection's queries, up to 9,000
    task = app.tasks["sourcing.tasks.catalog_refresh_due"]
    User.objects.count()
    # an inline (eager) task is part of its caller's work: its queries stay with the caller's
    task.push_request(is_eager=True)
    try:
        task_postrun.send(sender=task, task=task, task_id="inline")
    finally:
        task.pop_request()
    assert len(connection.queries) == 1
    # a task run by a worker process leaves none behind
    task_postrun.send(sender=task, task=task, task_id="in-a-worker")
    assert connection.queries == []
