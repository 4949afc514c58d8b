"""The one price rule (sourcing/catalog/pricing.py): an option's price and the offer's quantity tiers combined as the
answer's quoteType says, the minimum order, "from" when no option is chosen, units and pack sizes."""

from decimal import Decimal as D

import pytest

from sourcing.alibaba.api import PriceTier, ProductAttribute
from sourcing.catalog.pricing import headline, price_at_quantity, unit_of
from sourcing.catalog.services.upsert import product_upsert_detail
from tests.catalog.conftest import detail

pytestmark = pytest.mark.django_db


def stored(**extra):
    product, _ = product_upsert_detail(detail=detail(price="10", **extra), source="sandbox")
    white, black = product.skus.order_by("position")  # ¥10.00 and ¥11.00
    return product, white, black


def test_by_quantity_the_tier_applies_whatever_the_option():
    product, _white, black = stored(quote_type=0)
    quote = price_at_quantity(product, 150, sku=black)
    assert (quote.unit_price, quote.total, quote.tier_min_quantity) == (D("10"), D("1500.00"), 100)
    assert not quote.is_from and quote.option == "黑色"


def test_by_option_the_options_own_price_applies_at_every_quantity():
    product, white, black = stored(quote_type=1)
    assert price_at_quantity(product, 150, sku=black).unit_price == D("11.00")
    assert price_at_quantity(product, 2, sku=black).unit_price == D("11.00")
    quote = price_at_quantity(product, 150, sku=black)
    assert quote.total == D("1650.00") and quote.tier_min_quantity is None and quote.tiers == ()
    assert price_at_quantity(product, 150, sku=white).unit_price == D("10.00")


def test_no_option_chosen_on_options_that_differ_prices_from_the_cheapest_and_says_so():
    product, _white, _black = stored(quote_type=1)
    quote = price_at_quantity(product, 150)
    assert quote.is_from and quote.unit_price == D("10.00")
    assert "No option chosen" in quote.message


def test_options_with_quantity_tiers_take_the_tiers_share_off_the_options_price(settings):
    tiers = [PriceTier(2, D("10")), PriceTier(100, D("9")), PriceTier(1000, D("8"))]
    product, _white, black = stored(quote_type=2, price_tiers=tiers)
    assert price_at_quantity(product, 50, sku=black).unit_price == D("11.00")
    assert price_at_quantity(product, 150, sku=black).unit_price == D("9.90")  # 11 × 9/10
    quote = price_at_quantity(product, 1000, sku=black)
    assert (quote.unit_price, quote.total, quote.tier_min_quantity) == (D("8.80"), D("8800.00"), 1000)
    assert quote.tiers == ((2, D("11.00")), (100, D("9.90")), (1000, D("8.80")))
    # the other reading of quoteType 2, as a setting: the tier's own price for every option
    settings.SKU_TIER_RULE = "tier"
    assert price_at_quantity(product, 150, sku=black).unit_price == D("9")


def test_the_headline_says_what_its_range_is_of():
    tiers = [PriceTier(2, D("10")), PriceTier(100, D("9"))]
    both, _w, _b = stored(quote_type=2, price_tiers=tiers)
    line = headline(both)
    assert (line.low, line.high, line.basis, line.lowest_at, line.lowest) == (
        D("10"), D("11"), "options_tiers", 100, D("9.00"))  # fmt: skip
    by_option, _w, _b = stored(quote_type=1, offer_id="700002")
    assert headline(by_option).basis == "options"
    by_quantity, _w, _b = stored(quote_type=0, offer_id="700003", price_tiers=tiers)
    line = headline(by_quantity)
    assert (line.low, line.high, line.basis) == (D("9"), D("10"), "tiers")


@pytest.mark.parametrize("bad", ["abc", "-3", "0", "1e9", "", None, "99999999999", "²", "NaN", "1.5"])
def test_nonsense_quantities_price_the_minimum_order_and_say_so(bad):
    product, _white, black = stored(quote_type=1)
    quote = price_at_quantity(product, bad, sku=black)
    assert quote.quantity == 2 and quote.unit_price == D("11.00") and quote.message


def test_units_and_pieces_per_pack():
    product, _white, _black = stored(
        quote_type=0, unit="箱", unit_en="carton",
        attributes=[ProductAttribute(name="包装数量", value="24个", name_en="Pieces per pack", value_en="24 pcs")],
    )  # fmt: skip
    unit = unit_of(product)
    assert (unit.per_pack, unit.key, str(unit)) == (24, "piece", "箱 (carton) of 24 pcs")
    quote = price_at_quantity(product, 150)  # ¥10 a carton of 24
    assert quote.piece_price == D("0.4167")
    loose, _w, _b = stored(quote_type=0, offer_id="700009", unit="", unit_en="")
    assert not unit_of(loose).known and str(unit_of(loose)) == ""


def test_a_chosen_option_without_a_price_is_not_priced_as_another_option():
    product, white, black = stored(quote_type=1)
    black.price = None
    quote = price_at_quantity(product, 150, sku=black)
    assert quote.unit_price is None and quote.total is None and not quote.is_from
    assert quote.message == "1688 gave no price for this option." and quote.option == "黑色"


@pytest.mark.parametrize(
    ("value", "pieces"),
    [("24个", 24), ("24", 24), ("48 pcs", 48), ("24个/箱", 24), ("50*40*30cm", None), ("12.5", None), ("1", None),
     ("约24个", None)],
)  # fmt: skip
def test_a_packs_size_is_a_whole_count_of_pieces(value, pieces):
    from sourcing.catalog.pricing import pack_size

    assert pack_size([{"name": "包装数量", "value": value}]) == pieces
