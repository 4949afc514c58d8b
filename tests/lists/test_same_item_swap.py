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


def test_alerts_fire_when_a_cheaper_same_item_appears_and_name_replacements_when_delisted(
    alice, kitchen, products, django_capture_on_commit_callbacks
):
    from sourcing.alerts import services as alerts
    from sourcing.alerts.models import Alert, Notification
    from sourcing.catalog.models import Product

    flask = products[0]
    item = kitchen.items.get(product=flask)
    alert = alerts.alert_create(actor=alice, team=alice.current_team, product=flask, list_item=item,
                                kind=Alert.Kind.SAME_ITEM_CHEAPER)  # fmt: skip
    gone = alerts.alert_create(actor=alice, team=alice.current_team, product=flask, kind=Alert.Kind.DELISTED)
    assert alert.armed and not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        other = stock_product(800010, subject="保温杯 500ml 一件代发", price="10.90", moq=5, quote_type=0, stock=100,
                              seller="BBBseller0000000000000010", company="义乌杯业商行",
                              tiers=[PriceTier(5, D("10.90"))])  # fmt: skip
        cluster_file(product=flask, same=[(other, type("V", (), {"score": 0.9, "method": "pictures"})())])
    note = Notification.objects.get(alert=alert)
    assert "cheaper from another supplier" in note.text and "800010" in note.text
    Product.objects.filter(pk=flask.pk).update(status=Product.Status.DELISTED)
    alerts.alerts_evaluate(product_ids=[flask.pk])
    assert "800010" in Notification.objects.get(alert=gone).text
