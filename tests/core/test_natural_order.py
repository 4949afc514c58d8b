"""Options are listed in natural order (350 ml, 500 ml, 1000 ml) on the product page's table and grid, the
save box, the list item's and the inquiry's option pickers; options without numbers keep 1688's order."""

from decimal import Decimal

import pytest

from sourcing.alibaba.api import Sku, SkuAttribute
from sourcing.core.natural import natural_sorted
from sourcing.lists import services as list_services
from tests.catalog.pages.conftest import categories, stock_product  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["1000ml", "350 ml", "500ml"], ["350 ml", "500ml", "1000ml"]),
        (["1.5L", "１２０ｍｌ", "500毫升"], ["１２０ｍｌ", "500毫升", "1.5L"]),  # full-width digits, 毫升, litres
        (["二十寸", "十二寸", "三寸", "5寸"], ["三寸", "5寸", "十二寸", "二十寸"]),  # Chinese numerals
        (["两只装", "十只装", "一只装"], ["一只装", "两只装", "十只装"]),
        (["2公斤", "500克", "1千克"], ["500克", "1千克", "2公斤"]),  # the 千 of 千克 is a unit
        (["白色/1000ml", "黑色/350ml", "白色/350ml"], ["白色/350ml", "白色/1000ml", "黑色/350ml"]),
        (["黑色", "白色", "百搭款"], ["黑色", "白色", "百搭款"]),  # no numbers: the seller's order stays
    ],
)
def test_natural_order(given, expected):
    assert natural_sorted(given) == expected


def _cup(offer_id, sizes, colours=None):
    skus = []
    for i, (size, colour) in enumerate((s, c) for c in (colours or [None]) for s in sizes):
        attributes = (
            [SkuAttribute(name="颜色", value=colour, name_en="Color", value_en="", image_url="")] if colour else []
        )
        attributes.append(SkuAttribute(name="容量", value=size, name_en="Capacity", value_en="", image_url=""))
        skus.append(Sku(sku_id=f"{offer_id}{i:02d}", spec_id=str(i), price=Decimal(10 + i), stock=100 + i,
                        attributes=attributes))  # fmt: skip
    return stock_product(offer_id, skus=skus)


def _order(page: str, words) -> list:
    return sorted(words, key=page.index)


def test_the_product_page_and_the_pickers_list_options_naturally(client, alice, categories):  # noqa: F811
    sizes = ["1000ml", "350ml", "500ml"]  # as 1688 sent them
    grid = _cup(900001, sizes, colours=["白色", "黑色"])
    single = _cup(900002, sizes)
    client.force_login(alice)
    page = client.get(f"/products/{grid.offer_id}/").content.decode()
    table = page[page.index('class="sku-matrix"') :]
    assert _order(table, sizes) == ["350ml", "500ml", "1000ml"]  # the grid's columns
    page = client.get(f"/products/{single.offer_id}/").content.decode()
    table = page[page.index('class="sku-list"') :]
    assert _order(table, sizes) == ["350ml", "500ml", "1000ml"]
    save_box = page[page.index('id="save-box"') :]
    assert _order(save_box, sizes) == ["350ml", "500ml", "1000ml"]
    # the list item's option picker
    product_list = list_services.list_create(actor=alice, team=alice.current_team, name="Cups")
    item, _created = list_services.item_add(actor=alice, product_list=product_list, product=single)
    page = client.get(f"/lists/items/{item.pk}/").content.decode()
    picker = page[page.index('name="sku"') :]
    assert _order(picker, sizes) == ["350ml", "500ml", "1000ml"]
    # the inquiry form's
    page = client.get(f"/inquiries/new/?offer={single.offer_id}").content.decode()
    picker = page[page.index('name="sku"') :]
    assert _order(picker, sizes) == ["350ml", "500ml", "1000ml"]
