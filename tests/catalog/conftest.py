"""Catalog fixtures: dataclass builders for upserts, and alice's connected credential over a sandbox catalog."""

from decimal import Decimal

import pytest

from sourcing.alibaba.api import OfferSummary, PriceTier, ProductAttribute, ProductDetail, Sku, SkuAttribute


def offer(offer_id="700001", subject="不锈钢保温杯 大容量", subject_en="stainless steel vacuum cup", price="12.50",
          **extra) -> OfferSummary:  # fmt: skip
    values = {
        "offer_id": str(offer_id), "subject": subject, "subject_en": subject_en,
        "image_url": f"https://img.example/{offer_id}.png", "price": Decimal(price), "min_order_quantity": 2,
        "month_sold": 100, "repurchase_rate": "11%", "top_category_id": 3, "second_category_id": 301,
        "third_category_id": 30101, "seller_years": 3, "company_name": "", "price_min": Decimal(price),
        "price_max": Decimal(price), "detail_url": f"https://detail.1688.com/offer/{offer_id}.html",
    }  # fmt: skip
    values.update(extra)
    return OfferSummary(**values)


def detail(offer_id="700001", subject="不锈钢保温杯 大容量", price="12.50", stock=500, status="published",
           seller="BBBseller0000000000000001", **extra) -> ProductDetail:  # fmt: skip
    skus = [
        Sku(sku_id=f"{offer_id}01", spec_id="a", price=Decimal(price), stock=stock // 2,
            attributes=[SkuAttribute(name="颜色", value="白色", name_en="Color", value_en="White", image_url="")]),
        Sku(sku_id=f"{offer_id}02", spec_id="b", price=Decimal(price) + 1, stock=stock - stock // 2,
            attributes=[SkuAttribute(name="颜色", value="黑色", name_en="Color", value_en="Black", image_url="")]),
    ]  # fmt: skip
    values = {
        "offer_id": str(offer_id), "category_id": 30101, "category_name": "保温杯", "subject": subject,
        "subject_en": "stainless steel vacuum cup", "description": "", "images": [f"https://img.example/{offer_id}.png"],
        "attributes": [ProductAttribute(name="材质", value="304不锈钢", name_en="Material", value_en="304 steel")],
        "skus": skus, "price_tiers": [PriceTier(2, Decimal(price) + 2), PriceTier(100, Decimal(price))],
        "unit": "个", "unit_en": "piece", "min_order_quantity": 2, "stock": stock, "seller_open_id": seller,
        "seller_login_id": "", "company_name": "义乌示例日用品厂", "ship_from": "浙江省 金华市",
        "weight_kg": Decimal("0.4"), "out_of_stock": False, "status": status,
        "detail_url": f"https://detail.1688.com/offer/{offer_id}.html", "sales_count": 1234, "quote_type": 1,
        "seller_data": {"service": "4.5", "repurchase": "46.66", "logistics": "4.0"}, "badges": ["实力商家"],
    }  # fmt: skip
    values.update(extra)
    return ProductDetail(**values)


@pytest.fixture
def shop(connected, catalog):
    """alice's credential, connected to the live server's sandbox, over a 240-offer catalog."""
    return connected
