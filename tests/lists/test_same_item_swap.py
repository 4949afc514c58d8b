"""A list item shows a cheaper offer of the same item and swaps to it (issue 22 item 1): quantity, note and status
kept; viewers 403, other teams 404, hostile input in words."""

from decimal import Decimal

import pytest
from django.urls import reverse

from sourcing.alibaba.api import PriceTier
from sourcing.catalog.services.same_items import cluster_file
from sourcing.lists.models import ListItem
from tests.catalog.pages.conftest import stock_product

D = Decimal


@pytest.fixture
def cheaper_flask(products):
    """The flask's same item from another shop: ¥11.20 at 100+ (the flask is ¥12.50 there)."""
    flask = products[0]
    other = stock_product(800009, subject="厂家直销 保温杯 500ml 现货", subject_en="Vacuum flask 500 ml", price="11.20",
                          moq=10, quote_type=0, stock=9000, seller="BBBseller0000000000000009", company="永康杯业有限公司",
                          place="浙江省 金华市", tiers=[PriceTier(10, D("11.80")), PriceTier(100, D("11.20"))],
                          seller_data={"service": "4.7", "repurchase": "38.00"})  # fmt: skip
    cluster_file(product=flask, same=[(other, type("V", (), {"score": 0.93, "method": "pictures"})())])
    return other


def test_the_item_shows_the_cheaper_identical_offer_and_swaps_keeping_the_plans(client, alice, kitchen, products,
                                                                                cheaper_flask):  # fmt: skip
    flask = products[0]
    item = kitchen.items.get(product=flask)
    client.force_login(alice)
    page = client.get(reverse("item_edit", args=[item.pk])).content.decode()
    assert "cheaper per piece at 500" in page and "永康杯业有限公司" in page
    product_page = client.get(reverse("product", args=[flask.offer_id])).content.decode()
    assert "The same item from 1 other supplier" in product_page and "永康杯业有限公司" in product_page
    answer = client.post(reverse("item_swap", args=[item.pk]), {"offer_id": cheaper_flask.offer_id})
    assert answer.status_code == 302
    item.refresh_from_db()
    assert item.product == cheaper_flask
    assert (item.target_quantity, item.target_price, item.note) == (500, D("12.00"), "主推款")
    assert "800009" in kitchen.activity.first().detail
    # the old offer is now the dearer one: no prompt to swap back
    assert "cheaper per piece" not in client.get(reverse("item_edit", args=[item.pk])).content.decode()


def test_viewers_get_403_other_teams_404(client, dave, carol, kitchen, products, cheaper_flask):
    item = kitchen.items.get(product=products[0])
    client.force_login(dave)
    assert client.post(reverse("item_swap", args=[item.pk]), {"offer_id": cheaper_flask.offer_id}).status_code == 403
    client.force_login(carol)
    assert client.post(reverse("item_swap", args=[item.pk]), {"offer_id": cheaper_flask.offer_id}).status_code == 404
    assert ListItem.objects.get(pk=item.pk).product == products[0]


@pytest.mark.parametrize("value", ["x" * 10_000, "NaN", "²", "9" * 40, "-1", "", str(800002)])
def test_hostile_or_unrelated_offers_are_refused_in_words(client, alice, kitchen, products, cheaper_flask, value):
    item = kitchen.items.get(product=products[0])
    client.force_login(alice)
    answer = client.post(reverse("item_swap", args=[item.pk]), {"offer_id": value})
    assert answer.status_code == 400
    assert ListItem.objects.get(pk=item.pk).product == products[0]
