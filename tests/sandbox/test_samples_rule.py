"""The sandbox's sample rule: about one offer in three sells single samples, and one piece of one of its options
is a sample order (MOQ and mixed batch waived, the option's one-piece price × 1.2, no item promotion)."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from sandbox import trade
from sandbox.catalog import is_sold_out
from sandbox.models import SandboxOffer

pytestmark = pytest.mark.django_db(transaction=True)
ADDRESS = trade.read_address({"fullName": "张三", "mobile": "15251667788", "provinceText": "浙江省",
                              "cityText": "杭州市", "areaText": "滨江区", "address": "网商路699号"})  # fmt: skip


def test_about_one_offer_in_three_sells_samples_and_the_choice_is_stable(catalog):
    offers = list(SandboxOffer.objects.order_by("offer_id"))
    selling = [o for o in offers if trade.supports_samples(o)]
    assert 0.2 < len(selling) / len(offers) < 0.45
    assert [o.offer_id for o in selling] == [o.offer_id for o in offers if trade.supports_samples(o)]


def test_one_piece_is_a_sample_two_pieces_or_two_options_are_not(catalog, settings):
    settings.SANDBOX_DRIFT_SECONDS = 10**9
    offer = next(o for o in SandboxOffer.objects.order_by("offer_id")
                 if trade.supports_samples(o) and not is_sold_out(o) and o.min_order_quantity > 1
                 and trade.has_item_promotion(o))  # fmt: skip
    option = max(trade.options(offer), key=lambda o: o.stock)
    priced = trade.price_order([(offer, option, 1)], ADDRESS, "general")
    expected = (trade.unit_price(offer, option, 1) * Decimal("1.2")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert priced.sample and priced.problems == [] and priced.flow == "general"
    assert priced.lines[0].unit_price_fen == trade.fen(expected) and priced.lines[0].promotion_fen == 0
    assert not trade.price_order([(offer, option, 2)], ADDRESS, "general").sample
    others = [o for o in trade.options(offer) if o.spec_id != option.spec_id]
    if others:
        assert not trade.price_order([(offer, option, 1), (offer, others[0], 1)], ADDRESS, "general").sample
