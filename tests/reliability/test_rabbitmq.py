"""The scale-out setup with RabbitMQ as the broker: search, then a product's details, fetched by a real worker."""

import pytest

from sourcing.catalog.models import CatalogJob, Product, SearchQuery
from tests.conftest import wait_for, worker_log
from tests.reliability.conftest import AMQP_URL

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_search_and_product_details_through_rabbitmq(client, connected, catalog, workers, use_broker):
    from portal.celery import app

    # given a worker and this web process on RabbitMQ (a missing RabbitMQ fails here: nothing is skipped)
    use_broker(AMQP_URL)
    app.control.purge()
    worker = workers.start("rabbit", CELERY_BROKER_URL=AMQP_URL)
    assert "transport:   amqp://" in worker_log(worker)
    # when alice searches: the page's follow-up queues the 1688 search, the worker fetches it, the page lists it
    assert client.get("/products/", {"q": "保温杯"}).status_code == 200
    assert client.post("/products/fetch/?q=保温杯").status_code == 302
    search = wait_for(lambda: SearchQuery.objects.filter(query="保温杯", fetched_at__isnull=False).first(), timeout=60)
    assert search.offer_ids
    first = search.offer_ids[0]
    page = client.get("/products/", {"q": "保温杯"})
    assert f"/products/{first}/" in page.content.decode()
    # and she opens the first offer, known only from the search: its details are fetched while she waits
    assert client.get(f"/products/{first}/").status_code == 200
    assert client.post(f"/products/{first}/fetch/").status_code == 302
    product = wait_for(lambda: Product.objects.filter(offer_id=first, detail_fetched_at__isnull=False).first(),
                       timeout=60)  # fmt: skip
    assert product.skus.exists() and product.price_tiers
    assert "Options and stock" in client.get(f"/products/{first}/").content.decode()
    # then both went through RabbitMQ to the worker, and both jobs finished
    log = worker_log(worker)
    assert "sourcing.tasks.catalog_search_fetch" in log and "sourcing.tasks.catalog_product_fetch" in log
    assert set(CatalogJob.objects.values_list("state", flat=True)) == {CatalogJob.State.DONE}
