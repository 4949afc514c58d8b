"""Landed cost: the arithmetic (chargeable weight, minimum charge, parcels, duty on CIF, VAT, exact splits, a card
in another currency), 1688's freight estimate over real HTTP to the sandbox, the accuracy of quoted groups, compare
ranking by landed cost, the export columns, who may change what, and hostile form input."""

from decimal import Decimal as D

import pytest

from sourcing.catalog.models import Product
from sourcing.lists.models import ExchangeRate
from sourcing.orders.models import DutyRate, FreightEstimate, ItemPacking, RateCard
from sourcing.orders.services import rates as rate_services
from sourcing.orders.services.landed import allocate, estimate_key, landed_for_list
from tests.orders.conftest import text


def card(alice, acme, **values):
    data = {"forwarder": "顺达货代", "mode": "air", "destination": "Hamburg", "currency": "CNY",
            "price_per_kg": D("30.00"), "volumetric_divisor": 6000, "min_charge": D("0"), "per_parcel_fee": D("0"),
            "transit_days_min": 7, "transit_days_max": 10, "notes": ""}  # fmt: skip
    data.update(values)
    return rate_services.rate_card_create(actor=alice, team=acme, **data)


def estimate(item, address, freight, quantity=None):
    """A stored freight estimate of the item at its quantity (what the worker writes)."""
    from sourcing.core.beijing import beijing_today

    quantity = quantity or item.target_quantity
    return FreightEstimate.objects.create(team_id=item.product_list.team_id, list_item=item, address=address,
                                          key=estimate_key(address, item, quantity), day=beijing_today(),
                                          quantity=quantity, freight=freight)  # fmt: skip


def pack(item, weight=None, volume=None):
    ItemPacking.objects.create(list_item=item, unit_weight_kg=weight, unit_volume_cm3=volume)


def test_allocation_keeps_sums_exact():
    assert allocate(D("10.00"), [1, 1, 1]) == [D("3.34"), D("3.33"), D("3.33")]
    assert sum(allocate(D("0.05"), [D("0.3"), D("0.3"), D("0.4")])) == D("0.05")
    assert allocate(D("7.00"), [0, 0]) == [D("3.50"), D("3.50")]
    parts = allocate(D("123.45"), [D(i) for i in range(1, 40)])
    assert sum(parts) == D("123.45") and all(p >= 0 for p in parts)


def test_landed_cost_arithmetic(alice, acme, kitchen, yiwu):
    # given the kitchen list: flask × 500 (¥12.50), glass × 20 (below its MOQ: priced at ¥9.80), black mug × 100
    flask, glass, mug = kitchen.items.order_by("position")
    pack(flask, weight=D("0.400"), volume=D("3000"))  # 3000/6000 = 0.5 kg by volume > 0.4 kg: 0.5 chargeable
    pack(glass, weight=D("0.300"))  # no volume: by weight only
    pack(mug, weight=D("0.350"), volume=D("1200"))  # 0.2 kg by volume < 0.35 kg
    for item, freight in ((flask, D("40.00")), (glass, D("6.00")), (mug, D("10.00"))):
        estimate(item, yiwu, freight)
    card(alice, acme, price_per_kg=D("30.00"), per_parcel_fee=D("10.00"))
    DutyRate.objects.create(team=acme, product_list=kitchen, duty_percent=D("4.7"), vat_percent=D("19"))
    # when the list's landed cost is computed
    landed = landed_for_list(kitchen)
    f, g, m = (landed.items[i.pk] for i in (flask, glass, mug))
    # then chargeable weight is the greater of weight and volume ÷ divisor, per unit × quantity
    assert (f.chargeable_kg, g.chargeable_kg, m.chargeable_kg) == (D("250.0"), D("6.000"), D("35.000"))
    assert g.by_weight_only and not f.by_weight_only
    assert (f.international, g.international, m.international) == (D("7500.00"), D("180.00"), D("1050.00"))
    # one parcel per supplier (three suppliers here): each item pays its supplier's whole fee
    assert (f.parcel_fee, g.parcel_fee, m.parcel_fee) == (D("10.00"), D("10.00"), D("10.00"))
    # goods at the listed price, domestic freight from 1688's estimate
    assert (f.goods, f.goods_from, f.domestic, f.domestic_from) == (D("6250.00"), "listed", D("40.00"), "estimate")
    # duty on CIF (goods + both freights + the parcel fee), VAT on CIF + duty, cents half up
    cif = D("6250.00") + D("40.00") + D("7500.00") + D("10.00")
    assert f.cif == cif == D("13800.00")
    assert f.duty == D("648.60")  # 4.7 % of 13,800.00
    assert f.vat == D("2745.23")  # 19 % of 14,448.60 = 2,745.234
    assert f.total == cif + f.duty + f.vat and f.unit == (f.total / 500).quantize(D("0.01"))
    assert landed.known == 3 and landed.total == f.total + g.total + m.total
    assert f.duty_from == "list" and not f.unknown


def test_minimum_charge_over_the_whole_list_split_by_chargeable_weight(alice, acme, kitchen, yiwu):
    flask, glass, mug = kitchen.items.order_by("position")
    for item, weight in ((flask, "0.001"), (glass, "0.001"), (mug, "0.002")):
        pack(item, weight=D(weight))
        estimate(item, yiwu, D("5.00"))
    card(alice, acme, price_per_kg=D("10.00"), min_charge=D("100.00"))
    landed = landed_for_list(kitchen)
    # 0.5 + 0.02 + 0.2 kg × ¥10 = ¥7.20, below the ¥100 minimum: ¥100 shared by chargeable weight, exactly
    parts = [landed.items[i.pk].international for i in (flask, glass, mug)]
    assert sum(parts) == D("100.00")
    assert parts == [D("69.44"), D("2.78"), D("27.78")]
    assert any("minimum charge" in n for n in landed.notes)


def test_unknowns_are_said_never_zero(alice, acme, kitchen, yiwu):
    flask, glass, mug = kitchen.items.order_by("position")
    landed = landed_for_list(kitchen)  # no rate card, no estimate, no duty rate
    row = landed.items[flask.pk]
    assert row.total is None and row.unit is None and not row.known
    assert any("rate card" in w for w in row.unknown) and any("domestic freight" in w for w in row.unknown)
    assert any("counted as 0" in n for n in row.notes)  # no duty rate: 0, and it says so
    assert landed.known == 0 and landed.unknown == 3
    card(alice, acme)
    estimate(flask, yiwu, D("1.00"))
    Product.objects.filter(pk=flask.product_id).update(weight_kg=None)
    # the flask has no weight from 1688 and none given: international freight is unknown, with the reason
    row = landed_for_list(kitchen).items[flask.pk]
    assert row.international is None and any("no weight" in w for w in row.unknown)


def test_a_card_in_another_currency_converts_at_the_kept_rate(alice, acme, kitchen, yiwu):
    flask, glass, mug = kitchen.items.order_by("position")
    for item in (flask, glass, mug):
        pack(item, weight=D("1"))
        estimate(item, yiwu, D("0"))
    card(alice, acme, currency="USD", price_per_kg=D("2.00"))
    landed = landed_for_list(kitchen)
    assert landed.card_missing_rate and all(r.international is None for r in landed.items.values())
    assert any("no USD rate" in w for w in landed.items[flask.pk].unknown)
    ExchangeRate.objects.create(currency="USD", rate=D("0.125"), date="2026-01-01")  # ¥1 = $0.125: $2 = ¥16
    landed = landed_for_list(kitchen)
    assert landed.items[flask.pk].international == D("8000.00")  # 500 kg × ¥16
    acme.display_currency = "USD"
    acme.save()
    kitchen.refresh_from_db()
    row = landed_for_list(kitchen).items[flask.pk]
    assert row.unit_converted == (row.unit * D("0.125")).quantize(D("0.01"))
