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
