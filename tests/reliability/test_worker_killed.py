"""A worker killed with SIGKILL in the middle of a task: another worker runs the task again, and it lands once."""

import signal

import pytest

from sandbox.catalog import build_catalog
from sandbox.models import SandboxApp, SandboxOffer
from sourcing.alibaba import api
from sourcing.catalog.models import CatalogJob, PriceHistory, Product
from sourcing.catalog.services import refresh as catalog_refresh
from sourcing.connections.models import ApiCallLog
from tests.conftest import wait_for, worker_log
from tests.reliability.conftest import known_products

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_task_of_a_killed_worker_runs_again_on_another_and_lands_once(connected, alice, workers, redis_server,
                                                                       use_broker):  # fmt: skip
    # given a product alice looked at, and a gateway slow enough to kill a worker while it waits for the answer
    build_catalog(offers=20, seed=3)
    (product,) = known_products(SandboxOffer.objects.order_by("offer_id")[:1], viewer=alice)
    sandbox = SandboxApp.objects.filter(app_key=connected.app_key)
    sandbox.update(latency_ms=10_000)
    # Redis (a server of this test's own) gives an unacknowledged task to another worker after the visibility
    # timeout; a short one here, and a refresh lease that ends soon after, stand for the production hour and ten minutes.
    use_broker(redis_server.url)
    quick = {"CELERY_BROKER_URL": redis_server.url, "CELERY_BROKER_VISIBILITY_TIMEOUT": "4",
             "CATALOG_JOB_STALE_SECONDS": "6"}  # fmt: skip
    first = workers.start("doomed", **quick)
    job = catalog_refresh.refresh_due()
    # when the worker has taken the product and is waiting on 1688, it is killed outright
    wait_for(lambda: Product.objects.filter(pk=product.pk, refresh_lease_until__isnull=False).exists())
    wait_for(lambda: "catalog_product_refresh" in worker_log(first))
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    assert Product.objects.get(pk=product.pk).detail_fetched_at is None  # it died before writing anything
    # then a second worker gets the task back without anyone touching the queue, and finishes it
    sandbox.update(latency_ms=0)
    second = workers.start("survivor", **quick)
    wait_for(lambda: CatalogJob.objects.get(pk=job.pk).state == CatalogJob.State.DONE, timeout=90)
    product.refresh_from_db()
    assert product.detail_fetched_at is not None and product.skus.exists()
    assert (product.refresh_queued_at, product.refresh_lease_until, product.refresh_error) == (None, None, "")
    # and its effect happened once: one fetch stored, one price-history row for it, the job counted it once
    assert ApiCallLog.objects.filter(api=api.PRODUCT_DETAIL.id, probe=False, outcome="ok").count() == 1
    assert PriceHistory.objects.filter(product=product).count() == 2  # the search's row and the refresh's
    job = CatalogJob.objects.get(pk=job.pk)
    assert (job.done, job.total) == (1, 1)
    assert "'fetched'" in worker_log(second)
    # a later delivery of the same message finds nothing to do
    assert catalog_refresh.product_refresh_run(product_id=product.pk, job_id=job.pk) == "skipped"
