"""Lists fixtures: three offers stored the way workers store them, a viewer in Acme, and Acme's kitchen list."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from sourcing.accounts.models import Membership
from sourcing.alibaba.api import PriceTier
from sourcing.lists import services as services
from sourcing.lists.models import ExchangeRate
from tests.catalog.pages.conftest import categories, stock_product  # noqa: F401 - categories is a fixture
from tests.conftest import _make_user

D = Decimal


@pytest.fixture
def products(categories):  # noqa: F811
    """flask: tiers 2+ ¥14.50, 100+ ¥12.50, 1000+ ¥11.00 (MOQ 2); glass: MOQ 50, 50+ ¥9.80, 500+ ¥9.00;
    mug: priced by SKU (白色 ¥6.00, 黑色 ¥7.00), MOQ 10."""
    flask = stock_product(800001, subject="不锈钢保温杯 500ml", subject_en="Steel vacuum flask 500 ml", price="12.50",
                          moq=2, quote_type=0, stock=5000, ships_within_hours=48,
                          tiers=[PriceTier(2, D("14.50")), PriceTier(100, D("12.50")), PriceTier(1000, D("11.00"))])  # fmt: skip
    glass = stock_product(800002, subject="玻璃水杯 带盖", subject_en="Glass cup with lid", price="9.00", moq=50,
                          quote_type=0, stock=800, seller="BBBseller0000000000000002", company="广州玻璃制品厂",
                          place="广东省 广州市", ships_within_hours=24,
                          tiers=[PriceTier(50, D("9.80")), PriceTier(500, D("9.00"))],
                          seller_data={"service": "4.9", "repurchase": "61.20"})  # fmt: skip
    mug = stock_product(800003, subject="陶瓷马克杯", subject_en="Ceramic mug", price="6.00", moq=10, quote_type=1,
                        stock=300, tiers=[], seller="BBBseller0000000000000003", company="潮州陶瓷厂",
                        place="广东省 潮州市", seller_data={"service": "3.8", "repurchase": "20.00"})  # fmt: skip
    return flask, glass, mug


@pytest.fixture
def dave(acme, alice):
    """A viewer in Acme."""
    return _make_user("dave", acme, Membership.Role.VIEWER)


@pytest.fixture
def kitchen(alice, bob, products):
    """Acme's list: the flask at 500 (target ¥12.00), the glass at 20 (below its MOQ of 50), the mug's black SKU at 100."""
    flask, glass, mug = products
    product_list = services.list_create(actor=alice, team=alice.current_team, name="Spring kitchen range",
                                        description="春季厨房系列")  # fmt: skip
    services.item_add(actor=alice, product_list=product_list, product=flask, target_quantity=500,
                      target_price=D("12.00"), note="主推款")  # fmt: skip
    services.item_add(actor=bob, product_list=product_list, product=glass, target_quantity=20)
    black = mug.skus.get(sku_id="80000302")
    services.item_add(actor=alice, product_list=product_list, product=mug, sku=black, target_quantity=100)
    return product_list


@pytest.fixture
def usd(acme):
    """Acme shows USD; rates of 30 days ago and of yesterday (the newer one applies)."""
    today = timezone.localdate()
    ExchangeRate.objects.create(currency="USD", rate=D("0.1300"), date=today - timedelta(days=30))
    ExchangeRate.objects.create(currency="USD", rate=D("0.1400"), date=today - timedelta(days=1))
    ExchangeRate.objects.create(currency="USD", rate=D("0.9999"), date=today + timedelta(days=3))  # not yet valid
    acme.display_currency = "USD"
    acme.save(update_fields=["display_currency"])
    return acme


def body(response) -> str:
    """A page's text as a reader sees it (entities such as &#x27; decoded)."""
    import html

    return html.unescape(response.content.decode())


def text(response) -> str:
    """A page's words without markup, spaces collapsed: "bob changed the status of …"."""
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", body(response)).split()).replace(" .", ".")
