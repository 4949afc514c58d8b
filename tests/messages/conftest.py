"""Messages fixtures: alice's credential (its secret signs what "1688" sends), the lists' offers, and helpers that
build an envelope, sign it as 1688 does and POST it to the credential's callback."""

import itertools
import json
import time

import pytest

from sourcing.alibaba.api import push_signature
from sourcing.connections.models import AppCredential
from sourcing.connections.services.credentials import credential_create
from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.lists.conftest import products  # noqa: F401 - fixture

SECRET = "demo-app-secret-5f1c2e9a"
_ids = itertools.count(73218465)


def now_ms() -> int:
    return int(time.time() * 1000)


def envelope(
    topic: str, data: dict, *, msg_id: int | None = None, born: int | None = None, user_info="b2b-2207"
) -> dict:
    return {"msgId": msg_id or next(_ids), "gmtBorn": born or now_ms(), "userInfo": user_info, "type": topic,
            "topicGroup": topic.split("_")[0], "topicName": topic, "appKey": "30051688", "data": data}  # fmt: skip


def form(message: dict | str, *, secret: str = SECRET) -> dict:
    text = message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)
    return {"message": text, "_aop_signature": push_signature(text, secret)}


def inventory(offer_id: int, *, offer_on_sale: int, sku_id=None, sku_on_sale=None, at: int | None = None) -> dict:
    row = {"offerId": offer_id, "offerOnSale": offer_on_sale, "quantity": -1, "bizTime": at or now_ms()}
    if sku_id is not None:
        row.update(skuId=sku_id, skuOnSale=sku_on_sale)
    return {"OfferInventoryChangeList": [row]}


@pytest.fixture
def cred(alice):
    """alice's app 30051688 (not connected: product messages need no call)."""
    return credential_create(owner=alice, app_key="30051688", app_secret=SECRET, name="Acme app",
                             gateway=AppCredential.Gateway.SANDBOX, check=False)  # fmt: skip


@pytest.fixture
def followed(cred, products):  # noqa: F811
    """The lists' offers followed by alice's credential (product messages count only for followed offers)."""
    from sourcing.messages.models import Follow

    return [Follow.objects.create(credential=cred, product=product) for product in products]


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    """POST a message to a credential's callback as 1688 does, running what it queued (the worker) inline."""

    def post(credential, message, *, secret: str = SECRET, data: dict | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/hooks/1688/{credential.pk}/", data if data is not None else form(message, secret=secret)
            )

    return post
