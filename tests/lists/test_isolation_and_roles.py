"""Tenancy and roles on every list URL: carol (Globex) gets 404 for everything of Acme's; in Acme, dave the
viewer reads but changes nothing (403 in words), bob the buyer adds and edits, only owners and admins delete."""

import pytest

from sourcing.accounts.models import Membership
from sourcing.lists import services as services
from sourcing.lists.models import ItemComment, ListActivity, ListItem, ProductList
from tests.lists.conftest import body

pytestmark = pytest.mark.django_db


def acme_urls(kitchen):
    item = kitchen.items.order_by("position").first()
    return {
        "get": [f"/lists/{kitchen.pk}/", f"/lists/{kitchen.pk}/edit/", f"/lists/{kitchen.pk}/compare/",
                f"/lists/{kitchen.pk}/compare/?item={item.pk}&item={item.pk + 1}",
                f"/lists/{kitchen.pk}/export.csv", f"/lists/{kitchen.pk}/export.xlsx", f"/lists/items/{item.pk}/"],
        "post": [(f"/lists/{kitchen.pk}/edit/", {"name": "Mine now"}), (f"/lists/{kitchen.pk}/copy/", {}),
                 (f"/lists/{kitchen.pk}/archive/", {"archived": "1"}), (f"/lists/{kitchen.pk}/delete/", {}),
                 (f"/lists/items/{item.pk}/", {"target_quantity": "1", "version": "1"}),
                 (f"/lists/items/{item.pk}/status/", {"status": "ordered"}),
                 (f"/lists/items/{item.pk}/comment/", {"text": "hi"}),
                 (f"/lists/items/{item.pk}/delete/", {}),
                 (f"/teams/{kitchen.team_id}/currency/", {"currency": "USD"})],
    }  # fmt: skip


def test_carol_gets_404_on_every_acme_list_url(client, carol, kitchen):
    client.force_login(carol)
    urls = acme_urls(kitchen)
    for url in urls["get"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Spring kitchen range" not in body(response), url
    for url, data in urls["post"]:
        assert client.post(url, data).status_code == 404, url
    # saving an offer to Acme's list by its id
    flask = kitchen.items.first().product
    assert client.post("/lists/add/", {"offer_id": flask.offer_id, "list": kitchen.pk}).status_code == 404
    # nothing changed, and her own lists page doesn't show Acme's list
    kitchen.refresh_from_db()
    assert kitchen.name == "Spring kitchen range" and kitchen.archived_at is None
    assert kitchen.items.count() == 3 and not ItemComment.objects.exists()
    assert set(kitchen.items.values_list("status", flat=True)) == {"idea"}
    page = body(client.get("/lists/"))
    assert "Spring kitchen range" not in page and "No lists yet." in page


def test_anonymous_visitors_are_sent_to_log_in(client, kitchen):
    for url in acme_urls(kitchen)["get"] + ["/lists/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_viewer_reads_but_changes_nothing(client, dave, kitchen, products):
    client.force_login(dave)
    item = kitchen.items.order_by("position").first()
    page = client.get(f"/lists/{kitchen.pk}/")
    text = body(page)
    assert page.status_code == 200 and "不锈钢保温杯 500ml" in text
    assert 'name="status"' not in text and "Rename" not in text and "Delete the list" not in text
    assert client.get(f"/lists/{kitchen.pk}/export.xlsx").status_code == 200
    assert client.get(f"/lists/{kitchen.pk}/compare/").status_code == 200
    item_page = body(client.get(f"/lists/items/{item.pk}/"))
    assert "You can read this list; buyers, admins and owners change it." in item_page
    assert "Add comment" not in item_page
    refusals = [
        ("/lists/", {"name": "Viewer's list"}),
        (f"/lists/{kitchen.pk}/edit/", {"name": "Renamed"}),
        (f"/lists/{kitchen.pk}/copy/", {}),
        (f"/lists/{kitchen.pk}/archive/", {"archived": "1"}),
        (f"/lists/{kitchen.pk}/delete/", {}),
        (f"/lists/items/{item.pk}/", {"target_quantity": "7", "version": item.version}),
        (f"/lists/items/{item.pk}/status/", {"status": "ordered"}),
        (f"/lists/items/{item.pk}/comment/", {"text": "I would buy it"}),
        (f"/lists/items/{item.pk}/delete/", {}),
        ("/lists/add/", {"offer_id": products[1].offer_id, "list": kitchen.pk}),
        ("/lists/add/", {"offer_id": products[1].offer_id, "new_list_name": "Sneaky"}),
    ]
    for url, data in refusals:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "Viewers can read the team's lists but not change them" in body(response) or (
            "Only the team's owners and admins" in body(response)
        ), url
    htmx = client.post(
        "/lists/add/", {"offer_id": products[1].offer_id, "list": kitchen.pk}, headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 403 and "Viewers can read" in body(htmx)
    assert ProductList.objects.count() == 1 and kitchen.items.count() == 3 and not ItemComment.objects.exists()
    item.refresh_from_db()
    assert item.target_quantity == 500 and item.status == "idea"


def test_buyer_adds_edits_and_comments_but_does_not_delete(client, bob, kitchen, products):
    client.force_login(bob)
    item = kitchen.items.order_by("position").first()
    assert client.post(f"/lists/items/{item.pk}/status/", {"status": "sampling"}).status_code == 302
    response = client.post(f"/lists/items/{item.pk}/", {"target_quantity": "800", "target_price": "11.50",
                                                        "note": "bob's note", "version": item.version})  # fmt: skip
    assert response.status_code == 302
    assert client.post(f"/lists/items/{item.pk}/comment/", {"text": "样品不错"}).status_code == 302
    created = client.post("/lists/", {"name": "Bob's picks"})
    assert created.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.target_quantity, str(item.target_price), item.note) == ("sampling", 800, "11.50",
                                                                                      "bob's note")  # fmt: skip
    assert item.comments.get().text == "样品不错" and item.comments.get().author == bob
    # deleting is for owners and admins
    for url in (f"/lists/items/{item.pk}/delete/", f"/lists/{kitchen.pk}/delete/"):
        response = client.post(url)
        assert response.status_code == 403, url
        assert "Only the team's owners and admins can delete lists and items" in body(response)
    assert ListItem.objects.filter(pk=item.pk).exists() and ProductList.objects.filter(pk=kitchen.pk).exists()
    # the page shows bob no delete buttons
    assert "Delete the list" not in body(client.get(f"/lists/{kitchen.pk}/"))


@pytest.mark.parametrize("role", [Membership.Role.OWNER, Membership.Role.ADMIN])
def test_owners_and_admins_delete_items_and_lists(client, alice, bob, kitchen, role):
    Membership.objects.filter(user=bob).update(role=role)
    client.force_login(bob)
    item = kitchen.items.order_by("position").first()
    assert client.post(f"/lists/items/{item.pk}/delete/").status_code == 302
    assert not ListItem.objects.filter(pk=item.pk).exists()
    line = ListActivity.objects.get(product_list=kitchen, verb="removed")
    assert line.actor == bob and line.detail == "不锈钢保温杯 500ml"
    response = client.post(f"/lists/{kitchen.pk}/delete/", follow=True)
    assert "List “Spring kitchen range” deleted." in body(response)
    assert not ProductList.objects.exists() and not ListItem.objects.exists()


def test_the_door_and_the_services_agree(alice, bob, carol, dave, kitchen):
    from django.http import Http404

    from sourcing.lists.selectors import get_item_for_user, get_list_for_user

    assert get_list_for_user(dave, kitchen.pk).membership.role == "viewer"
    for bad in (carol, None):
        with pytest.raises(Http404):
            get_list_for_user(bad or type("Anon", (), {"is_authenticated": False, "pk": None})(), kitchen.pk)
    for raw in ("abc", "0", "-1", "9" * 30, "²", None):
        with pytest.raises(Http404):
            get_list_for_user(alice, raw)
        with pytest.raises(Http404):
            get_item_for_user(alice, raw)
    with pytest.raises(services.ListForbidden):
        services.list_create(actor=carol, team=kitchen.team, name="into Acme")


def test_the_admin_shows_staff_only_their_own_teams_lists_and_changes_nothing(client, alice, carol, kitchen, globex):
    theirs = services.list_create(actor=carol, team=globex, name="Globex giveaways")
    carol.is_staff = True
    carol.save()
    from django.contrib.auth.models import Permission

    carol.user_permissions.set(Permission.objects.filter(codename__in=["view_productlist", "view_listitem",
                                                                       "change_productlist", "delete_productlist"]))  # fmt: skip
    client.force_login(carol)
    page = body(client.get("/admin/sourcing/productlist/"))
    assert "Globex giveaways" in page and "Spring kitchen range" not in page
    assert client.get(f"/admin/sourcing/productlist/{kitchen.pk}/change/").status_code == 302  # not hers: gone
    response = client.post(f"/admin/sourcing/productlist/{theirs.pk}/change/", {"name": "renamed in the admin"})
    assert response.status_code == 403
    assert client.post(f"/admin/sourcing/productlist/{theirs.pk}/delete/", {"post": "yes"}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.name == "Globex giveaways"
    client.force_login(alice)  # a superuser sees every team's lists
    page = body(client.get("/admin/sourcing/productlist/"))
    assert "Globex giveaways" in page and "Spring kitchen range" in page
