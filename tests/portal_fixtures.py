"""The portal wired to the sandbox on the live server, and alice's connected credential."""

from urllib.parse import urlsplit

import pytest
import requests

from sourcing.accounts.models import User
from sourcing.connections.models import AppCredential
from sourcing.connections.services.credentials import credential_create, site_default_sync
from sourcing.connections.services.gateway import credential_mark_verified
from tests.conftest import make_sandbox_app

APP_KEY, APP_SECRET = "30051688", "demo-app-secret-5f1c2e9a"


def at_site() -> dict:
    """Test-client arguments for a request made at SITE_URL's address, where 1688 sends the browser back."""
    from django.conf import settings

    return {"HTTP_HOST": urlsplit(settings.SITE_URL).netloc}


@pytest.fixture
def portal_sandbox(settings, live_server, transactional_db):
    """Point the portal at the live server's sandbox and register app 30051688 there."""
    settings.SITE_URL = live_server.url
    settings.ALIBABA_API_URL = f"{live_server.url}/sandbox/openapi"
    settings.ALIBABA_AUTHORIZE_URL = f"{live_server.url}/sandbox/oauth/authorize"
    return make_sandbox_app(APP_KEY, APP_SECRET, live_server)


@pytest.fixture
def alice_credential(alice, portal_sandbox):
    return credential_create(
        owner=alice,
        app_key=APP_KEY,
        app_secret=APP_SECRET,
        name="Acme app",
        gateway=AppCredential.Gateway.SANDBOX,
        daily_quota=1000,
        qps=100,
    )


def connect_through_pages(client, credential, *, login_id="acme采购01", decision="approve"):
    """Click Connect, approve on the sandbox consent page, follow the callback; returns the final response."""
    start = client.post(f"/connections/{credential.pk}/connect/", **at_site())
    assert start.status_code == 302
    consent = requests.post(
        start["Location"], data={"login_id": login_id, "decision": decision}, allow_redirects=False, timeout=10
    )
    callback = urlsplit(consent.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}", follow=True)


@pytest.fixture
def connected(client, alice, alice_credential):
    client.force_login(alice)
    connect_through_pages(client, alice_credential)
    return alice_credential


@pytest.fixture
def site_default(settings, client, portal_sandbox):
    """The sandbox app 30051688 as the site-wide default credential, verified and with a 1688 account connected
    (connected by an admin as their own, then made owner-less, as site_default_sync would find it)."""
    settings.ALIBABA_APP_KEY, settings.ALIBABA_APP_SECRET = APP_KEY, APP_SECRET
    root = User.objects.create_superuser("root", "root@example.com", "pw-Root-2026")
    credential = credential_create(owner=root, app_key=APP_KEY, app_secret=APP_SECRET, name="Site app",
                                   gateway=AppCredential.Gateway.SANDBOX, daily_quota=1000, qps=100)  # fmt: skip
    client.force_login(root)
    connect_through_pages(client, credential)
    client.logout()
    AppCredential.objects.filter(pk=credential.pk).update(owner=None)
    credential = site_default_sync()
    credential_mark_verified(credential=credential)
    return credential
