"""1688's batch inquiry (the Newton agent) against the sandbox over HTTP: a request to many suppliers sent with a
credential that may call it starts the agent task; its result logs each answering supplier's answers as fields on
that supplier's inquiry (a reply logged by hand wins); a refusal leaves the per-supplier inquiries, said in words."""

from decimal import Decimal

import pytest

from sandbox.models import SandboxApp, SandboxNewtonTask, SandboxOffer
from sourcing.alibaba import api
from sourcing.connections.models import ApiCallLog
from sourcing.inquiries import services
from sourcing.inquiries.batch import answer_values
from sourcing.inquiries.models import SupplierRequest
from tests.catalog.pages.conftest import stock_product

pytestmark = pytest.mark.django_db(transaction=True)
QUESTIONS = ["moq", "price", "lead", "sample", "packing", "custom"]


@pytest.fixture
def three_offers(catalog):
    """Three sandbox offers stored in the portal: two whose suppliers answer, one (id divisible by 3) silent."""
    answering = [o for o in SandboxOffer.objects.select_related("supplier").order_by("offer_id") if o.offer_id % 3][:2]
    silent = SandboxOffer.objects.select_related("supplier").filter(offer_id__in=[
        o.offer_id for o in SandboxOffer.objects.order_by("offer_id")[:60] if o.offer_id % 3 == 0][:1]).get()  # fmt: skip
    return [(stock_product(o.offer_id, seller=o.supplier.open_uid, company=o.supplier.company_name), o)
            for o in [*answering, silent]]  # fmt: skip


def test_the_batch_inquiry_logs_the_answering_suppliers_answers(client, alice, connected, three_offers):
    products = [p for p, _o in three_offers]
    # when alice (connected, every API granted) sends one request to three suppliers
    request = services.request_send(actor=alice, team=alice.current_team, offers=[(p, None) for p in products],
                                    quantity=500, questions=QUESTIONS, target_price=Decimal("9.90"))  # fmt: skip
    request.refresh_from_db()
    # then the worker started the agent task (one signed, metered call) and polled its result until it was in
    task = SandboxNewtonTask.objects.get()
    assert request.batch_task_id == task.task_id and request.batch_state == "done"
    assert all(f"商品编号 {p.offer_id}" in task.message for p in products) and "起订量是多少" in task.message
    assert ApiCallLog.objects.filter(api=api.NEWTON_TASK_CREATE.id, outcome="ok").count() == 1
    assert ApiCallLog.objects.filter(api=api.BATCH_INQUIRY_RESULT.id, outcome="ok").count() == 2
    first, second, silent = request.inquiries.select_related("product").order_by("pk")
    offer = three_offers[0][1]
    # the answering suppliers' answers are fields; the silent one stays unanswered
    assert first.status == "replied" and first.quoted_moq == offer.min_order_quantity and first.replied_at
    assert first.quoted_price == (offer.base_price * Decimal("0.95")).quantize(Decimal("0.01"))
    assert first.quoted_quantity == 500
    assert first.quoted_lead_days == 7 + offer.offer_id % 20 and first.sample_days == 2 + offer.offer_id % 6
    assert first.packing.startswith("纸箱包装") and first.customisable is bool(offer.offer_id % 2)
    assert second.replied_at is not None and silent.replied_at is None and silent.status == "draft"
    assert "2 of 3 suppliers answered" in request.batch_note
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert "1688&#x27;s batch inquiry" in page and "Answers in" in page


def test_a_refused_batch_inquiry_leaves_the_inquiries_and_says_why(client, alice, connected, three_offers):
    app = SandboxApp.objects.get(app_key=connected.app_key)
    app.grant_all = False
    app.grants = []
    app.save()
    products = [p for p, _o in three_offers]
    request = services.request_send(actor=alice, team=alice.current_team, offers=[(p, None) for p in products],
                                    quantity=100, questions=["price"])  # fmt: skip
    request.refresh_from_db()
    assert request.batch_state == "failed" and "1688 did not start the batch inquiry" in request.batch_note
    assert request.inquiries.count() == 3 and not SupplierRequest.objects.exclude(pk=request.pk).exists()
    assert not request.inquiries.filter(replied_at__isnull=False).exists()


def test_written_answers_become_fields_and_nonsense_is_left_out():
    values = answer_values([("起订量是多少？", "起订量300个"), ("单价", "10.80元/个"), ("交货期", "15天"),
                            ("样品", "样品50元，7天"), ("包装", "纸箱"), ("定制", "不支持定制"),
                            ("交货期", "99999999999天")])  # fmt: skip
    assert values["quoted_moq"] == 300 and values["quoted_price"] == Decimal("10.80")
    assert values["sample_price"] == Decimal("50") and values["sample_days"] == 7
    assert values["packing"] == "纸箱" and values["customisable"] is False
    assert "quoted_lead_days" not in values  # the last, absurd lead time replaced the first and was left out
