"""Compare at quantity: tiers at their edges, below the minimum order, SKU prices, the best value per row,
both currencies with the rate's date, and 2 to 6 items."""

import re
from decimal import Decimal

import pytest

from sourcing.lists import services as services
from sourcing.lists.selectors import Converter, compare_columns, item_quote, list_totals
from tests.catalog.pages.conftest import stock_product
from tests.lists.conftest import body

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.mark.parametrize(
    ("quantity", "unit", "total", "tier"),
    [
        (None, "14.50", "29.00", 2),  # no target: the minimum order (2)
        (1, "14.50", "29.00", 2),  # below the MOQ: priced at 2
        (2, "14.50", "29.00", 2),
        (99, "14.50", "1435.50", 2),  # the last piece before the next tier
        (100, "12.50", "1250.00", 100),  # the tier's edge
        (999, "12.50", "12487.50", 100),
        (1000, "11.00", "11000.00", 1000),
        (10_000_000, "11.00", "110000000.00", 1000),
    ],
)
def test_price_at_the_target_quantity_across_tier_edges(alice, kitchen, quantity, unit, total, tier):
    item = kitchen.items.get(product__offer_id=800001)
    item = services.item_update(actor=alice, item=item, version=item.version, changes={"target_quantity": quantity})
    quote = item_quote(item)
    assert (quote.unit_price, quote.total, quote.tier_min_quantity) == (D(unit), D(total), tier)
    assert quote.below_moq is (quantity == 1)


def test_below_the_minimum_order_is_priced_at_it_and_says_so(client, alice, kitchen):
    glass = kitchen.items.get(product__offer_id=800002)  # wants 20, sells from 50
    quote = item_quote(glass)
    assert (quote.quantity, quote.unit_price, quote.total, quote.below_moq) == (50, D("9.80"), D("490.00"), True)
    client.force_login(alice)
    page = body(client.get(f"/lists/{kitchen.pk}/compare/"))
    assert "Below MOQ: you want 20, priced at the minimum 50." in page
    listing = body(client.get(f"/lists/{kitchen.pk}/"))
    assert "Below the minimum order: you want 20, the supplier sells from 50." in listing


def test_a_chosen_sku_is_priced_and_stocked_as_that_sku(alice, kitchen, products):
    mug = kitchen.items.get(product__offer_id=800003)
    quote = item_quote(mug)
    assert (mug.sku.label, quote.unit_price, quote.total) == ("黑色", D("7.00"), D("700.00"))
    white = products[2].skus.get(sku_id="80000301")
    mug = services.item_update(actor=alice, item=mug, version=mug.version, changes={"sku": white.pk})
    assert (item_quote(mug).unit_price, mug.sku_label) == (D("6.00"), "白色")
    mug = services.item_update(actor=alice, item=mug, version=mug.version, changes={"sku": None})
    assert item_quote(mug).unit_price == D("6.00")  # the offer's own price without a SKU (price_min)


def test_compare_page_marks_the_best_value_and_shows_both_currencies(client, alice, kitchen, usd):
    client.force_login(alice)
    ids = list(kitchen.items.order_by("position").values_list("pk", flat=True))
    response = client.get(f"/lists/{kitchen.pk}/compare/?" + "&".join(f"item={i}" for i in ids))
    assert response.status_code == 200
    page = body(response)
    # three columns at their own quantities: ¥12.50 × 500, ¥9.80 × 50, ¥7.00 × 100
    for text in ("¥12.50", "¥6,250.00", "¥9.80", "¥490.00", "¥7.00", "¥700.00", "≈ $875.00", "≈ $1.75", "≈ $68.60"):
        assert text in page, text
    assert "¥1 = 0.14 USD (" in page
    cells = dict(re.findall(r'<th scope="row" class="rowhead">([^<]+)</th>(.*?)</tr>', response.content.decode(), re.S))
    unit_row = cells["Unit price"]
    best = re.findall(r'<td class="best"[^>]*>\s*<strong class="price">([^<]+)</strong>', unit_row)
    assert best == ["¥7.00"]  # the lowest unit price
    assert 'class="best"' not in cells["Total"]  # totals at different quantities aren't compared
    assert "The totals are at different quantities, so none is marked." in page
    assert re.findall(r'<td class="best"[^>]*>5,000', cells["Stock"]) == ['<td class="best" data-best="best">5,000']


def test_totals_are_compared_at_one_quantity(alice, kitchen):
    for item in kitchen.items.all():
        services.item_update(actor=alice, item=item, version=item.version, changes={"target_quantity": 500})
    items = list(kitchen.items.select_related("product__supplier", "sku").order_by("position"))
    columns, _note = compare_columns(items, Converter())
    assert [c.quote.total for c in columns] == [D("6250.00"), D("4500.00"), D("3500.00")]
    assert ["total" in c.best for c in columns] == [False, False, True]
    assert ["score" in c.best for c in columns] == [False, True, False]  # the glass's supplier: 4.9 of 5


def test_two_to_six_items(client, alice, kitchen, carol, globex, categories):
    client.force_login(alice)
    one = kitchen.items.first()
    response = client.get(f"/lists/{kitchen.pk}/compare/?item={one.pk}")
    assert response.status_code == 400 and "Pick at least two items of this list to compare." in body(response)
    for n in range(4):
        product = stock_product(810001 + n, subject=f"杯子 {n}", price="5.00")
        services.item_add(actor=alice, product_list=kitchen, product=product)
    ids = "&".join(f"item={i}" for i in kitchen.items.values_list("pk", flat=True))
    response = client.get(f"/lists/{kitchen.pk}/compare/?{ids}")
    assert response.status_code == 400 and "Pick at most six items to compare side by side." in body(response)
    # no picks: the first six that aren't rejected
    services.item_set_status(actor=alice, item=kitchen.items.get(product__offer_id=800001), status="rejected")
    response = client.get(f"/lists/{kitchen.pk}/compare/")
    head = re.search(r"<thead>(.*?)</thead>", response.content.decode(), re.S).group(1)
    assert response.status_code == 200 and "不锈钢保温杯 500ml" not in head and head.count('class="offer"') == 6
    # ids of another team's list are ignored, and garbage is no 500
    globex_list = services.list_create(actor=carol, team=globex, name="Globex")
    other, _ = services.item_add(actor=carol, product_list=globex_list, product=stock_product(820001, price="1.00"))
    response = client.get(
        f"/lists/{kitchen.pk}/compare/?item={other.pk}&item={one.pk}&item=abc&item=²&item=" + "9" * 40
    )
    assert response.status_code == 400 and "Pick at least two" in body(response)


def test_list_totals_leave_out_rejected_items_and_convert(alice, kitchen, usd):
    items = list(kitchen.items.select_related("product", "sku").order_by("position"))
    totals = list_totals(items, Converter.for_team(usd))
    assert (totals.cny, totals.priced, totals.converted) == (D("7440.00"), 3, D("1041.60"))
    services.item_set_status(actor=alice, item=items[0], status="rejected")
    items = list(kitchen.items.select_related("product", "sku").order_by("position"))
    assert list_totals(items, Converter.for_team(usd)).cny == D("1190.00")
