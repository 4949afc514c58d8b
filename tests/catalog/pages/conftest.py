"""Catalog data for page tests, stored the way workers store it (the upsert services), and a queue that
records what a page asked workers to do instead of running it inline."""

from decimal import Decimal

import pytest

from sourcing.alibaba.api import PriceTier, ProductAttribute, ProductDetail, Sku, SkuAttribute
from sourcing.catalog.models import Category, Product
from sourcing.catalog.services.upsert import product_upsert_detail

TOP, MIDDLE, LEAF = 3, 301, 30101


def detail(offer_id, *, subject="不锈钢保温杯 大容量", subject_en="stainless steel vacuum cup", price="12.50",
           stock=500, seller="BBBseller0000000000000001", company="义乌示例日用品厂", place="浙江省 金华市",
           skus=None, tiers=None, moq=2, status="published", **extra) -> ProductDetail:  # fmt: skip
    price = Decimal(price)
    if skus is None:
        skus = [
            Sku(sku_id=f"{offer_id}01", spec_id="a", price=price, stock=stock // 2,
                attributes=[SkuAttribute(name="颜色", value="白色", name_en="Color", value_en="White", image_url="")]),
            Sku(sku_id=f"{offer_id}02", spec_id="b", price=price + 1, stock=stock - stock // 2,
                attributes=[SkuAttribute(name="颜色", value="黑色", name_en="Color", value_en="Black", image_url="")]),
        ]  # fmt: skip
    values = {
        "offer_id": str(offer_id), "category_id": LEAF, "category_name": "保温杯", "subject": subject,
        "subject_en": subject_en, "description": "", "images": [f"https://img.example/{offer_id}.png",
                                                                f"https://img.example/{offer_id}-2.png"],
        "attributes": [ProductAttribute(name="材质", value="304不锈钢", name_en="Material", value_en="304 steel")],
        "skus": skus, "price_tiers": tiers if tiers is not None else [PriceTier(moq, price + 2), PriceTier(100, price)],
        "unit": "个", "unit_en": "piece", "min_order_quantity": moq, "stock": stock, "seller_open_id": seller,
        "seller_login_id": "", "company_name": company, "ship_from": place, "weight_kg": Decimal("0.4"),
        "out_of_stock": False, "status": status, "detail_url": f"https://detail.1688.com/offer/{offer_id}.html",
        "sales_count": 1234, "quote_type": 0, "seller_data": {"service": "4.5", "repurchase": "46.66",
                                                               "logistics": "4.0"},
        "badges": ["实力商家"], "top_category_id": TOP, "second_category_id": MIDDLE, "third_category_id": LEAF,
    }  # fmt: skip
    values.update(extra)
    return ProductDetail(**values)


def stock_product(offer_id, **kwargs) -> Product:
    product, _changed = product_upsert_detail(detail=detail(offer_id, **kwargs), source="sandbox")
    return product


@pytest.fixture
def categories(db):
    Category.objects.create(id=TOP, name="家居园艺", name_en="Home & Garden", level=1)
    Category.objects.create(id=MIDDLE, parent_id=TOP, name="厨房用品", name_en="Kitchenware", level=2)
    Category.objects.create(id=LEAF, parent_id=MIDDLE, name="保温杯", name_en="Vacuum cups", level=3, is_leaf=True)


@pytest.fixture
def shelf(categories):
    """make(n): n vacuum cups of one supplier, offer ids 700001…, prices ¥10.00, ¥11.00, …"""

    def make(n, *, start=700001, **kwargs):
        return [stock_product(start + i, price=f"{10 + i}.00", **kwargs) for i in range(n)]

    return make


@pytest.fixture
def cup(shelf):
    return shelf(1)[0]


@pytest.fixture
def queued(monkeypatch):
    """Record the worker tasks a page queues instead of running them (Celery is eager in unit tests)."""
    from sourcing import tasks

    calls = []
    for name in ("catalog_search_fetch", "catalog_image_search", "catalog_product_fetch", "catalog_supplier_offers",
                 "catalog_categories_fetch", "catalog_unknown_details"):  # fmt: skip
        task = getattr(tasks, name)
        monkeypatch.setattr(task, "delay_on_commit", lambda *a, _n=name, **k: calls.append((_n, a)))
        monkeypatch.setattr(task, "delay", lambda *a, _n=name, **k: calls.append((_n, a)))
    return calls


def connected_credential(owner, *, app_key="30051688", name="Acme app", login_id="acme采购01"):
    """A verified, connected-looking sandbox credential of `owner`'s."""
    from django.utils import timezone

    from sourcing.connections.models import AppCredential, OAuthToken
    from sourcing.connections.services.credentials import credential_create

    cred = credential_create(owner=owner, app_key=app_key, app_secret="demo-app-secret-5f1c2e9a", name=name,
                             gateway=AppCredential.Gateway.SANDBOX, daily_quota=1000, qps=100)  # fmt: skip
    AppCredential.objects.filter(pk=cred.pk).update(verified_at=timezone.now())
    later = timezone.now() + timezone.timedelta(hours=9)
    token = OAuthToken(credential=cred, resource_owner=login_id, access_expires_at=later,
                       refresh_expires_at=later + timezone.timedelta(days=180))  # fmt: skip
    token.access_token = "token-for-tests"
    token.save()
    cred.refresh_from_db()
    return cred


@pytest.fixture
def credential(alice, queued):
    """A verified, connected-looking sandbox credential of alice's whose jobs only get queued (no gateway)."""
    return connected_credential(alice)


def page_text(response) -> str:
    """What a person reads: tags dropped, entities decoded, whitespace collapsed (scripts and styles kept out)."""
    import html
    import re

    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def page_html(response) -> str:
    """The markup with entities decoded, for checking links and attributes."""
    import html

    return html.unescape(response.content.decode())
