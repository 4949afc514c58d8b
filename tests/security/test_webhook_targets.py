"""Webhook endpoints can't be aimed at the portal itself or its sandbox (production settings): by its name, its
ALLOWED_HOSTS, the sandbox gateway's name, another spelling of its address; nor at a private address hidden inside
an IPv6 one. An endpoint saved before the portal took a name sends nothing there."""

import pytest

from sourcing.webhooks import services
from sourcing.webhooks.models import Delivery, Endpoint, EventKind

OWN = "That address leads to this portal itself; webhooks go only to other systems."


@pytest.fixture
def production(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    settings.SITE_URL = "https://portal.example.com"
    settings.ALLOWED_HOSTS = ["portal.example.com", ".example.org"]
    settings.ALIBABA_API_URL = "https://gateway-sandbox.example.net/sandbox/openapi"
    settings.ALIBABA_AUTHORIZE_URL = "https://gateway-sandbox.example.net/sandbox/oauth/authorize"
    return settings


@pytest.mark.parametrize("url", [
    "https://portal.example.com/hooks/1688/1/",
    "https://PORTAL.Example.com.:8443/api/v1/lists/",
    "http://portal.example.com/teams/1/webhooks/",
    "https://example.org/x",
    "https://api.example.org/x",
    "https://gateway-sandbox.example.net/sandbox/console/",
])  # fmt: skip
def test_the_portal_and_its_sandbox_are_no_endpoint(alice, acme, production, url):
    with pytest.raises(services.WebhookError, match="this portal itself"):
        services.endpoint_create(actor=alice, team=acme, url=url, kinds=["alert.fired"])
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize("url", ["http://1572395042/hooks", "http://93.184.216.34:8080/x", "http://0x5db8d822/x",
                                 "http://[::ffff:93.184.216.34]/x"])  # fmt: skip
def test_another_spelling_of_the_portals_address_is_refused(alice, acme, production, url):
    production.SITE_URL = "https://93.184.216.34"
    with pytest.raises(services.WebhookError, match="private or local network|this portal itself"):
        services.endpoint_create(actor=alice, team=acme, url=url, kinds=["alert.fired"])
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize("url", ["http://[2002:7f00:1::1]/x", "http://[2002:a00:1::]/x", "http://[2002:a9fe:a9fe::]/",
                                 "http://2130706433/", "http://0x7f000001/", "http://127.1/", "http://017700000001/",
                                 "http://[::ffff:7f00:1]/", "http://[0:0:0:0:0:ffff:127.0.0.1]/", "http://localhost./",
                                 "http://[::]/", "http://[fe80::1%25lo]/", "http://100.64.0.1/"])  # fmt: skip
def test_a_private_ipv4_address_inside_an_ipv6_one_is_refused(alice, acme, production, url):
    with pytest.raises(services.WebhookError, match="private or local network"):
        services.endpoint_create(actor=alice, team=acme, url=url, kinds=["alert.fired"])


def test_a_public_address_elsewhere_is_still_fine(alice, acme, production):
    endpoint, _secret = services.endpoint_create(actor=alice, team=acme, url="https://93.184.216.34/in",
                                                 kinds=["alert.fired"])  # fmt: skip
    assert endpoint.pk


def test_an_endpoint_saved_before_the_portal_took_its_name_gets_nothing(alice, acme, settings):
    endpoint, _secret = services.endpoint_create(actor=alice, team=acme, url="https://portal.example.com/hooks/",
                                                 kinds=list(EventKind.values))  # fmt: skip
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    settings.SITE_URL = "https://portal.example.com"
    services.event_emit(team_id=acme.pk, kind="alert.fired", data={"alert": 1})
    delivery = Delivery.objects.get(endpoint=endpoint)
    services.delivery_attempt(delivery_id=delivery.pk)  # what the worker does
    delivery.refresh_from_db()
    assert delivery.response_code is None
    assert delivery.error == "The address led to this portal itself; webhooks go only to other systems."
