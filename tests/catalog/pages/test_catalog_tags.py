"""The catalog's template helpers: ¥ amounts, counts, "3 h ago", bilingual names, the SVG price chart."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from sourcing.catalog.pricing import price_at_quantity
from sourcing.catalog.templatetags.catalog import ago, bilingual, count, percent, price_chart, price_range, tiers, yuan


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Decimal("1234.5"), "¥1,234.50"), ("12", "¥12.00"), (0, "¥0.00"), (None, "—"), ("NaN", "—"), ("abc", "—")],
)
def test_yuan(value, shown):
    assert yuan(value) == shown


def test_price_range():
    product = SimpleNamespace(price_min=Decimal("12.5"), price_max=Decimal("15"))
    assert price_range(product) == "¥12.50 – ¥15.00" and price_range(product, "short") == "¥12.50–15.00"
    assert price_range(SimpleNamespace(price_min=Decimal("3"), price_max=Decimal("3"))) == "¥3.00"
    assert price_range(SimpleNamespace(price_min=None, price_max=None)) == "price not known yet"


def test_counts_percent_and_ago():
    assert count(1234567) == "1,234,567" and count(None) == "—"
    assert percent(Decimal("46.66")) == "46.7 %" and percent(Decimal("50")) == "50 %"
    now = timezone.now()
    assert ago(now - timedelta(seconds=5), now) == "just now"
    assert ago(now - timedelta(minutes=12), now) == "12 min ago"
    assert ago(now - timedelta(hours=3, minutes=5), now) == "3 h ago"
    assert ago(now - timedelta(days=5), now) == "5 d ago"
    assert ago(None) == "never"


def test_bilingual_escapes_and_skips_the_same_text_twice():
    assert (
        str(bilingual("保温杯", "vacuum cup"))
        == '<span lang="zh">保温杯</span> <span class="en" lang="en">vacuum cup</span>'
    )
    assert str(bilingual("USB", "usb")) == '<span lang="zh">USB</span>'
    assert "&lt;script&gt;" in str(bilingual("<script>", ""))


def test_tiers_skip_junk_and_say_the_saving():
    product = SimpleNamespace(price_tiers=[{"min_quantity": 100, "price": "9.00"}, {"min_quantity": 2, "price": "12.00"},
                                           {"min_quantity": "x", "price": "1"}, {"price": None}, "junk"],
                              moq=2, unit="个", unit_en="", attributes=[], quote_type=0, price_min=None,
                              price_max=None)  # fmt: skip
    quote = price_at_quantity(product, 50)
    assert tiers(quote) == [(2, Decimal("12.00"), 99, 0), (100, Decimal("9.00"), None, 25)]


def point(days_ago, low, high=None, stock=None):
    return SimpleNamespace(at=timezone.now() - timedelta(days=days_ago), price_min=Decimal(low),
                           price_max=Decimal(high or low), stock=stock, pk=days_ago)  # fmt: skip


def test_chart_steps_through_changes_with_yuan_and_date_axes():
    svg = str(price_chart([point(30, "10"), point(20, "12", "14", stock=5), point(5, "9")]))
    assert svg.startswith('<svg class="price-chart"') and svg.count('class="dot"') == 3
    assert "¥9.00" in svg and "¥14.00" in svg and ">now</text>" in svg and "stock 5" in svg
    assert 'class="line high"' in svg  # the highest price differs from the lowest once


def test_chart_with_one_point_draws_a_flat_line_to_now():
    svg = str(price_chart([point(3, "10")]))
    assert svg.count('class="dot"') == 1 and "¥10.00" in svg and "¥9.00" in svg and "¥11.00" in svg  # ±10 % band
    assert 'class="line high"' not in svg


def test_chart_with_no_prices_says_so():
    assert "No price history yet" in str(price_chart([]))
    assert "No price history yet" in str(price_chart([SimpleNamespace(at=timezone.now(), price_min=None,
                                                                      price_max=None, stock=3, pk=1)]))  # fmt: skip


def test_chart_at_one_instant_does_not_divide_by_zero():
    now = timezone.now()
    same = [SimpleNamespace(at=now + timedelta(hours=1), price_min=Decimal("5"), price_max=Decimal("5"), stock=None,
                            pk=1)]  # fmt: skip
    assert 'class="dot"' in str(price_chart(same, now))
