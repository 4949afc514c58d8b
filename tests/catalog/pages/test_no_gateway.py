"""A page view never calls 1688: it reads the local database and queues work for the workers (design.md §1)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from PIL import Image

from sandbox.models import SandboxUsage
from sourcing.catalog.models import CatalogJob, Category, SearchQuery, Supplier
from sourcing.connections.models import ApiCallLog

pytestmark = pytest.mark.django_db(transaction=True)


def gateway_calls() -> tuple[int, int]:
    """What the portal logged and what the sandbox gateway counted."""
    return ApiCallLog.objects.count(), SandboxUsage.objects.aggregate(n=Sum("calls"))["n"] or 0


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (9, 9, 9)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_no_catalog_page_calls_the_gateway(client, connected, catalog, shelf, queued):
    # given alice's credential connected to the sandbox over HTTP (its connection made calls of its own)
    shelf(3)
    supplier = Supplier.objects.get()
    before = gateway_calls()
    assert before[1] > 0  # the sandbox counts calls: connecting made some
    # when alice opens every catalog page, asks for live data, polls and uses every button
    client.post("/products/image/", {"image": SimpleUploadedFile("a.png", png(), "image/png")})
    image_search = SearchQuery.objects.get(kind=SearchQuery.Kind.IMAGE)
    client.post("/products/700001/refresh/")
    client.post(f"/suppliers/{supplier.pk}/fetch/")
    pages = [
        "/", "/products/", "/products/?q=保温杯", "/products/?q=laptop&sort=price&price_max=99",
        "/products/700001/", "/products/700001/?qty=150", "/products/612345678901/", "/products/abc/",
        "/suppliers/", "/suppliers/?q=义乌", f"/suppliers/{supplier.pk}/", "/categories/",
        f"/categories/{Category.objects.first().pk}/", "/products/image/", f"/products/image/{image_search.pk}/",
        f"/products/image/{image_search.pk}/picture/", "/search/?q=手机壳",
    ]  # fmt: skip
    for path in pages:
        for headers in ({}, {"Sec-Fetch-Site": "same-origin"}):
            assert client.get(path, headers=headers).status_code in (200, 302, 404), path
    for path in (
        "/products/fetch/?q=保温杯",
        "/products/612345678901/fetch/",
        "/products/700001/fetch/",
        f"/categories/{Category.objects.first().pk}/fetch/",
    ):  # the pages' follow-ups
        assert client.post(path, headers={"HX-Request": "true"}).status_code == 200, path
    for job in CatalogJob.objects.all():  # the pages' progress polls
        for path in (f"/products/?q=保温杯&job={job.pk}", f"/products/{job.target}/?job={job.pk}"):
            client.get(path, headers={"HX-Request": "true"})
    keyword = SearchQuery.objects.filter(kind=SearchQuery.Kind.KEYWORD).first()
    client.post(f"/searches/{keyword.pk}/more/")
    # then neither the portal's call log nor the sandbox saw a single call
    assert gateway_calls() == before
    # and the work went to the workers' queue instead
    kinds = {name for name, _args in queued}
    assert {"catalog_search_fetch", "catalog_product_fetch", "catalog_supplier_offers", "catalog_image_search"} <= kinds
