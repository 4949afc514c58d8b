"""The team's webhook pages: owners add an endpoint and see its secret once, test it, roll, disable, enable and
delete it; buyers read the log and get 403 on writes; carol (Globex) gets 404; hostile input gets words, never 500."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from sourcing.webhooks import services
from sourcing.webhooks.models import Delivery, Endpoint
from sourcing.webhooks.services import WebhookError
from tests.lists.conftest import text

pytestmark = pytest.mark.django_db(transaction=True)


def add(client, team, **data):
    fields = {"url": "", "description": "", "kinds": ["alert.fired", "order.status_changed"]}
    fields.update(data)
    return client.post(f"/teams/{team.pk}/webhooks/", fields)


def test_an_owner_adds_an_endpoint_sees_the_secret_once_and_sends_a_test(client, alice, acme, receiver):
    client.force_login(alice)
    assert "Webhooks" in text(client.get(f"/teams/{acme.pk}/"))
    page = text(client.get(f"/teams/{acme.pk}/webhooks/"))
    assert "No webhook endpoint yet." in page and "Add an endpoint" in page
    response = add(client, acme, url=receiver.url, description="Acme ERP")
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    endpoint = Endpoint.objects.get()
    assert endpoint.kinds == ["alert.fired", "order.status_changed"] and endpoint.created_by == alice
    shown = text(response)
    assert endpoint.secret in shown and "shown only this once" in shown
    # never again
    again = text(client.get(f"/teams/{acme.pk}/webhooks/{endpoint.pk}/"))
    assert endpoint.secret not in again and "Nothing sent yet." in again
    listed = text(client.get(f"/teams/{acme.pk}/webhooks/"))
    assert receiver.url in listed and "An alert fired" in listed and "0 delivered" in listed
    # a test event: delivered to the receiver, logged on the page
    assert client.post(f"/teams/{acme.pk}/webhooks/{endpoint.pk}/test/").status_code == 302
    assert len(receiver.requests) == 1
    page = text(client.get(f"/teams/{acme.pk}/webhooks/{endpoint.pk}/"))
    assert "webhook.test" in page and "Delivered" in page and "attempt 1 of 7" in page and "200" in page
    # rolling shows the new secret once
    rolled = client.post(f"/teams/{acme.pk}/webhooks/{endpoint.pk}/roll/")
    endpoint.refresh_from_db()
    assert rolled.status_code == 200 and endpoint.secret in text(rolled)
    # disabled: no test button, nothing sent; enabled again
    assert client.post(f"/teams/{acme.pk}/webhooks/{endpoint.pk}/active/").status_code == 302
    assert not Endpoint.objects.get().active
    assert "Send a test event" not in text(client.get(f"/teams/{acme.pk}/webhooks/{endpoint.pk}/"))
    assert client.post(f"/teams/{acme.pk}/webhooks/{endpoint.pk}/test/").status_code == 400
    client.post(f"/teams/{acme.pk}/webhooks/{endpoint.pk}/active/", {"active": "1"})
    assert Endpoint.objects.get().active
    # change the events
    changed = client.post(f"/teams/{acme.pk}/webhooks/{endpoint.pk}/", {"url": receiver.url, "kinds": ["reply.logged"]})
    assert changed.status_code == 302 and Endpoint.objects.get().kinds == ["reply.logged"]
    # deleted, with its log
    assert client.post(f"/teams/{acme.pk}/webhooks/{endpoint.pk}/delete/").status_code == 302
    assert not Endpoint.objects.exists() and not Delivery.objects.exists()


def test_a_buyer_reads_the_log_but_changes_nothing_and_carol_sees_nothing(client, bob, carol, acme, endpoint):
    client.force_login(alice_endpoint := endpoint.created_by)
    client.post(f"/teams/{acme.pk}/webhooks/{endpoint.pk}/test/")
    delivery = Delivery.objects.get()
    assert alice_endpoint.username == "alice"
    base = f"/teams/{acme.pk}/webhooks/{endpoint.pk}/"
    writes = [f"/teams/{acme.pk}/webhooks/", base, base + "test/", base + "roll/", base + "active/", base + "delete/",
              base + f"deliveries/{delivery.pk}/replay/"]  # fmt: skip
    client.force_login(bob)
    page = text(client.get(base))
    assert "webhook.test" in page and "Replay" not in page and "Roll secret" not in page
    assert "Add an endpoint" not in text(client.get(f"/teams/{acme.pk}/webhooks/"))
    for path in writes:
        assert add(client, acme, url="http://127.0.0.1:9/").status_code == 403
        assert client.post(path, {"url": "http://127.0.0.1:9/", "kinds": ["alert.fired"]}).status_code == 403, path
    client.force_login(carol)
    for path in writes + [base + "?part=deliveries"]:
        assert client.get(path).status_code in (404, 405), path
        assert client.post(path).status_code == 404, path
    # another team's ids under carol's own team: 404 too
    globex = carol.current_team
    assert client.get(f"/teams/{globex.pk}/webhooks/{endpoint.pk}/").status_code == 404
    client.logout()
    assert client.get(base)["Location"].startswith("/accounts/login/")
    assert Endpoint.objects.get().active and Delivery.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"url": "https://x.example/" + "a" * 10_000}, "Ensure this value has at most 500 characters"),
        ({"url": "not a url"}, "Use an http:// or https:// address."),
        ({"url": "http://[::1"}, "That is not a web address."),
        ({"url": "ftp://files.example/hook"}, "Use an http:// or https:// address."),
        ({"url": ""}, "This field is required."),
        ({"url": "https://x.example/", "kinds": []}, "Choose at least one event."),
        ({"url": "https://x.example/", "kinds": ["order.deleted"]}, "Select a valid choice."),
        ({"url": "https://x.example/", "description": "描" * 10_000}, "at most 200 characters"),
        ({"url": "https://x.example/\x00"}, "characters the portal cannot read"),
    ],
)
def test_hostile_input_gets_a_clear_message(client, alice, acme, fields, words):
    client.force_login(alice)
    response = add(client, acme, **fields)
    assert response.status_code == 400
    assert words in text(response)
    assert not Endpoint.objects.exists()


def test_bad_ids_are_404(client, alice, acme, endpoint):
    client.force_login(alice)
    for path in (f"/teams/{acme.pk}/webhooks/99999999999999999999999/", f"/teams/{acme.pk}/webhooks/0/",
                 f"/teams/{acme.pk}/webhooks/{endpoint.pk}/deliveries/99999999999999999999/replay/"):  # fmt: skip
        assert client.get(path).status_code in (404, 405)
        assert client.post(path).status_code == 404


def test_private_addresses_are_refused_on_the_page_in_production(client, alice, acme, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    client.force_login(alice)
    response = add(client, acme, url="http://169.254.169.254/latest/meta-data/")
    assert response.status_code == 400
    assert "leads to a private or local network" in text(response)


def test_the_log_refreshes_itself_while_an_attempt_is_near(client, alice, acme, endpoint, receiver, settings):
    settings.WEBHOOK_RETRY_SECONDS = [30]
    receiver.script = [500]
    client.force_login(alice)
    base = f"/teams/{acme.pk}/webhooks/{endpoint.pk}/"
    client.post(base + "test/")
    page = client.get(base).content.decode()
    assert 'hx-trigger="every 3s"' in page and "Retrying" in page and "attempt 1 of 2" in page and "next in" in page
    part = client.get(base + "?part=deliveries").content.decode()
    assert part.startswith('<div id="deliveries"') and "<html" not in part and "webhook.test" in part
    # a retry hours away: the page says when, and does not poll meanwhile
    Delivery.objects.update(next_attempt_at=timezone.now() + timedelta(hours=2))
    page = client.get(base).content.decode()
    assert "hx-trigger" not in page and "next in 1\xa0hour, 59\xa0minutes" in page


def test_two_adds_at_once_never_pass_the_teams_cap(alice, acme, settings):
    # given a team one endpoint short of its cap
    settings.WEBHOOK_ENDPOINTS_MAX = 1
    start, outcomes = threading.Barrier(2), []

    def add_one(n):
        try:
            start.wait()
            services.endpoint_create(actor=alice, team=acme, url=f"http://127.0.0.1/{n}", kinds=["alert.fired"])
            outcomes.append("added")
        except WebhookError:
            outcomes.append("refused")
        finally:
            connection.close()

    # when two owners' clicks arrive together
    threads = [threading.Thread(target=add_one, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then one is added and the other refused
    assert sorted(outcomes) == ["added", "refused"] and Endpoint.objects.filter(team=acme).count() == 1
