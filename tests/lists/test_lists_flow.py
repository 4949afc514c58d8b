"""A list's life: created, offers saved to it from result cards and product pages (htmx and plain posts),
edited, commented, copied, archived; every step in its activity log; its products refreshed sooner."""

import pytest
from django.utils import timezone

from sourcing.catalog.services.refresh import refresh_candidates, wanted_product_ids
from sourcing.lists import services as services
from sourcing.lists.models import ListItem, ProductList
from tests.catalog.pages.conftest import credential, queued  # noqa: F401 - fixtures
from tests.lists.conftest import body, text

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def test_create_a_list_from_the_lists_page(client, bob):
    client.force_login(bob)
    page = body(client.get("/lists/"))
    assert "No lists yet." in page and "+ New list" in page
    response = client.post("/lists/", {"name": "  Dinnerware   2027 ", "description": "碗和盘子"}, follow=True)
    product_list = ProductList.objects.get()
    assert (product_list.name, product_list.description, product_list.created_by) == (
        "Dinnerware 2027",
        "碗和盘子",
        bob,
    )
    assert response.redirect_chain[-1][0] == f"/lists/{product_list.pk}/"
    assert "List “Dinnerware 2027” created." in body(response) and "Nothing on this list yet." in body(response)
    assert body(client.get("/lists/")).count("Dinnerware 2027") == 1


def test_save_from_the_product_page_plain_post(client, bob, kitchen, products):
    client.force_login(bob)
    flask = products[0]
    other = services.list_create(actor=bob, team=kitchen.team, name="Gifts")
    # the product page says which lists hold it, and offers the team's lists
    page = body(client.get(f"/products/{flask.offer_id}/"))
    assert "On your team's lists:" in page and "Spring kitchen range" in page and "Idea" in page
    assert '<option value="new"' in page and f'<option value="{other.pk}">Gifts</option>' in page
    # a plain form post (no JavaScript): back to the product page with a message
    response = client.post("/lists/add/", {"offer_id": flask.offer_id, "list": other.pk, "qty": "300",
                                           "next": f"/products/{flask.offer_id}/"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == f"/products/{flask.offer_id}/"
    item = other.items.get()
    assert (item.product, item.target_quantity, item.added_by) == (flask, 300, bob)
    page = body(client.get(f"/products/{flask.offer_id}/"))
    assert "Saved to “Gifts”." in page
    held = page[page.index("On your team's lists:") :]
    assert "Gifts" in held[:400] and "Spring kitchen range" in held[:400]
    # a foreign "next" is not followed
    response = client.post(
        "/lists/add/", {"offer_id": products[1].offer_id, "list": other.pk, "next": "//evil.example/"}
    )
    assert response["Location"] == "/lists/"


def test_save_from_a_result_card_with_htmx_and_a_new_list(client, bob, kitchen, products):
    client.force_login(bob)
    search = body(client.get("/products/?q=杯"))
    assert search.count("☆ Save to list") == 0 and search.count("★ Saved") == 3  # all three are on the kitchen list
    services.item_remove(actor=kitchen.created_by, item=kitchen.items.get(product=products[1]))
    search = body(client.get("/products/?q=杯"))
    assert search.count("☆ Save to list") == 1
    glass = products[1]
    response = client.post(
        "/lists/add/", {"offer_id": glass.offer_id, "where": "card", "list": kitchen.pk}, headers=HTMX
    )
    assert response.status_code == 200
    assert "✓ Saved to “Spring kitchen range”." in body(response) and "★ Saved" in body(response)
    assert f'href="/lists/{kitchen.pk}/"' in body(response)
    # again: the same offer is not doubled
    again = client.post("/lists/add/", {"offer_id": glass.offer_id, "where": "card", "list": kitchen.pk}, headers=HTMX)
    assert "Already on “Spring kitchen range”." in body(again) and kitchen.items.filter(product=glass).count() == 1
    # a new list named inline
    new = client.post("/lists/add/", {"offer_id": glass.offer_id, "where": "card", "new_list_name": "样品 2026"},
                      headers=HTMX)  # fmt: skip
    created = ProductList.objects.get(name="样品 2026")
    assert new.status_code == 200 and "Saved to “样品 2026”." in body(new)
    assert created.team == kitchen.team and created.items.get().product == glass
    # the product page's box answers with itself
    box = client.post("/lists/add/", {"offer_id": products[0].offer_id, "list": created.pk, "qty": "40"}, headers=HTMX)
    assert 'id="save-box"' in body(box) and "Saved to “样品 2026”." in body(box)
    assert created.items.get(product=products[0]).target_quantity == 40


def test_activity_log_and_copy(client, alice, bob, kitchen, products):
    flask_item = kitchen.items.get(product=products[0])
    services.item_set_status(actor=bob, item=flask_item, status="sampling")
    flask_item = services.item_update(actor=bob, item=flask_item, version=flask_item.version,
                                      changes={"target_quantity": 1000, "note": "翻倍"})  # fmt: skip
    services.comment_add(actor=bob, item=flask_item, text="样品到了 samples are in")
    client.force_login(alice)
    response = client.post(f"/lists/{kitchen.pk}/copy/", {"name": "Spring kitchen range (B)"}, follow=True)
    copy = ProductList.objects.get(name="Spring kitchen range (B)")
    assert "Copied: “Spring kitchen range (B)” with its 3 items" in body(response)
    assert copy.copied_from == kitchen and copy.team == kitchen.team and copy.created_by == alice
    copied = copy.items.order_by("position")
    assert [(i.product_id, i.status, i.target_quantity, i.note, i.sku_id) for i in copied] == [
        (i.product_id, i.status, i.target_quantity, i.note, i.sku_id) for i in kitchen.items.order_by("position")
    ]
    assert not copied.filter(comments__isnull=False).exists()  # comments stay with the original
    services.item_set_status(actor=alice, item=copied[0], status="rejected")
    assert kitchen.items.get(product=products[0]).status == "sampling"  # the copy is its own list
    services.item_remove(actor=alice, item=kitchen.items.get(product=products[2]))
    lines = [(a.actor.username, a.verb, a.detail) for a in kitchen.activity.order_by("at", "pk")]
    assert lines == [
        ("alice", "created", "Spring kitchen range"),
        ("alice", "added", "不锈钢保温杯 500ml"),
        ("bob", "added", "玻璃水杯 带盖"),
        ("alice", "added", "陶瓷马克杯"),
        ("bob", "status", "不锈钢保温杯 500ml · idea → sampling"),  # by value: shown in the reader's words
        ("bob", "edited", "不锈钢保温杯 500ml · quantity: 500 → 1000; note: 主推款 → 翻倍"),
        ("bob", "commented", "不锈钢保温杯 500ml: “样品到了 samples are in”"),
        ("alice", "copied", "to “Spring kitchen range (B)”"),
        ("alice", "removed", "陶瓷马克杯"),
    ]
    assert copy.activity.filter(verb="copied", detail="from “Spring kitchen range”").exists()
    page = text(client.get(f"/lists/{kitchen.pk}/"))
    assert (
        "bob changed the status of 不锈钢保温杯 500ml · Idea → Sampling" in page and "alice removed 陶瓷马克杯" in page
    )
    client.cookies["django_language"] = "zh-hans"
    assert "不锈钢保温杯 500ml · 意向 → 打样中" in text(client.get(f"/lists/{kitchen.pk}/"))
    del client.cookies["django_language"]
    item_page = text(client.get(f"/lists/items/{flask_item.pk}/"))
    assert "样品到了 samples are in" in item_page and "bob commented on" in item_page


def test_rename_archive_and_bring_back(client, alice, kitchen, products):
    client.force_login(alice)
    assert client.post(f"/lists/{kitchen.pk}/edit/", {"name": "Spring range", "description": ""}).status_code == 302
    client.post(f"/lists/{kitchen.pk}/archive/", {"archived": "1"})
    kitchen.refresh_from_db()
    assert kitchen.name == "Spring range" and kitchen.archived_at is not None
    assert "Spring range" not in body(client.get("/lists/")).split("archived list")[0]
    assert "Spring range" in body(client.get("/lists/?archived=1"))
    product_page = body(client.get(f"/products/{products[0].offer_id}/"))
    assert "On your team's lists:" not in product_page  # archived lists leave the pickers
    with pytest.raises(services.ListError):
        services.item_add(actor=alice, product_list=kitchen, product=products[0])
    client.post(f"/lists/{kitchen.pk}/archive/", {"archived": "0"})
    kitchen.refresh_from_db()
    assert kitchen.archived_at is None
    assert [a.detail for a in kitchen.activity.filter(verb="renamed").order_by("at", "pk")] == [
        "Spring kitchen range → Spring range", "archived", "brought back from the archive"]  # fmt: skip


def test_products_on_lists_refresh_sooner(alice, kitchen, products):
    from datetime import timedelta

    from sourcing.catalog.models import Product

    now = timezone.now()
    Product.objects.update(detail_fetched_at=now - timedelta(days=30))
    wanted = set(Product.objects.filter(wanted_product_ids(now)).values_list("pk", flat=True))
    assert wanted == {p.pk for p in products}
    assert set(refresh_candidates(now=now)) == {p.pk for p in products}
    kitchen.archived_at = now
    kitchen.save()
    assert not Product.objects.filter(wanted_product_ids(now)).exists()


def test_saving_a_search_summary_asks_a_worker_for_its_details(alice, kitchen, products, monkeypatch):
    from sourcing.catalog.models import Product
    from sourcing.lists import services as list_services

    asked = []
    monkeypatch.setattr(list_services, "product_fetch_start", lambda **kw: asked.append(kw["offer_id"]))
    summary = Product.objects.create(offer_id=830001, title="只在搜索里见过的杯子", price_min=5, price_max=6)
    services.item_add(actor=alice, product_list=kitchen, product=summary)
    services.item_add(actor=alice, product_list=kitchen, product=products[0])  # already on it: nothing to fetch
    assert asked == [830001]
    assert ListItem.objects.filter(product=summary).exists()


def test_the_teams_shared_credential_pays_for_refreshing_its_lists(alice, bob, kitchen, products, credential):  # noqa: F811
    from sourcing.catalog.services.refresh import background_credential, credentials_wanting
    from sourcing.connections.services.credentials import credential_update

    flask, glass, _mug = products
    assert credentials_wanting(flask.pk) == [credential]  # alice added it: her own credential may pay
    assert credentials_wanting(glass.pk) == []  # bob added it and has no credential; alice's isn't shared
    credential_update(credential=credential, user=alice, shared_with_team=kitchen.team)
    assert credentials_wanting(glass.pk) == [credential] and background_credential(glass.pk)[0] == credential
