"""Searches are the team's: carol (Globex) never sees Acme's queries, photo searches, search ids or job ids."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from sourcing.catalog.models import CatalogJob, Product, SearchQuery, Supplier
from tests.catalog.pages.conftest import page_html, page_text

pytestmark = pytest.mark.django_db


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (1, 2, 3)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def acme_work(client, alice, credential, shelf, queued):
    """alice (Acme) searched 机密保温杯, searched by photo, refreshed a product and fetched a supplier's offers."""
    shelf(2)
    Product.objects.update(detail_fetched_at=timezone.now() - timedelta(hours=1))  # outside the refresh floor
    client.force_login(alice)
    client.post("/products/fetch/?q=机密保温杯")  # the search page's follow-up
    client.post("/products/image/", {"image": SimpleUploadedFile("secret.png", png(), "image/png")})
    client.post("/products/700001/refresh/")
    client.post(f"/suppliers/{Supplier.objects.get().pk}/fetch/")
    client.logout()
    return {
        "search": SearchQuery.objects.get(kind=SearchQuery.Kind.KEYWORD),
        "image": SearchQuery.objects.get(kind=SearchQuery.Kind.IMAGE),
        "jobs": {job.kind: job for job in CatalogJob.objects.all()},
    }


def test_carol_never_sees_acmes_searches_on_home(client, carol, acme_work):
    client.force_login(carol)
    page = page_text(client.get("/"))
    assert "机密保温杯" not in page and "recent searches" not in page and "Photo search" not in page


def test_bob_sees_his_teams_searches(client, bob, acme_work):
    client.force_login(bob)
    page = page_text(client.get("/"))
    assert "机密保温杯" in page and "alice" in page
    assert "1 similar offer" not in page_text(client.get("/products/image/"))  # not fetched yet: no count
    assert f"/products/image/{acme_work['image'].pk}/" in page_html(client.get("/products/image/"))


def test_carol_gets_404_for_acmes_search_ids_and_job_ids(client, carol, acme_work):
    client.force_login(carol)
    image, search, jobs = acme_work["image"], acme_work["search"], acme_work["jobs"]
    supplier = Supplier.objects.get()
    for path in (
        f"/products/image/{image.pk}/",
        f"/products/image/{image.pk}/picture/",
        f"/products/image/{image.pk}/?job={jobs[CatalogJob.Kind.IMAGE_SEARCH].pk}",
        f"/products/?q=机密保温杯&job={jobs[CatalogJob.Kind.SEARCH].pk}",
        f"/products/700001/?job={jobs[CatalogJob.Kind.PRODUCT].pk}",
        f"/suppliers/{supplier.pk}/?job={jobs[CatalogJob.Kind.SUPPLIER].pk}",
    ):
        assert client.get(path).status_code == 404, path
        assert client.get(path, headers={"HX-Request": "true"}).status_code == 404, path
    assert client.post(f"/searches/{search.pk}/more/").status_code == 404
    assert client.post(f"/searches/{image.pk}/more/").status_code == 404
    # her photo page lists none of Acme's pictures
    assert f"/products/image/{image.pk}/" not in page_html(client.get("/products/image/"))


def test_carol_sees_the_same_public_products(client, carol, acme_work):
    client.force_login(carol)
    assert "不锈钢保温杯" in page_text(client.get("/products/700001/"))
    assert "不锈钢保温杯" in page_text(client.get("/products/?q=保温杯"))
    assert "义乌示例日用品厂" in page_text(client.get("/suppliers/"))


def test_carols_own_search_of_the_same_words_is_globexs_not_acmes(client, carol, acme_work):
    client.force_login(carol)
    client.post("/products/fetch/?q=机密保温杯")  # her search page's follow-up
    assert SearchQuery.objects.filter(query="机密保温杯").count() == 2
    assert "机密保温杯" in page_text(client.get("/"))  # her own, now
    assert "alice" not in page_text(client.get("/"))
