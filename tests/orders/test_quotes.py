"""Verified quotes over HTTP to the sandbox: one order preview per supplier group, today's unchanged groups cost
no call unless asked, the quoted prices beside the listed ones on the list, compare and both exports, why 1688
would not take an order, drift alerts, the daily re-quote of "ordering" lists, and errors in plain words with
nothing half-written."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from sandbox import trade
from sandbox.catalog import is_sold_out
from sandbox.models import SandboxApp, SandboxOffer, SandboxSupplier, SandboxUsage
from sourcing.alerts.models import Notification
from sourcing.alibaba import api
from sourcing.catalog.models import Product
from sourcing.catalog.services import offers as catalog_offers
from sourcing.catalog.templatetags.catalog import unit_short
from sourcing.connections.models import ApiCallLog, ApiUsage, AppCredential
from sourcing.connections.services.gateway import gateway_call
from sourcing.lists import services as list_services
from sourcing.lists.models import ListItem
from sourcing.orders.models import Quote, QuoteLine, QuoteRun, QuoteWatch
from sourcing.orders.services import quotes as quote_services
from tests.conftest import _make_user
from tests.orders.conftest import text
from tests.portal_fixtures import APP_KEY

pytestmark = pytest.mark.django_db(transaction=True)
PREVIEW = api.ORDER_PREVIEW.id


@pytest.fixture
def shop(connected, catalog, settings):
    """alice's credential connected to the live server's sandbox (240 offers, answers as sparse as live 1688's),
    prices holding still."""
    settings.SANDBOX_DRIFT_SECONDS = 10**9
    settings.SANDBOX_ANSWER_PROFILE = "sparse"
    assert SandboxApp.objects.get(app_key=APP_KEY).answer_profile in ("", "sparse")
    return connected


def on_sale(supplier):
    return [o for o in supplier.offers.order_by("offer_id") if not is_sold_out(o) and o.sku_axes]


def fetched(alice, offer) -> Product:
    catalog_offers.product_fetch_start(user=alice, offer_id=str(offer.offer_id))
    return Product.objects.get(offer_id=offer.offer_id)


def add(alice, product_list, product, quantity=None):
    """The product's option with the most stock, at its minimum order (or `quantity`)."""
    sku = max(product.skus.exclude(spec_id=""), key=lambda s: s.stock or 0)
    quantity = quantity or product.moq or 1
    assert sku.stock >= quantity
    item, _created = list_services.item_add(actor=alice, product_list=product_list, product=product, sku=sku,
                                            target_quantity=quantity)  # fmt: skip
    return item


@pytest.fixture
def order_list(shop, alice, acme, yiwu):
    """Acme's list "Autumn order": two offers of one seller (their MOQs met) and one of another."""
    pair = next(s for s in SandboxSupplier.objects.order_by("pk") if len(on_sale(s)) >= 2)
    single = next(s for s in SandboxSupplier.objects.order_by("pk") if s != pair and on_sale(s))
    a1, a2 = (fetched(alice, o) for o in on_sale(pair)[:2])
    b1 = fetched(alice, on_sale(single)[0])
    assert a1.supplier_id and a1.supplier_id == a2.supplier_id != b1.supplier_id
    product_list = list_services.list_create(actor=alice, team=acme, name="Autumn order")
    for product in (a1, a2, b1):
        add(alice, product_list, product)
    return product_list


def previews() -> int:
    return ApiCallLog.objects.filter(api=PREVIEW, outcome=ApiCallLog.Outcome.OK).count()


def sandbox_calls() -> int:
    return sum(SandboxUsage.objects.filter(app__app_key=APP_KEY).values_list("calls", flat=True))


def quote(client, product_list, **data):
    return client.post(f"/lists/{product_list.pk}/quotes/start/", data)


def test_one_preview_per_supplier_group_and_none_for_an_unchanged_list_today(client, alice, order_list, yiwu):
    client.force_login(alice)
    calls_before = sandbox_calls()
    # when alice quotes the list to the team's default address
    response = quote(client, order_list)
    assert response.status_code == 302
    run = QuoteRun.objects.get()
    # then the worker asked 1688 once per supplier: two groups, two previews, two calls at the sandbox
    assert (run.state, run.groups_total, run.groups_done, run.calls, run.reused) == ("done", 2, 2, 2, 0)
    assert previews() == 2 and sandbox_calls() - calls_before == 2
    assert run.message == "Quoted 2 supplier groups: 2 order previews asked of 1688."
    assert Quote.objects.count() == 2 and QuoteLine.objects.filter(is_current=True).count() == 3
    # re-quoting the unchanged list the same day costs nothing
    quote(client, order_list)
    again = QuoteRun.objects.latest("pk")
    assert (again.state, again.calls, again.reused) == ("done", 0, 2) and previews() == 2
    assert sandbox_calls() - calls_before == 2
    # unless alice asks again
    quote(client, order_list, again="1")
    assert QuoteRun.objects.latest("pk").calls == 2 and previews() == 4
    # a changed quantity costs one call: only its supplier's group
    item = order_list.items.order_by("position").first()
    ListItem.objects.filter(pk=item.pk).update(target_quantity=item.target_quantity + 1)
    quote(client, order_list)
    changed = QuoteRun.objects.latest("pk")
    assert (changed.calls, changed.reused) == (1, 1) and previews() == 5
    # a second delivery of a finished run's task does nothing
    assert quote_services.quote_run_execute(run_id=changed.pk) is None and previews() == 5
    # the ticked items only: one item of the second supplier, quoted earlier today: no call
    last = order_list.items.order_by("position").last()
    quote(client, order_list, item=[last.pk])
    ticked = QuoteRun.objects.latest("pk")
    assert (ticked.groups_total, ticked.calls, ticked.reused) == (1, 0, 1)


def test_quoted_prices_beside_the_listed_ones_everywhere(client, alice, order_list, yiwu, shop):
    client.force_login(alice)
    quote(client, order_list)
    item = order_list.items.order_by("position").first()
    line = QuoteLine.objects.get(list_item=item, is_current=True)
    # the stored price is 1688's own: the same preview, asked directly, says the same
    cargo = api.CargoLine(str(item.product.offer_id), item.sku.spec_id, item.target_quantity)
    others = [api.CargoLine(str(i.product.offer_id), i.sku.spec_id, i.target_quantity)
              for i in order_list.items.filter(product__supplier_id=item.product.supplier_id).exclude(pk=item.pk)]  # fmt: skip
    direct = gateway_call(credential=shop, fn=lambda c, t: api.order_preview(
        c, t, quote_services.ship_to(yiwu), [cargo, *others]))  # fmt: skip
    assert line.unit_price == direct.line(cargo.offer_id, cargo.spec_id).unit_price
    assert line.quote.freight == direct.freight and line.quote.total == direct.total and line.quote.orderable
    price = f"¥{line.unit_price:,}"
    # the list page: the listed price and, beside it, 1688's, with its age
    page = text(client.get(f"/lists/{order_list.pk}/"))
    assert f"1688 quote {price} × {item.target_quantity:,} {unit_short(item.product)}, just now" in page
    # the panel the list page loads, and the quotes page
    assert "Quoted 2 supplier groups" in text(client.get(f"/lists/{order_list.pk}/quotes/panel/"))
    quotes_page = text(client.get(f"/lists/{order_list.pk}/quotes/"))
    assert "1688 would take this order." in quotes_page and price in quotes_page and "义乌市" in quotes_page
    # compare
    compared = text(client.get(f"/lists/{order_list.pk}/compare/"))
    assert (
        f"{price} × {item.target_quantity:,} {unit_short(item.product)}" in compared and "quoted just now" in compared
    )
    # CSV and Excel
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/lists/{order_list.pk}/export.csv").content.decode("utf-8-sig")))
    )
    assert rows[0]["1688 quoted unit price (CNY)"] == str(line.unit_price)
    assert rows[0]["1688 would take the order"] == "yes" and rows[0]["1688 quoted at"]
    sheet = load_workbook(io.BytesIO(client.get(f"/lists/{order_list.pk}/export.xlsx").content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert (
        Decimal(str(sheet.cell(row=2, column=header.index("1688 quoted unit price (CNY)") + 1).value))
        == line.unit_price
    )


def test_why_1688_would_not_take_an_order(client, alice, acme, shop, yiwu):
    strict = next(s for s in SandboxSupplier.objects.order_by("pk")
                  if not trade.mix_setting(s).allowed and any(o.min_order_quantity > 1 for o in on_sale(s)))  # fmt: skip
    offer = next(o for o in on_sale(strict) if o.min_order_quantity > 1)
    product = fetched(alice, offer)
    product_list = list_services.list_create(actor=alice, team=acme, name="Too few")
    item = add(alice, product_list, product, quantity=offer.min_order_quantity - 1)
    # an item whose offer has options but names none is not sent, and says why
    other = fetched(alice, next(o for o in SandboxOffer.objects.order_by("offer_id")
                                if o.sku_axes and not is_sold_out(o) and o.supplier != strict))  # fmt: skip
    list_services.item_add(actor=alice, product_list=product_list, product=other, target_quantity=5)
    client.force_login(alice)
    quote(client, product_list)
    run = QuoteRun.objects.get()
    assert (run.state, run.calls) == ("done", 1)
    line = QuoteLine.objects.get(list_item=item)
    assert not line.orderable and line.reasons == ["moq"] and not line.quote.orderable
    page = text(client.get(f"/lists/{product_list.pk}/"))
    assert "1688 would not take it: below the minimum order" in page
    assert "1688 would not take it: no option chosen" in page
    quotes_page = text(client.get(f"/lists/{product_list.pk}/quotes/"))
    assert "Not sent to 1688: choose the items' options first." in quotes_page


def test_a_drift_past_the_threshold_raises_an_alert(client, alice, order_list, yiwu, settings):
    client.force_login(alice)
    assert client.post(f"/lists/{order_list.pk}/quotes/settings/", {"drift_percent": "5"}).status_code == 302
    quote(client, order_list)
    item = order_list.items.order_by("position").first()
    before = QuoteLine.objects.get(list_item=item, is_current=True).unit_price
    # the seller raises the offer's price by a fifth
    offer = SandboxOffer.objects.get(offer_id=item.product.offer_id)
    SandboxOffer.objects.filter(pk=offer.pk).update(base_price=offer.base_price * Decimal("1.2"))
    quote(client, order_list, again="1")
    after = QuoteLine.objects.get(list_item=item, is_current=True).unit_price
    assert after > before * Decimal("1.05")
    note = Notification.objects.get(user=alice)
    assert "moved +" in note.text and "Autumn order" in note.text and note.path == f"/lists/{order_list.pk}/quotes/"
    # the notification leads to the list's quotes
    assert client.get(f"/notifications/{note.pk}/")["Location"] == f"/lists/{order_list.pk}/quotes/"
    # asking again at the same prices moves nothing: no second alert
    quote(client, order_list, again="1")
    assert Notification.objects.count() == 1


def test_ordering_lists_are_requoted_daily_at_no_cost_when_unchanged(client, alice, order_list, yiwu):
    client.force_login(alice)
    client.post(f"/lists/{order_list.pk}/quotes/settings/", {"ordering": "on", "drift_percent": "5"})
    assert QuoteWatch.objects.get(product_list=order_list).ordering
    # beat: one run for the list, one preview per supplier
    assert quote_services.quotes_requote_due() == 1
    run = QuoteRun.objects.get()
    assert (run.trigger, run.state, run.calls) == ("background", "done", 2)
    # a second beat the same 1688 day queues nothing
    assert quote_services.quotes_requote_due() == 0
    # a person quoting the unchanged list the same day spends nothing either
    quote(client, order_list)
    assert QuoteRun.objects.latest("pk").calls == 0 and previews() == 2
    # the next day's beat asks 1688 again (yesterday's quotes are yesterday's)
    QuoteWatch.objects.update(requoted_on=run.created_at.date() - timedelta(days=1))
    Quote.objects.update(day=run.created_at.date() - timedelta(days=1))
    assert quote_services.quotes_requote_due() == 1 and previews() == 4


def test_refusals_are_plain_words_and_write_no_quote(client, alice, bob, acme, order_list, yiwu, shop, carol):
    dave = _make_user("dave", acme, "viewer")
    # a viewer can read the quotes but not ask for them
    client.force_login(dave)
    assert client.get(f"/lists/{order_list.pk}/quotes/").status_code == 200
    refused = quote(client, order_list)
    assert refused.status_code == 403 and "Viewers can read the team's quotes" in text(refused)
    assert (
        client.post(f"/lists/{order_list.pk}/quotes/settings/", {"ordering": "on", "drift_percent": "5"}).status_code
        == 403
    )
    # bob has no credential of his own and alice's is not shared with the team
    client.force_login(bob)
    refused = quote(client, order_list)
    assert refused.status_code == 400 and "No 1688 credential is set up" in text(refused)
    # bad input
    client.force_login(alice)
    assert quote(client, order_list, address="x").status_code == 400
    assert quote(client, order_list, item=["²"]).status_code == 400
    assert client.post(f"/lists/{order_list.pk}/quotes/settings/", {"drift_percent": "1e9"}).status_code == 400
    # one preview left in today's quota: the first supplier is quoted whole, then the run stops in words (the
    # permission probe after connecting spent one already: the preview is in the permission list)
    spent = ApiUsage.objects.filter(credential=shop, api=PREVIEW).values_list("calls", flat=True).first() or 0
    AppCredential.objects.filter(pk=shop.pk).update(daily_quota=spent + 1)
    quote(client, order_list)
    run = QuoteRun.objects.latest("pk")
    assert run.state == "failed" and "quota" in run.message and run.groups_done == 1
    kept = Quote.objects.get()
    assert kept.lines.count() == order_list.items.filter(product__supplier_id=kept.supplier_id).count()
    page = text(client.get(f"/lists/{order_list.pk}/quotes/"))
    assert "Couldn’t quote this list with 1688" in page and "1 supplier group was quoted before that" in page
    # permission denied by 1688
    AppCredential.objects.filter(pk=shop.pk).update(daily_quota=1000)
    app = SandboxApp.objects.get(app_key=APP_KEY)
    app.grant_all, app.grants = False, [api.PRODUCT_DETAIL.id]
    app.save(update_fields=["grant_all", "grants"])
    quote(client, order_list)
    run = QuoteRun.objects.latest("pk")
    assert run.state == "failed" and "API permission denied" in run.message
    assert (run.reused, Quote.objects.count()) == (1, 1)  # the first supplier's quote of today served again
    # carol sees none of it
    client.force_login(carol)
    for path in ("", "panel/", f"runs/{run.pk}/"):
        assert client.get(f"/lists/{order_list.pk}/quotes/{path}").status_code == 404
    for path in ("start/", "settings/"):
        assert client.post(f"/lists/{order_list.pk}/quotes/{path}", {"drift_percent": "5"}).status_code == 404


@pytest.mark.parametrize("fault", ["fault_timeout", "fault_malformed", "fault_5xx"])
def test_transient_faults_retry_then_fail_in_words_keeping_whole_quotes_only(alice, order_list, yiwu, settings,
                                                                             fault):  # fmt: skip
    settings.ALIBABA_READ_TIMEOUT = 1
    app = SandboxApp.objects.get(app_key=APP_KEY)
    setattr(app, fault, 1.0)
    if fault == "fault_timeout":
        app.timeout_delay = 3
    app.save()
    run = QuoteRun.objects.create(team=order_list.team, product_list=order_list, address=yiwu, requested_by=alice,
                                  credential=AppCredential.objects.get(owner=alice))  # fmt: skip
    from sourcing.alibaba import errors

    with pytest.raises(errors.TransientError) as raised:
        quote_services.quote_run_execute(run_id=run.pk)
    quote_services.run_give_up(run_id=run.pk, error=raised.value)
    run.refresh_from_db()
    assert run.state == "failed" and run.message.startswith("1688 did not answer properly (")
    assert Quote.objects.count() == 0 and QuoteLine.objects.count() == 0


def test_one_live_run_per_list_and_a_few_per_team(client, alice, acme, order_list, yiwu, settings):
    settings.TEAM_JOBS_IN_FLIGHT = 2
    # given a run of the list waiting for a worker (a double click queues nothing more)
    first = QuoteRun.objects.create(team=acme, product_list=order_list, address=yiwu, requested_by=alice,
                                    credential=AppCredential.objects.get(owner=alice))  # fmt: skip
    assert quote_services.quote_start(actor=alice, product_list=order_list) == first
    # two runs of the team's lists in flight: a third list waits its turn, in words
    other = list_services.list_create(actor=alice, team=acme, name="Winter order")
    for item in order_list.items.all():
        list_services.item_add(actor=alice, product_list=other, product=item.product, sku=item.sku,
                               target_quantity=item.target_quantity)  # fmt: skip
    QuoteRun.objects.create(team=acme, product_list=other, address=yiwu, requested_by=alice)
    third = list_services.list_create(actor=alice, team=acme, name="Spare order")
    list_services.item_add(actor=alice, product_list=third, product=order_list.items.first().product)
    client.force_login(alice)
    refused = quote(client, third)
    assert refused.status_code == 400 and "Your team already has 2 quotes running with 1688" in text(refused)
    assert QuoteRun.objects.count() == 2 and previews() == 0


def test_1688_refusing_a_whole_group_is_kept_as_a_refused_quote(client, alice, order_list, yiwu):
    # given 1688 no longer knows the option of one item (the seller re-made the offer's options)
    item = order_list.items.order_by("position").last()
    type(item.sku).objects.filter(pk=item.sku_id).update(spec_id="gone-option")
    client.force_login(alice)
    quote(client, order_list)
    run = QuoteRun.objects.get()
    # then the run ends, the other supplier is quoted, and this one says why in words
    assert (run.state, run.calls) == ("done", 2)
    refused = Quote.objects.get(lines__list_item=item)
    assert not refused.orderable and refused.error_code == "500_003" and refused.total is None
    assert QuoteLine.objects.get(list_item=item).reasons == ["unknown_option"]
    assert "1688 would not take it: 1688 no longer has this option" in text(client.get(f"/lists/{order_list.pk}/"))
    assert Quote.objects.exclude(pk=refused.pk).get().orderable


def test_the_quote_pages_read_in_chinese(client, alice, order_list, yiwu):
    client.force_login(alice)
    client.cookies["django_language"] = "zh-hans"
    quote(client, order_list)
    page = text(client.get(f"/lists/{order_list.pk}/quotes/"))
    assert "1688 接受此订单。" in page and "已核价 2 个供应商分组：向 1688 发起了 2 次订单预览。" in page
    assert "采购设置" in page and "核价单价" in page
    assert "1688 核价 ¥" in text(client.get(f"/lists/{order_list.pk}/"))
    assert "向 1688 核价" in text(client.get(f"/lists/{order_list.pk}/quotes/panel/"))


def test_a_supplier_group_holds_at_most_50_options():
    from sourcing.catalog.models import Supplier

    supplier = Supplier(pk=1, company_name="义乌示例日用品厂")
    lines = [quote_services.Line(item=ListItem(pk=i), product=Product(pk=i, offer_id=700000 + i, supplier=supplier),
                                 sku=None, spec_id=f"s{i}", quantity=1, listed_unit_price=None) for i in range(1, 52)]  # fmt: skip
    alone = quote_services.Line(item=ListItem(pk=99), product=Product(pk=99, offer_id=799999), sku=None, spec_id="",
                                quantity=1, listed_unit_price=None)  # fmt: skip
    groups = quote_services._groups([*lines, alone])
    assert [len(g.lines) for g in groups] == [50, 1, 1]
    assert [g.supplier_name for g in groups] == ["义乌示例日用品厂", "义乌示例日用品厂", ""]


def test_the_daily_requote_address_is_a_setting_and_an_empty_list_offers_no_quote(client, alice, acme, order_list,
                                                                                  yiwu):  # fmt: skip
    from sourcing.lists import services as list_services
    from sourcing.orders.models import QuoteWatch
    from sourcing.orders.services import addresses as address_services
    from tests.orders.conftest import YIWU

    guangzhou = address_services.address_create(actor=alice, team=acme, **{**YIWU, "label": "广州仓", "province": "广东省",
                                                                          "city": "广州市", "district": "白云区"})  # fmt: skip
    client.force_login(alice)
    # the buying settings pick where the daily re-quote prices to; another team's address is refused in words
    page = client.get(f"/lists/{order_list.pk}/quotes/").content.decode()
    assert "广州仓" in page and "Re-quote to" in page
    saved = client.post(f"/lists/{order_list.pk}/quotes/settings/",
                        {"ordering": "on", "drift_percent": "5", "address": guangzhou.pk})  # fmt: skip
    assert saved.status_code == 302
    assert QuoteWatch.objects.get(product_list=order_list).address == guangzhou
    refused = client.post(f"/lists/{order_list.pk}/quotes/settings/",
                          {"ordering": "on", "drift_percent": "5", "address": 10**6})  # fmt: skip
    assert refused.status_code == 400 and "Pick one of your team" in refused.content.decode()
    assert QuoteWatch.objects.get(product_list=order_list).address == guangzhou
    # an empty list's quote box says to add offers instead of offering a quote
    empty = list_services.list_create(actor=alice, team=acme, name="Empty for now")
    panel = client.get(f"/lists/{empty.pk}/quotes/panel/").content.decode()
    assert "Add offers to the list first" in panel and "Quote with 1688" not in panel


def test_a_price_a_supplier_answered_in_chat_shows_beside_1688s_quote(client, alice, order_list, yiwu):
    from sourcing.inquiries import services as inquiry_services

    client.force_login(alice)
    quote(client, order_list)
    item = order_list.items.order_by("position").first()
    # given a request to the item's supplier, answered with a price at the quantity
    sent = inquiry_services.request_send(actor=alice, team=order_list.team, offers=[(item.product, item.sku)],
                                         quantity=item.target_quantity, questions=["price"])  # fmt: skip
    inquiry = sent.inquiries.get()
    inquiry_services.inquiry_mark_sent(actor=alice, inquiry=inquiry)
    inquiry_services.inquiry_log_reply(actor=alice, inquiry=inquiry, quoted_price=Decimal("3.21"))
    # then the quotes page shows it beside 1688's quoted price, linking the inquiry
    page = client.get(f"/lists/{order_list.pk}/quotes/").content.decode()
    assert f"quoted ¥3.21 at {item.target_quantity:,}" in text_of(page) and f"/inquiries/{inquiry.pk}/" in page


def text_of(html: str) -> str:
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
