"""Photo search: upload a picture or use a product's picture → similar offers, with progress; bad files → 400."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sourcing.catalog.models import CatalogJob, ImageUpload, SearchQuery
from tests.catalog.pages.conftest import page_html, page_text

pytestmark = pytest.mark.django_db


def png(size=(64, 64), colour=(200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_photo_form_says_what_it_takes(client, alice):
    client.force_login(alice)
    page = page_html(client.get("/products/image/"))
    assert 'enctype="multipart/form-data"' in page and 'data-max-bytes="3000000"' in page
    assert "up to 3 MB" in page_text(client.get("/products/image/"))


def test_an_uploaded_photo_is_searched_by_a_worker_and_the_results_page_shows_them(client, alice, credential, cup,
                                                                                   queued):  # fmt: skip
    client.force_login(alice)
    response = client.post("/products/image/", {"image": SimpleUploadedFile("cup.png", png(), "image/png")})
    search = SearchQuery.objects.get(kind=SearchQuery.Kind.IMAGE)
    job = CatalogJob.objects.get(kind=CatalogJob.Kind.IMAGE_SEARCH)
    assert response.status_code == 302 and response["Location"] == f"/products/image/{search.pk}/?job={job.pk}"
    assert queued == [("catalog_image_search", (job.pk,))]
    waiting = page_html(client.get(response["Location"]))
    assert "Waiting for a worker" in waiting and f'src="/products/image/{search.pk}/picture/"' in waiting
    picture = client.get(f"/products/image/{search.pk}/picture/")
    assert picture["Content-Type"] == "image/png" and picture.content == png()
    # the worker lands: the poll stops and swaps in the similar offers
    SearchQuery.objects.filter(pk=search.pk).update(offer_ids=[700001], total=1)
    from django.utils import timezone

    SearchQuery.objects.filter(pk=search.pk).update(fetched_at=timezone.now())
    CatalogJob.objects.filter(pk=job.pk).update(state=CatalogJob.State.DONE, message="1 offer from 1688.")
    done = page_html(client.get(response["Location"], headers={"HX-Request": "true"}))
    assert 'hx-swap-oob="true"' in done and "/products/700001/" in done and "every 1s" not in done


def test_find_similar_from_a_product_page_searches_with_its_picture(client, alice, credential, cup, queued):
    client.force_login(alice)
    page = page_html(client.get("/products/700001/"))
    assert f'name="image_url" value="{cup.image_url}"' in page
    response = client.post("/products/image/", {"image_url": cup.image_url})
    assert response.status_code == 302
    assert ImageUpload.objects.get().source_url == cup.image_url and queued[-1][0] == "catalog_image_search"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"image": SimpleUploadedFile("notes.txt", b"just some text", "text/plain")}, "not a picture"),
        ({"image": SimpleUploadedFile("fake.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png")}, "not a picture"),
        ({"image": SimpleUploadedFile("empty.png", b"", "image/png")}, "empty"),
        ({}, "Choose a photo"),
        ({"image_url": "https://elsewhere.example/cat.png"}, "picture address of a product"),
        ({"image_url": "javascript:alert(1)"}, "Enter a valid URL"),
        ({"image_url": "https://x.example/" + "a" * 600}, "at most 500 characters"),
    ],
)
def test_bad_uploads_are_a_form_error_with_status_400(client, alice, credential, cup, data, message):
    client.force_login(alice)
    response = client.post("/products/image/", data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert not SearchQuery.objects.exists()


def test_an_oversized_upload_is_refused_with_the_limit_in_words(client, alice, credential, settings):
    settings.CATALOG_IMAGE_MAX_BYTES = 50_000
    client.force_login(alice)
    big = png(size=(1200, 1200), colour=(10, 20, 30)) + b"\0" * 60_000
    response = client.post("/products/image/", {"image": SimpleUploadedFile("big.png", big, "image/png")})
    assert response.status_code == 400
    assert "pictures up to 0.05 MB can be searched" in page_text(response)
    assert not ImageUpload.objects.exists()


def test_a_gif_is_fine_but_a_bmp_is_not(client, alice, credential):
    client.force_login(alice)
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="BMP")
    response = client.post("/products/image/", {"image": SimpleUploadedFile("a.bmp", buffer.getvalue(), "image/bmp")})
    assert response.status_code == 400 and "JPEG, PNG, WebP or GIF" in page_text(response)
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    response = client.post("/products/image/", {"image": SimpleUploadedFile("a.gif", buffer.getvalue(), "image/gif")})
    assert response.status_code == 302


def test_without_a_credential_the_photo_is_kept_and_the_page_says_what_to_set_up(client, alice):
    client.force_login(alice)
    response = client.post(
        "/products/image/", {"image": SimpleUploadedFile("cup.png", png(), "image/png")}, follow=True
    )
    assert response.status_code == 200
    assert "no 1688 credential is set up" in page_text(response) and "Not searched on 1688 yet" in page_text(response)


def test_the_status_line_above_the_results_is_replaced_when_the_worker_lands(client, alice, credential, shelf,
                                                                            queued):  # fmt: skip
    from django.utils import timezone

    offers = shelf(60)
    client.force_login(alice)
    response = client.post("/products/image/", {"image": SimpleUploadedFile("cup.png", png(), "image/png")})
    search = SearchQuery.objects.get(kind=SearchQuery.Kind.IMAGE)
    job = CatalogJob.objects.get(kind=CatalogJob.Kind.IMAGE_SEARCH)
    waiting = page_text(client.get(response["Location"]))
    assert "Asking 1688 now" in waiting and "Not searched on 1688 yet" not in waiting
    # the worker lands with 60 offers (more than one page of 50): the poll's answer replaces the status line too
    SearchQuery.objects.filter(pk=search.pk).update(offer_ids=[p.offer_id for p in offers], total=60,
                                                    fetched_at=timezone.now())  # fmt: skip
    CatalogJob.objects.filter(pk=job.pk).update(state=CatalogJob.State.DONE, message="60 offers from 1688.")
    done = page_html(client.get(response["Location"], headers={"HX-Request": "true"}))
    status = done[done.index('id="search-status"') - 40 :]
    status = status[: status.index("</p>")]
    assert 'hx-swap-oob="true"' in status and "1688 found 60 similar offers" in status
    assert "Not searched on 1688 yet" not in done and "Asking 1688 now" not in done
    assert done.count('<li class="pcard') == 24 and "More results" in done  # the first page came with it
