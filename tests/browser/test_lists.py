"""Team lists in a real browser: alice saves offers to a list from a result card (a new list, named inline)
and from a product page; bob, in his own browser, sees them, moves one along and comments; alice sees the
comment, compares and downloads the Excel and CSV files; every list page fits a 390 px phone."""

import csv
import io

import pytest
from openpyxl import load_workbook

from sourcing.lists.models import ItemComment, ListItem, ProductList
from tests.browser import log_in, page_width
from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.lists.conftest import products  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_alice_saves_bob_comments_and_the_export_downloads(page, browser, live_server, alice, bob, products, tmp_path):  # noqa: F811
    flask, glass, mug = products
    log_in(page, live_server, "alice")
    # a result card: "Save to list" opens the team's lists; she names a new one inline
    page.goto(f"{live_server.url}/products/?q=保温杯")
    card = page.locator(".pcard", has_text="不锈钢保温杯 500ml")
    card.locator("summary:has-text('Save to list')").click()
    card.locator("input[name=new_list_name]").fill("Spring kitchen range")
    card.locator(".save-new button").click()
    card.locator(".save-ok:has-text('Saved to “Spring kitchen range”.')").wait_for()
    assert card.locator("summary").inner_text().strip() == "★ Saved"
    kitchen = ProductList.objects.get(name="Spring kitchen range")
    assert kitchen.items.get().product == flask and kitchen.created_by == alice
    # the glass's product page: the list is offered, the quantity she priced becomes the target
    page.goto(f"{live_server.url}/products/{glass.offer_id}/")
    assert not page.is_visible("input[name=new_list_name]")  # asked for only when "+ New list…" is chosen
    page.fill("#qty", "1e9")  # the server's refusal is shown where she clicked, not lost
    page.click("#save-box button:has-text('Save to list')")
    page.wait_for_selector("#save-box .save-err:has-text('Enter a whole number of pieces, like 500.')")
    assert not kitchen.items.filter(product=glass).exists()
    page.fill("#qty", "600")
    page.wait_for_selector("#quote-result .quote-line:has-text('600 ')")
    page.select_option("#save-list", str(kitchen.pk))
    page.click("#save-box button:has-text('Save to list')")
    page.wait_for_selector("#save-box .save-ok:has-text('Saved to “Spring kitchen range”.')")
    assert page.is_visible("#save-box .on-lists:has-text('Spring kitchen range')")
    assert kitchen.items.get(product=glass).target_quantity == 600

    # bob, in his own browser, sees both offers and comments on the glass
    bob_context = browser.new_context()
    bob_page = bob_context.new_page()
    log_in(bob_page, live_server, "bob")
    bob_page.click("nav >> text=Lists")
    bob_page.click("text=Spring kitchen range")
    assert bob_page.locator(".litem").count() == 2
    assert "玻璃水杯 带盖" in bob_page.inner_text(".litems") and "¥9.00 × 600" in bob_page.inner_text(".litems")
    glass_item = ListItem.objects.get(product=glass)
    bob_page.select_option(f"#status-{glass_item.pk}", "sampling")  # htmx saves the status at once
    bob_page.wait_for_selector(f"#item-{glass_item.pk} .saved")
    bob_page.click(f"#item-{glass_item.pk} .litem-title")
    bob_page.fill("textarea[name=text]", "样品已到，杯盖很紧。Samples in: the lid fits tightly.")
    bob_page.click("button:has-text('Add comment')")
    bob_page.wait_for_selector(".comments:has-text('样品已到')")
    comment = ItemComment.objects.get()
    assert comment.author == bob and ListItem.objects.get(pk=glass_item.pk).status == "sampling"
    bob_context.close()

    # alice sees bob's comment and status, compares, and downloads the list
    page.goto(f"{live_server.url}/lists/{kitchen.pk}/")
    assert "样品已到" in page.inner_text(f"#item-{glass_item.pk}")
    assert "bob changed the status of" in page.inner_text(".activity")
    page.click("button:has-text('Compare')")
    page.wait_for_selector("table.compare")
    assert page.locator("table.compare thead th.offer").count() == 2
    page.goto(f"{live_server.url}/lists/{kitchen.pk}/")
    with page.expect_download() as download:
        page.click("a:has-text('Excel')")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("Spring kitchen range") and path.suffix == ".xlsx"
    sheet = load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=False)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert [r["Title"] for r in rows] == ["不锈钢保温杯 500ml", "玻璃水杯 带盖"]
    glass_row = rows[1]
    assert glass_row["Status"] == "Sampling" and glass_row["Priced quantity"] == 600
    assert glass_row["Total at quantity (CNY)"] == 5400 and glass_row["Unit"] == "个 (piece)"  # 600 × ¥9.00
    with page.expect_download() as download:
        page.click("a:has-text('CSV')")
    raw = download.value.path().read_bytes()
    assert raw.startswith("\ufeff".encode())
    assert [r["Title"] for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))] == [
        "不锈钢保温杯 500ml",
        "玻璃水杯 带盖",
    ]


def test_the_list_pages_fit_a_phone(page, live_server, alice, bob, products):  # noqa: F811
    from sourcing.lists import services as services

    flask, glass, mug = products
    kitchen = services.list_create(actor=alice, team=alice.current_team, name="Spring kitchen range " + "长" * 60)
    for product in products:
        item, _ = services.item_add(actor=alice, product_list=kitchen, product=product, target_quantity=20,
                                    note="a very long note without spaces " + "x" * 300)  # fmt: skip
    services.comment_add(actor=bob, item=item, text="https://example.com/" + "y" * 200)
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "alice")
    for path in ("/lists/", f"/lists/{kitchen.pk}/", f"/lists/{kitchen.pk}/compare/", f"/lists/items/{item.pk}/",
                 f"/lists/{kitchen.pk}/edit/", f"/products/{flask.offer_id}/", "/products/?q=杯",
                 f"/teams/{alice.current_team_id}/"):  # fmt: skip
        page.goto(f"{live_server.url}{path}")
        assert page_width(page) <= PHONE["width"], path
    # the compare table scrolls inside its own box, not the page
    page.goto(f"{live_server.url}/lists/{kitchen.pk}/compare/")
    assert page.evaluate("document.querySelector('.compare-wrap').scrollWidth") > PHONE["width"] - 40
    # a card's save menu, opened, still fits
    page.goto(f"{live_server.url}/products/?q=杯")
    page.locator(".pcard summary").first.click()
    assert page.locator(".pcard .save-menu").first.is_visible() and page_width(page) <= PHONE["width"]
