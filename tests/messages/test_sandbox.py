"""The whole path over real HTTP with the sandbox: it POSTs to the credential's callback, the portal follows the
watched offers, a price move reaches the bell (a real Celery worker applies it), and what the callback missed is read
back from the message list, stored once and confirmed."""

import threading
import time

import pytest
from django.core.management import call_command

from sandbox import delivery
from sandbox import messages as sandbox_messages
from sandbox.models import SandboxApp, SandboxFollow, SandboxMessage, SandboxOffer, SandboxSubscription
from sourcing.alerts import services as alerts
from sourcing.alerts.models import Alert, Notification
from sourcing.alibaba import api
from sourcing.catalog.models import CatalogJob, Product
from sourcing.catalog.services.offers import product_detail_fetch
from sourcing.connections.models import ApiCallLog
from sourcing.lists import services as lists
from sourcing.lists.models import ListItem
from sourcing.messages.models import Follow, InboundMessage, MessageFeed
from sourcing.messages.services import catchup, follow
from tests.conftest import wait_for
from tests.portal_fixtures import APP_KEY, connected  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.SANDBOX_DRIFT_SECONDS = 10**9  # prices hold still unless a test moves them
    settings.SANDBOX_MESSAGE_RETRY_SECONDS = [0.2]
    settings.SANDBOX_MESSAGE_TIMEOUT_SECONDS = 5
    yield
    for thread in threading.enumerate():  # the sandbox's senders hold database connections
        if thread.name.startswith("sandbox-messages"):
            thread.join(5)


def detail_calls() -> int:
    return ApiCallLog.objects.filter(api=api.PRODUCT_DETAIL.id, probe=False).exclude(outcome="refused").count()


def subscribe(live_server, credential, url: str = "") -> SandboxApp:
    app = SandboxApp.objects.get(app_key=APP_KEY)
    SandboxSubscription.objects.update_or_create(app=app, defaults={
        "callback_url": url or f"{live_server.url}/hooks/1688/{credential.pk}/",
        "topics": list(sandbox_messages.TOPICS)})  # fmt: skip
    return app


@pytest.fixture
def watched(alice, connected, catalog, live_server):  # noqa: F811
    """An offer fetched into the portal, on Acme's list with alice's price alert, messages set up (the console's
    test message arrived) and the offer followed."""
    app = subscribe(live_server, connected)
    sandbox_messages.emit_test(app)
    wait_for(lambda: MessageFeed.objects.filter(credential=connected, first_message_at__isnull=False).exists(), 10)
    offer = SandboxOffer.objects.order_by("offer_id").first()
    product = product_detail_fetch(job=CatalogJob(kind=CatalogJob.Kind.REFRESH, credential=connected),
                                   offer_id=offer.offer_id)  # fmt: skip
    team_list = lists.list_create(actor=alice, team=alice.current_team, name="Watched")
    lists.item_add(actor=alice, product_list=team_list, product=product)
    alerts.alert_create(actor=alice, team=alice.current_team, product=product, kind="price_below",
                        threshold=product.price_min)  # fmt: skip
    assert follow.follows_sync() == {"followed": 1, "unfollowed": 0, "failed": 0}
    assert follow.follows_sync() == {"followed": 0, "unfollowed": 0, "failed": 0}  # idempotent
    assert SandboxFollow.objects.filter(offer_id=offer.offer_id).count() == 1
    return product


@pytest.mark.worker
def test_a_price_move_reaches_the_bell_through_a_real_worker(request, monkeypatch, live_server, alice, watched):
    monkeypatch.setenv("SITE_URL", live_server.url)
    monkeypatch.setenv("ALIBABA_API_URL", f"{live_server.url}/sandbox/openapi")
    worker = request.getfixturevalue("celery_worker_process")
    before = detail_calls()
    call_command("sandbox_move_price", "--offer", str(watched.offer_id), "--percent", "-20")
    note = wait_for(lambda: Notification.objects.filter(user=alice, product=watched).first(), timeout=30)
    assert "below your" in note.text
    wait_for(lambda: not InboundMessage.objects.filter(state="new").exists(), timeout=30)
    # the edit and its price message: applied, one fetch between them
    topics = dict(InboundMessage.objects.exclude(topic="SANDBOX_TEST_MESSAGE").values_list("topic", "state"))
    assert topics == {"PRODUCT_RELATION_VIEW_PRODUCT_NEW_OR_MODIFY": "applied", "FENXIAO_PRICE_CHANGE": "ignored"}
    assert detail_calls() == before + 1
    worker.log.seek(0)
    assert "sourcing.tasks.message_apply" in worker.log.read()


def test_the_watch_ends_and_the_offer_is_unfollowed(alice, watched):
    for item in ListItem.objects.filter(product=watched):
        lists.item_remove(actor=alice, item=item)
    for alert in Alert.objects.filter(product=watched):
        alerts.alert_delete(actor=alice, alert=alert)
    assert follow.follows_sync() == {"followed": 0, "unfollowed": 1, "failed": 0}
    assert not SandboxFollow.objects.filter(offer_id=watched.offer_id).exists()
    assert Follow.objects.get().state == "unfollowed"


def test_what_the_callback_missed_is_caught_up_stored_once_and_confirmed(
    settings,
    live_server,
    alice,
    connected,  # noqa: F811
    watched,
):
    # the callback is unreachable: the sandbox tries, retries once, gives up
    app = subscribe(live_server, connected, url="http://127.0.0.1:9/hooks/1688/down/")
    offer = SandboxOffer.objects.get(offer_id=watched.offer_id)
    offer.listed = False
    offer.save()
    message = SandboxMessage.objects.filter(app=app).order_by("pk").last()
    assert message.type == "PRODUCT_RELATION_VIEW_PRODUCT_EXPIRE"
    deadline = time.monotonic() + 10
    while SandboxMessage.objects.get(pk=message.pk).state != "failed" and time.monotonic() < deadline:
        delivery.deliver_due()
        time.sleep(0.1)
    assert Product.objects.get(pk=watched.pk).status == "active"  # nothing arrived
    # the catch-up reads it, stores it through the same path, applies it and confirms it
    assert catchup.messages_catch_up(credential_id=connected.pk) == 1
    stored = InboundMessage.objects.get(msg_id=message.msg_id)
    assert (stored.via, stored.state) == ("catchup", "applied") and stored.confirmed_at is not None
    assert Product.objects.get(pk=watched.pk).status == "delisted"
    assert SandboxMessage.objects.get(pk=message.pk).state == "confirmed"
    # a second run finds nothing new, and the feed is healthy
    MessageFeed.objects.filter(credential=connected).update(catchup_lease_until=None)
    assert catchup.messages_catch_up(credential_id=connected.pk) == 0
    feed = MessageFeed.objects.get(credential=connected)
    assert feed.catchup_ok_at is not None and feed.catchup_error == ""


def test_a_first_good_read_of_the_message_list_sets_the_feed_up(connected):  # noqa: F811
    from sourcing.messages.selectors import healthy_feeds

    assert not MessageFeed.objects.exists()
    assert catchup.messages_catch_up(credential_id=connected.pk) == 0  # nothing waiting
    feed = MessageFeed.objects.get(credential=connected)
    assert feed.first_message_at is None and feed.catchup_ok_at is not None
    assert list(healthy_feeds().values_list("credential_id", flat=True)) == [connected.pk]
    assert catchup.messages_catch_up(credential_id=connected.pk + 999) == 0  # no such credential: nothing


def test_a_run_while_another_holds_the_lock_asks_1688_nothing(alice, watched):
    from django.core.cache import cache

    for item in ListItem.objects.filter(product=watched):
        lists.item_remove(actor=alice, item=item)
    for alert in Alert.objects.filter(product=watched):
        alerts.alert_delete(actor=alice, alert=alert)
    cache.add(follow.RUN_LOCK, 1, timeout=60)  # a run still under way in another worker
    try:
        assert follow.follows_sync()["skipped"] == 1
        assert SandboxFollow.objects.filter(offer_id=watched.offer_id).exists()  # nothing unfollowed twice
    finally:
        cache.delete(follow.RUN_LOCK)
    assert follow.follows_sync() == {"followed": 0, "unfollowed": 1, "failed": 0}
