"""Acme's world for the security suite: one row of every kind of team data, owned by Acme (alice, bob)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sandbox.models import SandboxAccount, SandboxApp, SandboxRefreshToken
from sourcing.accounts.models import Membership
from sourcing.accounts.services import teams as team_services
from sourcing.alerts import services as alert_services
from sourcing.alerts.models import Notification
from sourcing.catalog.models import CatalogJob, ImageUpload, SearchQuery
from sourcing.connections.models import ApiPermission, ConnectionCheck
from sourcing.connections.services.credentials import credential_create
from sourcing.inquiries import services as inquiry_services
from sourcing.inquiries.models import Inquiry
from sourcing.lists import services as list_services
from sourcing.lists.models import ListImport, ListImportRow
from sourcing.orders.models import (
    DutyRate,
    PurchaseOrder,
    PurchaseOrderLine,
    QuoteRun,
    RateCard,
    Receipt,
    Sample,
    SamplePhoto,
)
from sourcing.orders.services import addresses as address_services
from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.lists.conftest import kitchen, products  # noqa: F401 - fixtures

# Words that only Acme's rows hold: a page shown to carol or to a visitor must contain none of them.
ACME_MARKERS = [
    "Acme Sourcing",
    "Spring kitchen range",
    "alice@example.com",
    "bob@example.com",
    "Acme app",
    "30051688",
    "Acme-only inquiry 问价",
    "Acme-only comment",
    "invited-by-acme@example.com",
    "Acme-only warehouse 仓",
]


@dataclass
class AcmeWorld:
    """Every Acme object a URL can name, by the URL parameter that names it."""

    objects: dict
    fill: dict  # URL parameter name -> value, for parameters whose name says what they are
    invitation_token: str
    reset_uid: str
    reset_token: str


@pytest.fixture
def acme_world(alice, bob, acme, carol, kitchen):  # noqa: F811 - kitchen is a fixture
    """Acme's list, item, comment, inquiry, alert, notification, credential, check, searches, job and invitation."""
    item = kitchen.items.order_by("pk").first()
    product = item.product
    comment = list_services.comment_add(actor=bob, item=item, text="Acme-only comment")
    inquiry = inquiry_services.inquiry_create(actor=alice, team=acme, product=product,
                                              message="Acme-only inquiry 问价")  # fmt: skip
    # One request to many suppliers (issue 22 item 3), its supplier's inquiry answered.
    supplier_request = inquiry_services.request_send(actor=alice, team=acme, offers=[(product, None)], quantity=50,
                                                     questions=["moq", "packing"], note="Acme-only inquiry 问价",
                                                     list_id=kitchen.pk)  # fmt: skip
    Inquiry.objects.filter(request=supplier_request).update(packing="Acme-only inquiry 问价")
    alert = alert_services.alert_create(actor=alice, team=acme, product=product, kind="price_below",
                                        threshold=Decimal("1.00"))  # fmt: skip
    notification = Notification.objects.create(user=alice, team=acme, alert=alert, product=product,
                                               text="Acme-only notification")  # fmt: skip
    credential = credential_create(owner=alice, app_key="30051688", app_secret="acme-app-secret-0f1e2d3c",
                                   name="Acme app")  # fmt: skip
    check = ConnectionCheck.objects.get(credential=credential)
    permission = ApiPermission.objects.filter(credential=credential).first()
    picture = ImageUpload.objects.create(team=acme, uploaded_by=alice, data=b"\x89PNG acme", content_type="image/png",
                                         sha256="a" * 64)  # fmt: skip
    search = SearchQuery.objects.create(team=acme, kind=SearchQuery.Kind.IMAGE, key="b" * 64, image=picture,
                                        requested_by=alice)  # fmt: skip
    job = CatalogJob.objects.create(kind=CatalogJob.Kind.IMAGE_SEARCH, target=search.key, team=acme,
                                    requested_by=alice)  # fmt: skip
    owner = Membership.objects.get(user=alice, team=acme)
    invitation = team_services.invitation_create(actor=owner, email="invited-by-acme@example.com", role="buyer")
    sandbox_app = SandboxApp(app_key="40051688", owner=alice, name="Acme sandbox app")
    sandbox_app.app_secret = "acme-sandbox-secret"
    sandbox_app.save()
    # An account that authorised Acme's sandbox app (the console's "Withdraw authorisation" names it).
    sandbox_account = SandboxAccount.objects.create(login_id="acme-buyer", member_id="b2b-4005", ali_id="4005")
    SandboxRefreshToken.objects.create(app=sandbox_app, account=sandbox_account, token_digest="a" * 64,
                                       expires_at=timezone.now() + timedelta(days=30))  # fmt: skip
    address = address_services.address_create(
        actor=alice, team=acme, label="Acme-only warehouse 仓", contact_name="张三", phone="13800138000",
        province="浙江省", city="金华市", district="义乌市", street="稠州北路1号", post_code="322000",
    )  # fmt: skip
    quote_run = QuoteRun.objects.create(team=acme, product_list=kitchen, address=address, requested_by=alice,
                                        state=QuoteRun.State.DONE, message="Acme-only warehouse 仓")  # fmt: skip
    # Buying after the quote (issue 21): a rate card, a list's duty, a purchase order with a line and a receipt,
    # a sample with a photo.
    rate_card = RateCard.objects.create(team=acme, forwarder="Acme-only warehouse 仓", mode="sea",
                                        price_per_kg=Decimal("9.50"), volumetric_divisor=1000)  # fmt: skip
    duty = DutyRate.objects.create(team=acme, product_list=kitchen, duty_percent=Decimal("4.7"),
                                   vat_percent=Decimal("19"), note="Acme-only warehouse 仓")  # fmt: skip
    order = PurchaseOrder.objects.create(
        team=acme, product_list=kitchen, supplier=product.supplier, supplier_name="Acme-only warehouse 仓",
        address=address, out_order_id="acme-po-1", state=PurchaseOrder.State.SHIPPED, created_by=alice,
        goods=Decimal("100.00"), freight=Decimal("10.00"), total=Decimal("110.00"),
    )  # fmt: skip
    order_line = PurchaseOrderLine.objects.create(order=order, list_item=item, product=product, quantity=10,
                                                  unit_price=Decimal("10.00"), amount=Decimal("100.00"))  # fmt: skip
    receipt = Receipt.objects.create(line=order_line, supplier=product.supplier, received_quantity=9,
                                     damaged_quantity=1, notes="Acme-only warehouse 仓", received_by=alice)  # fmt: skip
    sample = Sample.objects.create(team=acme, list_item=item, requested_by=alice, notes="Acme-only warehouse 仓")
    photo = SamplePhoto.objects.create(sample=sample, data=b"\x89PNG acme", content_type="image/png",
                                       sha256="c" * 64, uploaded_by=alice)  # fmt: skip
    # Links in (issue 22): an import into the kitchen list with one row's result.
    list_import = ListImport.objects.create(product_list=kitchen, kind=ListImport.Kind.CSV, created_by=alice,
                                            filename="Acme-only warehouse 仓.csv", state=ListImport.State.DONE)  # fmt: skip
    ListImportRow.objects.create(list_import=list_import, number=1, reference=str(product.offer_id),
                                 note="Acme-only warehouse 仓", result=ListImportRow.Result.ALREADY, item=item)  # fmt: skip
    objects = {
        "address": address, "quote_run": quote_run, "rate_card": rate_card, "duty": duty, "order": order,
        "order_line": order_line, "receipt": receipt, "sample": sample, "photo": photo,
        "team": acme, "membership": Membership.objects.get(user=bob, team=acme), "invitation": invitation,
        "list": kitchen, "item": item, "comment": comment, "inquiry": inquiry, "alert": alert,
        "notification": notification, "credential": credential, "check": check, "permission": permission,
        "picture": picture, "search": search, "job": job, "sandbox_app": sandbox_app,
        "list_import": list_import, "supplier_request": supplier_request,
    }  # fmt: skip
    fill = {
        "team_id": acme.pk, "member_id": objects["membership"].pk, "invitation_id": invitation.pk,
        "list_id": kitchen.pk, "item_id": item.pk, "inquiry_id": inquiry.pk, "alert_id": alert.pk,
        "notification_id": notification.pk, "permission_id": permission.pk, "check_id": check.pk,
        "search_id": search.pk, "app_key": sandbox_app.app_key, "offer_id": product.offer_id,
        "address_id": address.pk, "run_id": quote_run.pk, "rate_card_id": rate_card.pk, "duty_id": duty.pk,
        "order_id": order.pk, "line_id": order_line.pk, "receipt_id": receipt.pk, "sample_id": sample.pk,
        "photo_id": photo.pk, "import_id": list_import.pk, "request_id": supplier_request.pk,
        "account_id": sandbox_account.pk,
    }  # fmt: skip
    return AcmeWorld(
        objects=objects,
        fill=fill,
        invitation_token=invitation.token,
        reset_uid=urlsafe_base64_encode(force_bytes(alice.pk)),
        reset_token=default_token_generator.make_token(alice),
    )
