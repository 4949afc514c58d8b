"""Acceptance: an offer with several options, quantity tiers and a unit, from the sandbox's answer over HTTP to
the product page, a list, compare and both exports; each number is checked against the answer itself."""

import csv
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from sandbox.catalog import quote_type
from sandbox.models import SandboxOffer
from sourcing.alibaba import api
from sourcing.catalog.models import Product
from sourcing.catalog.services import offers as catalog_services_offers
from sourcing.connections.services.gateway import gateway_call
from sourcing.lists import services as services

pytestmark = pytest.mark.django_db(transaction=True)


def answer(credential, offer_id) -> dict:
    """The raw queryProductDetail answer, as 1688 (here the sandbox) sends it."""
    params = {"offerDetailParam": {"offerId": str(offer_id), "country": "en"}}
    body = gateway_call(credential=credential, fn=lambda c, t: api.call_api(c, api.PRODUCT_DETAIL, params, t))
    return body["result"]["result"]


def test_an_options_price_at_quantity_matches_the_answer_everywhere(client, connected, catalog, alice, settings):
    shop = connected  # alice's credential, connected to the live server's sandbox
    settings.SANDBOX_DRIFT_SECONDS = 10**9  # prices hold still while the test reads them twice
    offers = list(SandboxOffer.objects.order_by("offer_id"))
    # an offer whose (sparse, live-like) answer states its unit: options, three tiers or more
    for offer in (o for o in offers if quote_type(o) == 2 and len(o.price_tiers) >= 3):
        raw = answer(shop, offer.offer_id)
        sale = raw.get("productSaleInfo") or {}
        if (sale.get("unitInfo") or {}).get("unit"):
            break
    other = next(o for o in offers if o.pk != offer.pk and o.unit == offer.unit)
    assert int(sale["quoteType"]) == 2  # numbers may come as strings
    tiers = sorted((int(r["startQuantity"]), D(r["price"])) for r in sale["priceRangeList"])
    dearest = max(raw["productSkuInfos"], key=lambda s: D(s["price"]))
    unit = sale["unitInfo"]["unit"]
    quantity = tiers[-1][0] + 7  # inside the deepest tier
    # the rule of docs/1688-answers.md: the option's price less the deepest tier's share
    unit_price = (D(dearest["price"]) * tiers[-1][1] / tiers[0][1]).quantize(D("0.01"))
    total = unit_price * quantity
    assert unit_price != tiers[-1][1], "the option's price must differ from the base option's tier price"

    for offer_id in (offer.offer_id, other.offer_id):
        catalog_services_offers.product_fetch_start(user=alice, offer_id=str(offer_id))
    product = Product.objects.get(offer_id=offer.offer_id)
    sku = product.skus.get(sku_id=str(dearest["skuId"]))
    client.force_login(alice)

    # the product page's calculator, with the option picked
    quote_html = client.get(f"/products/{offer.offer_id}/", {"qty": quantity, "sku": sku.sku_id},
                            HTTP_HX_REQUEST="true").content.decode()  # fmt: skip
    assert f"{quantity:,} {unit}" in quote_html and f"¥{unit_price:,}" in quote_html and f"¥{total:,}" in quote_html
    # the headline says its range is across options (and tiers)
    page = client.get(f"/products/{offer.offer_id}/").content.decode()
    assert "Range across the options" in page

    # a list holding the option at that quantity, and a second offer to compare with
    numbers = services.list_create(actor=alice, team=alice.current_team, name="Numbers")
    services.item_add(actor=alice, product_list=numbers, product=product, sku=sku, target_quantity=quantity)
    services.item_add(actor=alice, product_list=numbers, product=Product.objects.get(offer_id=other.offer_id),
                      target_quantity=quantity)  # fmt: skip
    listed = client.get(f"/lists/{numbers.pk}/").content.decode()
    assert f"¥{unit_price:,}" in listed and f"¥{total:,}" in listed
    compared = client.get(f"/lists/{numbers.pk}/compare/").content.decode()
    assert f"¥{unit_price:,}" in compared and f"¥{total:,}" in compared

    rows = list(csv.DictReader(io.StringIO(client.get(f"/lists/{numbers.pk}/export.csv").content.decode("utf-8-sig"))))
    assert rows[0]["Unit price at quantity (CNY)"] == str(unit_price)
    assert rows[0]["Total at quantity (CNY)"] == str(total) and rows[0]["Priced quantity"] == str(quantity)
    assert rows[0]["Unit"].startswith(unit) and rows[0]["SKU"] == sku.label

    book = load_workbook(io.BytesIO(client.get(f"/lists/{numbers.pk}/export.xlsx").content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    row = {h: c.value for h, c in zip(header, sheet[2], strict=False)}
    assert D(str(row["Unit price at quantity (CNY)"])) == unit_price and D(str(row["Total at quantity (CNY)"])) == total
    assert row["Unit"].startswith(unit)
