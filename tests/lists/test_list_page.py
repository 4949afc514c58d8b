"""The list page's rows (built in Python since issue 20): what people and 1688 wrote is shown as text, and the
page's queries don't grow with its items."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcing.lists import services
from sourcing.lists.models import ListItem
from tests.catalog.pages.conftest import stock_product
from tests.lists.conftest import body, text

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> \'单引号\' & "双引号"'


def test_rows_show_titles_notes_comments_and_options_as_text(client, alice, bob, kitchen):
    offer = stock_product(800050, subject=HOSTILE + " 保温杯", subject_en=HOSTILE + " flask", company=HOSTILE + "厂")
    item = services.item_add(actor=alice, product_list=kitchen, product=offer, target_quantity=3,
                             note=HOSTILE + "长" * 300)[0]  # fmt: skip
    ListItem.objects.filter(pk=item.pk).update(sku_label=HOSTILE)
    services.comment_add(actor=bob, item=item, text=HOSTILE)
    client.force_login(alice)
    response = client.get(f"/lists/{kitchen.pk}/")
    page = response.content.decode()
    assert "<script>alert" not in page  # every copy escaped: title, English title, company, note, comment, option
    assert page.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 6
    shown = body(response)  # the page's text with its entities decoded: what the reader sees
    assert f"{HOSTILE} 保温杯" in shown and f"{HOSTILE} flask" in shown and f"{HOSTILE}厂" in shown
    assert (HOSTILE + "长" * 300)[:239] + "…" in shown  # a note is cut at 240 characters
    assert "1 comment" in text(response)


def test_list_page_queries_do_not_grow_with_its_items(client, alice, bob, kitchen):
    client.force_login(alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/lists/{kitchen.pk}/").status_code == 200
        return len(captured)

    client.get(f"/lists/{kitchen.pk}/")
    few = count()
    for i in range(20):
        item = services.item_add(actor=alice, product_list=kitchen, product=stock_product(810000 + i),
                                 target_quantity=10 + i)[0]  # fmt: skip
        services.comment_add(actor=bob, item=item, text=f"评论 {i}")
    client.get(f"/lists/{kitchen.pk}/")
    assert count() == few
    assert text(client.get(f"/lists/{kitchen.pk}/")).count("1 comment") == 20
