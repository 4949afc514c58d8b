"""The chat link against the sandbox gateway over HTTP: a worker asks account.wangwangUrl.get with the
seller's open id when the API is granted; when it isn't, the inquiry links the offer page instead."""

from urllib.parse import quote

import pytest

from sandbox.models import SandboxApp, SandboxSupplier
from sourcing.connections.models import ApiCallLog
from sourcing.inquiries.models import Inquiry
from tests.catalog.pages.conftest import stock_product
from tests.inquiries.conftest import contact

pytestmark = pytest.mark.django_db(transaction=True)
WANGWANG = "com.alibaba.account:account.wangwangUrl.get-1"


@pytest.fixture
def seller_offer(catalog):
    """An offer stored from a detail whose seller is a member the sandbox knows."""
    supplier = SandboxSupplier.objects.order_by("pk").first()
    product = stock_product(900001, seller=supplier.open_uid, company=supplier.company_name)
    return product, supplier


def test_a_worker_gets_the_wangwang_link_when_granted(client, connected, seller_offer):
    product, supplier = seller_offer
    # when alice (connected, every API granted) records an inquiry
    response = contact(client, product)
    inquiry = Inquiry.objects.get()
    # then the worker asked 1688 (the task runs inline here, after the commit) and stored the chat link
    assert ApiCallLog.objects.filter(api=WANGWANG, probe=False, outcome="ok").count() == 1
    assert inquiry.link_kind == "wangwang" and inquiry.link_state == "done"
    page = client.get(response["Location"]).content.decode()
    assert "Open WangWang chat" in page and "air.1688.com" in page
    assert f"touid=cnalichn{quote(supplier.login_id)}" in inquiry.link_url  # the seller's own chat
    assert "account.wangwangUrl.get" in page  # said in plain words where the link comes from


def test_the_offer_page_when_the_api_is_not_granted(client, connected, seller_offer):
    product, _supplier = seller_offer
    app = SandboxApp.objects.get(app_key=connected.app_key)
    app.grant_all = False
    app.grants = []
    app.save()
    # the first inquiry: 1688 refuses the call (permission denied) and the worker falls back
    contact(client, product)
    first = Inquiry.objects.get()
    assert ApiCallLog.objects.filter(api=WANGWANG, probe=False).exclude(outcome="ok").count() == 1
    assert (
        first.link_kind == "offer_page" and first.link_url == f"https://detail.1688.com/offer/{product.offer_id}.html"
    )
    page = client.get(f"/inquiries/{first.pk}/").content.decode()
    assert "Open the offer on 1688" in page and "chat button (旺旺)" in page
    # the portal now knows the API is refused: the next inquiry links the offer page without calling 1688
    contact(client, product, message="第二次")
    second = Inquiry.objects.exclude(pk=first.pk).get()
    assert second.link_kind == "offer_page"
    assert ApiCallLog.objects.filter(api=WANGWANG, probe=False).count() == 1
