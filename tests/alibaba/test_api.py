"""The typed wrappers parse sandbox answers into dataclasses, Chinese text intact."""

import base64
from decimal import Decimal

import pytest
import requests

from sandbox.models import SandboxOffer, SandboxSupplier
from sourcing.alibaba import api, errors

pytestmark = pytest.mark.django_db(transaction=True)


def test_category_tree(client_1688, catalog):
    (root,) = api.category_get(client_1688, 0)
    assert [c.name for c in root.children][:3] == ["电子产品", "服装服饰", "家居园艺"]
    (electronics,) = api.category_get(client_1688, root.children[0].id)
    assert electronics.name == "电子产品"
    assert electronics.level is None  # 1688 leaves the level out of category.get
    assert electronics.parent_ids == [0]
    assert "蓝牙耳机" in [c.name for c in electronics.children]


def test_category_translation(client_1688, tokens, catalog):
    node = api.category_translation(client_1688, tokens.access_token, 1001, "en")
    assert (node.chinese_name, node.translated_name) == ("电子产品", "Electronics")
    assert node.children[0].chinese_name == "蓝牙耳机"
    assert node.children[0].translated_name == "Bluetooth earphones"


def test_keyword_search_in_chinese_and_english(client_1688, tokens, catalog):
    offer = SandboxOffer.objects.order_by("offer_id").first()
    word = offer.category.name  # a product word such as 保温杯
    page = api.keyword_search(client_1688, tokens.access_token, word, page_size=5)
    assert page.total == SandboxOffer.objects.filter(subject__contains=word).count() > 0
    assert page.page_size == 5
    assert all(word in item.subject for item in page.items)
    item = page.items[0]
    assert isinstance(item.price, Decimal)
    assert item.image_url.startswith("http://")
    assert item.detail_url == f"https://detail.1688.com/offer/{item.offer_id}.html"
    english_word = offer.category.name_en.split()[-1]
    english = api.keyword_search(client_1688, tokens.access_token, english_word)
    assert english.total == SandboxOffer.objects.filter(subject_en__icontains=english_word).count() > 0
    assert all(offer.category.name_en.split()[-1].lower() in i.subject_en.lower() for i in english.items)


def test_search_paging_category_and_price_filters(client_1688, tokens, catalog):
    from django.db.models import Count

    busiest = SandboxOffer.objects.values("category__name").annotate(n=Count("id")).order_by("-n")[0]
    word, count = busiest["category__name"], busiest["n"]
    first = api.keyword_search(client_1688, tokens.access_token, word, page=1, page_size=2, sort={"price": "asc"})
    second = api.keyword_search(client_1688, tokens.access_token, word, page=2, page_size=2, sort={"price": "asc"})
    assert first.total == count
    assert first.total_pages == count // 2 + 1  # as 1688 counts pages
    assert first.last_page == -(-count // 2)
    assert not {i.offer_id for i in first.items} & {i.offer_id for i in second.items}
    cheap = api.keyword_search(client_1688, tokens.access_token, word, price_max=Decimal("10"))
    assert cheap.total == SandboxOffer.objects.filter(category__name=word, base_price__lte=10).count()
    top_id = SandboxOffer.objects.filter(category__name=word).first().category.parent.parent_id
    in_top = api.keyword_search(client_1688, tokens.access_token, word, category_id=top_id)
    assert in_top.total == count


def test_product_detail(client_1688, tokens, catalog):
    offer = SandboxOffer.objects.exclude(sku_axes=[]).order_by("offer_id").first()
    detail = api.product_detail(client_1688, tokens.access_token, str(offer.offer_id))
    assert detail.subject == offer.subject
    assert detail.subject_en == offer.subject_en
    assert detail.unit == offer.unit
    assert detail.company_name.endswith("有限公司")
    assert detail.price_tiers[0].min_quantity == offer.min_order_quantity
    assert [t.min_quantity for t in detail.price_tiers] == sorted(t.min_quantity for t in detail.price_tiers)
    assert len(detail.skus) >= 2
    assert detail.skus[0].attributes[0].name == offer.sku_axes[0][0]  # e.g. 颜色
    assert detail.images and requests.get(detail.images[0], timeout=10).headers["Content-Type"] == "image/png"
    assert detail.sales_count >= offer.month_sold


def test_image_search_finds_the_offer_first(client_1688, tokens, catalog):
    offer = SandboxOffer.objects.order_by("offer_id")[30]
    detail = api.product_detail(client_1688, tokens.access_token, str(offer.offer_id))
    picture = requests.get(detail.images[0], timeout=10).content
    image_id = api.image_upload(client_1688, tokens.access_token, base64.b64encode(picture).decode())
    page = api.image_search(client_1688, tokens.access_token, image_id, page_size=5)
    family = set(SandboxOffer.objects.filter(image_family=offer.image_family).values_list("offer_id", flat=True))
    assert page.items[0].offer_id == str(offer.offer_id)
    assert {i.offer_id for i in page.items[:3]} & {str(o) for o in family - {offer.offer_id}}


def test_image_upload_rejects_non_images(client_1688, tokens, catalog):
    with pytest.raises(errors.BusinessError, match="not a picture"):
        api.image_upload(client_1688, tokens.access_token, base64.b64encode(b"hello").decode())


def test_seller_offers_supplier_info_and_chat_link(client_1688, tokens, catalog):
    offer = SandboxOffer.objects.order_by("offer_id").first()
    detail = api.product_detail(client_1688, tokens.access_token, str(offer.offer_id))
    page = api.seller_offers(client_1688, tokens.access_token, detail.seller_open_id)
    assert page.total == offer.supplier.offers.count()
    assert str(offer.offer_id) in {i.offer_id for i in page.items}
    info = api.supplier_info(client_1688, tokens.access_token, login_id=offer.supplier.login_id)
    assert info.company_name == offer.supplier.company_name
    assert info.shop_url.endswith(".1688.com")
    url = api.wangwang_url_for_open_id(client_1688, tokens.access_token, detail.seller_open_id)
    assert url.startswith("https://air.1688.com/")
    assert "cnalichn" in url


def test_server_time(client_1688):
    from django.utils import timezone

    assert abs((api.server_time(client_1688) - timezone.now()).total_seconds()) < 5


def test_prices_drift_between_periods(client_1688, tokens, catalog, settings):
    from sandbox.catalog import drift

    offer = SandboxOffer.objects.first()
    moments = [__import__("datetime").datetime(2026, 11, 28, h, tzinfo=__import__("datetime").UTC) for h in range(6)]
    prices = {drift(offer, 3600, now=m)[0] for m in moments}
    assert len(prices) > 1
    assert all(abs(p - offer.base_price) <= offer.base_price * Decimal("0.051") for p in prices)


def test_catalog_is_deterministic_and_realistic(transactional_db):
    from sandbox.catalog import build_catalog

    build_catalog(offers=120, seed=3)
    first = list(SandboxOffer.objects.order_by("offer_id").values_list("subject", "base_price"))
    build_catalog(offers=120, seed=3)
    assert first == list(SandboxOffer.objects.order_by("offer_id").values_list("subject", "base_price"))
    assert SandboxSupplier.objects.count() == 10
    offers = SandboxOffer.objects.all()
    assert {len(o.price_tiers) for o in offers} <= {1, 2, 3, 4}
    assert {o.unit for o in offers} & {"件", "个", "套", "箱"}
    assert SandboxOffer.objects.values("category__parent__parent").distinct().count() >= 6
