"""Caps on teams per user, lists per team and items per list: past them the form says why in words (400),
nothing is written; a long list shows in pages while totals, compare and the exports still take every item."""

import csv
import io

import pytest
from django.urls import reverse

from sourcing.accounts.models import Invitation, Membership, Team
from sourcing.accounts.services import teams as team_services
from sourcing.lists.models import ListActivity, ListItem, ProductList
from tests.catalog.pages.conftest import page_html, page_text, stock_product
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_a_user_at_the_team_cap_is_told_and_no_team_is_made(client, alice, settings):
    settings.TEAMS_PER_USER_MAX = 2
    login(client, alice)
    assert client.post(reverse("team_list"), {"name": "Second team"}).status_code == 302
    response = client.post(reverse("team_list"), {"name": "Third team"})
    assert response.status_code == 400
    assert "You are in 2 teams, the most one person can be in" in page_text(response)
    assert not Team.objects.filter(name="Third team").exists()
    assert Membership.objects.filter(user=alice).count() == 2


def test_an_invitation_past_the_team_cap_is_refused_and_stays_usable(client, alice, acme, carol, settings):
    settings.TEAMS_PER_USER_MAX = 1
    owner = Membership.objects.get(user=alice, team=acme)
    invitation = team_services.invitation_create(actor=owner, email="carol@example.com", role="buyer")
    login(client, carol)
    response = client.post(reverse("invitation_accept", args=[invitation.token]), follow=True)
    assert "You are in 1 teams, the most one person can be in" in page_text(response)
    assert not Membership.objects.filter(user=carol, team=acme).exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
    settings.TEAMS_PER_USER_MAX = 2
    client.post(reverse("invitation_accept", args=[invitation.token]))
    assert Membership.objects.filter(user=carol, team=acme).exists()


def test_a_team_at_the_list_cap_gets_the_reason_on_every_way_to_make_a_list(client, alice, kitchen, products,
                                                                            settings):  # fmt: skip
    settings.LISTS_PER_TEAM_MAX = 1
    login(client, alice)
    reason = "Your team already keeps 1 lists, the most allowed"
    created = client.post(reverse("lists"), {"name": "Autumn range", "description": ""})
    assert created.status_code == 400 and reason in page_text(created)
    copied = client.post(reverse("list_copy", args=[kitchen.pk]), {"name": "Kitchen copy"})
    assert copied.status_code == 400 and reason in page_text(copied)
    saved = client.post(reverse("list_add"), {"offer_id": products[0].offer_id, "new_list_name": "Inline list"},
                        headers={"HX-Request": "true"})  # fmt: skip
    assert saved.status_code == 400 and reason in page_text(saved)
    assert list(ProductList.objects.values_list("name", flat=True)) == ["Spring kitchen range"]


def test_a_full_list_refuses_one_more_item_and_writes_nothing(client, alice, kitchen, settings):
    settings.LIST_ITEMS_MAX = 3  # the kitchen list holds three
    extra = stock_product(800004, subject="竹制砧板", subject_en="Bamboo board", price="20.00", moq=1)
    history = ListActivity.objects.count()
    login(client, alice)
    response = client.post(reverse("list_add"), {"offer_id": extra.offer_id, "list": kitchen.pk},
                           headers={"HX-Request": "true"})  # fmt: skip
    assert response.status_code == 400
    assert "A list holds at most 3 items" in page_text(response)
    assert kitchen.items.count() == 3 and not ListItem.objects.filter(product=extra).exists()
    assert ListActivity.objects.count() == history
    # an offer already on the full list is still found, not refused
    again = client.post(reverse("list_add"), {"offer_id": kitchen.items.first().product.offer_id, "list": kitchen.pk},
                        headers={"HX-Request": "true"})  # fmt: skip
    assert again.status_code == 200 and "Already on" in page_text(again)


def test_a_long_list_shows_in_pages_and_compare_and_export_take_every_item(client, alice, kitchen, settings):
    settings.LIST_PAGE_SIZE = 2
    login(client, alice)
    offers = [item.product.offer_id for item in kitchen.items.order_by("position", "pk")]
    first = page_html(client.get(reverse("list_detail", args=[kitchen.pk])))
    assert f"/products/{offers[0]}/" in first and f"/products/{offers[1]}/" in first
    assert f"/products/{offers[2]}/" not in first
    assert 'href="?page=2"' in first and "Items 1–2 of 3" in first
    second = client.get(reverse("list_detail", args=[kitchen.pk]), {"page": 2})
    assert f"/products/{offers[2]}/" in page_html(second) and f"/products/{offers[0]}/" not in page_html(second)
    assert '<ol class="litems" start="3">' in page_html(second) and 'rel="prev"' in page_html(second)
    for odd in ("99", "abc", "-1", "9" * 30):  # the nearest real page, never a 500
        assert client.get(reverse("list_detail", args=[kitchen.pk]), {"page": odd}).status_code == 200
    # the totals, the export and compare still see all three
    assert "3 items priced" in page_text(client.get(reverse("list_detail", args=[kitchen.pk]), {"page": 2}))
    export = client.get(reverse("list_export_csv", args=[kitchen.pk])).content.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(export)))) == 1 + 3
    ids = [str(item.pk) for item in kitchen.items.order_by("position", "pk")]
    compare = client.get(reverse("list_compare", args=[kitchen.pk]), {"item": [ids[0], ids[2]]})
    assert compare.status_code == 200
    assert f"/lists/items/{ids[0]}/" in page_html(compare) and f"/lists/items/{ids[2]}/" in page_html(compare)
