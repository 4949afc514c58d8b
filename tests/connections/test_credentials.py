"""Credentials: encryption at rest, write-only pages, reveal and reset, selection, tenancy."""

import re

import pytest
from django.db import connection

from sourcing.accounts.models import Membership
from sourcing.connections.models import AppCredential, OAuthToken, SecretAudit
from sourcing.connections.selectors import credential_in_use, credentials_visible_in_team, credentials_visible_to
from sourcing.connections.services.credentials import credential_create, site_default_sync
from tests.portal_fixtures import APP_KEY, APP_SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def _all_text_in_database() -> str:
    """Every text column of every portal table, as raw SQL sees it."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if not table.startswith("sourcing_"):
                continue
            cursor.execute(f'SELECT * FROM "{table}"')
            chunks.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(chunks)


def test_secrets_and_tokens_are_encrypted_at_rest(connected):
    token = OAuthToken.objects.get(credential=connected)
    raw = _all_text_in_database()
    assert APP_SECRET not in raw
    assert token.access_token and token.access_token not in raw
    assert token.refresh_token and token.refresh_token not in raw
    assert APP_KEY in raw  # the App Key is not a secret


def test_no_secret_or_token_on_any_page(client, connected, alice):
    token = OAuthToken.objects.get(credential=connected)
    pages = [
        "/",
        "/connections/",
        f"/connections/{connected.pk}/",
        "/api-status/",
        "/admin/",
        "/admin/sourcing/appcredential/",
        f"/admin/sourcing/appcredential/{connected.pk}/change/",
        "/admin/sourcing/apipermission/",
        "/admin/sourcing/apiusage/",
        "/admin/sourcing/apicalllog/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for secret in (APP_SECRET, token.access_token, token.refresh_token):
            assert secret not in body, url
    # tokens have no admin list of their own (they show, write-only, inline on the credential)
    assert client.get("/admin/sourcing/oauthtoken/").status_code == 404
    page = client.get(f"/connections/{connected.pk}/").content.decode()
    assert "set · ends in 2e9a" in page
    assert APP_KEY in page


def test_reveal_needs_the_password_and_is_audited(client, connected, alice):
    response = client.post(f"/connections/{connected.pk}/reveal/", {"password": "wrong"})
    assert response.status_code == 403
    assert APP_SECRET not in response.content.decode()
    response = client.post(f"/connections/{connected.pk}/reveal/", {"password": "sourcing-demo"})
    assert response.status_code == 200
    assert APP_SECRET in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    reveals = SecretAudit.objects.filter(action__startswith="reveal").order_by("at")
    assert list(reveals.values_list("action", flat=True)) == ["reveal_denied", "reveal"]
    assert APP_SECRET not in client.get(f"/connections/{connected.pk}/").content.decode()  # shown once


def test_bob_cannot_reveal_alices_secret(client, connected, bob):
    client.force_login(bob)
    assert client.post(f"/connections/{connected.pk}/reveal/", {"password": "sourcing-demo"}).status_code == 404


def test_reset_secret_checks_it_with_a_test_call(client, connected, portal_sandbox):
    response = client.post(
        f"/connections/{connected.pk}/reset-secret/", {"new_secret": "not-the-right-one"}, follow=True
    )
    assert "rejected the signature" in response.content.decode()
    assert AppCredential.objects.get(pk=connected.pk).app_secret == APP_SECRET
    portal_sandbox.app_secret = "rotated-secret-9f8e7d"
    portal_sandbox.save()
    response = client.post(
        f"/connections/{connected.pk}/reset-secret/", {"new_secret": "rotated-secret-9f8e7d"}, follow=True
    )
    assert "accepted the new secret" in response.content.decode()
    assert AppCredential.objects.get(pk=connected.pk).app_secret == "rotated-secret-9f8e7d"
    assert SecretAudit.objects.filter(action="reset").count() == 1


def test_add_credential_through_the_wizard(client, alice, portal_sandbox):
    client.force_login(alice)
    page = client.get("/connections/new/").content.decode()
    assert "/auth/1688/callback" in page
    response = client.post(
        "/connections/new/",
        {
            "name": "我的应用",
            "app_key": " 30051688 ",
            "app_secret": " demo-app-secret-5f1c2e9a ",
            "account_type": "business",
            "gateway": "sandbox",
            "callback_url": "",
            "daily_quota": "500",
            "qps": "4",
            "shared_with_team": "",
        },
        follow=True,
    )
    credential = AppCredential.objects.get(owner=alice)
    assert (credential.app_key, credential.app_secret, credential.name) == (APP_KEY, APP_SECRET, "我的应用")
    # 26: every API the portal calls (11 for search and products, 8 buying, 3 sourcing depth, 4 messages)
    assert credential.permissions.count() == 26
    # the worker confirmed the key and secret (tasks run eagerly here), so the page's next step is to connect
    page = response.content.decode()
    assert credential.is_verified and "1688 confirmed this App Key and secret" in page
    assert "Next:" in page and "Connect 1688 account" in page


def test_the_page_never_shows_a_finished_key_check_beside_a_stale_not_confirmed(rf, alice, portal_sandbox):
    """A worker that confirms the key between the page's two reads: the page shows it confirmed, not a dead end."""
    from sourcing.connections.views import _detail_context

    credential_create(owner=alice, app_key=APP_KEY, app_secret=APP_SECRET, name="Acme app",
                      gateway=AppCredential.Gateway.SANDBOX)  # fmt: skip
    loaded_before_the_worker = AppCredential.objects.get(owner=alice)
    loaded_before_the_worker.verified_at = None  # as the view read it, a moment before the worker's commit
    request = rf.get("/")
    request.user = alice
    context = _detail_context(request, loaded_before_the_worker)
    assert context["check"].state == "passed" and context["credential"].is_verified


def test_wizard_rejects_bad_input_with_messages(client, alice, portal_sandbox):
    client.force_login(alice)
    response = client.post(
        "/connections/new/",
        {
            "name": "x",
            "app_key": "12 34<script>",
            "app_secret": "a b",
            "account_type": "business",
            "gateway": "sandbox",
            "daily_quota": "0",
            "qps": "4",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "letters and digits only" in body
    assert "An App Secret has no spaces" in body
    assert "Nothing was saved yet" in body  # a summary at the top points to the form
    assert "at least 1 call" in body
    assert "<script>" not in body
    assert not AppCredential.objects.exists()


def test_credential_selection_order(alice, bob, carol, acme, portal_sandbox, settings):
    settings.ALIBABA_APP_KEY, settings.ALIBABA_APP_SECRET = "", ""
    assert credential_in_use(bob)[0] is None
    shared = credential_create(
        owner=alice, app_key="111", app_secret="secret-111", name="Shared", shared_with_team=acme
    )
    credential, why = credential_in_use(bob)
    assert credential == shared
    assert "shared with Acme Sourcing by alice" in why
    own = credential_create(owner=bob, app_key="222", app_secret="secret-222", name="Bob's")
    assert credential_in_use(bob) == (own, "your own credential")
    assert credential_in_use(carol)[0] is None  # Acme's shared credential is not Globex's
    settings.ALIBABA_APP_KEY, settings.ALIBABA_APP_SECRET = "999", "site-secret"
    assert credential_in_use(carol)[0] is None  # a page view never creates the site default
    site_default_sync()  # what migrate and worker start do
    site_default_sync()  # once only
    assert AppCredential.objects.filter(owner__isnull=True).count() == 1
    credential, why = credential_in_use(carol)
    assert (credential.app_key, credential.owner) == ("999", None)
    assert "site-wide default" in why
    assert credential.app_secret == "site-secret"


def test_the_narrow_credential_door_agrees_with_the_wide_one(alice, bob, carol, acme, globex, portal_sandbox):
    """credentials_visible_in_team (every search and product page) and credentials_visible_to give the same answers."""
    shared = credential_create(
        owner=alice, app_key="111", app_secret="secret-111", name="Acme's", shared_with_team=acme
    )
    credential_create(owner=bob, app_key="222", app_secret="secret-222", name="Bob's")
    credential_create(owner=carol, app_key="333", app_secret="secret-333", name="Globex's", shared_with_team=globex)

    def narrow(user, team):
        return {c.pk for c in credentials_visible_in_team(user, team.pk)}

    def wide(user, team):
        return {c.pk for c in credentials_visible_to(user) if c.owner_id == user.pk or c.shared_with_team_id == team.pk}

    for user, team in [(alice, acme), (bob, acme), (carol, globex), (carol, acme), (bob, globex), (alice, globex)]:
        assert narrow(user, team) == wide(user, team), (user.username, team.name)
    assert shared.pk in narrow(bob, acme) and shared.pk not in narrow(carol, acme)  # carol is not in Acme
    Membership.objects.filter(user=alice, team=acme).delete()  # alice leaves: her share stops reaching bob
    assert shared.pk not in narrow(bob, acme) and narrow(bob, acme) == wide(bob, acme)


def test_carol_sees_no_acme_credential_anywhere(client, connected, carol):
    carol.is_staff = True
    carol.save()
    client.force_login(carol)
    assert client.get(f"/connections/{connected.pk}/").status_code == 404
    for url in ["edit", "reveal", "reset-secret", "connect", "disconnect", "verify", "delete"]:
        response = client.post(f"/connections/{connected.pk}/{url}/", {"password": "sourcing-demo"})
        assert response.status_code == 404, url
    for page in ["/connections/", "/api-status/"]:
        assert APP_KEY not in client.get(page).content.decode()
    # carol is staff without superuser: the admin lists none of Acme's rows
    from django.contrib.auth.models import Permission

    carol.user_permissions.set(Permission.objects.filter(content_type__app_label="sourcing"))
    for url in [
        "/admin/sourcing/appcredential/",
        "/admin/sourcing/apipermission/",
        "/admin/sourcing/apiusage/",
        "/admin/sourcing/apicalllog/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert APP_KEY not in response.content.decode(), url
    assert client.get(f"/admin/sourcing/appcredential/{connected.pk}/change/").status_code == 302  # "doesn't exist"
    assert AppCredential.objects.filter(pk=connected.pk).exists()
    add_form = client.get("/admin/sourcing/appcredential/add/").context["adminform"].form
    assert list(add_form.fields["owner"].queryset) == [carol]  # no Acme user to hand a credential to
    assert [t.name for t in add_form.fields["shared_with_team"].queryset] == ["Globex Trading"]


def test_rotate_encryption_keys(connected, settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old_keys]
    before = AppCredential.objects.values_list("app_secret_encrypted", flat=True).get(pk=connected.pk)
    call_command("rotate_encryption_keys")
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]  # old key removed
    credential = AppCredential.objects.get(pk=connected.pk)
    assert credential.app_secret_encrypted != before
    assert credential.app_secret == APP_SECRET
    assert OAuthToken.objects.get(credential=credential).access_token


def test_staff_admin_secret_field_is_write_only(client, connected):
    page = client.get(f"/admin/sourcing/appcredential/{connected.pk}/change/").content.decode()
    assert re.search(r'name="new_app_secret"[^>]*>', page)
    assert 'value="demo' not in page


def test_a_new_credentials_limits_start_at_what_its_gateway_allows(client, alice, settings):
    from sandbox.models import SandboxApp

    client.force_login(alice)
    page = client.get("/connections/new/").content.decode()
    # the sandbox gateway is preselected: its apps allow 10 calls a second and 10,000 calls a day
    sandbox = (SandboxApp._meta.get_field("daily_quota").default, SandboxApp._meta.get_field("qps").default)
    assert sandbox == (settings.ALIBABA_SANDBOX_DAILY_QUOTA, settings.ALIBABA_SANDBOX_QPS) == (10000, 10)
    assert 'name="daily_quota" value="10000"' in page and 'name="qps" value="10"' in page
    # the live gateway's (settings: 1688 publishes no numbers) go with the gateway picker for the page's script
    assert 'data-limit-defaults="{&quot;sandbox&quot;: [10000, 10], &quot;live&quot;: [1000, 4]}"' in page
    settings.ALIBABA_SANDBOX_DAILY_QUOTA, settings.ALIBABA_LIVE_QPS = 500, 2
    page = client.get("/connections/new/").content.decode()
    assert 'name="daily_quota" value="500"' in page and "[1000, 2]" in page
    admin_form = client.get("/admin/sourcing/appcredential/add/").content.decode()
    assert 'name="daily_quota" value="500"' in admin_form and 'name="qps" value="10"' in admin_form
