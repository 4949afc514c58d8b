"""Bad input on every catalog page: a clear message and a 4xx, or an empty result with a message; never a 500."""

import base64

import pytest

from sourcing.catalog.models import Supplier
from tests.catalog.pages.conftest import page_text

pytestmark = pytest.mark.django_db

HUGE = "保温杯" * 3400  # 10,200 characters
GARBAGE_CURSORS = ["garbage", "!!!", "=" * 40, "x" * 5000, base64.urlsafe_b64encode(b'["price", ["NaN", 1]]').decode(),
                   base64.urlsafe_b64encode(b'{"a": 1}').decode(), base64.urlsafe_b64encode(b"\xff\xfe").decode(),
                   base64.urlsafe_b64encode(b'["relevance", [2, 1e999, 3]]').decode()]  # fmt: skip


@pytest.fixture
def signed_in(client, alice, shelf):
    shelf(3)
    client.force_login(alice)
    return client


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""}, {"q": "   "}, {"q": HUGE}, {"q": "²"}, {"q": "\x00"}, {"q": "保温杯\x00"}, {"q": "'; DROP TABLE x; --"}, {"q": "%"},
        {"q": "保温杯", "price_min": "NaN"}, {"q": "保温杯", "price_max": "-5"}, {"q": "保温杯", "price_min": "1e999"},
        {"q": "保温杯", "price_min": "99999999999999"}, {"q": "保温杯", "price_min": "²"}, {"q": "保温杯", "price_max": "Infinity"},
        {"q": "保温杯", "max_moq": "-1"}, {"q": "保温杯", "max_moq": "1" * 40}, {"q": "保温杯", "max_moq": "abc"},
        {"q": "保温杯", "category": "abc"}, {"q": "保温杯", "category": "-3"}, {"q": "保温杯", "category": "9" * 30},
        {"q": "保温杯", "sort": "bogus"}, {"q": "保温杯", "province": "x" * 500}, {"q": "保温杯", "page": "999999999"},
        {"q": "保温杯", "job": "abc"}, {"q": "保温杯", "job": "-1"}, {"q": "保温杯", "job": "9" * 30},
        *({"q": "保温杯", "after": cursor} for cursor in GARBAGE_CURSORS),
        *({"q": "保温杯", "after": cursor, "sort": "price"} for cursor in GARBAGE_CURSORS),
    ],
)  # fmt: skip
def test_search_never_fails_on_bad_input(signed_in, params):
    response = signed_in.get("/products/", params)
    assert response.status_code == 200
    htmx = signed_in.get("/products/", params, headers={"HX-Request": "true"})
    assert htmx.status_code == 200


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "保温杯", "price_min": "NaN"}, "Ignored the lowest price “NaN”: enter yuan like 12.5."),
        ({"q": "保温杯", "price_max": "-5"}, "Ignored the highest price “-5”"),
        ({"q": "保温杯", "price_min": "1000001"}, "above ¥1,000,000"),
        ({"q": "保温杯", "max_moq": "abc"}, "Ignored the minimum order “abc”"),
        ({"q": "保温杯", "sort": "bogus"}, "Unknown sort “bogus”: sorted by relevance."),
        ({"q": "保温杯", "category": "abc"}, "Ignored the category “abc”"),
        ({"q": HUGE}, "Your search was shortened to its first 100 characters."),
        ({"q": "保温杯", "price_min": "20", "price_max": "10"}, "they were swapped"),
    ],
)
def test_search_explains_what_it_ignored(signed_in, params, message):
    assert message in page_text(signed_in.get("/products/", params))


def test_an_empty_query_lists_the_catalog_without_asking_1688(signed_in, queued):
    page = page_text(signed_in.get("/products/?q="))
    assert "Products in the portal" in page and "不锈钢保温杯" in page and queued == []


def test_a_query_of_symbols_says_there_is_nothing_to_search_for(signed_in):
    assert "has no letters, digits or Chinese characters" in page_text(signed_in.get("/products/?q=%25%25%25"))


@pytest.mark.parametrize(
    "params",
    [{"qty": "abc"}, {"qty": "-1"}, {"qty": "1e9"}, {"qty": "NaN"}, {"qty": "9" * 50}, {"qty": "²"}, {"qty": ""},
     {"job": "abc"}, {"job": "0"}, {"job": "9" * 25}, {"job": "99999"}],
)  # fmt: skip
def test_the_product_page_never_fails_on_bad_parameters(signed_in, params):
    response = signed_in.get("/products/700001/", params)
    if params.get("job") == "99999":
        assert response.status_code == 404  # a job that doesn't exist (or isn't yours)
    else:
        assert response.status_code == 200
    assert signed_in.get("/products/700001/", params, headers={"HX-Request": "true"}).status_code in (200, 404)


@pytest.mark.parametrize(
    "path",
    ["/products/abc/", "/products/-1/", "/products/99999999999999999999/", "/products/²/", "/products/0/",
     "/products/9223372036854775808/", "/suppliers/abc/", "/suppliers/0/", "/suppliers/99999999999999999999/",
     "/suppliers/9223372036854775808/", "/suppliers/424242/", "/categories/abc/", "/categories/-1/",
     "/categories/99999999999999999999/", "/categories/424242/", "/products/image/abc/", "/products/image/424242/",
     "/products/image/424242/picture/", "/products/image/99999999999999999999/"],
)  # fmt: skip
def test_unknown_and_malformed_ids_are_404_pages(signed_in, path):
    assert signed_in.get(path).status_code == 404


def test_posting_to_unknown_or_malformed_ids_is_404(signed_in):
    for path in ("/products/abc/refresh/", "/suppliers/424242/fetch/", "/suppliers/abc/fetch/", "/searches/424242/more/",
                 "/searches/abc/more/"):  # fmt: skip
        assert signed_in.post(path).status_code == 404, path


def test_get_on_post_only_addresses_is_405(signed_in):
    supplier = Supplier.objects.get()
    for path in ("/products/700001/refresh/", f"/suppliers/{supplier.pk}/fetch/"):
        assert signed_in.get(path).status_code == 405, path


@pytest.mark.parametrize(
    "params", [{"q": HUGE}, {"q": "²"}, {"after": "garbage"}, {"after": "x" * 3000}, {"q": "\x00"}]
)
def test_the_supplier_list_never_fails(signed_in, params):
    assert signed_in.get("/suppliers/", params).status_code == 200


@pytest.mark.parametrize(
    "params",
    [{"after": c} for c in GARBAGE_CURSORS] + [{"after": c, "sort": "price"} for c in GARBAGE_CURSORS]
    + [{"job": "abc"}, {"sort": "bogus"}],
)  # fmt: skip
def test_supplier_and_category_pages_never_fail(signed_in, params):
    supplier = Supplier.objects.get()
    assert signed_in.get(f"/suppliers/{supplier.pk}/", params).status_code == 200
    assert signed_in.get("/categories/3/", params).status_code == 200
    assert signed_in.get("/categories/3/", params, headers={"HX-Request": "true"}).status_code == 200


def test_a_damaged_page_link_restarts_at_the_first_page_and_says_so(signed_in):
    cursor = base64.urlsafe_b64encode(b'["price", ["NaN", 1]]').decode()
    page = page_text(signed_in.get("/products/", {"q": "保温杯", "sort": "price", "after": cursor}))
    assert "That page link was damaged; showing the first results." in page and "不锈钢保温杯" in page


def test_a_huge_query_on_the_image_page_url_param_is_cut(signed_in):
    response = signed_in.get("/products/image/", {"url": "https://x.example/" + "a" * 5000})
    assert response.status_code == 200


@pytest.mark.parametrize("after", ["garbage", "-1", "99999999", "²", "x" * 3000, "0"])
def test_photo_results_never_fail_on_a_bad_page_link(signed_in, credential, after):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG")
    signed_in.post("/products/image/", {"image": SimpleUploadedFile("a.png", buffer.getvalue(), "image/png")})
    from sourcing.catalog.models import SearchQuery

    search = SearchQuery.objects.get()
    assert signed_in.get(f"/products/image/{search.pk}/", {"after": after}).status_code == 200
    assert (
        signed_in.get(f"/products/image/{search.pk}/", {"after": after}, headers={"HX-Request": "true"}).status_code
        == 200
    )
