"""A search fetched by a real Celery worker process, against the sandbox on the live server."""

import pytest

from sourcing.catalog.models import CatalogJob, SearchQuery
from sourcing.catalog.selectors.pages import get_catalog_job_for_user
from sourcing.catalog.selectors.products import search_products
from sourcing.catalog.services import fetch as catalog
from tests.conftest import wait_for


@pytest.fixture
def sandbox_worker(request, live_server, monkeypatch):
    """A worker process whose settings point at the live server's sandbox, like the test process's."""
    monkeypatch.setenv("SITE_URL", live_server.url)
    monkeypatch.setenv("ALIBABA_API_URL", f"{live_server.url}/sandbox/openapi")
    return request.getfixturevalue("celery_worker_process")


@pytest.mark.worker
def test_a_worker_fetches_a_search_while_the_page_polls(shop, alice, bob, acme, sandbox_worker):
    shop.shared_with_team = acme
    shop.save()
    # when bob searches: the start queues, nothing is fetched in this process
    started = catalog.search_fetch_start(user=bob, query="保温杯")
    assert started.job.state == CatalogJob.State.QUEUED
    assert search_products("保温杯", user=bob).products == []
    # then the worker lands it; polling the job shows it done, and the search shows the products
    job = wait_for(lambda: get_catalog_job_for_user(bob, started.job.pk).state == "done"
                   and get_catalog_job_for_user(bob, started.job.pk), timeout=60)  # fmt: skip
    assert job.done == job.total and job.percent == 100
    offer_ids = SearchQuery.objects.get(pk=started.search.pk).offer_ids
    assert offer_ids and {p.offer_id for p in search_products("保温杯", user=bob).products} == set(offer_ids)
    sandbox_worker.log.seek(0)
    assert "sourcing.tasks.catalog_search_fetch" in sandbox_worker.log.read()
