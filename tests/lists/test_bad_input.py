"""Hostile and careless input gets a form error in words and a 4xx, never a 500, and changes nothing."""

import pytest

from sourcing.lists.models import ItemComment, ListItem, ProductList
from tests.lists.conftest import body

pytestmark = pytest.mark.django_db

LONG = "长" * 10_000


@pytest.fixture
def signed_in(client, bob):
    client.force_login(bob)
    return client


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("note", LONG, "Keep the note to 2,000 characters."),
        ("note", "null\x00byte", "characters the portal cannot read"),  # the middleware, before the form
        ("target_quantity", "²", "Enter a whole number of pieces, like 500."),
        ("target_quantity", "1.5", "Enter a whole number of pieces, like 500."),
        ("target_quantity", "-5", "Enter at least 1 piece."),
        ("target_quantity", "0", "Enter at least 1 piece."),
        ("target_quantity", "9" * 30, "Enter at most 10,000,000 pieces."),
        ("target_price", "NaN", "Enter an amount in yuan, like 12.50."),
        ("target_price", "Infinity", "Enter an amount in yuan, like 12.50."),
        ("target_price", "²", "Enter an amount in yuan, like 12.50."),
        ("target_price", "-0.01", "A price can't be below ¥0."),
        ("target_price", "1e20", "Enter at most ¥1,000,000."),
        ("target_price", "1000000.01", "Enter at most ¥1,000,000."),
        ("target_price", "12.345", "Enter at most two decimals (fen), like 12.50."),
        ("sku", "999999", "Select a valid choice."),
        ("sku", "abc", "Select a valid choice."),
    ],
)
def test_item_form_errors(signed_in, kitchen, field, value, message):
    item = kitchen.items.order_by("position").first()
    data = {"target_quantity": "500", "target_price": "12.00", "note": "主推款", "version": item.version, field: value}
    response = signed_in.post(f"/lists/items/{item.pk}/", data)
    assert response.status_code == 400
    assert message in body(response)
    item.refresh_from_db()
    assert (item.target_quantity, str(item.target_price), item.note, item.version) == (500, "12.00", "主推款", 1)


def test_a_sku_of_another_offer_is_refused(signed_in, kitchen, products):
    item = kitchen.items.get(product=products[0])
    other_sku = products[2].skus.first()
    response = signed_in.post(f"/lists/items/{item.pk}/", {"sku": other_sku.pk, "version": item.version})
    assert response.status_code == 400 and "Select a valid choice." in body(response)


@pytest.mark.parametrize("version", ["", "abc", "0", "-1", "9" * 40, "²"])
def test_a_broken_version_is_a_form_error(signed_in, kitchen, version):
    item = kitchen.items.first()
    response = signed_in.post(f"/lists/items/{item.pk}/", {"target_quantity": "7", "version": version})
    assert response.status_code == 400
    assert ListItem.objects.get(pk=item.pk).target_quantity != 7


def test_broken_base_values_fall_back_to_a_plain_version_check(signed_in, bob, kitchen):
    item = kitchen.items.order_by("position").first()
    data = {"target_quantity": "600", "note": "x", "version": "1", "base-target_quantity": "²", "base-note": LONG}
    assert signed_in.post(f"/lists/items/{item.pk}/", data).status_code == 302
    item.refresh_from_db()
    assert (item.target_quantity, item.note) == (600, "x")


@pytest.mark.parametrize(
    ("path", "data", "status", "message"),
    [
        ("/lists/", {"name": LONG}, 400, "Keep the name to 120 characters."),
        ("/lists/", {"name": "   "}, 400, "This field is required."),
        ("comment", {"text": LONG}, 400, "Keep a comment to 2,000 characters."),
        ("comment", {"text": "  "}, 400, "Write something first."),
        ("status", {"status": "bogus"}, 400, "Unknown status."),
        ("status", {"status": "²"}, 400, "Unknown status."),
        ("copy", {"name": LONG}, 400, "Keep the name to 120 characters."),
        ("edit", {"name": ""}, 400, "This field is required."),
        ("add", {"list": "abc"}, 400, "Choose a list, or name a new one."),
        ("add", {"list": ""}, 400, "Choose a list, or name a new one."),
        ("add", {"new_list_name": LONG}, 400, "Keep the name to 120 characters."),
        ("add", {"list": "LIST", "qty": "²"}, 400, "Enter a whole number of pieces, like 500."),
        ("add", {"list": "LIST", "qty": "-3"}, 400, "Enter at least 1 piece."),
        ("add", {"list": "LIST", "qty": "1e9"}, 400, "Enter a whole number of pieces, like 500."),
        ("add", {"list": "999999999"}, 404, ""),
        ("add", {"list": "9" * 40}, 400, "Ensure this value has at most 19 characters"),
        ("currency", {"currency": "XXX"}, 400, "Pick one of the listed currencies."),
        ("currency", {"currency": "usd<script>"}, 400, "Pick one of the listed currencies."),
    ],
)
def test_forms_answer_in_words(signed_in, alice, kitchen, products, path, data, status, message):
    signed_in.force_login(alice)
    item = kitchen.items.first()
    urls = {"comment": f"/lists/items/{item.pk}/comment/", "status": f"/lists/items/{item.pk}/status/",
            "copy": f"/lists/{kitchen.pk}/copy/", "edit": f"/lists/{kitchen.pk}/edit/", "add": "/lists/add/",
            "currency": f"/teams/{kitchen.team_id}/currency/"}  # fmt: skip
    url = urls.get(path, path)
    if path == "add":
        data = {"offer_id": products[0].offer_id, **{k: (kitchen.pk if v == "LIST" else v) for k, v in data.items()}}
    before = (ProductList.objects.count(), ListItem.objects.count(), ItemComment.objects.count())
    response = signed_in.post(url, data)
    assert response.status_code == status
    assert message in body(response)
    assert (ProductList.objects.count(), ListItem.objects.count(), ItemComment.objects.count()) == before
    if path == "add":  # the htmx answer says the same inside the control
        again = signed_in.post(url, data, headers={"HX-Request": "true"})
        assert again.status_code == status and message in body(again)


@pytest.mark.parametrize("offer_id", ["abc", "²", "0", "9" * 30, "", "123456"])
def test_saving_an_unknown_offer_is_a_404(signed_in, kitchen, offer_id):
    response = signed_in.post("/lists/add/", {"offer_id": offer_id, "list": kitchen.pk})
    assert response.status_code == 404


def test_wrong_methods_and_ids(signed_in, kitchen):
    item = kitchen.items.first()
    for url in (f"/lists/{kitchen.pk}/copy/", f"/lists/{kitchen.pk}/delete/", f"/lists/items/{item.pk}/status/",
                f"/lists/items/{item.pk}/comment/", "/lists/add/"):  # fmt: skip
        assert signed_in.get(url).status_code == 405, url
    for url in ("/lists/0/", "/lists/99999999999999999999/", "/lists/abc/", "/lists/items/²/"):
        assert signed_in.get(url).status_code == 404, url
    assert signed_in.get(f"/lists/{kitchen.pk}/?status=²").status_code == 200
