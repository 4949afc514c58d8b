"""Issue 23 end to end, in a real browser with a real worker: an owner makes an API token (shown once) and adds an
offer to a list with it over HTTP, registers a webhook endpoint for "alert.fired" (a receiver on 127.0.0.1) and sets a
price alert; the sandbox moves the offer's price, its 1688 message reaches the credential's callback, the worker
applies it, the bell rings, the receiver gets a delivery signed as docs/webhooks.md says, and the endpoint page shows
it delivered. Every page at 390 and 1280 px, never wider than the screen: var/screenshots/events/."""

import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.management import call_command

from sandbox import messages as sandbox_messages
from sandbox.models import SandboxApp, SandboxOffer, SandboxSubscription
from sourcing.catalog.models import CatalogJob
from sourcing.catalog.services.offers import product_detail_fetch
from sourcing.messages.models import MessageFeed
from sourcing.messages.services import follow
from sourcing.webhooks.models import Delivery
from tests.browser import log_in, page_width
from tests.conftest import wait_for
from tests.portal_fixtures import APP_KEY, connected  # noqa: F401 - fixture
from tests.webhooks.conftest import receiver  # noqa: F401 - fixture
from tests.webhooks.test_delivery import documented_verify

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "events"


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.SANDBOX_DRIFT_SECONDS = 10**9  # prices hold still unless the test moves them
    settings.SANDBOX_MESSAGE_RETRY_SECONDS = [0.5]
    yield
    for thread in threading.enumerate():  # the sandbox's senders hold database connections
        if thread.name.startswith("sandbox-messages"):
            thread.join(5)


def shoot(page, name: str) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page_width(page) <= width, f"{name} scrolls sideways at {width} px"
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def test_a_price_move_reaches_the_bell_and_a_signed_webhook(
    request,
    monkeypatch,
    page,
    live_server,
    alice,
    acme,
    connected,  # noqa: F811
    catalog,
    receiver,  # noqa: F811
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("SITE_URL", live_server.url)  # the worker process reads its settings from the environment
    monkeypatch.setenv("ALIBABA_API_URL", f"{live_server.url}/sandbox/openapi")
    request.getfixturevalue("celery_worker_process")
    # alice's sandbox app POSTs its messages to her credential's callback (the console's Messages section)
    app = SandboxApp.objects.get(app_key=APP_KEY)
    SandboxSubscription.objects.create(app=app, callback_url=f"{live_server.url}/hooks/1688/{connected.pk}/",
                                       topics=list(sandbox_messages.TOPICS))  # fmt: skip
    sandbox_messages.emit_test(app)
    wait_for(lambda: MessageFeed.objects.filter(credential=connected, first_message_at__isnull=False).exists(), 20)
    offer = SandboxOffer.objects.order_by("offer_id").first()
    product = product_detail_fetch(job=CatalogJob(kind=CatalogJob.Kind.REFRESH, credential=connected),
                                   offer_id=offer.offer_id)  # fmt: skip

    # an API token, made on the team's page and shown once
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/teams/{acme.pk}/")
    page.click("a:has-text('API tokens')")
    page.fill("input[name=name]", "ERP sync")
    page.check("input[name=scopes][value=write]")
    page.click("button:has-text('Make the token')")
    token = page.locator("#new-token").inner_text().strip()
    shoot(page, "01-token-made")

    # the team's ERP uses it: a list, and the offer on it
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    made = api.post(f"{live_server.url}/api/v1/lists/", json={"name": "Spring restock"}, timeout=10)
    assert made.status_code == 201, made.text
    added = api.post(f"{live_server.url}/api/v1/lists/{made.json()['id']}/items/",
                     json={"offer": str(offer.offer_id), "quantity": 500}, timeout=10)  # fmt: skip
    assert added.status_code == 201, added.text
    assert added.json()["offer_id"] == offer.offer_id
    page.goto(f"{live_server.url}/lists/{made.json()['id']}/")
    assert product.title[:10] in page.content()
    shoot(page, "02-list-filled-by-the-api")

    # a webhook endpoint for fired alerts; its signing secret is shown once
    page.goto(f"{live_server.url}/teams/{acme.pk}/")
    page.click("a:has-text('Webhooks')")
    page.fill("input[name=url]", receiver.url)
    page.fill("[name=description]", "ERP alerts")
    page.check("input[name=kinds][value='alert.fired']")
    page.click("button:has-text('Add the endpoint')")
    secret = page.locator("#webhook-secret").inner_text().strip()
    assert secret.startswith("whsec_")
    shoot(page, "03-endpoint-added")

    # a price alert on the offer, from its product page
    page.goto(f"{live_server.url}/products/{offer.offer_id}/")
    page.click("#alerts a:has-text('Price alert')")
    page.select_option("select[name=kind]", "price_below")
    page.fill("input[name=threshold]", str(product.price_min))
    page.click("button:has-text('Set alert')")
    shoot(page, "04-alert-set")

    # beat follows the watched offer on 1688, so its messages come
    assert follow.follows_sync()["followed"] == 1

    # a seller cuts the price by a fifth in the sandbox
    call_command("sandbox_move_price", "--offer", str(offer.offer_id), "--percent", "-20")

    # the bell rings
    def bell_rings():
        page.goto(f"{live_server.url}/lists/")
        return page.locator(".bell .bell-count").count() > 0

    wait_for(bell_rings, timeout=60, interval=1)
    shoot(page, "05-bell")
    page.click(".bell")
    assert "below your" in page.content()
    shoot(page, "06-notifications")

    # the receiver got the event, signed as the docs say
    wait_for(lambda: any(b"alert.fired" in r.body for r in receiver.requests), timeout=60)
    got = next(r for r in receiver.requests if b"alert.fired" in r.body)
    assert documented_verify()(secret, got.headers, got.body)
    event = json.loads(got.body)
    assert (event["type"], event["team"], event["data"]["product"]["offer_id"]) == (
        "alert.fired",
        acme.pk,
        offer.offer_id,
    )
    assert event["data"]["condition"] == "price_below" and Decimal(event["data"]["threshold"]) == product.price_min

    # the endpoint's page shows it delivered
    wait_for(lambda: Delivery.objects.filter(status="succeeded").exists(), timeout=30)
    page.goto(f"{live_server.url}/teams/{acme.pk}/webhooks/")
    page.click(f".webhook-url a:has-text('{receiver.url}')")
    row = page.locator("#deliveries tr:has-text('alert.fired')")
    assert "200" in row.inner_text() and row.locator(".badge-ok").count() == 1
    shoot(page, "07-endpoint-delivered")
