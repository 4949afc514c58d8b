"""Supplier scorecards: each figure from a constructed history, exact; only the team's own data counts and shows;
the suppliers page sorts and filters by the figures; compare and exports carry them."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from sourcing.catalog.models import PriceHistory
from sourcing.inquiries.models import Inquiry
from sourcing.orders.models import OrderEvent, PurchaseOrder, PurchaseOrderLine, Quote, QuoteLine, Receipt
from sourcing.orders.scorecards import scorecards
from tests.catalog.pages.conftest import stock_product
from tests.lists.conftest import text

pytestmark = pytest.mark.django_db


def ago(**kw):
    return timezone.now() - timedelta(**kw)


def ask(team, product, sent=None, replied=None):
    return Inquiry.objects.create(team=team, supplier=product.supplier, product=product, message="你好",
                                  status="replied" if replied else "sent", sent_at=sent, replied_at=replied)  # fmt: skip


def quote(team, product_list, product, at, quantity, reasons=()):
    q = Quote.objects.create(team=team, product_list=product_list, supplier=product.supplier, key=f"k{at}",
                             day=at.date(), quoted_at=at, orderable=not reasons, reasons=list(reasons))  # fmt: skip
    QuoteLine.objects.create(quote=q, product=product, quantity=quantity, orderable=not reasons, reasons=list(reasons))
    return q


def order(team, product, key, *, total="1000.00", charged=None, placed=None, paid=None, shipped=None, quantity=100,
          kind=PurchaseOrder.Kind.ORDER):  # fmt: skip
    po = PurchaseOrder.objects.create(team=team, supplier=product.supplier, out_order_id=key, kind=kind,
                                      state=PurchaseOrder.State.SHIPPED if shipped else PurchaseOrder.State.PAID,
                                      total=D(total), goods=D(total), placed_total=D(charged) if charged else None,
                                      placed_at=placed)  # fmt: skip
    line = PurchaseOrderLine.objects.create(order=po, product=product, quantity=quantity, unit_price=D("10.00"),
                                            amount=D("10.00") * quantity)  # fmt: skip
    for kind_, at in (("paid", paid), ("shipped", shipped)):
        if at:
            OrderEvent.objects.create(order=po, kind=kind_, at=at)
    return po, line


@pytest.fixture
def history(acme, globex, kitchen, products):
    """Acme's history with the flask's supplier (and a second offer of it), and Globex's, which must never count."""
    flask, glass, _mug = products
    kettle = stock_product(800009, subject="电热水壶", price="20.00", ships_within_hours=48)  # the flask's supplier
    PriceHistory.objects.all().delete()
    # flask: ¥10 in effect when the 90 days began, then ¥12 and ¥8 → points 10, 12, 8: CV 16.33 %;
    # kettle: ¥20 throughout → CV 0 %. The supplier's price variation: (16.33 + 0) / 2 = 8.2 %
    for product, days, price, stock in ((flask, 100, "10", 5000), (flask, 50, "12", 5000), (flask, 10, "8", 50),
                                        (kettle, 120, "20", 10), (flask, 200, "99", 5000)):  # fmt: skip
        PriceHistory.objects.create(product=product, at=ago(days=days), price_min=D(price), price_max=D(price),
                                    stock=stock)  # fmt: skip
    # inquiries: 5 sent in the window, answered after 2, 4, 10 and 30 hours → 80.0 %, median 7.0 h
    for hours in (2, 4, 10, 30, None):
        sent = ago(days=10)
        ask(acme, flask, sent, sent + timedelta(hours=hours) if hours else None)
    ask(acme, flask)  # a draft: never sent, not counted
    ask(acme, flask, ago(days=400), ago(days=399))  # before the window
    ask(acme, glass, ago(days=3), ago(days=3) + timedelta(hours=1))  # the glass's supplier: 1 of 1 in an hour
    ask(globex, flask, ago(days=2))  # Globex's unanswered inquiry
    # quotes: stock covered (5000) at 40 and 30 days, 1688 refused the second for stock; at 20 days refused for the
    # MOQ only (stock was fine); at 5 days the catalog showed only 50, so a stock refusal there is not counted
    quote(acme, kitchen, flask, ago(days=40), 500)
    quote(acme, kitchen, flask, ago(days=30), 500, ["stock"])
    quote(acme, kitchen, flask, ago(days=20), 100, ["moq"])
    quote(acme, kitchen, flask, ago(days=5), 500, ["stock"])
    quote(globex, kitchen, flask, ago(days=30), 500, ["stock"])
    # orders (the flask promises 48 h): charged +2 % and +1 % against their quotes; shipped after 30 h (on time)
    # and 60 h (late); one paid 10 days ago and never shipped (late); one paid an hour ago (not due yet)
    first, line = order(acme, flask, "a1", total="1000.00", charged="1020.00", placed=ago(days=20), paid=ago(days=20),
                        shipped=ago(days=20) + timedelta(hours=30))  # fmt: skip
    order(acme, flask, "a2", total="500.00", charged="505.00", placed=ago(days=15), paid=ago(days=15),
          shipped=ago(days=15) + timedelta(hours=60))  # fmt: skip
    order(acme, flask, "a3", paid=ago(days=10))
    order(acme, flask, "a4", paid=ago(hours=1))
    order(acme, flask, "a5", kind=PurchaseOrder.Kind.SAMPLE, total="10.00", charged="50.00", placed=ago(days=3))
    order(globex, flask, "g1", total="100.00", charged="200.00", placed=ago(days=3), paid=ago(days=9))
    # received 90 of 100, 3 of them damaged → 10.0 % short, 3.3 % damaged
    Receipt.objects.create(line=line, supplier=flask.supplier, received_quantity=90, damaged_quantity=3)
    return flask, glass, kettle


def figures(team, supplier):
    card = scorecards(team.pk, [supplier])[supplier.pk]
    return {key: (f.value, f.observations) for key, f in card.figures.items()}


def test_each_figure_from_the_teams_history(acme, history):
    flask = history[0]
    assert figures(acme, flask.supplier) == {
        "reply_rate": (D("80.0"), 5),
        "reply_hours": (D("7.0"), 4),
        "price_variation": (D("8.2"), 2),
        "stock_accuracy": (D("66.7"), 3),
        "price_drift": (D("1.5"), 2),
        "on_time": (D("33.3"), 3),
        "shortage": (D("10.0"), 100),
        "damage": (D("3.3"), 90),
    }


def test_another_teams_history_never_counts(globex, history):
    flask = history[0]
    seen = figures(globex, flask.supplier)
    assert seen["reply_rate"] == (D("0.0"), 1)  # Globex's own unanswered inquiry, nothing of Acme's
    assert seen["stock_accuracy"] == (D("0.0"), 1)
    assert seen["price_drift"] == (D("100.0"), 1)
    assert seen["on_time"] == (D("0.0"), 1)
    assert seen["shortage"] == (None, 0) and seen["damage"] == (None, 0)
    assert seen["price_variation"] == (D("8.2"), 2)  # public catalog data: the same for every team


def test_a_figure_on_too_few_observations_says_not_enough_data(client, alice, acme, history, settings):
    flask, glass, _kettle = history
    card = scorecards(acme.pk, [glass.supplier])[glass.supplier.pk]
    assert card.reply_rate.value == D("100.0") and card.reply_rate.observations == 1 and card.reply_rate.shown is None
    client.force_login(alice)
    page = text(client.get(f"/suppliers/{glass.supplier.pk}/"))
    assert "Reply rate not enough data (inquiries sent: 1; 1 answered)" in page
    assert "Shipped on time no observations" in page
    settings.SCORECARD_MIN_OBSERVATIONS = 1
    assert "Reply rate 100.0 % (inquiries sent: 1; 1 answered)" in text(client.get(f"/suppliers/{glass.supplier.pk}/"))


def test_the_supplier_page_shows_the_scorecard_to_its_team_only(client, alice, carol, history):
    flask = history[0]
    client.force_login(alice)
    page = text(client.get(f"/suppliers/{flask.supplier.pk}/"))
    for shown in ("Your team's scorecard", "Reply rate 80.0 % (inquiries sent: 5; 4 answered)",
                  "Median reply time 7.0 h (replies: 4)", "Price variation not enough data (offers priced: 2)",
                  "Stock accuracy 66.7 % (quoted options in stock: 3; 1 refused for stock)",
                  "Quote-to-order drift not enough data (orders placed: 2)",
                  "Shipped on time 33.3 % (orders paid: 3; 1 on time)", "Short 10.0 % (pieces ordered: 100; 10 short)",
                  "Damaged 3.3 % (pieces received: 90; 3 damaged)"):  # fmt: skip
        assert shown in page, shown
    client.force_login(carol)
    page = text(client.get(f"/suppliers/{flask.supplier.pk}/"))
    assert "80.0 %" not in page and "66.7 %" not in page and "10.0 %" not in page
    assert "Reply rate not enough data (inquiries sent: 1; 0 answered)" in page


def rows_of(page: str) -> list[str]:
    return re.findall(r'<td data-label="Supplier"><a href="/suppliers/\d+/" lang="zh">([^<]+)</a>', page)


def test_the_suppliers_page_sorts_and_filters_by_the_figures(client, alice, carol, history, settings):
    settings.SCORECARD_MIN_OBSERVATIONS = 1
    client.force_login(alice)
    page = client.get("/buying/suppliers/").content.decode()
    assert sorted(rows_of(page)) == sorted(["广州玻璃制品厂", "潮州陶瓷厂", "义乌示例日用品厂"])  # the listed three
    best = rows_of(client.get("/buying/suppliers/?sort=reply_rate").content.decode())
    assert best == ["广州玻璃制品厂", "义乌示例日用品厂", "潮州陶瓷厂"]  # 100 %, 80 %, then no data
    worst = rows_of(client.get("/buying/suppliers/?sort=-reply_rate").content.decode())
    assert worst == ["义乌示例日用品厂", "广州玻璃制品厂", "潮州陶瓷厂"]
    assert rows_of(client.get("/buying/suppliers/?min_reply=90").content.decode()) == ["广州玻璃制品厂"]
    assert rows_of(client.get("/buying/suppliers/?max_short=10").content.decode()) == ["义乌示例日用品厂"]
    assert rows_of(client.get("/buying/suppliers/?max_short=9.9").content.decode()) == []
    assert rows_of(client.get("/buying/suppliers/?q=玻璃").content.decode()) == ["广州玻璃制品厂"]
    # Globex never listed, asked or ordered from the glass or mug makers, and sees none of Acme's figures
    client.force_login(carol)
    page = client.get("/buying/suppliers/").content.decode()
    assert rows_of(page) == ["义乌示例日用品厂"] and "80.0 %" not in page


@pytest.mark.parametrize("query", [
    "sort=garbage", "sort=-", "sort=--reply_rate", "min_reply=NaN", "min_reply=1e999", "min_on_time=-5",
    "max_short=" + "9" * 400, "min_stock=²", "q=" + "长" * 10_000, "sort=price_drift&min_reply=50.5",
])  # fmt: skip
def test_hostile_query_strings_never_fail(client, alice, history, query):
    client.force_login(alice)
    response = client.get(f"/buying/suppliers/?{query}")
    assert response.status_code == 200


def test_compare_and_exports_carry_the_scorecard(client, alice, kitchen, history, settings):
    settings.SCORECARD_MIN_OBSERVATIONS = 2
    client.force_login(alice)
    ids = list(kitchen.items.order_by("position").values_list("pk", flat=True))
    page = client.get(f"/lists/{kitchen.pk}/compare/?" + "&".join(f"item={i}" for i in ids)).content.decode()
    cells = dict(re.findall(r'<th scope="row" class="rowhead">([^<]+)</th>(.*?)</tr>', page, re.S))
    row = " ".join(re.sub(r"<[^>]+>", " ", cells["Your scorecard"]).split())
    assert "Reply rate: 80.0 % (inquiries sent: 5; 4 answered)" in row
    assert "Reply rate: not enough data (inquiries sent: 1; 1 answered)" in row  # the glass's supplier
    assert "nothing seen yet" in row  # the mug's supplier
    raw = client.get(f"/lists/{kitchen.pk}/export.csv").content.decode("utf-8-sig")
    flask_row, glass_row, mug_row = list(csv.DictReader(io.StringIO(raw)))
    assert (flask_row["Reply rate %"], flask_row["Reply rate %: observations"]) == ("80.0", "5")
    assert (flask_row["Shipped on time %"], flask_row["Short %"], flask_row["Damaged %: observations"]) == (
        "33.3", "10.0", "90")  # fmt: skip
    assert (glass_row["Reply rate %"], glass_row["Reply rate %: observations"]) == ("not enough data", "1")
    assert (mug_row["Stock accuracy %"], mug_row["Stock accuracy %: observations"]) == ("no observations", "0")


def test_the_list_page_reads_no_scorecard(client, alice, kitchen, history, django_assert_max_num_queries):
    """Scorecards are read lazily: a page that never shows them (the list) pays no query for them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(alice)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/lists/{kitchen.pk}/").status_code == 200
    assert not [q for q in captured if "sourcing_pricehistory" in q["sql"] or "sourcing_receipt" in q["sql"]]


def test_the_scorecards_read_in_chinese(client, alice, history, settings):
    flask, glass, _kettle = history
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = text(client.get("/buying/suppliers/"))
    for words in ("供应商评分", "回复率", "按时发货至少（%）", "80.0 %", "已发询价: 5; 4 条已回复", "数据不足"):
        assert words in page, words
    page = text(client.get(f"/suppliers/{flask.supplier.pk}/"))
    assert "本团队的供应商评分" in page and "短缺 10.0 % (订购件数: 100; 短缺 10 件)" in page


def test_orders_1688_refused_for_stock_count_as_stock_misses(client, alice, acme, globex, history):
    """An order placement 1688 refused with 500_004 (its 'not enough stock', as placement stores it) is one more
    observation and one more miss; a refusal for another reason, or another team's, is not."""
    flask = history[0]
    for key, code, team in (("r1", "500_004", acme), ("r2", "500_005", acme), ("r3", "500_004", globex)):
        PurchaseOrder.objects.create(team=team, supplier=flask.supplier, out_order_id=key, error_code=code,
                                     state=PurchaseOrder.State.REFUSED, error_message="库存不足")  # fmt: skip
    assert figures(acme, flask.supplier)["stock_accuracy"] == (D("50.0"), 4)  # 2 of 4 missed (was 2 of 3 kept)
    assert figures(globex, flask.supplier)["stock_accuracy"] == (D("0.0"), 2)
    client.force_login(alice)
    page = text(client.get(f"/suppliers/{flask.supplier_id}/"))
    assert "50.0" in page and "2 refused for stock" in page
