"""Hostile input gets a 4xx JSON error in words, never a 500, and changes nothing."""

import pytest

from sourcing.lists.models import ListItem, ProductList
from tests.api.conftest import error_of

HOSTILE = ["NaN", "Infinity", "-1", "²", "1e400", "9" * 40, "x" * 10_000, "12\x00", "[]", "{}", "1/2"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_in_every_field_are_422(api, kitchen, value):
    item = kitchen.items.order_by("pk").first()
    before = list(ListItem.objects.order_by("pk").values())
    bodies = [
        ("post", f"/api/v1/lists/{kitchen.pk}/items/", {"offer": value, "quantity": value}),
        ("post", f"/api/v1/lists/{kitchen.pk}/items/", {"offer": str(item.product.offer_id), "quantity": value}),
        ("post", f"/api/v1/lists/{kitchen.pk}/items/", {"offer": str(item.product.offer_id), "target_price": value}),
        ("patch", f"/api/v1/items/{item.pk}/", {"quantity": value}),
        ("patch", f"/api/v1/items/{item.pk}/", {"target_price": value}),
        ("patch", f"/api/v1/items/{item.pk}/", {"option": value}),
        ("patch", f"/api/v1/items/{item.pk}/", {"status": value}),
        ("patch", f"/api/v1/items/{item.pk}/", {"version": value}),
        ("post", "/api/v1/alerts/", {"offer_id": value, "kind": "price_below", "threshold": "1"}),
        ("post", "/api/v1/orders/", {"list": value, "quote": value}),
    ]
    for method, path, body in bodies:
        response = getattr(api, method)(path, body)
        status, _code = error_of(response)
        assert 400 <= status < 500, (method, path, body, response.content[:300])
    assert list(ListItem.objects.order_by("pk").values()) == before


def test_numbers_as_json_numbers_too(api, kitchen):
    item = kitchen.items.order_by("pk").first()
    for raw in ('{"quantity": 1e400}', '{"quantity": NaN}', '{"quantity": 99999999999999999999999999}',
                '{"target_price": -0.0001}', '{"quantity": true}', '{"quantity": 1.5}', "not json", "[1, 2]",
                '{"quantity": ' + "[" * 5000 + "]" * 5000 + "}", '{"note": "' + "x" * 3_000_000 + '"}'):  # fmt: skip
        response = api.patch(f"/api/v1/items/{item.pk}/", raw=raw)
        assert error_of(response)[0] in (400, 413, 422), (raw[:60], response.content[:200])


def test_a_huge_list_name_or_note_is_refused_in_words(api, kitchen):
    assert error_of(api.post("/api/v1/lists/", {"name": "名" * 10_000})) == (422, "invalid")
    assert error_of(api.post("/api/v1/lists/", {"name": "   "})) == (422, "invalid")
    assert ProductList.objects.count() == 1


@pytest.mark.parametrize(
    "path",
    ["/api/v1/lists/0/", "/api/v1/lists/abc/", "/api/v1/lists/99999999999999999999/", "/api/v1/items/²/",
     "/api/v1/lists/1/items/x/", "/api/v1/nothing/", "/api/v2/lists/", "/api/v1/products/-5/",
     "/api/v1/lists/" + "9" * 10_000 + "/", "/api/v1/lists"],
)  # fmt: skip
def test_bad_addresses_and_ids_are_json_404(api, path):
    assert error_of(api.get(path)) == (404, "not_found")
    assert error_of(api.post(path, {})) == (404, "not_found")


def test_query_parameters_are_cleaned_or_refused(api, products):
    flask = products[0]
    for params in ({"quantity": "²"}, {"quantity": "1e9"}, {"quantity": "0"}, {"option": "NaN"}):
        assert error_of(api.get(f"/api/v1/products/{flask.offer_id}/", params)) == (400, "bad_request")
    for params in ({"q": "杯" * 10_000}, {"q": "\x00"}, {"price_min": "NaN", "price_max": "1e400"},
                   {"category": "9" * 40}, {"sort": "²"}, {"after": "garbage"}):  # fmt: skip
        response = api.get("/api/v1/search/", params)
        assert response.status_code == 200, (params, response.content[:200])
    assert error_of(api.get("/api/v1/search/", {"after": "x" * 10_000})) == (400, "bad_request")
    assert error_of(api.get("/api/v1/search/", {"limit": "²"})) == (400, "bad_request")


def test_methods_the_endpoint_lacks_are_405_json(api, kitchen):
    assert error_of(api.delete("/api/v1/lists/")) == (405, "method_not_allowed")
    assert error_of(api.patch("/api/v1/search/", {})) == (405, "method_not_allowed")
