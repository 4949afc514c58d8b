"""Order and logistics messages move the team's purchase order (no gateway call when the status says it all; a read of
the order, order_sync, when it doesn't), in order, and only the orders of the credential the message came to."""

import pytest

from sourcing import tasks
from sourcing.connections.models import ApiCallLog
from sourcing.messages.models import InboundMessage
from sourcing.orders.models import OrderEvent, PurchaseOrder
from tests.messages.conftest import envelope, now_ms

pytestmark = pytest.mark.django_db
State = PurchaseOrder.State


@pytest.fixture
def placed(cred, acme, alice):
    return PurchaseOrder.objects.create(team=acme, created_by=alice, credential=cred, state=State.PLACED,
                                        alibaba_order_id="2810000001", alibaba_status="waitbuyerpay",
                                        out_order_id="acme-test-1")  # fmt: skip


@pytest.fixture
def reads(monkeypatch):
    """The order reads (order_sync) a message queued, instead of running them."""
    queued = []
    monkeypatch.setattr(tasks.order_sync_background, "delay_on_commit", lambda *a, **k: queued.append(a[0]))
    monkeypatch.setattr(tasks.order_sync_background, "delay", lambda *a, **k: queued.append(a[0]))
    return queued


def order_message(topic: str, status: str, *, born: int, order_id="2810000001") -> dict:
    return envelope(f"ORDER_BUYER_VIEW_{topic}", {"orderId": order_id, "currentStatus": status,
                                                  "msgSendTime": "2026-12-07 20:29:37"}, born=born)  # fmt: skip


def test_a_paid_message_moves_the_order_and_an_older_one_does_not(deliver, cred, placed, reads):
    now = now_ms()
    deliver(cred, order_message("ORDER_PAY", "waitsellersend", born=now))
    placed.refresh_from_db()
    assert (placed.state, placed.alibaba_status) == (State.PAID, "waitsellersend")
    assert OrderEvent.objects.filter(order=placed, kind="paid").count() == 1
    # the "order made" message delivered late changes nothing; the same state again writes no second step
    deliver(cred, order_message("BUYER_MAKE", "waitbuyerpay", born=now - 60_000))
    deliver(cred, order_message("ORDER_PAY", "waitsellersend", born=now + 10))
    placed.refresh_from_db()
    assert placed.state == State.PAID and placed.alibaba_status == "waitsellersend"
    assert OrderEvent.objects.filter(order=placed, kind="paid").count() == 1
    assert InboundMessage.objects.filter(state="ignored").count() == 1
    assert not ApiCallLog.objects.exists() and reads == []


def test_a_status_the_portal_does_not_know_reads_the_order(deliver, cred, placed, reads):
    deliver(cred, order_message("ORDER_PAY", "waitsellerconfirm", born=now_ms()))
    assert reads == [placed.pk]
    placed.refresh_from_db()
    assert placed.state == State.PLACED


def test_a_parcel_message_marks_it_shipped_and_reads_its_trace(deliver, cred, placed, reads):
    PurchaseOrder.objects.filter(pk=placed.pk).update(state=State.PAID)
    trace = {"OrderLogisticsTracingModel": {"logisticsId": "LP1", "cpCode": "YTO", "mailNo": "YT1",
                                            "statusChanged": "CONSIGN", "changeTime": "2026-12-07 20:29:37",
                                            "orderLogsItems": [{"orderId": 2810000001, "orderEntryId": 1}]}}  # fmt: skip
    deliver(cred, envelope("LOGISTICS_BUYER_VIEW_TRACE", trace))
    placed.refresh_from_db()
    assert placed.state == State.SHIPPED and reads == [placed.pk]


def test_another_credentials_order_is_not_touched(deliver, cred, placed, reads, carol):
    from sourcing.connections.services.credentials import credential_create
    from tests.messages.conftest import SECRET

    other = credential_create(owner=carol, app_key="30051688", app_secret=SECRET, name="Globex", check=False)
    deliver(other, order_message("ORDER_PAY", "waitsellersend", born=now_ms()))
    placed.refresh_from_db()
    assert placed.state == State.PLACED and InboundMessage.objects.get().state == "ignored"
