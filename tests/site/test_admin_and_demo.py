"""The Django admin for credentials, and the demo data's promises."""

import csv
import io

import pytest
from django.core.management import call_command

from sourcing.accounts.models import User
from sourcing.alibaba import api
from sourcing.connections.models import ApiPermission, ApiUsage, AppCredential, ConnectionCheck, OAuthToken, SecretAudit
from tests.portal_fixtures import APP_KEY, APP_SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def test_bulk_permission_actions_keep_history(client, connected, alice):
    ids = list(ApiPermission.objects.filter(credential=connected, api__contains="image").values_list("pk", flat=True))
    response = client.post(
        "/admin/sourcing/apipermission/",
        {"action": "set_rejected", "_selected_action": ids, "reason": "需要补充材料 (more documents needed)"},
        follow=True,
    )
    assert response.status_code == 200
    for permission in ApiPermission.objects.filter(pk__in=ids):
        assert permission.status == "rejected"
        assert permission.decided_at is not None
        change = permission.changes.get(field="status", changed_by=alice)
        assert (change.old, change.new, change.changed_by, change.reason) == (
            "approved",  # the probe after connecting proved it granted
            "rejected",
            alice,
            "需要补充材料 (more documents needed)",
        )
    listing = client.get("/admin/sourcing/apipermission/?status__exact=rejected")
    assert {p.api for p in listing.context["cl"].result_list} == {api.IMAGE_UPLOAD.id, api.IMAGE_SEARCH.id}


def test_usage_csv_export_and_bars(client, connected):
    usage = ApiUsage.objects.get(credential=connected, api=api.KEYWORD_SEARCH.id)
    response = client.post("/admin/sourcing/apiusage/", {"action": "export_csv", "_selected_action": [usage.pk]})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["day", "app_key", "credential", "api", "calls"]
    assert rows[1][1:5] == [APP_KEY, "Acme app", api.KEYWORD_SEARCH.id, str(usage.calls)]
    listing = client.get("/admin/sourcing/apiusage/").content.decode()
    assert 'class="bar' in listing
    assert client.post("/admin/sourcing/apiusage/add/").status_code == 403  # read-only


def test_credential_admin_list_and_chart(client, connected):
    listing = client.get("/admin/sourcing/appcredential/").content.decode()
    assert "acme采购01 · Active" in listing
    assert "/ 26" in listing  # permissions granted out of total: every API the portal calls, in 4 groups
    page = client.get(f"/admin/sourcing/appcredential/{connected.pk}/change/").content.decode()
    assert 'class="chart"' in page
    assert "set · ends in 2e9a" in page


def test_admin_sets_a_new_secret_write_only(client, connected, portal_sandbox):
    # given the secret was reset in the 1688 console (重置密钥)
    portal_sandbox.app_secret = "brand-new-secret-77"
    portal_sandbox.save()
    data = {
        "owner": connected.owner_id,
        "shared_with_team": "",
        "name": "Renamed",
        "app_key": APP_KEY,
        "new_app_secret": "brand-new-secret-77",
        "account_type": "business",
        "callback_url": "",
        "gateway": "sandbox",
        "daily_quota": "1000",
        "qps": "100",
        "status": "active",
        "token-TOTAL_FORMS": "1",
        "token-INITIAL_FORMS": "1",
        "token-MIN_NUM_FORMS": "0",
        "token-MAX_NUM_FORMS": "0",
        "token-0-id": OAuthToken.objects.get().pk,
        "token-0-credential": connected.pk,
    }
    # when a wrong secret is typed in the admin, then 1688 refuses it and the old one stays
    response = client.post(f"/admin/sourcing/appcredential/{connected.pk}/change/", {**data, "new_app_secret": "typo"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AppCredential.objects.get(pk=connected.pk).app_secret == APP_SECRET
    assert ConnectionCheck.objects.filter(kind="secret").first().state == "failed"
    # when the right one is typed, a worker checks it with 1688 and it replaces the old one, audited
    response = client.post(f"/admin/sourcing/appcredential/{connected.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    credential = AppCredential.objects.get(pk=connected.pk)
    assert (credential.name, credential.app_secret, credential.is_verified) == ("Renamed", "brand-new-secret-77", True)
    assert list(SecretAudit.objects.filter(credential=credential).values_list("action", flat=True)[:2]) == [
        "reset",
        "update",
    ]


def test_demo_data_acceptance(client, live_server, settings):
    settings.SITE_URL = live_server.url
    settings.ALIBABA_API_URL = f"{live_server.url}/sandbox/openapi"
    settings.ALIBABA_APP_KEY = ""
    call_command("demo_data", stdout=io.StringIO())
    call_command("demo_data", stdout=io.StringIO())  # idempotent
    alice = User.objects.get(username="alice")
    credential = AppCredential.objects.get(owner=alice)
    token = OAuthToken.objects.get(credential=credential)
    statuses = dict(credential.permissions.values_list("api", "status"))
    assert statuses[api.KEYWORD_SEARCH.id] == statuses[api.PRODUCT_DETAIL.id] == "approved"
    assert statuses[api.IMAGE_SEARCH.id] == "approved"  # photo search works in the demo
    assert statuses[api.OPENUID_ENCRYPT.id] == "under_review"
    assert "rejected" in statuses.values()
    assert ApiUsage.objects.filter(credential=credential).values("day").distinct().count() >= 14
    secrets = [APP_SECRET, token.access_token, token.refresh_token]
    for username in ("alice", "bob", "carol"):
        client.force_login(User.objects.get(username=username))
        pages = [
            "/",
            "/connections/",
            "/api-status/",
            f"/connections/{credential.pk}/",
            "/admin/",
            "/admin/sourcing/appcredential/",
            f"/admin/sourcing/appcredential/{credential.pk}/change/",
            "/admin/sourcing/apicalllog/",
            "/admin/sandbox/sandboxapp/",
        ]
        for url in pages:
            response = client.get(url)
            # alice sees every page; bob and carol are sent to the admin login; bob opens alice's credential
            # because demo_data shares it with Acme, carol can't
            if username == "alice" or url in ("/", "/connections/", "/api-status/"):
                expected = 200
            elif username == "bob" and url == f"/connections/{credential.pk}/":
                expected = 200
            else:
                expected = 302 if url.startswith("/admin/") else 404
            assert response.status_code == expected, (username, url)
            body = response.content.decode()
            assert not any(s in body for s in secrets), (username, url)
        status_page = client.get("/api-status/").content.decode()
        if username == "alice":
            assert "30051688" in status_page
            assert "Under review (审核中)" in status_page
            assert "Rejected (已拒绝)" in status_page
            assert "expires in" in status_page
        elif username == "bob":  # demo_data shares alice's app with Acme: bob's calls use it
            assert "30051688" in status_page
        else:
            assert "What to set up" in status_page
    # the demo token really works against the sandbox
    from sandbox.models import SandboxOffer
    from sourcing.connections.services.gateway import gateway_call

    call_command("sandbox_seed", "--offers", "50", stdout=io.StringIO())
    word = SandboxOffer.objects.order_by("offer_id").first().category.name  # a product word such as 保温杯
    page = gateway_call(credential=credential, fn=lambda c, t: api.keyword_search(c, t, word))
    assert page.total == SandboxOffer.objects.filter(subject__contains=word).count() > 0


def test_demo_data_alone_leaves_a_useful_catalog(live_server, settings):
    from sourcing.catalog.models import Category, Product, SearchQuery
    from sourcing.catalog.selectors.pages import search_history_for
    from sourcing.catalog.selectors.products import search_products

    settings.SITE_URL = live_server.url
    settings.ALIBABA_API_URL = f"{live_server.url}/sandbox/openapi"
    settings.ALIBABA_APP_KEY = ""
    call_command("demo_data", "--catalog-offers", "400", stdout=io.StringIO())
    alice, bob, carol = (User.objects.get(username=n) for n in ("alice", "bob", "carol"))
    credential = AppCredential.objects.get(owner=alice)
    # the queued work ran (tasks are inline here; a worker does it in the demo)
    assert credential.is_verified and credential.shared_with_team == alice.current_team
    assert Category.objects.filter(level=1).count() == 12 and Category.objects.exclude(name_en="").exists()
    for query in ("保温杯", "手机壳", "laptop stand"):
        assert search_products(query, user=bob).products, query
    assert {s.query for s in search_history_for(bob)} == {"保温杯", "手机壳", "laptop stand"}
    assert search_history_for(carol) == []
    warmed = Product.objects.count()
    call_command("demo_data", "--catalog-offers", "400", stdout=io.StringIO())  # again: nothing new queued
    assert Product.objects.count() == warmed and SearchQuery.objects.count() == 3
