"""A real Celery worker process delivers a test event queued by the page, trying again after a failure."""

import pytest

from sourcing.webhooks.models import Delivery, Endpoint
from tests.conftest import wait_for
from tests.webhooks.test_delivery import documented_verify


@pytest.fixture
def one_second_retries(monkeypatch):
    """The worker process reads its settings from the environment: one retry, a second after the first failure."""
    monkeypatch.setenv("WEBHOOK_RETRY_SECONDS", "1")


@pytest.mark.worker
def test_a_real_worker_delivers_and_retries(client, alice, acme, receiver, one_second_retries, celery_worker_process):
    # given an endpoint whose receiver fails once
    receiver.script = [503]
    client.force_login(alice)
    shown = client.post(f"/teams/{acme.pk}/webhooks/", {"url": receiver.url, "kinds": ["alert.fired"]})
    endpoint = Endpoint.objects.get()
    assert shown.status_code == 200
    # when alice sends a test event, the worker tries, fails, and tries again a second later
    assert client.post(f"/teams/{acme.pk}/webhooks/{endpoint.pk}/test/").status_code == 302
    delivered = Delivery.objects.filter(status="succeeded")
    wait_for(delivered.exists, timeout=60)
    delivery = delivered.get()
    assert (delivery.attempts, delivery.response_code) == (2, 200)
    assert len(receiver.requests) == 2
    assert all(documented_verify()(endpoint.secret, r.headers, r.body) for r in receiver.requests)
    celery_worker_process.log.seek(0)
    assert "sourcing.tasks.webhook_deliver" in celery_worker_process.log.read()
