"""Counts agree with their nouns: "1 call", "2 calls"; "1 offer", "60 offers"."""

import html
import re

import pytest
from django.utils import timezone

from sourcing.catalog.models import Supplier
from sourcing.connections.models import AppCredential
from sourcing.lists import services as list_services
from tests.catalog.pages.conftest import categories, credential, queued, stock_product  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def words(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_a_credential_of_one_call_a_second_says_call(client, alice, credential):  # noqa: F811
    AppCredential.objects.filter(pk=credential.pk).update(daily_quota=1, qps=1)
    client.force_login(alice)
    page = words(client.get(f"/connections/{credential.pk}/"))
    assert "Quota 1 call per API per day · 1 call per second" in page
    AppCredential.objects.filter(pk=credential.pk).update(daily_quota=2000, qps=4)
    page = words(client.get(f"/connections/{credential.pk}/"))
    assert "Quota 2,000 calls per API per day · 4 calls per second" in page


def test_a_supplier_with_one_offer_and_a_copy_with_one_item(client, alice, categories):  # noqa: F811
    cup = stock_product(910001)
    Supplier.objects.filter(pk=cup.supplier_id).update(
        offers_total=1, offers_pages_fetched=1, offers_fetched_at=timezone.now()
    )
    client.force_login(alice)
    assert "1688 lists 1 offer." in words(client.get(f"/suppliers/{cup.supplier_id}/"))
    Supplier.objects.filter(pk=cup.supplier_id).update(offers_total=1234)
    assert "1688 lists 1,234 offers." in words(client.get(f"/suppliers/{cup.supplier_id}/"))
    cups = list_services.list_create(actor=alice, team=alice.current_team, name="Cups")
    list_services.item_add(actor=alice, product_list=cups, product=cup)
    copied = client.post(f"/lists/{cups.pk}/copy/", follow=True)
    assert "Copied: “Copy of Cups” with its 1 item (comments stay on the original)." in words(copied)
