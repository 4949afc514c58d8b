"""The acceptance path: sandbox_app from the command line, then independent HTTP clients."""

import hashlib
import hmac
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.management import call_command

from sandbox.models import SandboxApp

pytestmark = pytest.mark.django_db(transaction=True)


def independent_signature(url_path, params, secret):
    """Spec §3.1 written again from the text, sharing no code with the portal."""
    pieces = sorted(f"{k}{v}" for k, v in params.items())
    return hmac.new(secret.encode(), (url_path + "".join(pieces)).encode(), hashlib.sha1).hexdigest().upper()


def test_sandbox_app_command_then_signed_calls_and_oauth(live_server, catalog):
    call_command("sandbox_app", "--app-key", "1000000", "--app-secret", "test123", "--grant-all")
    call_command("sandbox_app", "--app-key", "1000000", "--qps", "50")  # idempotent update keeps the secret
    assert SandboxApp.objects.get().app_secret == "test123"
    base = f"{live_server.url}/sandbox/openapi"
    path = "param2/1/com.alibaba.product/alibaba.category.get/1000000"
    params = {"categoryID": "0", "_aop_timestamp": str(int(time.time() * 1000))}
    good = requests.post(
        f"{base}/{path}", data={**params, "_aop_signature": independent_signature(path, params, "test123")}, timeout=10
    )
    assert good.status_code == 200
    assert good.json()["categoryInfo"][0]["childCategorys"][0]["name"] == "电子产品"
    bad = requests.post(
        f"{base}/{path}", data={**params, "_aop_signature": independent_signature(path, params, "x")}, timeout=10
    )
    assert bad.json()["error_code"] == "gw.SignatureInvalid"
    # OAuth with an independent client: consent POST, then getToken, then an authorized API
    consent = requests.post(
        f"{live_server.url}/sandbox/oauth/authorize",
        params={
            "client_id": "1000000",
            "site": "1688",
            "redirect_uri": "http://localhost:3000/api/callback",
            "state": "abc",
        },
        data={"login_id": "buyer1", "decision": "approve"},
        allow_redirects=False,
        timeout=10,
    )
    code = parse_qs(urlsplit(consent.headers["Location"]).query)["code"][0]
    tokens = requests.post(
        f"{base}/http/1/system.oauth2/getToken/1000000",
        data={
            "grant_type": "authorization_code",
            "need_refresh_token": "true",
            "client_id": "1000000",
            "client_secret": "test123",
            "redirect_uri": "http://localhost:3000/api/callback",
            "code": code,
        },
        timeout=10,
    ).json()
    search_path = "param2/1/com.alibaba.fenxiao.crossborder/product.search.keywordQuery/1000000"
    search = {
        "offerQueryParam": '{"keyword":"杯","beginPage":1,"pageSize":5,"country":"en"}',
        "access_token": tokens["access_token"],
        "_aop_timestamp": str(int(time.time() * 1000)),
    }
    answer = requests.post(
        f"{base}/{search_path}",
        timeout=10,
        data={**search, "_aop_signature": independent_signature(search_path, search, "test123")},
    )
    assert answer.status_code == 200
    assert answer.json()["result"]["success"] is True


def test_grants_and_faults_from_the_command(transactional_db):
    call_command(
        "sandbox_app",
        "--app-key",
        "42",
        "--app-secret",
        "s",
        "--redirect-uri",
        "http://127.0.0.1:8000/cb",
        "--grant",
        "product.search.keywordQuery",
        "--grant",
        "com.alibaba.product:alibaba.category.get-1",
        "--qps",
        "3",
        "--daily-quota",
        "100",
        "--fault-5xx",
        "0.25",
        "--latency-ms",
        "10",
    )
    app = SandboxApp.objects.get(app_key="42")
    assert app.grants == [
        "com.alibaba.fenxiao.crossborder:product.search.keywordQuery-1",
        "com.alibaba.product:alibaba.category.get-1",
    ]
    assert (app.qps, app.daily_quota, app.fault_5xx, app.latency_ms, app.grant_all) == (3, 100, 0.25, 10, False)
    call_command("sandbox_app", "--app-key", "42", "--revoke", "alibaba.category.get")
    assert SandboxApp.objects.get(app_key="42").grants == [
        "com.alibaba.fenxiao.crossborder:product.search.keywordQuery-1"
    ]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown API"):
        call_command("sandbox_app", "--app-key", "42", "--grant", "no.such.api")


def test_app_secret_is_not_stored_in_plain_text(transactional_db):
    from django.db import connection

    call_command("sandbox_app", "--app-key", "43", "--app-secret", "plain-secret-value", "--grant-all")
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_encrypted FROM sandbox_sandboxapp")
        (stored,) = cursor.fetchone()
    assert "plain-secret-value" not in stored


def test_owner_from_the_command_sees_the_app_in_the_console(client, alice, carol):
    call_command("sandbox_app", "--app-key", "30051688", "--app-secret", "s3cret", "--grant-all", "--owner", "alice")
    call_command("sandbox_app", "--app-key", "30051688", "--qps", "5")  # an update without --owner keeps the owner
    assert SandboxApp.objects.get().owner == alice
    client.force_login(alice)
    assert "30051688" in client.get("/sandbox/console/").content.decode()
    client.force_login(carol)
    assert "30051688" not in client.get("/sandbox/console/").content.decode()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No portal user 'nobody'"):
        call_command("sandbox_app", "--app-key", "30051688", "--owner", "nobody")


def test_sandbox_move_price_moves_one_offer_and_refuses_bad_input(catalog):
    import io
    from decimal import Decimal

    from django.core.management.base import CommandError

    from sandbox.models import SandboxOffer

    offer = SandboxOffer.objects.order_by("offer_id").first()
    before = offer.base_price
    out = io.StringIO()
    call_command("sandbox_move_price", "--offer", str(offer.offer_id), "--percent", "-10", stdout=out)
    offer.refresh_from_db()
    assert offer.base_price == (before * Decimal("0.9")).quantize(Decimal("0.01"))
    assert f"Offer {offer.offer_id}: base price {before} → {offer.base_price}." in out.getvalue()
    for offer_id, percent in ((offer.offer_id, "abc"), (offer.offer_id, "-95"), ("999999999999", "5"), ("x", "5")):
        with pytest.raises(CommandError):
            call_command("sandbox_move_price", "--offer", str(offer_id), "--percent", percent, stdout=io.StringIO())
    offer.refresh_from_db()
    assert offer.base_price == (before * Decimal("0.9")).quantize(Decimal("0.01"))  # nothing half-written


def test_sandbox_order_rewinds_an_order_through_shipping(client_1688, tokens, catalog, settings, client, alice):
    from io import StringIO

    from django.core.management.base import CommandError

    from sandbox import trade
    from sandbox.catalog import is_sold_out
    from sandbox.models import SandboxOffer, SandboxOrder
    from sourcing.alibaba import api

    settings.SANDBOX_SHIP_DELAY_SECONDS = 3600
    offer = next(o for o in SandboxOffer.objects.order_by("offer_id") if o.sku_axes and not is_sold_out(o))
    option = max(trade.options(offer), key=lambda o: o.stock)
    address = api.ShipTo(full_name="张三", mobile="15251667788", province="浙江省", city="杭州市", district="滨江区",
                         street="网商路699号")  # fmt: skip
    created = api.create_order(client_1688, tokens.access_token, address,
                               [api.CargoLine(str(offer.offer_id), option.spec_id, offer.min_order_quantity)],
                               out_order_id="demo-1")  # fmt: skip
    SandboxOrder.objects.update(status="waitsellersend", paid_at=SandboxOrder.objects.get().created_at)
    out = StringIO()
    call_command("sandbox_order", rewind=created.order_id, seconds=7200, stdout=out)
    assert f"{created.order_id}  waitbuyerreceive" in out.getvalue() and "demo-1" in out.getvalue()
    with pytest.raises(CommandError, match="No sandbox order"):
        call_command("sandbox_order", rewind="123", seconds=10)
    with pytest.raises(CommandError, match="--seconds"):
        call_command("sandbox_order", rewind=created.order_id, seconds=0)
    client.force_login(alice)  # the admin shows orders, read-only
    listing = client.get("/admin/sandbox/sandboxorder/")
    assert listing.status_code == 200 and created.order_id in listing.content.decode()
    pk = SandboxOrder.objects.get().pk
    assert offer.subject in client.get(f"/admin/sandbox/sandboxorder/{pk}/change/").content.decode()
    assert client.get("/admin/sandbox/sandboxorder/add/").status_code == 403
