"""A buyer's walk on live-sparse answers: search → product page → list → compare → CSV export.

The sandbox answers with the sparse profile (fields missing or null, numbers as strings, as live 1688
does). Before a worker fetches an offer's details, no page may show a blank price, a "0" for a value
1688 did not give, or a category without a name; the worker's detail fetch then fills what it can.
"""

import csv
import io
import re

import pytest

from sandbox import sparse
from sourcing.catalog.models import Category, Product
from sourcing.catalog.services import fetch as catalog_services
from sourcing.catalog.services import offers as catalog_services_offers
from sourcing.lists import services as list_services
from tests.catalog.pages.conftest import page_html, page_text

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sparse_shop(settings, connected, catalog, monkeypatch):
    """alice's connected credential on the sparse sandbox; detail fetches are queued, not run, until asked."""
    settings.SANDBOX_ANSWER_PROFILE = "sparse"
    from sourcing import tasks

    queued = []
    monkeypatch.setattr(tasks.catalog_product_fetch, "delay_on_commit", lambda job_id: queued.append(job_id))
    return queued


def test_search_product_list_compare_and_csv_on_sparse_answers(sparse_shop, alice, client):
    client.force_login(alice)
    # given a search fetched from the sparse sandbox (the worker runs inline)
    catalog_services.search_fetch_start(user=alice, query="杯")
    products = list(Product.objects.select_related("category").order_by("offer_id"))
    assert len(products) >= 4
    no_moq = [p for p in products if p.moq is None]
    assert no_moq, "the sparse profile leaves out minOrderQuantity for some offers"
    assert len(no_moq) < len(products), "…but not for all of them"
    unnamed = list(Category.objects.filter(name="", name_en=""))
    assert unnamed, "search items carry category ids without names"

    # the search page: every card has a price, and no category is a bare number
    html = page_html(client.get("/products/?q=杯"))
    for product in products:
        assert product.price_min is not None
    for category in unnamed:
        assert f"Category #{category.pk} (name not fetched yet)" in html
        assert not re.search(rf">\s*[\u3000\s]*#{category.pk}\s*<", html)

    # the product page of an offer without an MOQ says it is not known yet, and its follow-up queues the detail fetch
    bare = no_moq[0]
    text = page_text(client.get(f"/products/{bare.offer_id}/"))
    client.post(f"/products/{bare.offer_id}/fetch/")
    assert "Minimum order not known yet" in text and "Minimum order not stated" not in text
    assert "Stock Not known yet" in text
    assert re.search(r"¥\d", text)
    assert sparse_shop, "opening an offer with missing fields queues a detail fetch"
    if bare.category_id:
        assert f"Category #{bare.category_id} (name not fetched yet)" in text or bare.category.name in text

    # a list of them: every item priced, the unknown MOQ said in words
    cups = list_services.list_create(actor=alice, team=alice.current_team, name="Sparse cups")
    for product in products:
        list_services.item_add(actor=alice, product_list=cups, product=product)
    text = page_text(client.get(f"/lists/{cups.pk}/"))
    assert "¥0.00" not in text
    assert text.count("No price from 1688") == 0
    assert "the minimum order is not known yet: priced at 1" in text

    # compare: the unknowns read "Not known yet", never a dash that could pass for nothing or zero
    text = page_text(client.get(f"/lists/{cups.pk}/compare/"))
    moq_row = re.search(r"Minimum order (.*?) Stock ", text).group(1)
    assert "Not known yet" in moq_row and "—" not in moq_row
    stock_row = re.search(r" Stock (.*?) Ships within", text).group(1)
    assert "—" not in stock_row

    # the CSV: a price in every row, and words (not an empty cell or 0) where 1688 gave nothing
    raw = client.get(f"/lists/{cups.pk}/export.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert len(rows) == len(products)
    for row in rows:
        assert re.fullmatch(r"\d+\.\d\d", row["Unit price at quantity (CNY)"]), row
        assert re.fullmatch(r"\d+\.\d\d", row["Total at quantity (CNY)"]), row
        for column in ("MOQ", "Stock", "Supplier"):
            assert row[column] not in ("", "0"), (column, row)
    assert {r["MOQ"] for r in rows if r["Offer ID"] == str(bare.offer_id)} == {"not known yet"}

    # when the worker fetches the details, what the detail answer carries replaces "not known yet"
    for job_id in list(sparse_shop):
        catalog_services_offers.product_fetch_run(job_id=job_id)
    bare.refresh_from_db()
    assert bare.detail_fetched_at is not None and bare.moq is not None
    text = page_text(client.get(f"/products/{bare.offer_id}/"))
    assert "Minimum order not known yet" not in text and f"{bare.moq}{bare.unit or '件'}起批" in text
    assert "No specifications fetched yet" not in text  # fetched: either the table or "1688 lists none"
    assert ("1688's details list no specifications" in text) == (not bare.attributes)


def test_the_sparse_profile_is_the_same_for_an_offer_every_time():
    # given the same search item twice
    def item():
        return {"minOrderQuantity": 3, "promotionURL": "https://detail.1688.com/offer/1.html", "topCategoryId": 1,
                "secondCategoryId": 101, "thirdCategoryId": 10101, "sellerDataInfo": {"tpYear": 2},
                "createDate": "2025-01-01 00:00:00", "productSimpleShippingInfo": {}, "monthSold": 5}  # fmt: skip

    # then an offer is sparse the same way each time, and offers differ
    shapes = {offer_id: sparse.search_item(offer_id, item()) for offer_id in range(600000000001, 600000000201)}
    assert all(sparse.search_item(o, item()) == shape for o, shape in shapes.items())
    for key in ("minOrderQuantity", "promotionURL", "topCategoryId", "sellerDataInfo", "createDate"):
        lacking = sum(1 for shape in shapes.values() if shape.get(key) is None)
        assert 30 <= lacking <= 110, (key, lacking)  # a sizeable share, not all
    assert any(isinstance(shape.get("monthSold"), str) for shape in shapes.values())
    assert any(isinstance(shape.get("monthSold"), int) for shape in shapes.values())
