"""Samples as a buyer meets them: ask for a sample from the item's page, mark it ordered, received (with photos),
approve or reject it, and the item's status on the list follows; the sample price from 1688's preview; bad input,
bad files, viewers and other teams refused in words."""

import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from PIL import Image

from sandbox import trade
from sandbox.models import SandboxOffer
from sourcing.lists.models import ListItem
from sourcing.orders.models import PurchaseOrder, PurchaseOrderLine, QuoteLine, QuoteRun, Sample, SamplePhoto
from tests.orders.conftest import body, text
from tests.orders.test_quotes import add, fetched, on_sale, shop  # noqa: F401 - shop is a fixture

pytestmark = pytest.mark.django_db


def picture(kind="PNG", size=(40, 30), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=kind)
    return out.getvalue()


def upload(data: bytes, name="sample.png", content_type="image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def flask_item(kitchen):
    return kitchen.items.get(product__offer_id=800001)


def ask(client, item, **data):
    return client.post(f"/lists/items/{item.pk}/samples/request/", {"quantity": "1", **data})


def test_a_sample_moves_from_request_to_approval_and_the_list_follows(client, alice, kitchen, flask_item):
    client.force_login(alice)
    # the item page loads its sample box, which offers "Order a sample"
    assert "item-samples" in body(client.get(f"/lists/items/{flask_item.pk}/"))
    panel = text(client.get(f"/lists/items/{flask_item.pk}/samples/"))
    assert "No sample of this item yet." in panel and "Order a sample" in panel
    # when alice asks for a sample
    response = ask(client, flask_item, notes="看看保温效果")
    sample = Sample.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/samples/{sample.pk}/"
    # then the item is "sampling" on the list, and the list row links to the sample
    flask_item.refresh_from_db()
    assert flask_item.status == ListItem.Status.SAMPLING
    assert "Sample: Requested" in text(client.get(f"/lists/{kitchen.pk}/"))
    page = text(client.get(f"/samples/{sample.pk}/"))
    assert "看看保温效果" in page and "Mark ordered" in page and "alice" in page
    # a second request while this one is under way is refused in words
    again = ask(client, flask_item)
    assert again.status_code == 400 and "already has a sample under way" in text(again)
    # it can't arrive before it is ordered
    early = client.post(f"/samples/{sample.pk}/received/", {"notes": "到了"})
    assert early.status_code == 400 and "Mark the sample ordered first" in text(early)
    assert client.post(f"/samples/{sample.pk}/decide/", {"decision": "approve"}).status_code == 400
    # ordered outside the portal, by hand
    assert client.post(f"/samples/{sample.pk}/ordered/", {"note": "在1688旺旺下单"}).status_code == 302
    # received with a photo
    photo = picture()
    response = client.post(f"/samples/{sample.pk}/received/", {"notes": "颜色偏暗", "photo": upload(photo)})
    assert response.status_code == 302
    sample.refresh_from_db()
    assert sample.state == Sample.State.RECEIVED
    kept = SamplePhoto.objects.get(sample=sample)
    assert (kept.content_type, kept.width, kept.height) == ("image/png", 40, 30)
    served = client.get(f"/samples/{sample.pk}/photos/{kept.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).size == (40, 30)
    page = text(client.get(f"/samples/{sample.pk}/"))
    assert "颜色偏暗" in page and "在1688旺旺下单" in page and "Approve" in page
    # approved: the item is back on the shortlist
    response = client.post(f"/samples/{sample.pk}/decide/", {"decision": "approve", "notes": "可以下大货"})
    assert response.status_code == 302
    flask_item.refresh_from_db()
    sample.refresh_from_db()
    assert flask_item.status == ListItem.Status.SHORTLISTED and sample.state == Sample.State.APPROVED
    assert [s["state"] for s in sample.timeline] == ["requested", "ordered", "received", "approved"]
    assert "Sample: Approved" in text(client.get(f"/lists/{kitchen.pk}/"))
    # a decided sample stays decided
    twice = client.post(f"/samples/{sample.pk}/decide/", {"decision": "reject"})
    assert twice.status_code == 400 and "already approved" in text(twice)


def test_a_rejected_sample_rejects_the_item_and_a_sample_can_be_given_up(client, alice, kitchen, flask_item):
    client.force_login(alice)
    ask(client, flask_item)
    sample = Sample.objects.get()
    client.post(f"/samples/{sample.pk}/ordered/")
    client.post(f"/samples/{sample.pk}/received/")
    client.post(f"/samples/{sample.pk}/decide/", {"decision": "reject", "notes": "做工粗糙"})
    flask_item.refresh_from_db()
    assert flask_item.status == ListItem.Status.REJECTED
    # a new sample of the same item, given up before it was ordered
    ask(client, flask_item)
    second = Sample.objects.latest("pk")
    assert second.pk != sample.pk
    response = client.post(f"/samples/{second.pk}/decide/", {"decision": "reject"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.state == Sample.State.REJECTED
    bad = client.post(f"/samples/{second.pk}/decide/", {"decision": "maybe"})
    assert bad.status_code == 400


def test_photos_are_checked_pictures_only(client, alice, flask_item, settings):
    client.force_login(alice)
    ask(client, flask_item)
    sample = Sample.objects.get()
    client.post(f"/samples/{sample.pk}/ordered/")
    # a file that is not a picture is refused in words, and nothing moves
    fake = client.post(f"/samples/{sample.pk}/received/", {"photo": upload(b"%PDF-1.4 not a photo", "a.png")})
    assert fake.status_code == 400 and "not a photo the portal can read" in text(fake)
    sample.refresh_from_db()
    assert sample.state == Sample.State.ORDERED and not SamplePhoto.objects.exists()
    # a 6 MB file is refused by its size
    big = client.post(f"/samples/{sample.pk}/received/", {"photo": upload(b"\x89PNG" + b"0" * 6_000_000)})
    assert big.status_code == 400 and "6.0 MB" in text(big) and "5 MB" in text(big)
    # a GIF is a picture, but not one kept for samples
    gif = client.post(f"/samples/{sample.pk}/received/", {"photo": upload(picture("GIF"), "a.gif", "image/gif")})
    assert gif.status_code == 400 and "JPEG, PNG or WebP" in text(gif)
    assert client.post(f"/samples/{sample.pk}/received/").status_code == 302
    # a JPEG added later is re-encoded (no metadata) and served as a JPEG
    jpeg = client.post(f"/samples/{sample.pk}/photos/", {"photo": upload(picture("JPEG"), "a.jpg", "image/jpeg")})
    assert jpeg.status_code == 302
    kept = SamplePhoto.objects.get()
    assert (
        kept.content_type == "image/jpeg"
        and client.get(f"/samples/{sample.pk}/photos/{kept.pk}/")["Content-Type"] == "image/jpeg"
    )
    # and at most SAMPLE_PHOTOS_MAX photos are kept
    settings.SAMPLE_PHOTOS_MAX = 1
    full = client.post(f"/samples/{sample.pk}/photos/", {"photo": upload(picture())})
    assert full.status_code == 400 and "at most 1 photos" in text(full)
    empty = client.post(f"/samples/{sample.pk}/photos/")
    assert empty.status_code == 400 and "Choose a photo" in text(empty)


@pytest.mark.parametrize("quantity", ["NaN", "²", "-1", "0", "1.5", "9" * 40, "1e9", "", "x" * 10_000])
def test_hostile_quantities_are_refused_in_words(client, alice, flask_item, quantity):
    client.force_login(alice)
    response = ask(client, flask_item, quantity=quantity)
    assert response.status_code == 400 and "A sample is 1 to 1000 pieces" in text(response)
    assert not Sample.objects.exists()
    flask_item.refresh_from_db()
    assert flask_item.status != ListItem.Status.SAMPLING


def test_hostile_notes_are_refused_in_words(client, alice, flask_item):
    client.force_login(alice)
    long = ask(client, flask_item, notes="长" * 10_000)
    assert long.status_code == 400 and "4000 characters" in text(long) and not Sample.objects.exists()
    ask(client, flask_item, notes="ok\x07\x1b fine")
    sample = Sample.objects.get()
    assert sample.notes == "ok fine"
    response = client.post(f"/samples/{sample.pk}/ordered/", {"note": "x" * 10_000})
    assert response.status_code == 400 and "1000 characters" in text(response)
    sample.refresh_from_db()
    assert sample.state == Sample.State.REQUESTED
    bad_order = client.post(f"/samples/{sample.pk}/ordered/", {"order": "NaN"})
    assert bad_order.status_code == 400 and "purchase orders" in text(bad_order)


def test_viewers_read_but_get_403_on_writes_and_other_teams_get_404(client, alice, dave, carol, flask_item):
    client.force_login(alice)
    ask(client, flask_item)
    sample = Sample.objects.get()
    client.post(f"/samples/{sample.pk}/ordered/")
    client.post(f"/samples/{sample.pk}/received/", {"photo": upload(picture())})
    photo = SamplePhoto.objects.get()
    writes = [f"/samples/{sample.pk}/{step}/" for step in ("quote", "ordered", "received", "decide", "photos")]
    # dave, a viewer, reads the sample but changes nothing
    client.force_login(dave)
    page = text(client.get(f"/samples/{sample.pk}/"))
    assert "You can follow this sample" in page and "Approve" not in page
    assert client.get(f"/samples/{sample.pk}/photos/{photo.pk}/").status_code == 200
    for url in writes:
        assert client.post(url, {"decision": "approve"}).status_code == 403, url
    refused = ask(client, flask_item)
    assert refused.status_code == 403 and "Viewers can follow samples" in text(refused)
    assert "Order a sample" not in text(client.get(f"/lists/items/{flask_item.pk}/samples/"))
    sample.refresh_from_db()
    assert sample.state == Sample.State.RECEIVED and SamplePhoto.objects.count() == 1
    # carol, in another team, finds nothing at all
    client.force_login(carol)
    for url in [f"/samples/{sample.pk}/", f"/samples/{sample.pk}/photos/{photo.pk}/",
                f"/lists/items/{flask_item.pk}/samples/"]:  # fmt: skip
        assert client.get(url).status_code == 404, url
    for url in [*writes, f"/lists/items/{flask_item.pk}/samples/request/"]:
        assert client.post(url, {"decision": "reject"}).status_code == 404, url


def test_marked_ordered_with_a_sample_purchase_order_takes_its_price(client, alice, acme, globex, flask_item):
    client.force_login(alice)
    ask(client, flask_item)
    sample = Sample.objects.get()
    order = PurchaseOrder.objects.create(team=acme, kind=PurchaseOrder.Kind.SAMPLE, supplier_name="义乌样品",
                                         out_order_id="sample-po-1", state=PurchaseOrder.State.PLACED)  # fmt: skip
    PurchaseOrderLine.objects.create(order=order, list_item=flask_item, product=flask_item.product, quantity=1,
                                     unit_price=Decimal("17.40"), amount=Decimal("17.40"))  # fmt: skip
    theirs = PurchaseOrder.objects.create(team=globex, kind=PurchaseOrder.Kind.SAMPLE, out_order_id="globex-po")
    assert "义乌样品" in text(client.get(f"/samples/{sample.pk}/"))
    refused = client.post(f"/samples/{sample.pk}/ordered/", {"order": theirs.pk})
    assert refused.status_code == 400
    assert client.post(f"/samples/{sample.pk}/ordered/", {"order": order.pk}).status_code == 302
    sample.refresh_from_db()
    assert (sample.state, sample.purchase_order_id, sample.sample_price) == ("ordered", order.pk, Decimal("17.40"))
    page = text(client.get(f"/samples/{sample.pk}/"))
    assert "¥17.40" in page and "Receive" in page


def test_placing_a_sample_order_marks_its_requested_samples_ordered(alice, acme, kitchen, flask_item):
    from sourcing.orders.services import samples as sample_services

    sample = sample_services.sample_request(actor=alice, item=flask_item)
    glass = kitchen.items.get(product__offer_id=800002)
    given_up = sample_services.sample_request(actor=alice, item=glass)
    sample_services.sample_decide(actor=alice, sample=given_up, approved=False)
    order = PurchaseOrder.objects.create(team=acme, kind=PurchaseOrder.Kind.SAMPLE, out_order_id="sample-po-2",
                                         state=PurchaseOrder.State.PLACED)  # fmt: skip
    for item in (flask_item, glass):
        PurchaseOrderLine.objects.create(order=order, list_item=item, product=item.product, quantity=1,
                                         unit_price=Decimal("18.00"), amount=Decimal("18.00"))  # fmt: skip
    assert sample_services.samples_ordered_with(actor=alice, order=order) == 1
    sample.refresh_from_db()
    given_up.refresh_from_db()
    assert (sample.state, sample.purchase_order_id, sample.sample_price) == ("ordered", order.pk, Decimal("18.00"))
    assert given_up.state == "rejected"
    assert sample_services.samples_ordered_with(actor=alice, order=order) == 0  # a second call changes nothing


@pytest.mark.django_db(transaction=True)
def test_the_sample_price_is_1688s_preview_of_one_piece_kept_apart_from_the_list(client, alice, acme, yiwu, shop):  # noqa: F811
    client.force_login(alice)
    offer = next(o for o in SandboxOffer.objects.order_by("offer_id")
                 if trade.supports_samples(o) and o.min_order_quantity > 1 and o in on_sale(o.supplier))  # fmt: skip
    product = fetched(alice, offer)
    from sourcing.lists import services as list_services

    product_list = list_services.list_create(actor=alice, team=acme, name="Samples first")
    item = add(alice, product_list, product)
    # the list is quoted at its quantity first
    client.post(f"/lists/{product_list.pk}/quotes/start/")
    listed = QuoteLine.objects.get(list_item=item, is_current=True)
    ask(client, item)
    sample = Sample.objects.get()
    # while a quote of the whole list is under way, the sample price waits its turn
    busy = QuoteRun.objects.create(team=acme, product_list=product_list, address=yiwu, requested_by=alice)
    refused = client.post(f"/samples/{sample.pk}/quote/")
    assert refused.status_code == 400 and "still quoting this list" in text(refused)
    busy.delete()
    # when alice asks 1688 for the sample price
    response = client.post(f"/samples/{sample.pk}/quote/")
    assert response.status_code == 302
    run = QuoteRun.objects.latest("pk")
    assert run.sample and run.state == "done" and run.item_ids == [item.pk]
    # then one piece was previewed, at the sample price, MOQ waived, kept apart from the list's current line
    line = QuoteLine.objects.get(quote__run=run)
    option = next(o for o in trade.options(offer) if o.spec_id == item.sku.spec_id)
    expected = (trade.unit_price(offer, option, 1) * Decimal("1.2")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert (line.quantity, line.unit_price, line.orderable, line.is_current) == (1, expected, True, False)
    assert QuoteLine.objects.get(list_item=item, is_current=True) == listed
    page = text(client.get(f"/samples/{sample.pk}/"))
    assert f"¥{expected}" in page and "样品价" in page
    # asked again the same day: the same quote, no second call
    client.post(f"/samples/{sample.pk}/quote/")
    assert QuoteRun.objects.latest("pk").reused == 1
    # marked ordered by hand, the sample keeps 1688's sample price
    client.post(f"/samples/{sample.pk}/ordered/")
    sample.refresh_from_db()
    assert sample.sample_price == expected


def test_samples_and_receiving_read_in_chinese(client, alice, acme, kitchen, flask_item):
    client.force_login(alice)
    client.cookies["django_language"] = "zh-hans"
    assert "订购样品" in text(client.get(f"/lists/items/{flask_item.pk}/samples/"))
    ask(client, flask_item)
    sample = Sample.objects.get()
    page = text(client.get(f"/samples/{sample.pk}/"))
    assert "时间线" in page and "标记为已下单" in page and "向 1688 询问样品价" in page
    early = client.post(f"/samples/{sample.pk}/received/")
    assert "请先将样品标记为已下单" in text(early)
    assert "样品：已申请" in text(client.get(f"/lists/{kitchen.pk}/"))
    order = PurchaseOrder.objects.create(team=acme, out_order_id="po-zh", state=PurchaseOrder.State.SHIPPED)
    PurchaseOrderLine.objects.create(order=order, product=flask_item.product, quantity=5, unit_price=Decimal("1"),
                                     amount=Decimal("5"))  # fmt: skip
    page = text(client.get(f"/orders/{order.pk}/receive/"))
    assert "记录本次到货" in page and "累计已收" in page


def test_the_sample_page_drafts_the_sample_order_and_placing_it_orders_the_sample(client, alice, acme, yiwu, shop):  # noqa: F811
    # given alice's sample of an offer that sells samples, and 1688's price of one piece of it
    from sourcing.lists import services as list_services
    from sourcing.orders.models import PurchaseOrder
    from sourcing.orders.services import purchase

    client.force_login(alice)
    offer = next(o for o in SandboxOffer.objects.order_by("offer_id")
                 if trade.supports_samples(o) and o in on_sale(o.supplier))  # fmt: skip
    product_list = list_services.list_create(actor=alice, team=acme, name="Samples to order")
    item = add(alice, product_list, fetched(alice, offer))
    ask(client, item)
    sample = Sample.objects.get()
    assert client.post(f"/samples/{sample.pk}/quote/").status_code == 302
    sample_quote = QuoteLine.objects.get(quote__run__sample=True).quote
    # when she drafts the order from the sample's page and submits it (an owner's order is placed at once)
    page = text(client.get(f"/samples/{sample.pk}/"))
    assert "Draft the sample order" in page
    response = client.post(f"/lists/{product_list.pk}/quotes/order/", {"quote": sample_quote.pk})
    order = PurchaseOrder.objects.get(quote=sample_quote)
    assert response.status_code == 302 and order.kind == PurchaseOrder.Kind.SAMPLE
    assert [(x.quantity, x.unit_price) for x in order.lines.all()] == [(1, sample_quote.lines.get().unit_price)]
    purchase.order_submit(actor=alice, order=order)
    # then the order is placed on 1688 and the sample is ordered with it, its timeline naming the order
    sample.refresh_from_db()
    assert PurchaseOrder.objects.get(pk=order.pk).state == PurchaseOrder.State.PLACED
    assert (sample.state, sample.purchase_order_id) == (Sample.State.ORDERED, order.pk)
    assert str(order.pk) in sample.timeline[-1]["note"]
    assert "Draft the sample order" not in text(client.get(f"/samples/{sample.pk}/"))
