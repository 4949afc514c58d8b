"""After a full journey on a real worker, no App Secret, token, OAuth code or request signature appears in any
page, admin page, log line, e-mail, task message or database column (only encrypted, so never in plain)."""

import io
import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from celery.signals import before_task_publish
from django.contrib import admin
from django.db import connection
from django.utils import timezone

import sandbox.gateway
from sourcing import tasks
from sourcing.catalog.models import CatalogJob, Product
from sourcing.connections.models import AppCredential, OAuthToken
from sourcing.connections.services.credentials import credential_create
from sourcing.lists.models import ProductList
from sourcing.logging import MaskSecretsFilter
from tests.conftest import wait_for
from tests.inquiries.conftest import contact
from tests.portal_fixtures import APP_KEY, APP_SECRET, at_site

pytestmark = pytest.mark.worker


@pytest.fixture
def sandbox_worker(request, live_server, monkeypatch, portal_sandbox, catalog):
    """A real worker pointed at the live server's sandbox, started before anything is queued."""
    monkeypatch.setenv("SITE_URL", live_server.url)
    monkeypatch.setenv("ALIBABA_API_URL", f"{live_server.url}/sandbox/openapi")
    return request.getfixturevalue("celery_worker_process")


@pytest.fixture
def log_lines():
    """What the portal's own log handlers write (after their masking filter), from every logger."""
    buffer = io.StringIO()
    handlers = [h for h in logging.getLogger().handlers
                if any(isinstance(f, MaskSecretsFilter) for f in h.filters)]  # fmt: skip
    assert handlers, "the console handler with its masking filter is configured"
    previous = [h.setStream(buffer) for h in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


@pytest.fixture
def task_messages():
    """Every task message this process hands to the broker: its headers (argsrepr, kwargsrepr) and body."""
    sent = []

    def record(sender=None, body=None, headers=None, **_kwargs):
        sent.append(f"{sender} {headers!r} {body!r}")

    before_task_publish.connect(record, weak=False)
    yield sent
    before_task_publish.disconnect(record)


@pytest.fixture
def signatures(monkeypatch):
    """Every _aop_signature the sandbox accepted (it recomputes the one each request carries)."""
    seen = []
    real = sandbox.gateway.signature_of

    def spy(url_path, params, secret):
        value = real(url_path, params, secret)
        seen.append(value)
        return value

    monkeypatch.setattr(sandbox.gateway, "signature_of", spy)
    return seen


def _all_database_text() -> list[tuple[str, str]]:
    """(table, row as text) for every row of every table."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
            for row in cursor.fetchall():
                values = [bytes(v).decode(errors="replace") if isinstance(v, bytes | memoryview) else str(v)
                          for v in row]  # fmt: skip
                rows.append((table, " ".join(values)))
    return rows


def test_a_full_journey_leaves_no_secret_anywhere(
    client, alice, acme, sandbox_worker, log_lines, task_messages, signatures, live_server
):
    pages = []

    def visit(method, path, **kwargs):
        response = getattr(client, method)(path, follow=True, **kwargs)
        assert response.status_code == 200, (path, response.status_code)
        pages.append((path, response.content.decode(errors="replace")))
        return response

    client.force_login(alice)
    # a credential with a known App Secret; a worker checks it
    credential = credential_create(owner=alice, app_key=APP_KEY, app_secret=APP_SECRET, name="Acme app",
                                   gateway=AppCredential.Gateway.SANDBOX, daily_quota=1000, qps=100,
                                   shared_with_team=acme)  # fmt: skip
    wait_for(lambda: AppCredential.objects.get(pk=credential.pk).verified_at, timeout=60)
    visit("get", f"/connections/{credential.pk}/")
    # connect through the sandbox's consent page; the portal exchanges the code on its callback
    start = client.post(f"/connections/{credential.pk}/connect/", **at_site())
    consent = requests.post(start["Location"], data={"login_id": "acme采购01", "decision": "approve"},
                            allow_redirects=False, timeout=10)  # fmt: skip
    callback = urlsplit(consent.headers["Location"])
    code = parse_qs(callback.query)["code"][0]
    visit("get", f"{callback.path}?{callback.query}")
    token = OAuthToken.objects.get(credential=credential)
    tokens = {token.access_token, token.refresh_token}
    # a worker refreshes the token once it has expired
    OAuthToken.objects.filter(pk=token.pk).update(access_expires_at=timezone.now() - timedelta(minutes=1))
    tasks.token_refresh.delay(token.pk)
    wait_for(lambda: OAuthToken.objects.get(pk=token.pk).access_token not in tokens, timeout=60)
    token.refresh_from_db()
    tokens |= {token.access_token, token.refresh_token}
    # a search fetched by the worker, then a product refreshed by it
    visit("get", "/products/?q=保温杯")
    visit("post", "/products/fetch/?q=保温杯")  # the search page's follow-up
    job = wait_for(lambda: CatalogJob.objects.filter(kind="search", state="done").first(), timeout=60)
    visit("get", f"/products/?q=保温杯&job={job.pk}")
    product = wait_for(lambda: Product.objects.order_by("pk").first(), timeout=10)
    visit("post", f"/products/{product.offer_id}/refresh/")
    wait_for(lambda: CatalogJob.objects.filter(kind="product", state="done").exists(), timeout=60)
    visit("get", f"/products/{product.offer_id}/")
    # a list, its exports, and an inquiry
    visit("post", "/lists/add/", data={"offer_id": product.offer_id, "new_list_name": "Spring range", "qty": "10"})
    product_list = ProductList.objects.get(team=acme)
    for path in ("/lists/", f"/lists/{product_list.pk}/"):
        visit("get", path)
    for path in (f"/lists/{product_list.pk}/export.csv", f"/lists/{product_list.pk}/export.xlsx"):
        response = client.get(path)
        assert response.status_code == 200
        pages.append((path, response.content.decode(errors="replace")))
    assert contact(client, product).status_code == 302
    for path in ("/inquiries/", "/connections/", "/api-status/", "/teams/", "/"):
        visit("get", path)
    # every admin list and one change page of each model, as a superuser sees them
    for model, _model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        visit("get", base)
        first = model.objects.order_by("pk").first()
        if first is not None:
            visit("get", f"{base}{first.pk}/change/")
    wait_for(lambda: not CatalogJob.objects.filter(state__in=["queued", "running"]).exists(), timeout=60)

    secrets = {"App Secret": APP_SECRET, "OAuth code": code}
    secrets |= {f"token {n}": value for n, value in enumerate(sorted(tokens))}
    secrets |= {f"signature {n}": value for n, value in enumerate(sorted(set(signatures)))}
    # the journey really connected, refreshed (1688 keeps the refresh token) and signed calls
    assert len(tokens) == 3 and len(signatures) >= 5
    sandbox_worker.log.seek(0)
    mails = [p.read_text(errors="replace") for p in sandbox_worker.mail_dir.iterdir()]
    places = [("page " + path, html) for path, html in pages]
    places += [("log", log_lines.getvalue()), ("worker output", sandbox_worker.log.read())]
    places += [("task message", message) for message in task_messages]
    places += [("mail", text) for text in mails]
    places += [("table " + table, row) for table, row in _all_database_text()]
    found = [f"{what} in {where}" for where, text in places for what, value in secrets.items() if value in text]
    assert found == []
    # and the scan saw what it should have: pages, log lines, task messages and the encrypted columns
    assert len(task_messages) >= 3
    assert "Task sourcing.tasks.token_refresh" in places[len(pages) + 1][1]
