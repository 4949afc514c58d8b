"""Catalog jobs against the sandbox over real HTTP (tasks run inline): searches, details, suppliers,
categories, image search; progress, refusals and retries."""

import itertools
import random
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from sandbox.models import SandboxCategory, SandboxOffer, SandboxUsage
from sourcing.alibaba import api
from sourcing.catalog.models import CatalogJob, Category, Product, SearchQuery, Supplier
from sourcing.catalog.selectors.products import search_products, search_results
from sourcing.catalog.services import categories as catalog_categories
from sourcing.catalog.services import fetch as catalog
from sourcing.catalog.services import jobs
from sourcing.catalog.services import offers as catalog_offers
from sourcing.catalog.services.upsert import products_upsert_summaries
from sourcing.connections.models import ApiCallLog, ApiPermission
from tests.catalog.conftest import offer

pytestmark = pytest.mark.django_db(transaction=True)
State = CatalogJob.State


def sandbox_ids(word: str) -> set[int]:
    return set(SandboxOffer.objects.filter(subject__contains=word).values_list("offer_id", flat=True))


def calls(api_ref, outcome=None) -> int:
    rows = ApiCallLog.objects.filter(api=api_ref.id, probe=False)
    return rows.filter(outcome=outcome).count() if outcome else rows.count()


def test_keyword_search_lands_in_the_local_catalog(shop, alice):
    # when alice searches 保温杯 for the first time
    started = catalog.search_fetch_start(user=alice, query=" 保温杯 ")
    # then a worker fetched it from 1688 and the local search shows exactly what 1688 has
    job = CatalogJob.objects.get(pk=started.job.pk)
    assert job.state == State.DONE, job.message
    expected = sandbox_ids("保温杯")
    assert expected and set(SearchQuery.objects.get().offer_ids) == expected
    assert {p.offer_id for p in search_products("保温杯", user=alice).products} == expected
    assert f"{len(expected)} offers" in job.message
    # and a second search within the freshness window queues nothing
    again = catalog.search_fetch_start(user=alice, query="保温杯")
    assert again.job is None and calls(api.KEYWORD_SEARCH) == 1
    assert SearchQuery.objects.get().times_searched == 2


def test_english_search_and_the_users_filters(shop, alice):
    started = catalog.search_fetch_start(user=alice, query="vacuum cup", filters={"price_max": "abc"})
    assert CatalogJob.objects.get(pk=started.job.pk).state == State.DONE
    found = {p.offer_id for p in search_products("vacuum cup", user=alice).products}
    assert found == set(
        SandboxOffer.objects.filter(subject_en__icontains="vacuum cup").values_list("offer_id", flat=True)
    )


def test_progress_is_reported_page_by_page(shop, alice, settings, monkeypatch):
    settings.CATALOG_SEARCH_PAGE_SIZE, settings.CATALOG_SEARCH_PAGES = 1, 3
    assert len(sandbox_ids("杯")) == 5
    seen = []
    real = catalog.job_progress

    def spy(job, **kwargs):
        real(job, **kwargs)
        row = CatalogJob.objects.get(pk=job.pk)
        seen.append((row.done, row.total, row.state, row.percent))

    monkeypatch.setattr(catalog, "job_progress", spy)
    started = catalog.search_fetch_start(user=alice, query="杯")
    assert seen == [(1, 3, State.RUNNING, 33), (2, 3, State.RUNNING, 66), (3, 3, State.RUNNING, 100)]
    job = CatalogJob.objects.get(pk=started.job.pk)
    assert (job.state, job.percent, job.done, job.total) == (State.DONE, 100, 3, 3)
    search = SearchQuery.objects.get()
    assert len(search.offer_ids) == 3 and search.pages_fetched == 3 and search.has_more and search.total == 5
    # "more" fetches the next page and appends it
    more = catalog.search_fetch_more(user=alice, search_id=search.pk)
    search.refresh_from_db()
    assert CatalogJob.objects.get(pk=more.job.pk).state == State.DONE
    assert search.pages_fetched == 4 and len(search.offer_ids) == 4


def test_category_tree_progress_and_english_names(shop, alice):
    started = catalog_categories.category_tree_fetch_start(user=alice)
    job = CatalogJob.objects.get(pk=started.job.pk)
    assert job.state == State.DONE, job.message
    assert Category.objects.count() == SandboxCategory.objects.count()
    assert job.total > 20 and job.done == job.total
    phone = Category.objects.get(name="手机配件")
    assert phone.name_en == "Phone accessories" and phone.level == 2 and phone.parent.name == "电子产品"
    assert Category.objects.filter(is_leaf=True, name="手机壳").exists()


def test_product_detail_supplier_and_more_offers(shop, alice):
    first = SandboxOffer.objects.order_by("offer_id").first()
    started = catalog_offers.product_fetch_start(user=alice, offer_id=str(first.offer_id))
    assert CatalogJob.objects.get(pk=started.job.pk).state == State.DONE
    product = Product.objects.get(offer_id=first.offer_id)
    assert product.detail_fetched_at and product.skus.exists() and product.price_tiers
    supplier = product.supplier
    assert supplier.open_id == first.supplier.open_uid and supplier.company_name == first.supplier.company_name
    assert supplier.province == first.supplier.province
    # fetch more of the seller's offers
    more = catalog_offers.supplier_offers_fetch_start(user=alice, supplier=supplier)
    assert CatalogJob.objects.get(pk=more.job.pk).state == State.DONE
    supplier.refresh_from_db()
    assert supplier.offers_pages_fetched == 1
    assert set(supplier.products.values_list("offer_id", flat=True)) == set(
        first.supplier.offers.values_list("offer_id", flat=True)
    )
    # a fresh detail is not fetched again; the refresh button neither within the refresh floor, and says until when
    assert catalog_offers.product_fetch_start(user=alice, offer_id=first.offer_id).job is None
    refused = catalog_offers.product_fetch_start(user=alice, offer_id=first.offer_id, force=True)
    assert refused.job is None and "can be refreshed again at" in refused.notice
    # once CATALOG_REFETCH_SECONDS have passed, it does
    Product.objects.filter(pk=product.pk).update(detail_fetched_at=timezone.now() - timedelta(seconds=301))
    assert catalog_offers.product_fetch_start(user=alice, offer_id=first.offer_id, force=True).job is not None
    assert calls(api.PRODUCT_DETAIL, "ok") == 2


def test_unknown_and_malformed_offer_ids(shop, alice):
    for bad in ["abc", "-1", "1.5", "9" * 30, "", "１２３"]:
        assert catalog_offers.product_fetch_start(user=alice, offer_id=bad).error
    started = catalog_offers.product_fetch_start(user=alice, offer_id="123456789")
    job = CatalogJob.objects.get(pk=started.job.pk)
    assert (job.state, job.error_code) == (State.FAILED, "not_found")
    assert "no offer 123456789" in job.message
    assert not Product.objects.filter(offer_id=123456789).exists()


def test_an_offer_1688_forgot_keeps_its_last_data(shop, alice):
    gone = SandboxOffer.objects.order_by("offer_id").first()
    catalog_offers.product_fetch_start(user=alice, offer_id=gone.offer_id)
    gone.delete()
    Product.objects.update(detail_fetched_at=timezone.now() - timedelta(hours=1))  # past the refresh floor
    started = catalog_offers.product_fetch_start(user=alice, offer_id=gone.offer_id, force=True)
    assert CatalogJob.objects.get(pk=started.job.pk).error_code == "not_found"
    product = Product.objects.get(offer_id=gone.offer_id)
    assert product.status == Product.Status.NOT_FOUND and product.title == gone.subject and product.skus.exists()


def test_refused_at_quota_without_a_retry_or_a_call(shop, alice):
    shop.daily_quota = 1  # the permission probe after connecting took it
    shop.save()
    received = SandboxUsage.objects.get().calls
    started = catalog.search_fetch_start(user=alice, query="手机壳")
    job = CatalogJob.objects.get(pk=started.job.pk)
    assert (job.state, job.error_code) == (State.FAILED, "local.QuotaExhausted")
    assert "quota of 1 calls" in job.message and "midnight Beijing time" in job.message
    assert SandboxUsage.objects.get().calls == received  # nothing was sent
    assert calls(api.KEYWORD_SEARCH, "refused") == 1  # and it was not retried


def test_ungranted_api_refused_before_queueing_and_in_the_worker(shop, alice):
    # given 1688 refused image search for this app
    ApiPermission.objects.filter(credential=shop, api=api.IMAGE_SEARCH.id).update(observed="denied")
    started = catalog.image_search_start(user=alice, image_url="", data=_png())
    assert started.job is None and "not granted" not in started.notice and "Apply for it" in started.notice
    # and a job queued before the refusal was known fails in plain words, without a call
    started = catalog.search_fetch_start(user=alice, query="数据线")
    job = CatalogJob.objects.get(pk=started.job.pk)
    assert job.state == State.DONE
    ApiPermission.objects.filter(credential=shop, api=api.KEYWORD_SEARCH.id).update(observed="denied")
    key = SearchQuery.objects.get(kind=SearchQuery.Kind.KEYWORD).key
    job = catalog._job_create(kind=CatalogJob.Kind.SEARCH, target=key, user=alice,
                              team=alice.current_team, credential=shop, params={"pages": 1})  # fmt: skip
    catalog.search_fetch_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.error_code) == (State.FAILED, "local.FeatureDisabled")
    assert "Apply for it in the 1688 console" in job.message
    assert calls(api.KEYWORD_SEARCH, "refused") == 1


@pytest.fixture
def eager_retries():
    """Inline tasks retry inline only when their errors are not propagated (Celery's eager apply)."""
    from portal.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def test_retries_under_sandbox_faults_lose_nothing(shop, alice, settings, portal_sandbox, eager_retries, monkeypatch):
    # given a flaky gateway: every other answer is a 502 or cut-off JSON (the sandbox's dice, loaded)
    settings.CATALOG_SEARCH_PAGE_SIZE, settings.CATALOG_SEARCH_PAGES = 5, 4
    portal_sandbox.fault_5xx, portal_sandbox.fault_malformed = 0.25, 0.2
    portal_sandbox.save()
    dice = itertools.cycle([0.1, 0.9, 0.9, 0.3, 0.1, 0.9, 0.9])
    monkeypatch.setattr(random, "random", lambda: next(dice))
    # when alice searches for something with many offers ("e" is in nearly every English title)
    started = catalog.search_fetch_start(user=alice, query="e")
    # then the retries got every page
    job = CatalogJob.objects.get(pk=started.job.pk)
    assert job.state == State.DONE, job.message
    assert calls(api.KEYWORD_SEARCH, "error") == 4 and calls(api.KEYWORD_SEARCH, "ok") == 4  # one retry a page
    search = SearchQuery.objects.get()
    assert search.pages_fetched == 4 and len(search.offer_ids) == 20 == len(set(search.offer_ids))
    assert Product.objects.filter(offer_id__in=search.offer_ids).count() == 20


def test_out_of_retries_the_job_says_so_and_keeps_what_it_had(shop, alice, portal_sandbox, eager_retries):
    products_upsert_summaries(offers=[offer("700001")], source="sandbox")
    portal_sandbox.fault_5xx = 1.0
    portal_sandbox.save()
    started = catalog_offers.product_fetch_start(user=alice, offer_id="700001")
    job = CatalogJob.objects.get(pk=started.job.pk)
    assert job.state == State.FAILED and "Try again in a few minutes" in job.message
    assert calls(api.PRODUCT_DETAIL, "error") == 6  # the first try and five retries
    assert Product.objects.get(offer_id=700001).title == "不锈钢保温杯 大容量"


def _png(family=3, variant=0) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (family * 20, 90, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_image_search_by_upload_and_by_product_picture(shop, alice, live_server):
    target = SandboxOffer.objects.order_by("offer_id")[3]
    picture = requests.get(f"{live_server.url}/sandbox/img/ibank/{target.image_family}_{target.image_variants[0]}.png",
                           timeout=10).content  # fmt: skip
    started = catalog.image_search_start(user=alice, data=picture, content_type="image/png")
    job = CatalogJob.objects.get(pk=started.job.pk)
    assert job.state == State.DONE, job.message
    search = SearchQuery.objects.get(kind=SearchQuery.Kind.IMAGE)
    assert search.offer_ids[0] == target.offer_id or target.offer_id in search.offer_ids[:5]
    assert "imageBase64" not in str(job.params)  # the picture never travels in task arguments
    shown = search_results(search, limit=5).products
    assert shown and shown[0].offer_id == search.offer_ids[0]
    # by the picture of a product we have: the worker loads the picture itself
    product = Product.objects.get(offer_id=search.offer_ids[0])
    by_url = catalog.image_search_start(user=alice, image_url=product.image_url)
    assert CatalogJob.objects.get(pk=by_url.job.pk).state == State.DONE
    assert product.offer_id in SearchQuery.objects.get(image__source_url=product.image_url).offer_ids


def test_bad_pictures_get_plain_words(shop, alice, settings):
    settings.CATALOG_IMAGE_MAX_BYTES = 1000
    assert "not a picture" in catalog.image_search_start(user=alice, data=b"%PDF-1.4 hello").error
    assert "too large" in catalog.image_search_start(user=alice, data=b"\x89PNG" + b"0" * 2000).error
    assert catalog.image_search_start(user=alice).error
    assert catalog.image_search_start(user=alice, image_url="https://evil.example/x.png").error
    assert not SearchQuery.objects.exists() and not CatalogJob.objects.exists()


def test_start_functions_only_queue(shop, alice, monkeypatch):
    from sourcing import tasks

    queued = []
    monkeypatch.setattr(tasks.catalog_search_fetch, "delay_on_commit", lambda *a: queued.append(a))
    before = ApiCallLog.objects.count()
    started = catalog.search_fetch_start(user=alice, query="手机壳")
    assert queued == [(started.job.pk,)] and ApiCallLog.objects.count() == before
    # a second click while it is queued returns the same job
    assert catalog.search_fetch_start(user=alice, query="手机壳").job.pk == started.job.pk
    assert len(queued) == 1


def test_without_a_credential_the_local_catalog_is_searched_and_the_page_says_why(carol, db):
    started = catalog.search_fetch_start(user=carol, query="保温杯")
    assert started.job is None and "no 1688 credential is set up" in started.notice
    assert started.search is not None  # the team's history still has it
    assert search_products("保温杯", user=carol).products == []


def test_supplier_without_more_offers(shop, alice):
    supplier = Supplier.objects.create(open_id="BBBx", offers_pages_fetched=1, offers_has_more=False)
    assert "every offer" in catalog_offers.supplier_offers_fetch_start(user=alice, supplier=supplier).notice


def test_jobs_wait_for_a_pending_key_check_then_run(shop, alice, monkeypatch):
    # given a credential whose App Key check is still queued (demo_data queues both at once)
    from sourcing import tasks
    from sourcing.catalog.services.jobs import WaitingForCheck
    from sourcing.connections.models import AppCredential, ConnectionCheck

    AppCredential.objects.filter(pk=shop.pk).update(verified_at=None)
    ConnectionCheck.objects.create(credential=shop, requested_by=alice, kind=ConnectionCheck.Kind.CREDENTIAL)
    monkeypatch.setattr(tasks.catalog_search_fetch, "delay_on_commit", lambda *a: None)
    started = catalog.search_fetch_start(user=alice, query="保温杯")
    assert started.job is not None  # queued: it will wait for the check
    # when the worker gets it first, it waits (a transient error: the task retries later)
    with pytest.raises(WaitingForCheck):
        catalog.search_fetch_run(job_id=started.job.pk)
    jobs.job_requeue(job_id=started.job.pk, error=WaitingForCheck(code="local.WaitingForCheck"))
    assert calls(api.KEYWORD_SEARCH) == 0
    # then, once the check confirmed the key, the retry runs
    AppCredential.objects.filter(pk=shop.pk).update(verified_at=timezone.now())
    catalog.search_fetch_run(job_id=started.job.pk)
    assert CatalogJob.objects.get(pk=started.job.pk).state == State.DONE


def test_an_unverified_credential_without_a_pending_check_queues_nothing(shop, alice):
    from sourcing.connections.models import AppCredential, ConnectionCheck

    AppCredential.objects.filter(pk=shop.pk).update(verified_at=None)
    ConnectionCheck.objects.filter(credential=shop).update(state=ConnectionCheck.State.PASSED)
    started = catalog.search_fetch_start(user=alice, query="保温杯")
    assert started.job is None and "Check App Key and secret" in started.notice


def test_beat_runs_the_refresh():
    from django.conf import settings

    from portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["catalog-refresh-due"]
    assert entry["task"] in app.tasks and entry["schedule"] == settings.CATALOG_REFRESH_EVERY
