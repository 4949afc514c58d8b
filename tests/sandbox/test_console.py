"""The sandbox console: a signed-in user creates and manages their own sandbox apps without a shell."""

import re
from urllib.parse import quote

import pytest

from sandbox.models import SandboxApp
from sourcing.alibaba import AlibabaClient
from sourcing.alibaba.errors import AclDeclined, SignatureInvalid

CATEGORY_GET = "com.alibaba.product:alibaba.category.get-1"


def _create(client, **overrides):
    """POST the console's create form with every API ticked, like a user who keeps the defaults."""
    from sandbox.forms import grantable_apis

    data = {"name": "My sandbox app", "redirect_uri": "http://127.0.0.1:8000/auth/1688/callback",
            "grants": grantable_apis(), "qps": "10", "daily_quota": "10000", **overrides}  # fmt: skip
    return client.post("/sandbox/console/", data, follow=True)


def _shown(response, element_id: str) -> str:
    found = re.search(rf'id="{element_id}" readonly value="([^"]*)"', response.content.decode())
    assert found, f"no #{element_id} on the page"
    return found.group(1)


@pytest.fixture
def alice_app(alice):
    app = SandboxApp(app_key="23456789", owner=alice, name="Alice's app", grant_all=True,
                     redirect_uri="http://127.0.0.1:8000/auth/1688/callback")  # fmt: skip
    app.app_secret = "alice-secret-1"
    app.save()
    return app


def test_app_created_in_the_console_works_with_the_real_client(client, alice, live_server, catalog):
    # given alice in the console, arriving from the portal's wizard with its callback URL
    client.force_login(alice)
    callback = f"{live_server.url}/auth/1688/callback"
    page = client.get(f"/sandbox/console/?callback={quote(callback, safe='')}")
    assert f'value="{callback}"' in page.content.decode()
    # when she creates an app, keeping the defaults
    created = _create(client, redirect_uri=callback)
    assert created.status_code == 200
    app_key, secret = _shown(created, "app-key"), _shown(created, "new-secret")
    assert re.fullmatch(r"[1-9]\d{7}", app_key)
    assert "Copy the App Secret now" in created.content.decode()
    assert "no-store" in created["Cache-Control"]  # no cache or back button keeps the secret
    # then the keys it showed work over HTTP with the portal's own client
    api = AlibabaClient(app_key, secret, base_url=f"{live_server.url}/sandbox/openapi", read_timeout=10)
    assert api.server_time().year >= 2024
    answer = api.call("com.alibaba.product", "alibaba.category.get", {"categoryID": 0})
    assert answer["categoryInfo"][0]["childCategorys"][0]["name"] == "电子产品"
    # and the app is hers, with the callback from the wizard and every API granted
    app = SandboxApp.objects.get(app_key=app_key)
    assert (app.owner, app.redirect_uri, app.grant_all) == (alice, callback, True)
    # the secret is not shown again on the app's page
    assert secret not in client.get(f"/sandbox/console/{app_key}/").content.decode()


def test_edited_grants_and_a_new_secret_take_effect_at_the_gateway(client, alice, live_server, catalog):
    from sandbox.forms import grantable_apis

    client.force_login(alice)
    created = _create(client)
    app_key, old_secret = _shown(created, "app-key"), _shown(created, "new-secret")
    base_url = f"{live_server.url}/sandbox/openapi"
    # when alice unticks alibaba.category.get
    saved = client.post(f"/sandbox/console/{app_key}/", {
        "name": "Renamed", "redirect_uri": "http://localhost:3000/cb",
        "grants": [g for g in grantable_apis() if g != CATEGORY_GET], "qps": "5", "daily_quota": "50",
    })  # fmt: skip
    assert saved.status_code == 302
    page = client.get(saved["Location"]).content.decode()
    assert "Saved." in page and "Renamed" in page and "http://localhost:3000/cb" in page
    # then the gateway declines that API for the app
    with pytest.raises(AclDeclined):
        AlibabaClient(app_key, old_secret, base_url=base_url).call(
            "com.alibaba.product", "alibaba.category.get", {"categoryID": 0}
        )
    # when she makes a new App Secret, it is shown once and the old one stops working
    renewed = client.post(f"/sandbox/console/{app_key}/secret/", follow=True)
    new_secret = _shown(renewed, "new-secret")
    assert new_secret != old_secret
    with pytest.raises(SignatureInvalid):
        AlibabaClient(app_key, old_secret, base_url=base_url).call(
            "com.alibaba.product", "alibaba.category.get", {"categoryID": 0}
        )
    assert AlibabaClient(app_key, new_secret, base_url=base_url).server_time()


def test_the_console_lists_only_your_own_apps(client, alice, carol, alice_app):
    client.force_login(carol)
    _create(client, name="Carol's app")
    page = client.get("/sandbox/console/").content.decode()
    assert "Carol&#x27;s app" in page
    assert alice_app.app_key not in page
    client.force_login(alice)
    page = client.get("/sandbox/console/").content.decode()
    assert alice_app.app_key in page and "Carol&#x27;s app" not in page


@pytest.mark.parametrize(("method", "suffix"), [("get", ""), ("post", ""), ("post", "secret/"), ("post", "delete/"),
                                            ("get", "secret/"), ("get", "delete/")])  # fmt: skip
def test_another_user_gets_404_on_your_app(client, carol, alice_app, method, suffix):
    client.force_login(carol)
    data = {"name": "taken", "redirect_uri": "http://evil.example/cb", "qps": "1", "daily_quota": "1"}
    response = getattr(client, method)(
        f"/sandbox/console/{alice_app.app_key}/{suffix}", data if method == "post" else None
    )
    assert response.status_code == 404
    alice_app.refresh_from_db()
    assert (alice_app.name, alice_app.app_secret) == ("Alice's app", "alice-secret-1")


def test_an_ownerless_app_is_not_reachable_in_the_console(client, alice):
    # an app made by the sandbox_app command without --owner belongs to nobody in the console
    SandboxApp.objects.create(app_key="1000000", secret_encrypted="x")
    client.force_login(alice)
    assert client.get("/sandbox/console/1000000/").status_code == 404


def test_delete_removes_only_your_app(client, alice, alice_app):
    client.force_login(alice)
    # GET on the delete address shows the app instead of deleting it or a bare 405 page
    assert (
        client.get(f"/sandbox/console/{alice_app.app_key}/delete/")["Location"]
        == f"/sandbox/console/{alice_app.app_key}/"
    )
    response = client.post(f"/sandbox/console/{alice_app.app_key}/delete/", follow=True)
    assert f"Deleted sandbox app {alice_app.app_key}" in response.content.decode()
    assert not SandboxApp.objects.exists()


@pytest.mark.parametrize(
    "url", ["/sandbox/console/", "/sandbox/console/23456789/", "/sandbox/console/23456789/delete/"]
)
def test_anonymous_visitors_are_sent_to_log_in(client, alice_app, url):
    response = client.get(url + "?callback=http%3A%2F%2Fx.example%2Fcb")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=" + quote(
        url + "?callback=http%3A%2F%2Fx.example%2Fcb", safe="/"
    )
    assert client.post(url, {"name": "x"}).status_code == 302
    alice_app.refresh_from_db()
    assert alice_app.name == "Alice's app"


def test_index_shows_no_foreign_app_keys(client, alice, bob, alice_app):
    SandboxApp.objects.create(app_key="1000000", secret_encrypted="x")  # made with the command, no owner
    # anonymous: a count and a way in, no keys
    page = client.get("/sandbox/").content.decode()
    assert "23456789" not in page and "1000000" not in page
    assert "2 sandbox apps registered" in page
    assert "/accounts/login/?next=/sandbox/console/" in page
    # bob, signed in, sees no key of alice's or of the ownerless app
    client.force_login(bob)
    page = client.get("/sandbox/").content.decode()
    assert "23456789" not in page and "1000000" not in page
    # alice sees her own
    client.force_login(alice)
    page = client.get("/sandbox/").content.decode()
    assert "23456789" in page and "1000000" not in page


HOSTILE = [
    ({"name": "n" * 10_000}, "name", "at most 100 characters"),
    ({"name": "   "}, "name", "This field is required"),
    # a NUL in a form is refused before the view (tests/security/test_no_500_bytes.py)
    ({"qps": str(10**30)}, "qps", "less than or equal to 10000"),
    ({"qps": "1e999"}, "qps", "Enter a whole number"),
    ({"qps": "NaN"}, "qps", "Enter a whole number"),
    ({"qps": "²"}, "qps", "Enter a whole number"),
    ({"qps": "9" * 5000}, "qps", "Enter a whole number"),
    ({"daily_quota": "-1"}, "daily_quota", "greater than or equal to 0"),
    ({"daily_quota": "Infinity"}, "daily_quota", "Enter a whole number"),
    ({"daily_quota": str(2**63)}, "daily_quota", "less than or equal to 1000000000"),
    ({"redirect_uri": "javascript:alert(1)"}, "redirect_uri", "Enter a valid URL"),
    ({"redirect_uri": "http://x.example/" + "a" * 10_000}, "redirect_uri", "at most 500 characters"),
    ({"grants": ["no.such:api-1"]}, "grants", "Select a valid choice"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), HOSTILE)
def test_hostile_input_gives_form_errors_when_creating(client, alice, overrides, field, message):
    client.force_login(alice)
    response = _create(client, **overrides)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not SandboxApp.objects.exists()


@pytest.mark.parametrize(("overrides", "field", "message"), HOSTILE)
def test_hostile_input_gives_form_errors_when_editing(client, alice, alice_app, overrides, field, message):
    from sandbox.forms import grantable_apis

    client.force_login(alice)
    data = {"name": "Renamed", "redirect_uri": "http://127.0.0.1:8000/auth/1688/callback", "grants": grantable_apis(),
            "qps": "1", "daily_quota": "1", **overrides}  # fmt: skip
    response = client.post(f"/sandbox/console/{alice_app.app_key}/", data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    alice_app.refresh_from_db()
    assert (alice_app.name, alice_app.qps) == ("Alice's app", 10)


def test_a_new_app_key_skips_keys_already_used(alice_app, monkeypatch):
    # given the random draw lands on alice's key first
    draws = iter([23456789 - 10_000_000, 87654321 - 10_000_000])
    monkeypatch.setattr("sandbox.models.secrets.randbelow", lambda n: next(draws))
    # then the console takes the next unused one
    assert SandboxApp.unused_app_key() == "87654321"


def test_reloading_after_creating_shows_the_app_without_making_another(client, alice):
    client.force_login(alice)
    created = _create(client)
    app_key = _shown(created, "app-key")
    assert created.redirect_chain[-1][0] == f"/sandbox/console/{app_key}/"  # post, redirect, get
    assert 'id="new-secret"' in created.content.decode()
    reloaded = client.get(f"/sandbox/console/{app_key}/")
    assert 'id="new-secret"' not in reloaded.content.decode()  # shown once
    assert SandboxApp.objects.filter(owner=alice).count() == 1


def test_unticking_every_api_grants_none(client, alice):
    client.force_login(alice)
    created = _create(client, grants=[])
    app = SandboxApp.objects.get(app_key=_shown(created, "app-key"))
    assert (app.grant_all, app.grants) == (False, [])
    assert "APIs granted: 0 of" in created.content.decode()


def test_a_hostile_callback_parameter_is_not_prefilled(client, alice, settings):
    settings.SITE_URL = "https://portal.example.com"
    client.force_login(alice)
    page = client.get("/sandbox/console/", {"callback": "http://x.example/" + "a" * 10_000})
    assert page.status_code == 200
    assert 'value="https://portal.example.com/auth/1688/callback"' in page.content.decode()
    page = client.get("/sandbox/console/", {"callback": '"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in page.content.decode()
