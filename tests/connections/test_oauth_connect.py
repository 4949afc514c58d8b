"""Connect a 1688 account from the portal, and the token lifecycle against the sandbox."""

import html
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core import mail
from django.test import Client
from django.utils import timezone

from sandbox.models import SandboxAccessToken, SandboxOffer, SandboxRefreshToken, digest
from sourcing import tasks
from sourcing.alibaba import api
from sourcing.connections.models import ApiCallLog, OAuthToken
from sourcing.connections.services import tokens as token_services
from sourcing.connections.services.gateway import gateway_call
from tests.conftest import run_in_threads
from tests.portal_fixtures import at_site, connect_through_pages

pytestmark = pytest.mark.django_db(transaction=True)


def test_connect_stores_tokens_and_explains_success(client, alice, alice_credential):
    client.force_login(alice)
    response = connect_through_pages(client, alice_credential, login_id="深圳采购部")
    token = OAuthToken.objects.get(credential=alice_credential)
    assert token.resource_owner == "深圳采购部"
    assert token.member_id.startswith("b2b-")
    assert timedelta(hours=9) < token.access_expires_at - timezone.now() <= timedelta(hours=10)
    assert "Connected to 1688 as 深圳采购部" in response.content.decode()


def test_denied_consent_is_explained(client, alice, alice_credential):
    client.force_login(alice)
    response = connect_through_pages(client, alice_credential, decision="deny")
    assert "declined the authorisation" in response.content.decode()
    assert not OAuthToken.objects.exists()


def _authorize(client, credential):
    start = client.post(f"/connections/{credential.pk}/connect/", **at_site())
    consent = requests.post(
        start["Location"], data={"login_id": "a", "decision": "approve"}, allow_redirects=False, timeout=10
    )
    return urlsplit(consent.headers["Location"])


def test_state_mismatch_and_replayed_callback_are_refused(client, alice, alice_credential):
    client.force_login(alice)
    callback = _authorize(client, alice_credential)
    query = parse_qs(callback.query)
    forged = client.get(f"{callback.path}?code={query['code'][0]}&state=forged-state", follow=True)
    assert "could not be matched" in forged.content.decode()
    assert not OAuthToken.objects.exists()
    client.get(f"{callback.path}?{callback.query}")
    assert OAuthToken.objects.count() == 1
    OAuthToken.objects.all().delete()
    replay = client.get(f"{callback.path}?{callback.query}", follow=True)  # state is single-use
    assert "could not be matched" in replay.content.decode()
    assert not OAuthToken.objects.exists()


def test_state_from_another_session_is_refused(client, alice, alice_credential):
    from django.test import Client

    client.force_login(alice)
    callback = _authorize(client, alice_credential)
    other = Client()
    other.force_login(alice)  # same user, another browser: the state is bound to the first session
    response = other.get(f"{callback.path}?{callback.query}", follow=True)
    assert "could not be matched" in response.content.decode()


def test_code_reuse_is_refused_and_explained(client, alice, alice_credential):
    client.force_login(alice)
    callback = _authorize(client, alice_credential)
    code = parse_qs(callback.query)["code"][0]
    token_services.connect_finish(credential=alice_credential, code=code, user=alice)  # the code is spent
    OAuthToken.objects.all().delete()
    response = client.get(f"{callback.path}?{callback.query}", follow=True)
    body = response.content.decode()
    assert "expired (codes last 2 minutes) or was already used" in body
    assert code not in body
    assert not OAuthToken.objects.exists()


def test_wrong_secret_at_connect_is_explained(client, alice, alice_credential, portal_sandbox):
    client.force_login(alice)
    callback = _authorize(client, alice_credential)
    portal_sandbox.app_secret = "changed-at-1688"
    portal_sandbox.save()
    body = client.get(f"{callback.path}?{callback.query}", follow=True).content.decode()
    assert "rejected the App Key or App Secret" in body


def test_wrong_callback_domain_is_refused_by_1688_and_warned_by_the_portal(
    client, alice, alice_credential, portal_sandbox
):
    portal_sandbox.redirect_uri = "https://registered.example.com/cb"
    portal_sandbox.save()
    alice_credential.callback_url = "https://registered.example.com/cb"
    alice_credential.save()
    client.force_login(alice)
    page = client.get(f"/connections/{alice_credential.pk}/").content.decode()
    assert "differs from the portal" in page
    start = client.post(f"/connections/{alice_credential.pk}/connect/", **at_site())
    consent = requests.get(start["Location"], timeout=10)
    assert consent.status_code == 400
    assert "非法请求" in consent.text


def test_disconnect_deletes_tokens(client, connected):
    client.post(f"/connections/{connected.pk}/disconnect/")
    assert not OAuthToken.objects.exists()


def _expire(token):
    OAuthToken.objects.filter(pk=token.pk).update(access_expires_at=timezone.now() - timedelta(minutes=1))


def test_twenty_concurrent_refreshes_make_one_gateway_call(connected):
    token = OAuthToken.objects.get(credential=connected)
    _expire(token)
    before = SandboxAccessToken.objects.count()
    failures = run_in_threads(lambda: token_services.token_refresh(token_id=token.pk), 20)
    assert failures == []
    assert SandboxAccessToken.objects.count() == before + 1
    assert ApiCallLog.objects.filter(api="system.oauth2:getToken-1").count() == 2  # connect + one refresh
    assert OAuthToken.objects.get(pk=token.pk).access_expires_at > timezone.now() + timedelta(hours=9)


def test_a_401_refreshes_once_and_retries(connected):
    token = OAuthToken.objects.get(credential=connected)
    SandboxAccessToken.objects.update(expires_at=timezone.now())  # the gateway no longer takes the access token
    last_log = ApiCallLog.objects.order_by("-pk").first().pk
    page = gateway_call(credential=connected, fn=lambda c, t: api.keyword_search(c, t, "杯"))
    assert (page.total, page.page) == (SandboxOffer.objects.filter(subject__contains="杯").count(), 1)
    # the portal now holds the access token the sandbox issued last, not the refused one
    renewed = OAuthToken.objects.get(pk=token.pk).access_token
    assert renewed != token.access_token
    assert digest(renewed) == SandboxAccessToken.objects.latest("pk").token_digest
    outcomes = list(
        ApiCallLog.objects.filter(pk__gt=last_log)
        .exclude(api__startswith="system.")
        .order_by("pk")
        .values_list("error_code", flat=True)
    )
    assert outcomes == ["401", ""]


def test_failed_refresh_needs_reauthorisation_and_tells_the_owner(client, connected, alice):
    SandboxRefreshToken.objects.update(revoked_at=timezone.now())
    SandboxAccessToken.objects.update(expires_at=timezone.now())
    from sourcing.connections.services.gateway import NotConnected

    with pytest.raises(NotConnected):
        gateway_call(credential=connected, fn=lambda c, t: api.keyword_search(c, t, "杯"))
    token = OAuthToken.objects.get(credential=connected)
    assert token.status == OAuthToken.Status.NEEDS_REAUTH
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    assert f"/connections/{connected.pk}/" in mail.outbox[0].body
    page = client.get("/api-status/").content.decode()
    assert "Needs re-authorisation" in page
    assert "could not be renewed automatically" in page
    assert "has to be renewed" in client.get("/teams/").content.decode()  # the banner on every page
    with pytest.raises(NotConnected):  # no more calls are sent with a dead token
        gateway_call(credential=connected, fn=lambda c, t: api.keyword_search(c, t, "杯"))


def test_beat_refreshes_expiring_and_postpones_ageing_tokens(connected):
    token = OAuthToken.objects.get(credential=connected)
    old_refresh = token.refresh_token
    OAuthToken.objects.filter(pk=token.pk).update(access_expires_at=timezone.now() + timedelta(minutes=20))
    assert tasks.tokens_maintain.delay().get() == 1
    token.refresh_from_db()
    assert token.access_expires_at > timezone.now() + timedelta(hours=9)
    # refresh token in its last 30 days: postponed (sandbox and portal agree on the new expiry)
    soon = timezone.now() + timedelta(days=10)
    SandboxRefreshToken.objects.update(expires_at=soon)
    OAuthToken.objects.filter(pk=token.pk).update(refresh_expires_at=soon)
    assert tasks.tokens_maintain.delay().get() == 1
    token.refresh_from_db()
    assert token.refresh_token != old_refresh
    (live,) = [t for t in SandboxRefreshToken.objects.all() if t.is_valid()]  # the old one was revoked
    assert digest(token.refresh_token) == live.token_digest
    assert token.refresh_expires_at > timezone.now() + timedelta(days=170)
    assert tasks.tokens_maintain.delay().get() == 0  # nothing due any more


def test_postpone_refused_as_too_early_leaves_the_token_working(connected):
    # the portal thinks the refresh token is in its last 30 days; the gateway disagrees
    token = OAuthToken.objects.get(credential=connected)
    OAuthToken.objects.filter(pk=token.pk).update(refresh_expires_at=timezone.now() + timedelta(days=5))
    token_services.token_postpone(token_id=token.pk)
    token.refresh_from_db()
    assert token.status == OAuthToken.Status.ACTIVE
    assert ApiCallLog.objects.filter(api="system.oauth2:postponeToken-1", error_code="invalid_request").exists()


def test_connect_clicked_at_another_address_continues_at_site_url(client, alice, alice_credential, settings):
    # SITE_URL is http://localhost:<port>; alice browses the same portal at 127.0.0.1
    client.force_login(alice)
    other = {"HTTP_HOST": "127.0.0.1:" + urlsplit(settings.SITE_URL).netloc.rsplit(":", 1)[1]}
    page = client.get(f"/connections/{alice_credential.pk}/", **other).content.decode()
    assert f"Connect from {settings.SITE_URL}" in page  # the page names the address to use
    start = client.post(f"/connections/{alice_credential.pk}/connect/", **other)
    # nothing started here: she is sent to the same page at SITE_URL, which says to click again
    assert start.status_code == 302
    assert start["Location"] == f"{settings.SITE_URL}/connections/{alice_credential.pk}/?connect=here"
    assert not client.session.get(token_services.STATE_SESSION_KEY)
    there = client.get(f"/connections/{alice_credential.pk}/?connect=here", **at_site()).content.decode()
    assert "connecting continues here: click “Connect 1688 account” again" in there
    response = connect_through_pages(client, alice_credential, login_id="深圳采购部")
    assert "Connected to 1688 as 深圳采购部" in response.content.decode()


def test_a_callback_in_another_sign_in_names_both_addresses(client, alice, alice_credential, settings):
    # the click at 127.0.0.1 goes ahead (as behind a proxy that rewrites Host), but 1688 returns to SITE_URL,
    # where the browser has another session
    client.force_login(alice)
    other = {"HTTP_HOST": "127.0.0.1"}
    start = client.post(f"/connections/{alice_credential.pk}/connect/", {"address_checked": "1"}, **other)
    consent = requests.post(start["Location"], data={"login_id": "a", "decision": "approve"}, allow_redirects=False,
                            timeout=10)  # fmt: skip
    callback = urlsplit(consent.headers["Location"])
    elsewhere = Client()
    elsewhere.force_login(alice)
    page = elsewhere.get(f"{callback.path}?{callback.query}", follow=True, **at_site()).content.decode()
    assert "You clicked “Connect 1688 account” at 127.0.0.1, but 1688 sends you back to" in html.unescape(page)
    assert settings.SITE_URL in page and "could not be matched" not in page
    assert not OAuthToken.objects.exists()
