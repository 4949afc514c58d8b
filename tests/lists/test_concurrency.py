"""Two people editing one item lose nothing: different fields merge, the same field clashes and shows both."""

import html
import re
from decimal import Decimal

import pytest
from django.test import Client

from sourcing.lists import services as services
from sourcing.lists.models import ListItem
from tests.conftest import run_in_threads
from tests.lists.conftest import body

pytestmark = pytest.mark.django_db


def edit_form(client, item) -> dict:
    """What the item page's form posts back unchanged: the values, the version and the hidden base values."""
    return edit_form_from(client.get(f"/lists/items/{item.pk}/").content.decode())


def edit_form_from(page: str) -> dict:
    form = re.search(r'<form method="post" action="/lists/items/\d+/" class="item-form".*?</form>', page, re.S).group(0)
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    data.update(re.findall(r'<input type="number" name="([^"]+)" value="([^"]*)"', form))
    data["note"] = re.search(r"<textarea name=\"note\"[^>]*>\n?(.*?)</textarea>", form, re.S).group(1)
    data.pop("csrfmiddlewaretoken", None)
    return {k: html.unescape(v) for k, v in data.items()}


def test_two_clients_editing_different_fields_both_land(alice, bob, kitchen):
    item = kitchen.items.order_by("position").first()
    alice_client, bob_client = Client(), Client()
    alice_client.force_login(alice)
    bob_client.force_login(bob)
    # both open the item at version 1
    mine, theirs = edit_form(alice_client, item), edit_form(bob_client, item)
    assert mine["version"] == theirs["version"] == "1" and mine["base-note"] == "主推款"
    # bob saves a new note first
    assert bob_client.post(f"/lists/items/{item.pk}/", {**theirs, "note": "bob: ask for a discount"}).status_code == 302
    # alice, still on version 1, changes the quantity: her change lands and bob's note stays
    response = alice_client.post(f"/lists/items/{item.pk}/", {**mine, "target_quantity": "800"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.target_quantity, item.note, item.version) == (800, "bob: ask for a discount", 3)
    assert item.updated_by == alice


def test_two_clients_changing_the_same_field_see_both_values(alice, bob, kitchen):
    item = kitchen.items.order_by("position").first()
    alice_client, bob_client = Client(), Client()
    alice_client.force_login(alice)
    bob_client.force_login(bob)
    mine, theirs = edit_form(alice_client, item), edit_form(bob_client, item)
    bob_client.post(f"/lists/items/{item.pk}/", {**theirs, "note": "bob's note", "target_price": "11.00"})
    response = alice_client.post(f"/lists/items/{item.pk}/", {**mine, "note": "alice's note", "target_quantity": "900"})
    assert response.status_code == 409
    page = body(response)
    assert "bob changed this item while you were editing it." in page
    assert "bob's note" in page  # theirs, shown beside
    assert "alice's note" in page  # hers, still in the form
    item.refresh_from_db()
    assert (item.note, item.target_quantity, item.target_price) == ("bob's note", 500, Decimal("11.00"))
    # the form now holds the new version and bob's price (which alice didn't touch): saving keeps both
    again = edit_form_from(response.content.decode())
    assert again["version"] == "2" and again["target_price"] == "11.00" and again["target_quantity"] == "900"
    assert alice_client.post(f"/lists/items/{item.pk}/", again).status_code == 302
    item.refresh_from_db()
    assert (item.note, item.target_quantity, item.target_price) == ("alice's note", 900, Decimal("11.00"))


def test_a_status_change_meanwhile_never_blocks_an_edit(client, alice, bob, kitchen):
    item = kitchen.items.order_by("position").first()
    client.force_login(alice)
    mine = edit_form(client, item)
    services.item_set_status(actor=bob, item=item, status="sampling")
    assert client.post(f"/lists/items/{item.pk}/", {**mine, "note": "new"}).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.note) == ("sampling", "new")


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_different_fields_all_land(alice, bob, kitchen):
    item = kitchen.items.order_by("position").first()
    base = {"sku": None, "target_quantity": 500, "target_price": Decimal("12.00"), "note": "主推款"}
    changes = [{"target_quantity": 700}, {"target_price": Decimal("10.00")}, {"note": "merged"}, {"sku": None}]

    def edit(change):
        def run():
            fresh = ListItem.objects.select_related("product_list", "product").get(pk=item.pk)
            services.item_update(actor=bob, item=fresh, version=1, changes={**base, **change}, base=base)

        return run

    runs = iter(changes)
    failures = run_in_threads(lambda: edit(next(runs))(), 3)
    assert failures == []
    item.refresh_from_db()
    assert (item.target_quantity, item.target_price, item.note) == (700, Decimal("10.00"), "merged")
    assert item.version == 4
    assert item.activity.filter(verb="edited").count() == 3
