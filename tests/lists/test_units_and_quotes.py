"""Compare ranks prices only among comparable units, exports carry the unit, and a supplier's logged quote
travels to the list, compare and exports."""

import csv
import io
from decimal import Decimal as D

import pytest

from sourcing.catalog.models import Product
from sourcing.inquiries import services as inquiry_services
from sourcing.inquiries.models import Inquiry
from sourcing.lists.models import ListItem
from sourcing.lists.selectors import Converter, compare_columns

pytestmark = pytest.mark.django_db


def items_of(product_list):
    return list(product_list.items.select_related("product__supplier", "sku").order_by("position", "pk"))


def test_compare_does_not_rank_a_carton_against_a_piece(alice, kitchen):
    # given the glass is sold by the carton (¥ per carton) and 1688 does not say how many a carton holds
    glass = kitchen.items.order_by("position")[1].product
    Product.objects.filter(pk=glass.pk).update(unit="箱", unit_en="carton")
    columns, note = compare_columns(items_of(kitchen), Converter())
    # then its cheap-looking price is not marked best against prices per piece, and the page says why
    assert "unit" not in columns[1].best
    assert "different units" in note and "箱" in note and "个" in note
    # once 1688 says a carton holds 24, its price per piece competes
    Product.objects.filter(pk=glass.pk).update(attributes=[{"name": "包装数量", "value": "24个"}])
    columns, note = compare_columns(items_of(kitchen), Converter())
    assert note == "" and columns[1].quote.piece_price == (columns[1].quote.unit_price / 24).quantize(D("0.0001"))
    assert "unit" in columns[1].best


def test_compare_page_shows_units_and_the_note(client, alice, kitchen):
    glass = kitchen.items.order_by("position")[1].product
    Product.objects.filter(pk=glass.pk).update(unit="箱", unit_en="carton")
    client.force_login(alice)
    page = client.get(f"/lists/{kitchen.pk}/compare/").content.decode()
    assert "different units" in page and "/ 箱" in page and "/ 个" in page


def log_quote(alice, product, *, price, quantity, sku=None):
    inquiry = inquiry_services.inquiry_create(actor=alice, team=alice.current_team, product=product,
                                              message="请报价", sku=sku, quantity=quantity)  # fmt: skip
    inquiry_services.inquiry_mark_sent(actor=alice, inquiry=inquiry)
    return inquiry_services.inquiry_log_reply(actor=alice, inquiry=inquiry, quoted_price=D(price))


def test_a_logged_quote_shows_on_the_list_compare_and_exports(client, alice, carol, kitchen):
    flask_item = kitchen.items.order_by("position").first()
    log_quote(alice, flask_item.product, price="9.20", quantity=500)
    client.force_login(alice)
    listed = client.get(f"/lists/{kitchen.pk}/").content.decode()
    assert "quoted ¥9.20 at 500 个" in listed
    assert "quoted ¥9.20 at 500 个" in client.get(f"/lists/items/{flask_item.pk}/").content.decode()
    compared = client.get(f"/lists/{kitchen.pk}/compare/").content.decode()
    assert "Supplier&#x27;s quote" in compared or "Supplier's quote" in compared
    assert "quoted ¥9.20 at 500 个" in compared
    raw = client.get(f"/lists/{kitchen.pk}/export.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert rows[0]["Supplier's quote (CNY)"] == "9.20" and rows[0]["Quoted for quantity"] == "500"
    assert rows[0]["Unit"] == "个 (piece)" and rows[1]["Supplier's quote (CNY)"] == ""
    # another team's quote never shows in Acme's list
    Inquiry.objects.update(team=carol.current_team)
    assert "quoted ¥9.20" not in client.get(f"/lists/{kitchen.pk}/").content.decode()


def test_a_quote_for_another_option_does_not_travel(alice, kitchen, products):
    _flask, _glass, mug = products
    mug_item = ListItem.objects.get(product_list=kitchen, product=mug)  # the black option
    white = mug.skus.exclude(pk=mug_item.sku_id).first()
    log_quote(alice, mug, price="4.00", quantity=100, sku=white)
    from sourcing.inquiries.selectors import quotes_for_items

    items = items_of(kitchen)
    quotes_for_items(kitchen.team_id, items)
    assert next(i for i in items if i.product_id == mug.pk).supplier_quote is None


def test_totals_minimum_orders_and_stock_are_not_ranked_across_units(alice, kitchen):
    # given the glass is sold by the carton of 24 and every item is bought 500 at a time
    for item in kitchen.items.all():
        services_item_quantity(alice, item, 500)
    glass = kitchen.items.order_by("position")[1].product
    Product.objects.filter(pk=glass.pk).update(unit="箱", unit_en="carton",
                                               attributes=[{"name": "包装数量", "value": "24个"}])  # fmt: skip
    columns, _note = compare_columns(items_of(kitchen), Converter())
    # then unit prices compete per piece, but 500 cartons are never "the best total" against 500 pieces
    assert not any("total" in c.best for c in columns)
    assert "moq" not in columns[1].best and "stock" not in columns[1].best


def services_item_quantity(actor, item, quantity):
    from sourcing.lists import services as services

    services.item_update(actor=actor, item=item, version=item.version, changes={"target_quantity": quantity})
