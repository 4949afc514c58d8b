"""Purchase orders over HTTP to the sandbox: a draft from a verified quote, the team's approval threshold by role,
placing once however often it is approved, amounts from the quote whatever a form posts, paying on the sandbox's
cashier, status, trace and timeline kept current (each step once), cancelling while unpaid (not after paying),
hostile input in words, viewers 403 and other teams 404."""

from datetime import datetime
from decimal import Decimal

import pytest
import requests
from django.utils import timezone

from sandbox import trade
from sandbox.models import SandboxApp, SandboxOrder
from sourcing.accounts.models import Membership
from sourcing.alibaba import api, errors
from sourcing.connections.models import AppCredential
from sourcing.connections.services.credentials import credential_update
from sourcing.connections.services.gateway import gateway_call
from sourcing.orders.models import BuyingPolicy, OrderEvent, PurchaseOrder, Quote, Sample
from sourcing.orders.services import placement, purchase
from sourcing.orders.services.addresses import BuyingError, BuyingForbidden
from tests.conftest import _make_user, run_in_threads
from tests.orders.conftest import text
from tests.orders.test_quotes import order_list, quote, shop  # noqa: F401 - fixtures and helpers

pytestmark = pytest.mark.django_db(transaction=True)
State = PurchaseOrder.State


@pytest.fixture
def quoted(client, alice, acme, order_list, settings):  # noqa: F811 - the fixture imported above
    """Acme's list quoted by alice with 1688 (alice's app shared with the team), orders cancellable at once."""
    settings.SANDBOX_CANCEL_MIN_AGE_SECONDS = 0
    settings.ORDER_SYNC_FRESH_SECONDS = 0
    credential = AppCredential.objects.get(owner=alice)
    credential_update(credential=credential, user=alice, shared_with_team=acme)
    client.force_login(alice)
    assert quote(client, order_list).status_code == 302
    orderable = Quote.objects.filter(product_list=order_list, orderable=True).order_by("pk")
    assert orderable.count() == 2
    return orderable


@pytest.fixture
def autumn(order_list):  # noqa: F811 - the fixture imported above
    """The quoted list ("Autumn order")."""
    return order_list


def draft(client, product_list, q, **data):
    return client.post(f"/lists/{product_list.pk}/quotes/order/", {"quote": q.pk, **data})


def sandbox_orders(order: PurchaseOrder):
    return SandboxOrder.objects.filter(out_order_id=order.out_order_id)


def pay(order: PurchaseOrder) -> None:
    """Pay on the sandbox's cashier page, as the buyer's browser would."""
    assert order.pay_url.startswith("http")
    assert requests.get(order.pay_url, timeout=10).status_code == 200
    assert requests.post(order.pay_url, timeout=10).status_code == 200


def status(client, order):
    """The order page's poll (a POST: it may ask 1688)."""
    response = client.post(f"/orders/{order.pk}/status/")
    assert response.status_code == 200
    order.refresh_from_db()
    return text(response)


def test_a_buyer_drafts_submits_within_the_limit_pays_and_follows_the_parcel(client, alice, bob, acme, autumn,
                                                                            quoted, settings):  # fmt: skip
    q = quoted.first()
    BuyingPolicy.objects.create(team=acme, approval_above=q.total + 1)
    # given bob, a buyer, on the list's quotes page: a "Draft an order" button per quote 1688 would take
    client.force_login(bob)
    page = text(client.get(f"/lists/{autumn.pk}/quotes/"))
    assert page.count("Draft an order") == 2
    # when he drafts from the first quote (a double click makes one draft)
    response = draft(client, autumn, q)
    assert draft(client, autumn, q)["Location"] == response["Location"]
    order = PurchaseOrder.objects.get()
    assert response["Location"] == f"/orders/{order.pk}/"
    # then the draft holds the quote's lines, quantities and prices, and its amounts
    lines = list(q.lines.order_by("pk"))
    assert [(x.product_id, x.spec_id, x.quantity, x.unit_price) for x in order.lines.order_by("pk")] == [
        (x.product_id, x.spec_id, x.quantity, x.unit_price) for x in lines]  # fmt: skip
    assert (order.goods, order.freight, order.total, order.state) == (q.goods, q.freight, q.total, State.DRAFT)
    assert order.out_order_id.startswith(f"po-{acme.pk}-") and order.address_id == q.address_id
    page = text(client.get(f"/orders/{order.pk}/"))
    assert "Place the order" in page and f"¥{q.total:,}" in page
    # he writes to the seller and submits: within the limit it is placed on 1688 without approval
    assert client.post(f"/orders/{order.pk}/", {"message": "请尽快发货", "address": q.address_id}).status_code == 302
    assert client.post(f"/orders/{order.pk}/submit/").status_code == 302
    order.refresh_from_db()
    assert order.state == State.PLACED and order.place_attempts == 1 and order.approved_by == bob
    made = sandbox_orders(order).get()
    assert str(made.order_id) == order.alibaba_order_id and made.message == "请尽快发货"
    assert order.placed_total == Decimal(made.total_fen) / 100 == q.total  # 1688 charged what it quoted
    assert order.pay_url  # the first status read fetched the payment link
    assert "Pay on 1688" in text(client.get(f"/orders/{order.pk}/"))
    # when he pays on 1688's cashier, the next read of the order says paid
    pay(order)
    assert "Paid" in status(client, order) and order.state == State.PAID
    # the seller ships and the parcel moves: shipped, with the trace on the page and on the timeline once each
    trade.rewind(made.order_id, 3 * 3600)
    page = status(client, order)
    assert order.state == State.SHIPPED and order.tracking and order.tracking[0]["steps"]
    steps = len(order.tracking[0]["steps"])
    assert "揽件扫描" in page
    # each step dated in the portal's zone, like the timeline (not 1688's raw text)
    first = datetime.fromisoformat(order.tracking[0]["steps"][0]["at"])
    assert f"{timezone.localtime(first):%Y-%m-%d %H:%M} CST (Beijing)" in page
    traced = OrderEvent.objects.filter(order=order, kind="trace")
    assert traced.count() == steps
    status(client, order)
    status(client, order)
    assert traced.count() == steps  # read again: no step written twice
    kinds = list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True))
    for kind in ("drafted", "submitted", "approved", "placed", "paid", "shipped"):
        assert kinds.count(kind) == 1, kind
    # beat's round reads every followed order not read lately
    settings.ORDER_SYNC_EVERY = 0
    assert purchase.orders_sync_due() == 1
    # and the list of orders shows it, filtered by state
    assert f'href="/orders/{order.pk}/"' in client.get("/orders/?state=shipped").content.decode()
    assert f'href="/orders/{order.pk}/"' not in client.get("/orders/?state=placed").content.decode()


def test_above_the_limit_a_buyer_waits_for_an_owner_and_can_never_approve(client, alice, bob, dave, acme,
                                                                         autumn, quoted):  # fmt: skip
    q = quoted.first()
    BuyingPolicy.objects.create(team=acme, approval_above=q.total - 1)
    client.force_login(bob)
    draft(client, autumn, q)
    order = PurchaseOrder.objects.get()
    assert "Submit for approval" in text(client.get(f"/orders/{order.pk}/"))
    client.post(f"/orders/{order.pk}/submit/")
    order.refresh_from_db()
    assert order.state == State.SUBMITTED and not sandbox_orders(order).exists()
    # bob, a buyer, can't approve it: 403, in words
    response = client.post(f"/orders/{order.pk}/approve/")
    assert response.status_code == 403
    assert f"Only the team's owners and admins can approve orders above ¥{q.total - 1:,.2f}" in text(response)
    order.refresh_from_db()
    assert order.state == State.SUBMITTED
    # nor can a viewer; the owner can, once however often she clicks
    client.force_login(dave)
    assert client.post(f"/orders/{order.pk}/approve/").status_code == 403
    client.force_login(alice)
    assert "Approve and place" in text(client.get(f"/orders/{order.pk}/"))
    assert client.post(f"/orders/{order.pk}/approve/").status_code == 302
    assert client.post(f"/orders/{order.pk}/approve/").status_code == 302
    order.refresh_from_db()
    assert order.state == State.PLACED and order.approved_by == alice and order.place_attempts == 1
    assert sandbox_orders(order).count() == 1
    # with no limit at all every buyer's order waits, and an owner may decline one with a reason
    BuyingPolicy.objects.filter(team=acme).update(approval_above=None)
    client.force_login(bob)
    draft(client, autumn, quoted.last())
    second = PurchaseOrder.objects.exclude(pk=order.pk).get()
    client.post(f"/orders/{second.pk}/submit/")
    client.force_login(alice)
    client.post(f"/orders/{second.pk}/decline/", {"reason": "换个供应商"})
    second.refresh_from_db()
    assert second.state == State.DECLINED and not sandbox_orders(second).exists()
    assert "换个供应商" in text(client.get(f"/orders/{second.pk}/"))


def test_two_approvers_at_once_place_one_order(client, alice, bob, acme, autumn, quoted, settings):
    admin = _make_user("erin", acme, Membership.Role.ADMIN)
    settings.SANDBOX_DEDUPE_OUT_ORDER_ID = False  # 1688 itself would make a second order: only the portal stops it
    order = purchase.order_draft(actor=bob, quote=quoted.first())
    purchase.order_submit(actor=bob, order=order)
    assert PurchaseOrder.objects.get(pk=order.pk).state == State.SUBMITTED
    approvers = iter([alice, admin, alice, admin])
    results = []

    def approve():
        results.append(purchase.order_approve(actor=next(approvers), order=order))

    assert run_in_threads(approve, 4) == []
    assert sorted(results) == [False, False, False, True]
    order.refresh_from_db()
    assert order.state == State.PLACED and order.place_attempts == 1
    assert sandbox_orders(order).count() == 1
    # a second delivery of the placement task finds nothing to do
    assert placement.placement_execute(order_id=order.pk) == "done" and sandbox_orders(order).count() == 1


def test_amounts_come_from_the_quote_whatever_the_form_posts(client, alice, bob, acme, autumn, quoted):
    q = quoted.first()
    client.force_login(bob)
    draft(client, autumn, q, total="0.01", goods="0.01", unit_price="0.01", quantity="100000")
    order = PurchaseOrder.objects.get()
    posted = {"message": "ok", "address": q.address_id, "total": "1", "goods": "1", "freight": "0",
              "unit_price": "0.01", "amount": "0.01", "quantity": "1", "state": "placed", "out_order_id": "x"}  # fmt: skip
    assert client.post(f"/orders/{order.pk}/", posted).status_code == 302
    order.refresh_from_db()
    assert (order.goods, order.freight, order.total, order.state) == (q.goods, q.freight, q.total, State.DRAFT)
    assert order.out_order_id.startswith("po-")
    for line, quoted_line in zip(order.lines.order_by("pk"), q.lines.order_by("pk"), strict=True):
        assert (line.quantity, line.unit_price, line.amount) == (
            quoted_line.quantity, quoted_line.unit_price, quoted_line.unit_price * quoted_line.quantity)  # fmt: skip
    # a quote 1688 would not take can't be drafted
    Quote.objects.filter(pk=q.pk).update(orderable=False)
    response = draft(client, autumn, q)
    assert response.status_code == 400 and "1688 would not take this quote's order" in text(response)


def test_cancel_while_unpaid_and_not_after_paying(client, alice, bob, acme, autumn, quoted):
    BuyingPolicy.objects.create(team=acme, approval_above=Decimal("1000000"))
    client.force_login(bob)
    first, second = (purchase.order_draft(actor=bob, quote=q) for q in quoted)
    # a draft is cancelled at once, with nothing sent to 1688
    third = purchase.order_draft(actor=bob, quote=quoted.first(), line_ids=[quoted.first().lines.first().pk])
    client.post(f"/orders/{third.pk}/cancel/")
    third.refresh_from_db()
    assert third.state == State.CANCELLED and not sandbox_orders(third).exists()
    for order in (first, second):
        purchase.order_submit(actor=bob, order=order)
        order.refresh_from_db()
        assert order.state == State.PLACED
    # an unpaid order is cancelled on 1688 too
    assert "Cancel the order" in text(client.get(f"/orders/{first.pk}/"))
    assert client.post(f"/orders/{first.pk}/cancel/").status_code == 302
    first.refresh_from_db()
    assert first.state == State.CANCELLED and sandbox_orders(first).get().status == "cancel"
    # a paid one is not: 1688 refuses, the order shows paid and says why
    second.refresh_from_db()
    pay(second)
    client.post(f"/orders/{second.pk}/cancel/")
    second.refresh_from_db()
    assert second.state == State.PAID and sandbox_orders(second).get().status == "waitsellersend"
    assert OrderEvent.objects.filter(order=second, kind="cancel_refused").exists()
    response = client.post(f"/orders/{second.pk}/cancel/")
    assert response.status_code == 400 and "1688 cancels only unpaid orders" in text(response)


def test_a_sample_order_marks_its_sample_ordered(client, alice, bob, acme, autumn, quoted):
    q = quoted.first()
    BuyingPolicy.objects.create(team=acme, approval_above=q.total)  # at the limit: no approval needed
    order = purchase.order_draft(actor=bob, quote=q, kind=PurchaseOrder.Kind.SAMPLE)
    item = q.lines.first().list_item
    sample = Sample.objects.create(team=acme, list_item=item, purchase_order=order, requested_by=bob)
    purchase.order_submit(actor=bob, order=order)
    order.refresh_from_db()
    sample.refresh_from_db()
    assert (order.kind, order.state, sample.state) == ("sample", State.PLACED, Sample.State.ORDERED)


def test_hostile_input_gets_words_and_changes_nothing(client, alice, bob, acme, autumn, quoted):
    client.force_login(bob)
    draft(client, autumn, quoted.first())
    order = PurchaseOrder.objects.get()
    for data in ({"message": "字" * 10_000}, {"address": "NaN"}, {"address": "²"}, {"address": "-1"},
                 {"address": str(10**30)}, {"message": "ok", "address": "1e400"}):  # fmt: skip
        response = client.post(f"/orders/{order.pk}/", data)
        assert response.status_code == 400, data
        assert "Keep this to 500 characters" in text(response) or "Pick one of the team's addresses" in text(response)
    order.refresh_from_db()
    assert order.message == "" and order.state == State.DRAFT
    for junk in ("NaN", "²", "-5", "1" * 60, "", "x" * 10_000):
        response = draft(client, autumn, type("Q", (), {"pk": junk}))
        assert response.status_code == 400 and "Pick one of this list's quotes" in text(response)
    assert PurchaseOrder.objects.count() == 1
    client.force_login(alice)
    for junk in ("NaN", "²", "-1", "1e400", "9" * 40, "abc", "Infinity"):
        response = client.post(f"/teams/{acme.pk}/buying/", {"approval_above": junk})
        assert response.status_code == 400, junk
        assert "Give an amount" in text(response) or "decimal" in text(response).lower()
    assert not BuyingPolicy.objects.exists()
    assert client.post(f"/teams/{acme.pk}/buying/", {"approval_above": "5000.50"}).status_code == 302
    assert BuyingPolicy.objects.get().approval_above == Decimal("5000.50")
    assert "¥5,000.50" in text(client.get("/orders/"))


def test_viewers_get_403_and_other_teams_404(client, alice, bob, carol, dave, acme, autumn, quoted):
    order = purchase.order_draft(actor=bob, quote=quoted.first())
    client.force_login(dave)
    assert client.get(f"/orders/{order.pk}/").status_code == 200  # viewers read
    assert "Place the order" not in text(client.get(f"/orders/{order.pk}/"))
    for path, data in ((f"/orders/{order.pk}/", {"message": "x"}), (f"/orders/{order.pk}/submit/", {}),
                       (f"/orders/{order.pk}/approve/", {}), (f"/orders/{order.pk}/decline/", {}),
                       (f"/orders/{order.pk}/cancel/", {}), (f"/teams/{acme.pk}/buying/", {"approval_above": "1"}),
                       (f"/lists/{autumn.pk}/quotes/order/", {"quote": quoted.first().pk})):  # fmt: skip
        assert client.post(path, data).status_code == 403, path
    with pytest.raises(BuyingForbidden):
        purchase.order_submit(actor=dave, order=order)
    client.force_login(carol)
    for path in (f"/orders/{order.pk}/", f"/orders/{order.pk}/status/", f"/teams/{acme.pk}/buying/"):
        assert client.get(path).status_code == 404, path
    for path in (f"/orders/{order.pk}/submit/", f"/orders/{order.pk}/approve/", f"/orders/{order.pk}/cancel/",
                 f"/lists/{autumn.pk}/quotes/order/"):  # fmt: skip
        assert client.post(path, {"quote": quoted.first().pk}).status_code == 404, path
    assert f'href="/orders/{order.pk}/"' not in client.get("/orders/").content.decode()
    with pytest.raises(BuyingError):
        purchase.order_draft(actor=carol, quote=quoted.first())
    order.refresh_from_db()
    assert order.state == State.DRAFT and PurchaseOrder.objects.count() == 1


def placing(order: PurchaseOrder) -> PurchaseOrder:
    """The order approved, as order_approve leaves it, without running the queued task (the test runs it)."""
    PurchaseOrder.objects.filter(pk=order.pk).update(state=State.PLACING)
    return order


def test_an_answer_lost_after_1688_made_the_order_is_adopted_not_made_twice(bob, quoted, settings, connected):
    # given a sandbox that makes a second order for a repeated outOrderId, and cuts off every answer
    settings.SANDBOX_DEDUPE_OUT_ORDER_ID = False
    settings.PLACEMENT_DOUBT_SECONDS = 0
    order = placing(purchase.order_draft(actor=bob, quote=quoted.first()))
    sandbox = SandboxApp.objects.filter(app_key=connected.app_key)
    sandbox.update(fault_truncated=1.0)
    # when the first attempt's answer is lost: 1688 made the order, the portal can't read that it did
    with pytest.raises(errors.MalformedResponse):
        placement.placement_execute(order_id=order.pk)
    order.refresh_from_db()
    assert (order.state, order.place_attempts, order.alibaba_order_id) == (State.PLACING, 1, "")
    assert sandbox_orders(order).count() == 1
    # then the next attempt (queued again by beat's sweep) looks it up by its reference and adopts it
    sandbox.update(fault_truncated=0)
    settings.PLACEMENT_LEASE_SECONDS = 0
    assert placement.placements_sweep() == 1
    order.refresh_from_db()
    assert order.state == State.PLACED and order.place_attempts == 1
    assert "found by its reference" in OrderEvent.objects.get(order=order, kind="placed").text
    assert order.alibaba_order_id == str(sandbox_orders(order).get().order_id)
    # (without that lookup, asking again would have made a second order: this sandbox makes one per call)
    cargo = [api.CargoLine(str(x.product.offer_id), x.spec_id, x.quantity) for x in order.lines.all()]
    gateway_call(credential=connected, fn=lambda c, t: api.create_order(
        c, t, placement._address(order), cargo, out_order_id=order.out_order_id, flow=order.flow))  # fmt: skip
    assert sandbox_orders(order).count() == 2


def test_1688_refusing_the_order_says_why_and_makes_none(client, bob, quoted):
    order = placing(purchase.order_draft(actor=bob, quote=quoted.first()))
    # the seller's stock is gone since the quote: far more than it has
    order.lines.update(quantity=9_000_000)
    assert placement.placement_execute(order_id=order.pk) == "refused"
    order.refresh_from_db()
    assert order.state == State.REFUSED and order.error_code == "500_004" and order.error_message
    assert not sandbox_orders(order).exists()
    client.force_login(bob)
    page = text(client.get(f"/orders/{order.pk}/"))
    assert "Refused by 1688" in page and order.error_message[:40] in page


def test_the_status_box_asks_1688_only_when_the_open_page_polls_it(client, bob, acme, autumn, quoted):
    # given a placed order whose status was never read
    q = quoted.first()
    BuyingPolicy.objects.create(team=acme, approval_above=q.total)
    order = purchase.order_submit(actor=bob, order=purchase.order_draft(actor=bob, quote=q))
    PurchaseOrder.objects.filter(pk=order.pk).update(synced_at=None)
    client.force_login(bob)
    # when the box is opened by a link (GET), it shows what is kept and spends nothing
    response = client.get(f"/orders/{order.pk}/status/")
    assert response.status_code == 200 and "Waiting for payment" in text(response)
    assert PurchaseOrder.objects.get(pk=order.pk).synced_at is None
    # then the open page's poll (POST) reads 1688
    assert client.post(f"/orders/{order.pk}/status/").status_code == 200
    assert PurchaseOrder.objects.get(pk=order.pk).synced_at is not None
