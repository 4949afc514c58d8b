"""Deliveries against a real HTTP receiver on 127.0.0.1: signed as docs/webhooks.md says (checked with the very code
printed there), retried with backoff until the receiver answers 2xx, given up after the last try, replayed as a
new chain with the same id, claimed once by racing workers; secrets encrypted at rest; private addresses refused
when they are not allowed; redirects not followed; nothing for another team's endpoint."""

import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from sourcing.webhooks import services
from sourcing.webhooks.models import Delivery, Endpoint, Event, EventKind
from tests.conftest import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)
DOC = Path(django_settings.BASE_DIR) / "docs" / "webhooks.md"


def documented_verify():
    """The receiver's code from docs/webhooks.md ("Verifying a delivery"), run as printed."""
    section = DOC.read_text().split("### Verifying a delivery", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    scope = {}
    exec(code, scope)  # noqa: S102 - our own documentation
    return scope["verify"]


def emit(team, kind="alert.fired", **data):
    return services.event_emit(team_id=team.pk, kind=kind, data=data or {"alert": 1})


def test_signatures_match_the_standard_webhooks_test_vector(monkeypatch):
    # the specification's published example: any of its libraries verifies what the portal signs
    secret, msg_id, stamp, body = ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                                   b'{"test": 2432232314}')  # fmt: skip
    signed = services.signing.headers([secret], msg_id, stamp, body)
    assert signed == {"webhook-id": msg_id, "webhook-timestamp": "1614265330",
                      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}  # fmt: skip
    monkeypatch.setattr("time.time", lambda: stamp + 10)
    assert documented_verify()(secret, signed, body)
    assert len(services.signing.new_secret().removeprefix("whsec_")) == 32  # 24 random bytes, like the example's


def test_a_receiver_verifies_each_request_with_the_documented_code(receiver, endpoint_and_secret, acme):
    endpoint, secret = endpoint_and_secret
    verify = documented_verify()
    event = emit(acme, "order.status_changed", order=42, to="paid")
    # the receiver got one POST, signed with the endpoint's secret
    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    assert got.path == "/hooks/" and got.headers["content-type"] == "application/json"
    assert got.headers["webhook-id"] == event.message_id and got.headers["webhook-signature"].startswith("v1,")
    assert verify(secret, got.headers, got.body)
    body = json.loads(got.body)
    assert body == {"id": event.message_id, "type": "order.status_changed", "created": event.created_at.isoformat(),
                    "team": acme.pk, "data": {"order": 42, "to": "paid"}}  # fmt: skip
    # a changed body, another secret, or the same request replayed after the tolerance: refused
    assert not verify(secret, got.headers, got.body.replace(b"paid", b"shipped"))
    assert not verify(services.signing.new_secret(), got.headers, got.body)
    old = {**got.headers, "webhook-timestamp": str(int(got.headers["webhook-timestamp"]) - 301)}
    assert not verify(secret, old, got.body)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.response_excerpt) == (
        "succeeded", 1, 200, '{"ok": true}')  # fmt: skip
    assert delivery.duration_ms is not None and delivery.error == ""


def test_a_failing_receiver_is_tried_again_with_backoff_until_it_answers(receiver, endpoint_and_secret, acme, settings):
    endpoint, secret = endpoint_and_secret
    settings.WEBHOOK_RETRY_SECONDS = [1, 2]
    receiver.script = [500, 503]
    emit(acme)
    delivery = Delivery.objects.get()
    # the first attempt failed: the next one is due about a second later (give or take a fifth)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    assert delivery.error == "The endpoint did not answer with a 2xx status."
    gap = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    assert 0.8 <= gap <= 1.25
    # beat's sweep before it is due queues nothing
    assert services.deliveries_due() == 0 and len(receiver.requests) == 1
    wait_until(delivery.next_attempt_at)
    assert services.deliveries_due() == 1  # the task ran inline: the second attempt
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 2, 503)
    gap = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    assert 1.6 <= gap <= 2.45  # the second step, longer
    wait_until(delivery.next_attempt_at)
    services.deliveries_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.next_attempt_at) == (
        "succeeded", 3, 200, None)  # fmt: skip
    # three requests, one webhook-id, each signed
    verify = documented_verify()
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1 and len(receiver.requests) == 3
    assert all(verify(secret, r.headers, r.body) for r in receiver.requests)
    Endpoint.objects.get(pk=endpoint.pk, failing_since=None)  # a success clears the failing mark


def wait_until(moment):
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()) + 0.05)


def test_after_the_last_try_the_delivery_has_failed_and_a_replay_sends_it_again(
    client, receiver, endpoint, acme, alice, settings
):
    settings.WEBHOOK_RETRY_SECONDS = [0, 0]
    receiver.script = [500, 502, 500]
    event = emit(acme)
    services.deliveries_due()
    services.deliveries_due()
    failed = Delivery.objects.get()
    assert (failed.status, failed.attempts, failed.response_code, failed.next_attempt_at) == ("failed", 3, 500, None)
    assert services.deliveries_due() == 0 and len(receiver.requests) == 3  # given up: nothing more
    assert Endpoint.objects.get(pk=endpoint.pk).failing_since is not None
    # the page says so
    client.force_login(alice)
    page = client.get(f"/teams/{acme.pk}/webhooks/{endpoint.pk}/").content.decode()
    assert "Failed" in page and "attempt 3 of 3" in page and "The endpoint did not answer with a 2xx status." in page
    # alice replays it once the receiver is fixed: a new chain, the same event and id
    response = client.post(f"/teams/{acme.pk}/webhooks/{endpoint.pk}/deliveries/{failed.pk}/replay/")
    assert response.status_code == 302
    replay = Delivery.objects.exclude(pk=failed.pk).get()
    assert (replay.status, replay.attempts, replay.event_id, replay.replay_of_id) == (
        "succeeded",
        1,
        event.pk,
        failed.pk,
    )
    assert Delivery.objects.get(pk=failed.pk).status == "failed"
    assert receiver.requests[-1].headers["webhook-id"] == event.message_id and len(receiver.requests) == 4


def test_workers_racing_for_one_due_delivery_send_it_once(receiver, endpoint, acme, monkeypatch):
    # given a due delivery whose task has not run (as after a worker died)
    monkeypatch.setattr("sourcing.webhooks.services.enqueue", lambda *args: None)
    emit(acme)
    delivery = Delivery.objects.get()
    # when five workers try it at once
    failures = run_in_threads(lambda: services.delivery_attempt(delivery_id=delivery.pk), 5)
    # then one request went out, and the delivery counts one attempt
    assert failures == []
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)


def test_a_last_attempt_whose_worker_died_ends_failed(receiver, endpoint, acme, settings, monkeypatch):
    settings.WEBHOOK_RETRY_SECONDS = [0]
    monkeypatch.setattr("sourcing.webhooks.services.enqueue", lambda *args: None)
    emit(acme)
    # the last attempt was claimed, and its worker died before writing the answer: the lease ran out
    Delivery.objects.update(attempts=2, lease_until=timezone.now() - timedelta(seconds=1))
    delivery = Delivery.objects.get()
    assert services.delivery_attempt(delivery_id=delivery.pk) is None  # no attempt past the last
    assert services.deliveries_due() == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == (
        "failed", 2, "The last attempt did not finish (its worker stopped).")  # fmt: skip
    assert receiver.requests == []


def test_the_secret_is_encrypted_at_rest_and_never_shown_again(client, alice, acme, endpoint_and_secret):
    endpoint, secret = endpoint_and_secret
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Endpoint._meta.db_table}")  # noqa: S608 - a table name
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert secret not in stored and secret.removeprefix("whsec_") not in stored
    assert Endpoint.objects.get(pk=endpoint.pk).secret == secret  # it decrypts with FIELD_ENCRYPTION_KEYS
    assert secret not in repr(endpoint) and secret not in str(endpoint)
    client.force_login(alice)
    for path in (f"/teams/{acme.pk}/webhooks/", f"/teams/{acme.pk}/webhooks/{endpoint.pk}/",
                 f"/admin/sourcing/endpoint/{endpoint.pk}/change/", "/admin/sourcing/endpoint/"):  # fmt: skip
        page = client.get(path)
        assert page.status_code == 200 and secret not in page.content.decode(), path


def test_a_rolled_secret_signs_beside_the_old_one_for_the_grace_period(receiver, endpoint_and_secret, acme, alice):
    endpoint, old = endpoint_and_secret
    new = services.endpoint_roll_secret(actor=alice, endpoint=endpoint)
    assert new != old and new.startswith("whsec_")
    emit(acme)
    verify = documented_verify()
    got = receiver.requests[-1]
    assert len(got.headers["webhook-signature"].split()) == 2
    assert verify(new, got.headers, got.body) and verify(old, got.headers, got.body)
    # after the grace period only the new one signs
    Endpoint.objects.filter(pk=endpoint.pk).update(previous_secret_until=timezone.now() - timedelta(seconds=1))
    emit(acme)
    got = receiver.requests[-1]
    assert verify(new, got.headers, got.body) and not verify(old, got.headers, got.body)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hooks", "http://localhost/hooks", "http://[::1]/x",
                                 "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/", "http://0.0.0.0/"])  # fmt: skip
def test_private_addresses_are_refused_when_not_allowed(alice, acme, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    with pytest.raises(services.WebhookError, match="private or local network"):
        services.endpoint_create(actor=alice, team=acme, url=url, kinds=["alert.fired"])
    assert not Endpoint.objects.exists()


def test_an_endpoint_that_leads_to_a_private_address_later_gets_nothing(receiver, endpoint, acme, settings):
    # given an endpoint saved while its name was public (here: while private addresses were allowed)
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    emit(acme)
    # the worker checked the connected socket's address and sent nothing
    assert receiver.requests == []
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.response_code is None
    assert delivery.error == "The address led to a private or local network; webhooks go only to public addresses."


@pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)", "example.com/hook", "http://[::1"])
def test_only_web_addresses(alice, acme, url):
    with pytest.raises(services.WebhookError, match="http:// or https://|not a web address"):
        services.endpoint_create(actor=alice, team=acme, url=url, kinds=["alert.fired"])


def test_no_password_in_the_url(alice, acme):
    with pytest.raises(services.WebhookError, match="Leave the user name and password out of the URL"):
        services.endpoint_create(actor=alice, team=acme, url="https://erp:pw@erp.example/in", kinds=["alert.fired"])


def test_a_redirect_is_not_followed_and_a_long_answer_is_cut(receiver, endpoint, acme):
    receiver.script = [302]
    receiver.location = receiver.url + "elsewhere"
    emit(acme)
    delivery = Delivery.objects.get()
    assert [r.path for r in receiver.requests] == ["/hooks/"]
    assert delivery.status == "pending" and delivery.response_code == 302
    assert delivery.error == "The endpoint answered with a redirect; redirects are not followed."
    receiver.answer_body = b"x" * 200_000
    emit(acme)
    latest = Delivery.objects.order_by("-pk").first()
    assert latest.status == "succeeded" and len(latest.response_excerpt) == 500


def test_events_reach_only_the_teams_own_subscribed_endpoints(receiver, endpoint, acme, alice, carol, globex):
    globex_endpoint, _secret = services.endpoint_create(actor=carol, team=globex, url=receiver.url,
                                                        kinds=list(EventKind.values))  # fmt: skip
    services.endpoint_update(actor=alice, endpoint=endpoint, url=endpoint.url, kinds=["reply.logged"])
    # an event of a kind Acme's endpoint does not want: nothing written, nothing sent
    assert emit(acme, "alert.fired") is None and not Event.objects.exists()
    emit(acme, "reply.logged", inquiry=7)
    assert [d.endpoint_id for d in Delivery.objects.all()] == [endpoint.pk]
    assert len(receiver.requests) == 1 and json.loads(receiver.requests[0].body)["team"] == acme.pk
    assert not Delivery.objects.filter(endpoint=globex_endpoint).exists()


def test_a_disabled_endpoint_gets_nothing_and_one_failing_for_days_is_disabled(receiver, endpoint, acme, alice):
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(days=6))
    from sourcing.webhooks.tasks import webhooks_deliver_due

    webhooks_deliver_due()
    endpoint.refresh_from_db()
    assert not endpoint.active and "failed for 5 days" in endpoint.disabled_reason
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert f"/teams/{acme.pk}/webhooks/{endpoint.pk}/" in mail.outbox[0].body
    webhooks_deliver_due()
    assert len(mail.outbox) == 1  # told once
    assert emit(acme) is None and receiver.requests == []


def test_emitting_costs_a_team_without_endpoints_one_query(acme, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert emit(acme) is None


def test_the_sweep_leaves_a_delivery_whose_task_is_already_queued(receiver, endpoint_and_secret, acme):
    """Workers lagging: a due delivery is queued once, not again by every sweep while its task waits."""
    receiver.script = [500]
    emit(acme)
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    services.delivery_queued(delivery_id=delivery.pk)  # its task sits in a lagging worker's queue
    assert services.deliveries_due() == 0 and len(receiver.requests) == 1
    services.delivery_attempt(delivery_id=delivery.pk)  # the task runs at last: delivered, once
    assert len(receiver.requests) == 2 and Delivery.objects.get().status == "succeeded"
