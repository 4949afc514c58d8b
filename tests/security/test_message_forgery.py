"""The 1688 message callback attacked by carol (Globex). Her credential's App Secret is one she typed in, so she can
sign any message for her own callback: that must not move the shared catalog (stock, listing) of offers her
credential does not follow, nor Acme's orders; a message for a deleted credential, or Acme's message replayed to
her URL, is refused and stores nothing."""

import pytest

from sourcing.alerts import services as alerts
from sourcing.alerts.models import Notification
from sourcing.catalog.models import Product
from sourcing.connections.services.credentials import credential_create
from sourcing.messages.models import Follow, InboundMessage
from sourcing.orders.models import PurchaseOrder
from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.lists.conftest import products  # noqa: F401 - fixture
from tests.messages.conftest import cred, deliver, envelope, form, inventory, now_ms  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
FLASK = 800001
CAROLS = "globex-own-secret-31"


@pytest.fixture
def carols(carol):
    return credential_create(owner=carol, app_key="40051688", app_secret=CAROLS, name="Globex app", check=False)


def test_carol_signing_for_her_own_app_cannot_move_an_offer_acme_watches(deliver, carols, alice, products):  # noqa: F811
    flask = products[0]
    alerts.alert_create(actor=alice, team=alice.current_team, product=flask, kind="delisted")
    alerts.alert_create(actor=alice, team=alice.current_team, product=flask, kind="out_of_stock")
    now = now_ms()
    for message in (envelope("PRODUCT_PRODUCT_INVENTORY_CHANGE", inventory(FLASK, offer_on_sale=0)),
                    envelope("PRODUCT_RELATION_VIEW_PRODUCT_EXPIRE", {"productIds": str(FLASK)}, born=now),
                    envelope("PRODUCT_RELATION_VIEW_PRODUCT_DELETE", {"productIds": str(FLASK)}, born=now + 1)):  # fmt: skip
        assert deliver(carols, message, secret=CAROLS).status_code == 200  # hers, and signed right: kept
    flask.refresh_from_db()
    assert (flask.stock, flask.status) == (5000, "active")
    assert not Notification.objects.exists()
    assert set(InboundMessage.objects.values_list("state", flat=True)) == {"ignored"}


def test_what_her_credential_follows_still_applies(deliver, carols, products):  # noqa: F811
    Follow.objects.create(credential=carols, product=products[0])
    deliver(carols, envelope("PRODUCT_PRODUCT_INVENTORY_CHANGE", inventory(FLASK, offer_on_sale=42)), secret=CAROLS)
    assert Product.objects.get(offer_id=FLASK).stock == 42


def test_carol_cannot_move_an_acme_order_by_naming_it(deliver, carols, cred, acme, alice):  # noqa: F811
    order = PurchaseOrder.objects.create(team=acme, created_by=alice, credential=cred, state="placed",
                                         alibaba_order_id="2810000001", alibaba_status="waitbuyerpay",
                                         out_order_id="acme-forged-1")  # fmt: skip
    message = envelope("ORDER_BUYER_VIEW_ORDER_PAY", {"orderId": "2810000001", "currentStatus": "waitsellersend"})
    assert deliver(carols, message, secret=CAROLS).status_code == 200
    order.refresh_from_db()
    assert (order.state, order.alibaba_status) == ("placed", "waitbuyerpay")


def test_acmes_message_replayed_to_carols_url_and_a_deleted_credential(client, deliver, carols, cred, products):  # noqa: F811
    message = envelope("PRODUCT_PRODUCT_INVENTORY_CHANGE", inventory(FLASK, offer_on_sale=1))
    assert deliver(carols, message).status_code == 403  # signed with Acme's secret
    gone = cred.pk
    cred.delete()
    assert client.post(f"/hooks/1688/{gone}/", form(message)).status_code == 404
    assert client.post(f"/hooks/1688/{2**63}/", form(message)).status_code == 404
    assert not InboundMessage.objects.exists() and Product.objects.get(offer_id=FLASK).stock == 5000
