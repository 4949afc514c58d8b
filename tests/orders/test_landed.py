"""Landed cost: the arithmetic (chargeable weight, minimum charge, parcels, duty on CIF, VAT, exact splits, a card
in another currency), 1688's freight estimate over real HTTP to the sandbox, the accuracy of quoted groups, compare
ranking by landed cost, the export columns, who may change what, and hostile form input."""

from decimal import Decimal as D

import pytest
from django.utils import translation

from sandbox.models import SandboxSupplier
from sourcing.catalog.models import Product
from sourcing.lists import services as list_services
from sourcing.lists.models import ExchangeRate
from sourcing.orders.models import DutyRate, FreightEstimate, ItemPacking, Quote, QuoteLine, RateCard
from sourcing.orders.services import rates as rate_services
from sourcing.orders.services.landed import allocate, estimate_key, landed_for_list
from tests.orders import test_quotes as quoting
from tests.orders.conftest import text
from tests.orders.test_quotes import add, fetched, on_sale

shop, order_list = quoting.shop, quoting.order_list  # the quotes' sandbox fixtures


@pytest.fixture(autouse=True)
def _english():
    """The service's words in English (the site's default language is Chinese); pages pick the reader's own."""
    with translation.override("en"):
        yield


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


# --- against the sandbox, over real HTTP ---
@pytest.mark.django_db(transaction=True)
def test_freight_estimate_before_a_quote_through_the_sandbox(client, alice, bob, order_list, yiwu, dave):
    from sourcing.alibaba import api
    from sourcing.connections.models import ApiCallLog

    def estimates() -> int:
        return ApiCallLog.objects.filter(api=api.FREIGHT_ESTIMATE.id, outcome=ApiCallLog.Outcome.OK).count()

    client.force_login(dave)
    assert client.post(f"/lists/{order_list.pk}/landed/estimate/").status_code == 403  # a viewer spends no quota
    assert estimates() == 0
    client.force_login(alice)
    # when alice presses "Estimate domestic freight" (the worker runs at once in tests)
    response = client.post(f"/lists/{order_list.pk}/landed/estimate/")
    assert response.status_code == 302 and "since=" in response["Location"]
    # then 1688 was asked once per item, and each item's domestic freight is 1688's estimate
    items = list(order_list.items.order_by("position"))
    assert estimates() == len(items) == FreightEstimate.objects.filter(freight__isnull=False).count()
    landed = landed_for_list(order_list)
    for item in items:
        row = landed.items[item.pk]
        stored = FreightEstimate.objects.get(list_item=item)
        assert (row.domestic, row.domestic_from) == (stored.freight, "estimate") and stored.freight > 0
    # the page shows the progress as finished and the estimate in the breakdown
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Freight estimated for 3 of 3 items" in text(page)
    assert "1688's estimate" in text(page)
    # pressing again the same 1688 day asks nothing
    again = client.post(f"/lists/{order_list.pk}/landed/estimate/", follow=True)
    assert estimates() == 3 and "already has today's freight estimate" in text(again)
    # the sandbox prices a one-offer order's freight as its preview does: the estimate equals the quote's freight
    single = items[-1]
    client.post(f"/lists/{order_list.pk}/quotes/start/")
    quote = Quote.objects.get(lines__list_item=single)
    assert quote.freight == FreightEstimate.objects.get(list_item=single).freight
    # once quoted, the quote's freight is used
    assert landed_for_list(order_list).items[single.pk].domestic_from == "quote"


@pytest.mark.django_db(transaction=True)
def test_accuracy_on_every_quoted_group_goods_and_freight_equal_the_preview(client, alice, acme, shop, yiwu):
    # given a list of about 20 items of the sandbox catalog, several per supplier
    product_list = list_services.list_create(actor=alice, team=acme, name="Accuracy")
    suppliers = [s for s in SandboxSupplier.objects.order_by("pk") if on_sale(s)][:8]
    for supplier in suppliers:
        for offer in on_sale(supplier)[:3]:
            add(alice, product_list, fetched(alice, offer))
    n = product_list.items.count()
    assert 15 <= n <= 24
    client.force_login(alice)
    # when it is quoted through 1688's order previews
    assert client.post(f"/lists/{product_list.pk}/quotes/start/").status_code == 302
    landed = landed_for_list(product_list)
    quotes = {line.quote for line in QuoteLine.objects.filter(quote__product_list=product_list, is_current=True)}
    assert len(quotes) == len(suppliers)
    for quote in quotes:
        ids = list(quote.lines.values_list("list_item_id", flat=True))
        rows = [landed.items[i] for i in ids]
        # then on every supplier group the breakdown's domestic freight is the preview's sumCarriage and its goods
        # the preview's sumPaymentNoCarriage, to the cent
        assert all(r.goods_from == r.domestic_from == "quote" for r in rows)
        assert sum(r.domestic for r in rows) == quote.freight
        assert sum(r.goods for r in rows) == quote.goods


# --- pages, permissions, hostile input ---
CARD_FORM = {"forwarder": "顺达货代", "mode": "sea", "destination": "Hamburg", "currency": "CNY", "price_per_kg": "8.50",
             "volumetric_divisor": "1000", "min_charge": "300", "per_parcel_fee": "15", "transit_days_min": "30",
             "transit_days_max": "40", "notes": ""}  # fmt: skip


def test_rate_cards_members_read_owners_edit_other_teams_404(client, alice, bob, carol, dave, acme, kitchen):
    client.force_login(alice)
    response = client.post(f"/teams/{acme.pk}/rate-cards/", CARD_FORM)
    assert response.status_code == 302
    saved = RateCard.objects.get()
    assert saved.is_default and saved.price_per_kg == D("8.50")  # the team's first card is its default
    for user in (bob, dave):  # a buyer and a viewer read the cards, and may not change them
        client.force_login(user)
        page = client.get(f"/teams/{acme.pk}/rate-cards/")
        assert page.status_code == 200 and "顺达货代" in text(page) and "Add a rate card" not in text(page)
        assert client.post(f"/teams/{acme.pk}/rate-cards/", CARD_FORM).status_code == 403
        assert client.post(f"/teams/{acme.pk}/rate-cards/{saved.pk}/", CARD_FORM).status_code == 403
        assert client.post(f"/teams/{acme.pk}/rate-cards/{saved.pk}/delete/").status_code == 403
    client.force_login(carol)
    for url in (f"/teams/{acme.pk}/rate-cards/", f"/teams/{acme.pk}/rate-cards/{saved.pk}/",
                f"/teams/{acme.pk}/duty-rates/", f"/lists/{kitchen.pk}/landed/"):  # fmt: skip
        assert client.get(url).status_code == 404
    assert client.post(f"/teams/{acme.pk}/rate-cards/{saved.pk}/delete/").status_code == 404
    assert RateCard.objects.count() == 1
    # a second default moves the default; deleting the default hands it on
    client.force_login(alice)
    client.post(f"/teams/{acme.pk}/rate-cards/", {**CARD_FORM, "mode": "air", "is_default": "on"})
    air = RateCard.objects.get(mode="air")
    assert air.is_default and not RateCard.objects.get(pk=saved.pk).is_default
    client.post(f"/teams/{acme.pk}/rate-cards/{air.pk}/delete/")
    assert RateCard.objects.get().is_default


@pytest.mark.parametrize("value", ["NaN", "²", "9" * 10_000, "1e999999", "-5", "inf", "1,000"])
def test_hostile_numbers_are_form_errors_never_500(client, alice, acme, kitchen, value):
    client.force_login(alice)
    response = client.post(f"/teams/{acme.pk}/rate-cards/", {**CARD_FORM, "price_per_kg": value})
    assert response.status_code == 400 and "Give a number from 0 to" in text(response)
    response = client.post(f"/teams/{acme.pk}/rate-cards/", {**CARD_FORM, "volumetric_divisor": value})
    assert response.status_code == 400
    assert RateCard.objects.count() == 0
    response = client.post(f"/lists/{kitchen.pk}/landed/duty/", {"duty_percent": value, "vat_percent": "19"})
    assert response.status_code == 400 and DutyRate.objects.count() == 0
    item = kitchen.items.first()
    response = client.post(f"/lists/{kitchen.pk}/landed/items/{item.pk}/packing/", {"unit_weight_kg": value})
    assert response.status_code == 400 and not ItemPacking.objects.exists()
    assert client.get(f"/lists/{kitchen.pk}/landed/estimate/progress/?since={value}").status_code == 404


def test_long_text_and_a_duty_above_100_are_refused_in_words(client, alice, acme, kitchen):
    client.force_login(alice)
    response = client.post(f"/teams/{acme.pk}/rate-cards/", {**CARD_FORM, "forwarder": "货" * 10_000})
    assert response.status_code == 400 and "Keep this to 60 characters" in text(response)
    response = client.post(f"/lists/{kitchen.pk}/landed/duty/", {"duty_percent": "101", "vat_percent": "19"})
    assert response.status_code == 400 and "Give a number from 0 to 100" in text(response)
    response = client.post(f"/teams/{acme.pk}/rate-cards/", {**CARD_FORM, "transit_days_min": "9",
                                                             "transit_days_max": "3"})  # fmt: skip
    assert response.status_code == 400 and RateCard.objects.count() == 0


def test_the_landed_page_duty_packing_and_card_by_role(client, alice, bob, dave, carol, acme, kitchen, yiwu):
    first = card(alice, acme)
    second = card(alice, acme, forwarder="飞鸟快运", mode="express", price_per_kg=D("45"))
    flask = kitchen.items.order_by("position").first()
    client.force_login(dave)  # a viewer reads the page and changes nothing
    assert client.get(f"/lists/{kitchen.pk}/landed/").status_code == 200
    assert client.post(f"/lists/{kitchen.pk}/landed/card/", {"rate_card": second.pk}).status_code == 403
    assert client.post(f"/lists/{kitchen.pk}/landed/items/{flask.pk}/packing/",
                       {"unit_weight_kg": "1"}).status_code == 403  # fmt: skip
    client.force_login(bob)  # a buyer picks the list's card and gives packing, not the duty
    assert client.post(f"/lists/{kitchen.pk}/landed/card/", {"rate_card": second.pk}).status_code == 302
    assert landed_for_list(kitchen).rate_card == second != first
    assert client.post(f"/lists/{kitchen.pk}/landed/items/{flask.pk}/packing/",
                       {"unit_weight_kg": "0.5", "unit_volume_cm3": "4000"}).status_code == 302  # fmt: skip
    assert ItemPacking.objects.get(list_item=flask).unit_volume_cm3 == D("4000.0")
    assert (
        client.post(f"/lists/{kitchen.pk}/landed/duty/", {"duty_percent": "5", "vat_percent": "20"}).status_code == 403
    )
    client.force_login(carol)  # another team's card can't be picked, its items can't be packed
    assert client.post(f"/lists/{kitchen.pk}/landed/card/", {"rate_card": second.pk}).status_code == 404
    client.force_login(alice)
    assert (
        client.post(f"/lists/{kitchen.pk}/landed/duty/", {"duty_percent": "5", "vat_percent": "20"}).status_code == 302
    )
    page = client.get(f"/lists/{kitchen.pk}/landed/")
    words = text(page)
    assert "飞鸟快运" in words and "Duty 5.00 %, VAT 20.00 %" in words and "Breakdown" in words
    assert "Estimate domestic freight" in words
    assert "domestic freight not known: quote the list or estimate domestic freight" in words


def test_compare_ranks_by_landed_cost_and_exports_carry_it(client, alice, acme, kitchen, yiwu):
    import csv
    import io

    flask, glass, mug = kitchen.items.order_by("position")
    card(alice, acme, price_per_kg=D("30.00"))
    for item, weight in ((flask, "2.0"), (glass, "0.1"), (mug, "0.1")):
        pack(item, weight=D(weight))
        estimate(item, yiwu, D("5.00"))
    landed = landed_for_list(kitchen)
    units = {i.pk: landed.items[i.pk].unit for i in (flask, glass, mug)}
    assert units[flask.pk] > units[mug.pk]  # ¥60 a kilo of flask makes it the dearest delivered
    client.force_login(alice)
    page = client.get(f"/lists/{kitchen.pk}/compare/", {"item": [flask.pk, mug.pk]})
    columns = page.context["columns"]
    # then compare shows the cheapest landed cost first (list order puts the flask first) and marks it best
    assert [c.item.pk for c in columns] == [mug.pk, flask.pk]
    assert "landed" in columns[0].best and "Landed unit cost" in text(page)
    # the list page says each item's landed unit cost and links its breakdown
    row = text(client.get(f"/lists/{kitchen.pk}/"))
    assert f"landed ¥{units[mug.pk]} per unit" in row
    # and both exports carry the landed unit cost and its parts
    rows = list(csv.reader(io.StringIO(client.get(f"/lists/{kitchen.pk}/export.csv").content.decode("utf-8-sig"))))
    header = rows[0]
    for title in ("Landed unit cost (CNY)", "Landed: goods (CNY)", "Landed: freight in China (CNY)",
                  "Landed: international freight (CNY)", "Landed: duty (CNY)", "Landed: VAT (CNY)"):  # fmt: skip
        assert title in header
    at = header.index("Landed unit cost (CNY)")
    assert D(rows[1][at]) == units[flask.pk]
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(f"/lists/{kitchen.pk}/export.xlsx").content))
    sheet = book.worksheets[0]
    titles = [c.value for c in sheet[1]]
    assert D(str(sheet.cell(row=2, column=titles.index("Landed unit cost (CNY)") + 1).value)) == units[flask.pk]


def test_the_landed_pages_read_in_chinese(client, alice, acme, kitchen, yiwu):
    card(alice, acme)
    client.force_login(alice)
    client.cookies["django_language"] = "zh-hans"
    page = text(client.get(f"/lists/{kitchen.pk}/landed/"))
    assert "到岸成本" in page and "估算国内运费" in page and "国内运费未知：请为清单报价或估算国内运费" in page
    assert "货代价目表" in text(client.get(f"/teams/{acme.pk}/rate-cards/"))
    assert "关税和增值税税率" in text(client.get(f"/teams/{acme.pk}/duty-rates/"))


def test_duty_rates_by_category_and_list_and_by_role(client, alice, bob, dave, carol, acme, kitchen, yiwu):
    flask = kitchen.items.order_by("position").first()
    category = flask.product.category
    assert category is not None
    client.force_login(dave)
    form = {"category": category.pk, "duty_percent": "10", "vat_percent": "20", "note": "HS 9617"}
    assert client.post(f"/teams/{acme.pk}/duty-rates/", form).status_code == 403
    client.force_login(bob)  # a buyer reads the rates, doesn't set them
    assert client.post(f"/teams/{acme.pk}/duty-rates/", form).status_code == 403
    assert client.get(f"/teams/{acme.pk}/duty-rates/").status_code == 200
    client.force_login(alice)
    assert client.post(f"/teams/{acme.pk}/duty-rates/", form).status_code == 302
    rate = DutyRate.objects.get()
    row = landed_for_list(kitchen).items[flask.pk]
    assert (row.duty_from, row.duty_percent, row.vat_percent) == ("category", D("10.00"), D("20.00"))
    # a category the team's items are not in can't be picked
    assert client.post(f"/teams/{acme.pk}/duty-rates/", {**form, "category": "999999"}).status_code == 400
    # the list's own rate wins over the category's
    client.post(f"/lists/{kitchen.pk}/landed/duty/", {"duty_percent": "2.5", "vat_percent": "7"})
    row = landed_for_list(kitchen).items[flask.pk]
    assert (row.duty_from, row.duty_percent) == ("list", D("2.50"))
    # edit and delete the category's rate; other teams see none of it
    assert (
        client.post(f"/teams/{acme.pk}/duty-rates/{rate.pk}/", {"duty_percent": "12", "vat_percent": "20"}).status_code
        == 302
    )
    assert DutyRate.objects.get(pk=rate.pk).duty_percent == D("12.00")
    client.force_login(carol)
    assert client.get(f"/teams/{acme.pk}/duty-rates/{rate.pk}/").status_code == 404
    assert client.post(f"/teams/{acme.pk}/duty-rates/{rate.pk}/delete/").status_code == 404
    client.force_login(dave)
    assert client.post(f"/teams/{acme.pk}/duty-rates/{rate.pk}/delete/").status_code == 403
    client.force_login(alice)
    assert client.post(f"/teams/{acme.pk}/duty-rates/{rate.pk}/delete/").status_code == 302
    assert DutyRate.objects.filter(category__isnull=False).count() == 0


@pytest.mark.django_db(transaction=True)
def test_estimate_faults_retry_then_say_why_and_an_exhausted_package_is_plain_words(alice, order_list, yiwu):
    from sandbox.models import SandboxApp
    from sourcing.alibaba import errors
    from sourcing.connections.models import AppCredential
    from sourcing.orders.services import freight
    from tests.portal_fixtures import APP_KEY

    app = SandboxApp.objects.get(app_key=APP_KEY)
    app.fault_5xx = 1.0
    app.save()
    credential = AppCredential.objects.get(owner=alice)
    ids = list(order_list.items.values_list("pk", flat=True))
    # a transient fault propagates (the task retries) and writes nothing
    with pytest.raises(errors.TransientError) as raised:
        freight.estimate_execute(list_id=order_list.pk, user_id=alice.pk, credential_id=credential.pk, item_ids=ids)
    assert not FreightEstimate.objects.exists()
    # out of retries: every item says why, in words, and the page's progress ends
    freight.estimate_give_up(list_id=order_list.pk, item_ids=ids, error=raised.value)
    assert FreightEstimate.objects.filter(freight__isnull=True).count() == len(ids)
    row = landed_for_list(order_list).items[ids[0]]
    assert row.domestic is None and any("1688 did not answer properly" in w for w in row.unknown)
    # 1688 answering again, the next estimate asks for the items (a failed answer is not reused)
    app.fault_5xx, app.fault_no_usage = 0, 1.0
    app.save()
    calls = freight.estimate_execute(list_id=order_list.pk, user_id=alice.pk, credential_id=credential.pk,
                                     item_ids=ids)  # fmt: skip
    assert calls == 0 and FreightEstimate.objects.filter(freight__isnull=False).count() == 0
    assert FreightEstimate.objects.count() == 2 * len(ids)  # each item: why there is no estimate, in words
    words = landed_for_list(order_list).items[ids[-1]].unknown
    assert any("has no calls left on its API package" in w for w in words)
    # and the page's progress is over: every item has an answer since the click
    assert freight.estimate_progress(order_list, FreightEstimate.objects.order_by("pk")[len(ids)].created_at).done == 3
