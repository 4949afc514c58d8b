"""Result cards (built in Python since issue 20): what 1688 wrote is shown as text, whatever it holds."""

import html

import pytest

from sourcing.catalog.models import Product
from tests.catalog.pages.conftest import stock_product

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> \'单引号\' & "双引号"'


def test_a_card_shows_hostile_and_long_titles_as_text(client, alice, categories):
    stock_product(
        700001,
        subject=HOSTILE + " 保温杯",
        subject_en=HOSTILE + " flask",
        company=HOSTILE + "厂",
        seller="BBBseller0000000000000009",
    )
    stock_product(700002)
    Product.objects.filter(offer_id=700002).update(title="超长标题" * 75)  # the column's whole 300 characters
    client.force_login(alice)
    page = client.get("/products/?q=保温杯").content.decode()
    assert "<script>alert" not in page
    shown = html.unescape(page)
    assert f'lang="zh">{HOSTILE} 保温杯</span>' in shown and f'lang="en">{HOSTILE} flask</span>' in shown
    assert f'<span lang="zh">{HOSTILE}厂</span>' in shown
    assert 'href="/products/700001/"' in page
    browse = client.get("/products/").content.decode()  # every product, the long title among them
    assert f'lang="zh">{"超长标题" * 75}</span>' in browse  # whole; the style sheet clamps it to two lines
    assert 'href="/products/700002/"' in browse
