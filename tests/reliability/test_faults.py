"""A 1,000-product refresh by real worker processes while the gateway fails one call in five."""

from collections import Counter

import pytest

from sandbox.apis import _skus
from sandbox.catalog import build_catalog, drift
from sandbox.models import SandboxApp, SandboxOffer
from sourcing.alibaba import api
from sourcing.catalog.models import CatalogJob, PriceHistory, Product, Sku
from sourcing.catalog.services import refresh as catalog_refresh
from sourcing.connections.models import ApiCallLog
from tests.conftest import wait_for, worker_log
from tests.reliability.conftest import known_products

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PRODUCTS = 1000
# Five kinds of fault, each drawn on every call: 1 - (1 - 0.0436) ** 5 = 20 % of calls fail.
FAULT_EACH = 0.0436
STILL = 10**9  # sandbox prices and stock hold still during the test, so the stored data can be checked exactly


def refreshed_rounds(limit: int = 4) -> list[CatalogJob]:
    """Run beat until nothing is due, as it runs every CATALOG_REFRESH_EVERY seconds; returns its jobs."""
    jobs = []
    for _ in range(limit):
        job = catalog_refresh.refresh_due()
        if job is None:
            return jobs
        jobs.append(job)
        wait_for(lambda j=job: CatalogJob.objects.get(pk=j.pk).state == CatalogJob.State.DONE, timeout=900,
                 interval=1)  # fmt: skip
    pytest.fail(f"products still due after {limit} beat runs")


def test_a_thousand_products_refresh_through_a_fifth_of_calls_failing(connected, alice, settings, workers):
    # given 1,000 products known from searches and looked at by alice, and alice's app with room for them
    settings.SANDBOX_DRIFT_SECONDS = settings.CATALOG_REFRESH_BATCH = STILL
    build_catalog(offers=PRODUCTS, seed=11)
    offers = {o.offer_id: o for o in SandboxOffer.objects.select_related("supplier")}
    known_products(offers.values(), viewer=alice)
    connected.daily_quota, connected.qps = 100_000, 1000
    connected.save()
    # and a gateway that times out, answers 502, sends broken and cut-off JSON and refuses for frequency
    SandboxApp.objects.filter(app_key=connected.app_key).update(
        fault_timeout=FAULT_EACH, fault_5xx=FAULT_EACH, fault_malformed=FAULT_EACH, fault_truncated=FAULT_EACH,
        fault_frequency=FAULT_EACH, timeout_delay=2.5,
        answer_profile="full",  # every field, so each product can be checked against the whole catalog row
    )  # fmt: skip
    worker = workers.start("faults", "--pool=prefork", "--concurrency=4", ALIBABA_READ_TIMEOUT="1.5")
    # when beat queues the refresh (and again for any product whose retries ran out, as the next cycle would)
    jobs = refreshed_rounds()
    # then every product holds exactly what the gateway has, fully written, once
    assert jobs[0].total == PRODUCTS
    assert Product.objects.count() == PRODUCTS
    expected_skus = 0
    for product in Product.objects.select_related("supplier").prefetch_related("skus"):
        source = offers[product.offer_id]
        price, stock = drift(source, STILL)
        skus = {(source.offer_id * 100 + i, p, s) for i, _combo, p, s in _skus(source, price, stock)}
        expected_skus += len(skus)
        assert (product.title, product.title_en, product.moq, product.stock) == (
            source.subject, source.subject_en, source.min_order_quantity, stock)  # fmt: skip
        assert {(int(s.sku_id), s.price, s.stock) for s in product.skus.all()} == skus
        assert product.supplier.open_id == source.supplier.open_uid
        assert product.price_tiers and product.content_hash and product.detail_fetched_at
        assert (product.refresh_error, product.refresh_queued_at, product.refresh_lease_until) == ("", None, None)
    assert Sku.objects.count() == expected_skus  # no SKU written twice
    # one price-history row from the search, one from the refresh: a fetch that landed twice would add a third
    assert Counter(PriceHistory.objects.values_list("product_id", flat=True)) == Counter(
        {pk: 2 for pk in Product.objects.values_list("pk", flat=True)}
    )
    # and each product was fetched successfully exactly once; the failures were recorded and retried
    detail = ApiCallLog.objects.filter(api=api.PRODUCT_DETAIL.id, probe=False)
    assert detail.filter(outcome="ok").count() == PRODUCTS
    failed = Counter(detail.exclude(outcome="ok").values_list("error_code", flat=True))
    print(f"\n{sum(failed.values())} failed calls of {detail.count()}: {dict(failed)}; {len(jobs)} beat run(s)")
    assert 0.12 < sum(failed.values()) / detail.count() < 0.28
    assert {"GatewayTimeout", "ServerError", "gw.QosAppFrequencyLimit"} <= set(failed)
    log = worker_log(worker)
    assert log.count("Retry in") + log.count("'gave_up'") == sum(failed.values())  # each failure went back
    # the worker never crashed: still the same process, no child lost
    assert worker.poll() is None
    assert "WorkerLostError" not in log and "Traceback" not in log
