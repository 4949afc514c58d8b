"""A real Celery worker fills what pages lack, against the sandbox over HTTP: a category page with no offers
gets them from a 1688 search of the category, and a province filter gets the details of the offers it hid."""

import html
import re
from urllib.parse import urlencode

import pytest

from sandbox.models import SandboxOffer
from sourcing.catalog.models import CatalogJob, Category, Product, SearchQuery
from tests.conftest import wait_for


@pytest.fixture
def sandbox_worker(request, live_server, monkeypatch):
    """A worker process whose settings point at the live server's sandbox, like the test process's."""
    monkeypatch.setenv("SITE_URL", live_server.url)
    monkeypatch.setenv("ALIBABA_API_URL", f"{live_server.url}/sandbox/openapi")
    return request.getfixturevalue("celery_worker_process")


def text(response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def cards(response) -> set[int]:
    return {int(n) for n in re.findall(r'class="pcard-link" href="/products/(\d+)/"', response.content.decode())}


def job_done(pk: int) -> CatalogJob | None:
    job = CatalogJob.objects.get(pk=pk)
    return job if not job.is_running else None


@pytest.mark.worker
def test_a_category_with_no_local_offers_gets_them_from_the_worker(client, shop, sandbox_worker):
    # given the portal knows the category 手机配件 (as the category-tree fetch stores it) and holds no offer
    Category.objects.create(id=1001, name="电子产品", name_en="Electronics", level=1)
    Category.objects.create(id=100102, parent_id=1001, name="手机配件", name_en="Phone accessories", level=2)
    assert not Product.objects.exists()
    # when alice opens it: no cards yet, and the page's follow-up asks 1688 (a GET queues nothing)
    first = client.get("/categories/100102/", headers={"Sec-Fetch-Site": "same-origin"})
    assert not cards(first) and 'hx-post="/categories/100102/fetch/" hx-trigger="load"' in first.content.decode()
    assert "1688's results will appear here as soon as the worker has them" in text(first)
    assert not CatalogJob.objects.exists()
    answer = client.post("/categories/100102/fetch/", headers={"HX-Request": "true"})
    job = CatalogJob.objects.get(kind=CatalogJob.Kind.SEARCH)
    assert 'role="progressbar"' in answer.content.decode()
    # then the worker lands the search of 手机配件 in category 100102, and the poll swaps the offers in
    job = wait_for(lambda: job_done(job.pk), timeout=60)
    assert job.state == CatalogJob.State.DONE, job.message
    poll = client.get(f"/categories/100102/?job={job.pk}", headers={"HX-Request": "true"})
    expected = set(SandboxOffer.objects.filter(category_id__gte=10010200, category_id__lt=10010300)
                   .values_list("offer_id", flat=True))  # fmt: skip
    assert expected and cards(poll) == expected  # every offer of the category, and only those
    # and the page says exactly what it lists
    page = client.get("/categories/100102/")
    n = len(expected)
    assert cards(page) == expected
    assert f"1688 found {n} offers; your team fetched {n} (just now); {n} listed here." in text(page)


@pytest.mark.worker
def test_a_province_filter_gets_the_details_it_needs_from_the_worker(client, shop, sandbox_worker):
    # when alice searches 便携 (portable) in the province of the sandbox's best-selling one: the search lands offers
    # whose province a keyword answer doesn't give
    province = SandboxOffer.objects.filter(subject__contains="便携").order_by("-month_sold", "offer_id")
    province = province.values_list("supplier__province", flat=True).first()[:2]
    fetch = "/products/fetch/?" + urlencode({"q": "便携", "province": province})
    client.post(fetch)  # the search page's follow-up
    search_job = CatalogJob.objects.get(kind=CatalogJob.Kind.SEARCH)
    wait_for(lambda: job_done(search_job.pk), timeout=60)
    fetched = SearchQuery.objects.get().offer_ids
    expected = set(SandboxOffer.objects.filter(offer_id__in=fetched, supplier__province__startswith=province)
                   .values_list("offer_id", flat=True))  # fmt: skip
    assert expected and len(expected) < len(fetched)
    # then each view's follow-up queues the details of the hidden ones (a batch at a time) until none lacks them
    seen_hidden = asked = False
    details = CatalogJob.objects.filter(kind=CatalogJob.Kind.DETAILS)
    for _round in range(6):
        page = client.get("/products/", {"q": "便携", "province": province}, headers={"Sec-Fetch-Site": "none"})
        seen_hidden = seen_hidden or "hidden: their supplier's province is not known yet" in text(page)
        asked = asked or """hx-vals='{"step": "details"}'""" in page.content.decode()
        before = details.count()
        client.post(fetch, {"step": "details"}, headers={"HX-Request": "true"})
        if details.count() == before:
            break
        job = details.order_by("-pk").first()
        assert wait_for(lambda j=job: job_done(j.pk), timeout=90).state == CatalogJob.State.DONE
    assert seen_hidden and asked
    # and the page now lists every offer of that province its details name; what live-like sparse details leave
    # unknown (no shipping address) stays counted as hidden, each with its detail fetched, never dropped silently
    unknown = set(Product.objects.filter(offer_id__in=fetched, province="").values_list("offer_id", flat=True))
    assert not Product.objects.filter(offer_id__in=unknown, detail_fetched_at__isnull=True).exists()
    assert cards(page) == expected - unknown and len(expected - unknown) >= 2
    words = text(page)
    assert f"{len(expected - unknown)} match your filters" in words
    if unknown:
        assert f"{len(unknown)} offer{'s' if len(unknown) > 1 else ''} hidden: their supplier's province" in words
    else:
        assert "hidden" not in words
