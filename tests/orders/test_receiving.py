"""Receiving as a buyer meets it: record what arrived of each line over one or several deliveries, see what is
still short, over-receipts flagged; the order becomes received once, when every line is in; a sample order's
samples arrive with it; the supplier page shows the team's record; bad input, viewers and other teams refused."""

from decimal import Decimal

import pytest

from sourcing.orders.models import OrderEvent, PurchaseOrder, PurchaseOrderLine, Receipt, Sample
from sourcing.orders.scorecards import supplier_record
from sourcing.orders.services import receiving as services
from tests.orders.conftest import text

pytestmark = pytest.mark.django_db


def make_order(team, kitchen, *, state=PurchaseOrder.State.SHIPPED, kind=PurchaseOrder.Kind.ORDER, key="po-1"):
    """A purchase order of the list's flask (100) and glass (50), as the purchase service leaves it once shipped."""
    flask = kitchen.items.get(product__offer_id=800001)
    glass = kitchen.items.get(product__offer_id=800002)
    order = PurchaseOrder.objects.create(
        team=team, product_list=kitchen, supplier=flask.product.supplier, supplier_name="永康保温杯厂", kind=kind,
        out_order_id=key, state=state, goods=Decimal("1940.00"), total=Decimal("1950.00"),
    )  # fmt: skip
    lines = [
        PurchaseOrderLine.objects.create(
            order=order,
            list_item=item,
            product=item.product,
            sku_label=label,
            quantity=quantity,
            unit_price=price,
            amount=price * quantity,
        )  # fmt: skip
        for item, label, quantity, price in (
            (flask, "500ml 银色", 100, Decimal("12.50")),
            (glass, "带盖", 50, Decimal("13.80")),
        )  # fmt: skip
    ]
    return order, lines


def receive(client, order, values: dict):
    data = {}
    for line, (received, damaged, notes) in values.items():
        data[f"received-{line.pk}"], data[f"damaged-{line.pk}"], data[f"notes-{line.pk}"] = received, damaged, notes
    return client.post(f"/orders/{order.pk}/receive/", data)


def test_deliveries_add_up_and_the_order_is_received_once_when_all_is_in(client, alice, bob, acme, kitchen):
    order, (flask, glass) = make_order(acme, kitchen)
    client.force_login(alice)
    page = text(client.get(f"/orders/{order.pk}/receive/"))
    assert "Ordered 150" in page and "Short 150" in page and "Record this delivery" in page
    # a first delivery: 60 flasks (2 damaged), no glasses yet
    response = receive(client, order, {flask: ("60", "2", "两个有凹痕"), glass: ("", "", "")})
    assert response.status_code == 302
    page = text(client.get(f"/orders/{order.pk}/receive/"))
    assert "Received so far 60" in page and "Short 90" in page and "2 damaged" in page and "两个有凹痕" in page
    order.refresh_from_db()
    assert order.state == PurchaseOrder.State.SHIPPED
    # a second delivery, by bob: the other 40 flasks and 52 glasses (2 more than ordered: kept, flagged)
    client.force_login(bob)
    receive(client, order, {flask: ("40", "0", ""), glass: ("52", "1", "多发了两个")})
    order.refresh_from_db()
    assert order.state == PurchaseOrder.State.RECEIVED
    assert list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True)) == ["received"]
    page = text(client.get(f"/orders/{order.pk}/receive/"))
    assert "2 more than ordered" in page and "Short 0" in page and "Received so far 152" in page
    assert Receipt.objects.filter(line=flask).count() == 2
    assert set(Receipt.objects.values_list("supplier_id", flat=True)) == {order.supplier_id}
    # a late parcel after the order is received: recorded, and the order is not received twice
    assert receive(client, order, {flask: ("1", "0", "补发")}).status_code == 302
    assert OrderEvent.objects.filter(order=order, kind="received").count() == 1


def test_a_sample_order_brings_its_samples_in(client, alice, acme, kitchen):
    order, lines = make_order(acme, kitchen, kind=PurchaseOrder.Kind.SAMPLE, key="sample-po")
    item = lines[0].list_item
    sample = Sample.objects.create(team=acme, list_item=item, purchase_order=order, state=Sample.State.ORDERED)
    client.force_login(alice)
    receive(client, order, {lines[0]: ("100", "0", ""), lines[1]: ("50", "0", "")})
    sample.refresh_from_db()
    assert sample.state == Sample.State.RECEIVED and sample.timeline[-1]["by"] == "alice"


@pytest.mark.parametrize("value", ["NaN", "²", "-3", "1.5", "1e3", "9" * 40, "inf", "x" * 10_000])
def test_hostile_counts_are_refused_in_words_and_nothing_is_written(client, alice, acme, kitchen, value):
    order, (flask, glass) = make_order(acme, kitchen)
    client.force_login(alice)
    response = receive(client, order, {flask: ("10", "0", ""), glass: (value, "0", "")})
    assert response.status_code == 400 and "give a whole number of pieces" in text(response)
    assert not Receipt.objects.exists()


def test_other_bad_deliveries_are_refused_in_words(client, alice, acme, kitchen):
    order, (flask, glass) = make_order(acme, kitchen)
    client.force_login(alice)
    damaged = receive(client, order, {flask: ("5", "6", "")})
    assert damaged.status_code == 400 and "damaged pieces are counted among the received ones" in text(damaged)
    long = receive(client, order, {flask: ("5", "0", "长" * 10_000)})
    assert long.status_code == 400 and "1000 characters" in text(long)
    nothing = receive(client, order, {flask: ("", "", ""), glass: ("0", "", "")})
    assert nothing.status_code == 400 and "Nothing to record" in text(nothing)
    assert not Receipt.objects.exists()
    draft, _lines = make_order(acme, kitchen, state=PurchaseOrder.State.DRAFT, key="po-draft")
    page = text(client.get(f"/orders/{draft.pk}/receive/"))
    assert "not placed yet" in page and "Record this delivery" not in page
    refused = receive(client, draft, {_lines[0]: ("5", "0", "")})
    assert refused.status_code == 400 and "orders placed on 1688" in text(refused)


def test_viewers_get_403_and_other_teams_404(client, dave, carol, acme, kitchen):
    order, (flask, _glass) = make_order(acme, kitchen)
    client.force_login(dave)
    page = text(client.get(f"/orders/{order.pk}/receive/"))
    assert "You can read what arrived" in page and "Record this delivery" not in page
    assert receive(client, order, {flask: ("5", "0", "")}).status_code == 403
    client.force_login(carol)
    assert client.get(f"/orders/{order.pk}/receive/").status_code == 404
    assert receive(client, order, {flask: ("5", "0", "")}).status_code == 404
    assert not Receipt.objects.exists()


def test_the_supplier_page_shows_the_teams_own_receiving_record(client, alice, carol, acme, globex, kitchen):
    order, (flask, glass) = make_order(acme, kitchen)
    second, (flask2, glass2) = make_order(acme, kitchen, key="po-2")
    services.receipt_record(actor=alice, order=order, deliveries=[
        services.Delivery(flask.pk, 100, 4), services.Delivery(glass.pk, 50, 1)])  # fmt: skip
    services.receipt_record(actor=alice, order=second, deliveries=[services.Delivery(flask2.pk, 70, 0)])
    # 300 pieces ordered on the two orders, 220 arrived (80 short: 30 flasks, 50 glasses), 5 damaged
    record = supplier_record(acme.pk, order.supplier_id)
    assert (record.orders_received, record.orders_with_deliveries) == (1, 2)
    assert (record.ordered, record.received, record.short, record.damaged) == (300, 220, 80, 5)
    assert (record.shortage_percent, record.damage_percent) == (Decimal("26.7"), Decimal("2.3"))
    client.force_login(alice)
    page = text(client.get(f"/suppliers/{order.supplier_id}/"))
    assert "Your team's scorecard" in page and "Orders received in full 1 / 2" in page
    assert "Short 26.7 % (pieces ordered: 300; 80 short)" in page
    assert "Damaged 2.3 % (pieces received: 220; 5 damaged)" in page
    # carol's team has received nothing from this supplier: its page shows none of Acme's record
    client.force_login(carol)
    page = text(client.get(f"/suppliers/{order.supplier_id}/"))
    assert "26.7" not in page and "Orders received in full" not in page and "Short no observations" in page
    assert supplier_record(globex.pk, order.supplier_id) is None
