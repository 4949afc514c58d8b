"""Quota and rate limits across workers, the Beijing day, permission probes and the status page."""

import html
import json
import re
from datetime import UTC, datetime

import pytest

from sandbox.models import SandboxUsage
from sourcing.alibaba import api, errors
from sourcing.connections.models import ApiCallLog, ApiPermission, ApiUsage, ConnectionCheck
from sourcing.connections.services import usage
from sourcing.connections.services.gateway import FeatureDisabled, gateway_call
from tests.conftest import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def _search(credential):
    return gateway_call(credential=credential, fn=lambda c, t: api.keyword_search(c, t, "杯"))


def test_eight_concurrent_workers_send_exactly_the_quota(connected):
    quota = 25
    connected.daily_quota = quota
    connected.save()
    refused = []

    def worker():
        for _ in range(10):
            try:
                _search(connected)
            except usage.QuotaExhausted:
                refused.append(1)

    failures = run_in_threads(worker, 8)
    assert failures == []
    api_id = api.KEYWORD_SEARCH.id
    assert ApiUsage.objects.get(credential=connected, api=api_id).calls == quota
    # One unit went to the permission probe made right after connecting; the rest to the searches.
    assert ApiCallLog.objects.filter(api=api_id).exclude(outcome="refused").count() == quota
    assert ApiCallLog.objects.filter(api=api_id, outcome="ok").count() == quota - 1
    assert SandboxUsage.objects.get().calls - _probe_calls() == quota  # what the gateway received
    assert len(refused) == 80 - (quota - 1)


def _probe_calls() -> int:
    """Calls made by the automatic permission check after connecting (metered by the sandbox too)."""
    return (
        ApiCallLog.objects.exclude(api=api.KEYWORD_SEARCH.id)
        .exclude(api__startswith="system")
        .exclude(outcome="refused")
        .count()
    )


def test_quota_refusal_is_local_and_explained(client, connected):
    connected.daily_quota = 3  # one unit already went to the permission probe after connecting
    connected.save()
    _search(connected)
    _search(connected)
    received = SandboxUsage.objects.get().calls
    with pytest.raises(usage.QuotaExhausted) as caught:
        _search(connected)
    assert "quota of 3 calls" in str(caught.value)
    assert "midnight Beijing time" in str(caught.value)
    assert SandboxUsage.objects.get().calls == received  # never sent
    page = client.get("/api-status/").content.decode()
    assert "quota used up" in page
    assert "Daily quota used up" in page


def test_warning_at_80_percent(client, connected, caplog):
    connected.daily_quota = 5
    connected.save()
    for _ in range(3):  # plus the permission probe: 4 of 5
        _search(connected)
    assert "reached 4 of its 5 quota" in caplog.text
    assert "over 80 %" in client.get("/api-status/").content.decode()


def test_beijing_day_boundary(connected, monkeypatch):
    before = datetime(2026, 11, 28, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in Beijing
    after = datetime(2026, 11, 28, 16, 0, 1, tzinfo=UTC)  # 00:00:01 the next Beijing day
    assert str(usage.beijing_today(before)) == "2026-11-28"
    assert str(usage.beijing_today(after)) == "2026-11-29"
    assert usage.next_beijing_midnight(before).astimezone(UTC) == datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
    connected.daily_quota = 1
    connected.save()
    monkeypatch.setattr(usage.timezone, "now", lambda: before)
    usage.usage_take(credential=connected, api="x:y-1")
    with pytest.raises(usage.QuotaExhausted):
        usage.usage_take(credential=connected, api="x:y-1")
    monkeypatch.setattr(usage.timezone, "now", lambda: after)
    usage.usage_take(credential=connected, api="x:y-1")  # a new day, a new quota
    assert sorted(ApiUsage.objects.filter(api="x:y-1").values_list("day", "calls")) == [
        (usage.beijing_today(before), 1),
        (usage.beijing_today(after), 1),
    ]


def test_rate_limiter_gives_concurrent_callers_slots_one_interval_apart(transactional_db, monkeypatch):
    """Each call gets its own slot, 1/qps after the previous one, whichever thread or process asks.

    The behaviour is asserted on the reserved slots (the waits handed out), not on wall time;
    bench/rate_limit.py measures real spacing across processes.
    """
    import threading
    import time
    from types import SimpleNamespace

    from sourcing.connections.services import ratelimit

    # given: 3 callers with their own database connections, 10 calls each, at 1 call a second;
    # nobody really sleeps, so all 30 reservations happen within a fraction of the interval
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=time.time, sleep=lambda seconds: None))
    waits, lock = [], threading.Lock()

    def ten_calls():
        for _ in range(10):
            wait = ratelimit.rate_acquire(key="app:slot-test", qps=1, max_wait=60)
            with lock:
                waits.append(wait)

    # when
    started = time.time()
    assert run_in_threads(ten_calls, 3) == []
    spread = time.time() - started
    # then: slot i is i seconds after the first, less however long the reservations took to arrive
    waits.sort()
    assert len(waits) == 30, ratelimit.backend()
    for i, wait in enumerate(waits):
        assert i - spread - 1e-3 <= wait <= i + 1e-3, (i, wait, spread, ratelimit.backend())


def test_permission_probe_maps_answers(client, connected, portal_sandbox):
    portal_sandbox.grant_all = False
    portal_sandbox.grants = [api.CATEGORY_GET.id, api.KEYWORD_SEARCH.id, api.SUPPLIER_INFO.id]
    portal_sandbox.save()
    client.post(f"/connections/{connected.pk}/verify/")
    observed = dict(ApiPermission.objects.filter(credential=connected).values_list("api", "observed"))
    assert observed[api.CATEGORY_GET.id] == "granted"  # gw.ParamMissing: the app may call it
    assert observed[api.KEYWORD_SEARCH.id] == "granted"
    assert observed[api.SUPPLIER_INFO.id] == "granted"  # a business answer also proves the grant
    assert observed[api.IMAGE_SEARCH.id] == "denied"  # gw.APIACLDecline
    assert observed[api.PRODUCT_GET.id] == "denied"
    permission = ApiPermission.objects.get(credential=connected, api=api.IMAGE_SEARCH.id)
    assert permission.changes.filter(field="observed", new="denied").exists()


def test_feature_without_grant_is_switched_off_and_spends_nothing(client, connected, portal_sandbox):
    permission = ApiPermission.objects.get(credential=connected, api=api.KEYWORD_SEARCH.id)
    permission.observed = ApiPermission.Observed.DENIED
    permission.save()
    received = SandboxUsage.objects.get().calls
    spent = ApiUsage.objects.get(credential=connected, api=api.KEYWORD_SEARCH.id).calls  # the probe after connecting
    with pytest.raises(FeatureDisabled, match="API permission denied"):
        _search(connected)
    assert SandboxUsage.objects.get().calls == received
    assert ApiUsage.objects.get(credential=connected, api=api.KEYWORD_SEARCH.id).calls == spent
    assert "switched off" in client.get("/api-status/").content.decode()


def test_status_page_explains_permission_denied(client, connected, portal_sandbox):
    portal_sandbox.grant_all = False
    portal_sandbox.grants = [api.CATEGORY_GET.id]
    portal_sandbox.save()
    with pytest.raises(errors.AclDeclined):
        _search(connected)
    page = client.get("/api-status/").content.decode()
    assert "API permission denied" in page
    assert "apply for it" in page


def test_status_page_explains_signature_failure(client, connected, portal_sandbox):
    portal_sandbox.app_secret = "secret-changed-at-1688"
    portal_sandbox.save()
    with pytest.raises(errors.SignatureInvalid):
        _search(connected)
    page = client.get("/api-status/").content.decode()
    assert "Signature verification failed" in page
    assert "Reset secret" in page


def test_status_page_explains_invalid_token(client, connected):
    from django.utils import timezone

    from sandbox.models import SandboxAccessToken, SandboxRefreshToken

    SandboxAccessToken.objects.update(expires_at=timezone.now())
    SandboxRefreshToken.objects.update(revoked_at=timezone.now())
    with pytest.raises(errors.AlibabaError):
        _search(connected)
    page = client.get("/api-status/").content.decode()
    assert "Access token invalid" in page
    assert "Needs re-authorisation" in page


def test_status_page_shows_credential_token_and_sandbox_notice(client, connected):
    page = client.get("/api-status/").content.decode()
    assert "30051688" in page
    assert "your own credential" in page
    assert re.search(r'expires in <time data-countdown="[^"]+">9\xa0hours', page)
    assert "Sandbox data, not live 1688 data" in page


def test_test_connection_runs_and_reports_progress(client, connected, portal_sandbox):
    response = client.post("/api-status/check/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    check = ConnectionCheck.objects.get(kind="test")
    assert check.state == "passed"
    assert [s["ok"] for s in check.steps] == [True, True, True]
    progress = client.get(f"/api-status/check/{check.pk}/").content.decode()
    assert "signature accepted" in progress
    assert 'aria-valuenow="100"' in progress
    portal_sandbox.app_secret = "other"
    portal_sandbox.save()
    client.post("/api-status/check/")
    failed = ConnectionCheck.objects.order_by("-pk").first()
    assert failed.state == "failed"
    assert "gw.SignatureInvalid" in json.dumps(failed.steps)


def test_check_progress_is_404_for_another_team(client, connected, carol):
    client.post("/api-status/check/")
    check = ConnectionCheck.objects.get(kind="test")
    client.force_login(carol)
    assert client.get(f"/api-status/check/{check.pk}/").status_code == 404


def test_bob_and_carol_are_told_what_to_set_up(client, connected, bob, carol, settings):
    settings.ALIBABA_APP_KEY = ""
    for user in (bob, carol):
        client.force_login(user)
        page = client.get("/api-status/").content.decode()
        assert "What to set up" in page
        assert "30051688" not in page


def test_a_search_refused_for_a_permission_granted_since_offers_the_check_in_place(client, connected, portal_sandbox):
    from sourcing.catalog.models import CatalogJob

    # 1688 refused keyword search once; the portal stops calling it
    portal_sandbox.grant_all = False
    portal_sandbox.grants = [api.CATEGORY_GET.id]
    portal_sandbox.save()
    client.post(f"/connections/{connected.pk}/verify/")
    assert ApiPermission.objects.get(credential=connected, api=api.KEYWORD_SEARCH.id).observed == "denied"
    # the app is granted it again on 1688; the next search says why nothing was fetched, and offers the check
    portal_sandbox.grant_all = True
    portal_sandbox.save()
    page = html.unescape(client.get("/products/", {"q": "保温杯"}).content.decode())
    assert "Showing the portal's catalog only. 1688 refused " + api.KEYWORD_SEARCH.id in page
    offer = page[page.index('id="verify-offer"') :]
    assert 'hx-post="/api-status/verify/"' in offer and "Verify permissions" in offer
    assert not CatalogJob.objects.filter(kind=CatalogJob.Kind.SEARCH).exists()
    # the button runs the permission check (a worker, inline here); its last poll reloads the page
    answer = client.post("/api-status/verify/", {"next": "/products/?q=保温杯"}, headers={"HX-Request": "true"})
    check = ConnectionCheck.objects.filter(credential=connected, kind=ConnectionCheck.Kind.VERIFY).first()
    assert answer.status_code == 200 and f"/api-status/check/{check.pk}/" in answer.content.decode()
    assert client.get(f"/api-status/check/{check.pk}/")["HX-Refresh"] == "true"
    assert ApiPermission.objects.get(credential=connected, api=api.KEYWORD_SEARCH.id).observed == "granted"
    # and the search goes to 1688 now (by the page's follow-up)
    page = client.get("/products/", {"q": "保温杯"}, headers={"Sec-Fetch-Site": "same-origin"}).content.decode()
    assert "1688 refused" not in page and 'id="verify-offer"' not in page
    assert 'hx-post="/products/fetch/?q=%E4%BF%9D%E6%B8%A9%E6%9D%AF" hx-trigger="load"' in page
    client.post("/products/fetch/?q=保温杯")
    assert CatalogJob.objects.filter(kind=CatalogJob.Kind.SEARCH).exists()


def test_a_viewer_is_not_offered_the_check(client, connected, portal_sandbox, bob):
    from sourcing.accounts.models import Membership

    connected.shared_with_team = bob.current_team
    connected.save()
    ApiPermission.objects.filter(credential=connected, api=api.KEYWORD_SEARCH.id).update(observed="denied")
    Membership.objects.filter(user=bob).update(role=Membership.Role.VIEWER)
    client.force_login(bob)
    assert 'id="verify-offer"' not in client.get("/products/", {"q": "保温杯"}).content.decode()
    refused = client.post("/api-status/verify/", headers={"HX-Request": "true"})
    assert refused.status_code == 403 and "Viewers can't start checks" in html.unescape(refused.content.decode())
