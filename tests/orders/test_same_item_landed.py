"""The same item from other suppliers, delivered (issue 22): the product page lists each at the team's quantity,
listed and landed with the team's default rate card, and says in a word why not; the list's rows and the item page
show an identical offer that lands cheaper, linking the swap."""

from decimal import Decimal

import pytest

from sourcing.alibaba.api import PriceTier
from sourcing.catalog.models import Product
from sourcing.catalog.services.same_items import cluster_file
from sourcing.orders.models import RateCard
from tests.catalog.pages.conftest import stock_product
from tests.lists.conftest import text

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def other_flask(products):
    """The flask's same item from another shop: ¥11.20 at 100+ (the flask ¥12.50 there), both 0.4 kg."""
    other = stock_product(800009, subject="厂家直销 保温杯 500ml 现货", price="11.20", moq=10, quote_type=0, stock=9000,
                          seller="BBBseller0000000000000009", company="永康杯业有限公司", place="浙江省 金华市",
                          tiers=[PriceTier(10, D("11.80")), PriceTier(100, D("11.20"))],
                          seller_data={"service": "4.7", "repurchase": "38.00"})  # fmt: skip
    cluster_file(product=products[0], same=[(other, type("V", (), {"score": 0.93, "method": "pictures"})())])
    return other


@pytest.fixture
def card(acme):
    # ¥30 per kg, ¥50 a parcel: at 500 pieces of 0.4 kg, 200 kg → ¥6,000 + ¥50
    return RateCard.objects.create(team=acme, forwarder="Shenzhen Air", mode="air", price_per_kg=D("30"),
                                   per_parcel_fee=D("50"), is_default=True)  # fmt: skip


def test_the_product_page_shows_each_other_supplier_listed_and_landed_at_the_teams_quantity(
    client, alice, kitchen, products, other_flask, card
):
    client.force_login(alice)
    page = text(client.get("/products/800001/"))  # no ?qty: the team's target on its list, 500
    # flask: (500 × 12.50 + 6,050) / 500 = 24.60; the other: (500 × 11.20 + 6,050) / 500 = 23.30
    assert "At your quantity, 500 pieces" in page and "This offer lands at ¥24.60" in page
    assert "listed ¥11.20" in page and "landed ¥23.30 (+ freight in China)" in page
    assert "¥1.30 cheaper delivered" in page and "永康杯业有限公司" in page
    assert "4.7" in page  # the supplier's trust signals
    page = text(client.get("/products/800001/?qty=100"))  # the calculator's quantity wins
    assert "At your quantity, 100 pieces" in page


def test_where_landed_cost_cant_be_computed_it_says_why_in_a_word(client, alice, carol, products, other_flask, card):
    Product.objects.filter(pk=other_flask.pk).update(weight_kg=None)
    client.force_login(alice)
    page = text(client.get("/products/800001/?qty=500"))
    assert "landed (no weight)" in page and "listed ¥11.20" in page
    client.force_login(carol)  # Globex keeps no rate card: Acme's is never used for it
    page = text(client.get("/products/800001/?qty=500"))
    assert "landed (no rate card)" in page and "¥24.60" not in page


def test_the_list_rows_show_a_cheaper_identical_offer_delivered_linking_the_swap(
    client, alice, kitchen, products, other_flask, card
):
    item = kitchen.items.get(product=products[0])
    client.force_login(alice)
    page = client.get(f"/lists/{kitchen.pk}/").content.decode()
    assert f'href="/lists/items/{item.pk}/#same-item-cheaper"' in page
    assert "cheaper identical offer: <strong>¥23.30</strong> from 永康杯业有限公司" in page
    listing = text(client.get(f"/lists/{kitchen.pk}/"))
    assert "(landed before freight in China; this offer ¥24.60)" in listing
    item_page = text(client.get(f"/lists/items/{item.pk}/"))
    assert "The same item lands ¥1.30 cheaper per piece at 500 from 永康杯业有限公司" in item_page
    assert "Swap to this offer" in item_page


def test_cheaper_listed_but_dearer_delivered_is_not_shown(client, alice, kitchen, products, other_flask, card):
    Product.objects.filter(pk=other_flask.pk).update(weight_kg=D("0.5"))  # +¥1,500 freight: ¥26.30 landed
    client.force_login(alice)
    assert "cheaper identical offer" not in client.get(f"/lists/{kitchen.pk}/").content.decode()
    item = kitchen.items.get(product=products[0])
    assert "cheaper per piece" not in text(client.get(f"/lists/items/{item.pk}/"))


def test_without_a_rate_card_the_row_compares_listed_prices_and_says_so(client, alice, kitchen, products, other_flask):
    client.force_login(alice)
    page = text(client.get(f"/lists/{kitchen.pk}/"))
    assert (
        "cheaper identical offer: ¥11.20 from 永康杯业有限公司 (listed prices, landed cost unknown: no rate card)"
        in page
    )


@pytest.mark.parametrize("qty", ["9" * 40, "99999999999", "NaN", "²", "-1", "0", "1e9", "x" * 10_000])
def test_hostile_quantities_never_fail_the_product_page(client, alice, kitchen, products, other_flask, card, qty):
    client.force_login(alice)
    response = client.get("/products/800001/", {"qty": qty})
    assert response.status_code in (200, 400)
    assert "The same item from 1 other supplier" in text(response)


def test_with_1688_freight_estimates_for_both_the_comparison_counts_freight_in_china(
    client, alice, kitchen, products, other_flask, card
):
    """Freight in China comes from the team's 1688 estimates of each offer at the quantity (kept on list items):
    with both known, both landed costs include it and nothing says "+ freight in China"."""
    from sourcing.core.beijing import beijing_today
    from sourcing.lists import services
    from sourcing.orders.models import FreightEstimate

    flask_item = kitchen.items.get(product=products[0])
    other_list = services.list_create(actor=alice, team=alice.current_team, name="Alternatives")
    other_item, _new = services.item_add(actor=alice, product_list=other_list, product=other_flask, target_quantity=500)
    for item, freight in ((flask_item, "100.00"), (other_item, "150.00")):
        FreightEstimate.objects.create(team=alice.current_team, list_item=item, key="k", day=beijing_today(),
                                       quantity=500, freight=D(freight))  # fmt: skip
    client.force_login(alice)
    page = text(client.get("/products/800001/?qty=500"))
    # flask: (6,250 + 6,050 + 100) / 500 = 24.80; the other: (5,600 + 6,050 + 150) / 500 = 23.60
    assert "This offer lands at ¥24.80." in page and "landed ¥23.60" in page and "+ freight in China" not in page
    assert "¥1.20 cheaper delivered" in page
    listing = text(client.get(f"/lists/{kitchen.pk}/"))
    assert "cheaper identical offer: ¥23.60 from 永康杯业有限公司 (landed; this offer ¥24.80)" in listing


def test_each_other_supplier_carries_the_teams_own_scorecard_and_only_its_own(
    client, alice, carol, kitchen, products, other_flask, card
):
    from django.utils import timezone

    from sourcing.inquiries.models import Inquiry

    sent = timezone.now() - timezone.timedelta(days=3)
    Inquiry.objects.create(team=alice.current_team, supplier=other_flask.supplier, product=other_flask, message="你好",
                           status="replied", sent_at=sent, replied_at=sent + timezone.timedelta(hours=2))  # fmt: skip
    client.force_login(alice)
    page = text(client.get("/products/800001/?qty=500"))
    assert "Your scorecard Reply rate: not enough data (inquiries sent: 1; 1 answered)" in page
    client.force_login(carol)  # Globex sees only what it has seen (and the public price history), never Acme's replies
    assert "Your scorecard" not in text(client.get("/products/800001/?qty=500"))
