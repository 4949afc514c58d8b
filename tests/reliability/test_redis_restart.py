"""Redis (broker, cache and rate limiter) restarted in the middle of a refresh: the work resumes on its own."""

import time

import pytest

from sandbox.catalog import build_catalog
from sandbox.models import SandboxApp, SandboxOffer
from sourcing.catalog.models import CatalogJob, Product
from sourcing.catalog.services import refresh as catalog_refresh
from tests.conftest import wait_for, worker_log
from tests.reliability.conftest import known_products

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _done(job: CatalogJob) -> bool:
    return CatalogJob.objects.get(pk=job.pk).state == CatalogJob.State.DONE


def test_work_queued_before_and_after_a_redis_restart_completes(connected, alice, workers, redis_server, use_broker):
    # given a worker whose broker and Redis cache are a Redis server of this test's own
    build_catalog(offers=60, seed=5)
    offers = list(SandboxOffer.objects.order_by("offer_id"))
    before = known_products(offers[:30], viewer=alice)
    SandboxApp.objects.filter(app_key=connected.app_key).update(latency_ms=150)  # the refresh takes a while
    use_broker(redis_server.url)
    worker = workers.start("steady", "--pool=prefork", "--concurrency=2", CELERY_BROKER_URL=redis_server.url,
                           REDIS_URL=redis_server.url.replace("/0", "/1"), CELERY_BROKER_VISIBILITY_TIMEOUT="10")  # fmt: skip
    first = catalog_refresh.refresh_due()
    assert first.total == 30
    # when Redis stops while the refresh is under way, and comes back on the same port five seconds later
    wait_for(lambda: CatalogJob.objects.get(pk=first.pk).done >= 5)
    redis_server.stop()
    time.sleep(5)
    assert not _done(first)
    redis_server.start()
    # and more work is queued after the restart
    after = known_products(offers[30:], viewer=alice)
    second = catalog_refresh.refresh_due()
    assert second.total == 30
    # then both refreshes finish with nobody restarting anything: every product fetched, the worker the same
    wait_for(lambda: _done(first) and _done(second), timeout=120, interval=0.5)
    fetched = Product.objects.filter(pk__in=[p.pk for p in before + after], detail_fetched_at__isnull=False)
    assert fetched.count() == 60
    assert worker.poll() is None
    log = worker_log(worker)
    assert "Connection to broker lost" in log or "Cannot connect to redis" in log
    assert log.count(f"Connected to redis://:**@127.0.0.1:{redis_server.port}/0") >= 2  # at start, after the restart
