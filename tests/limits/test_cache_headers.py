"""Team pages and exports tell every cache between the member and the portal not to keep a shared copy:
`Cache-Control: private` on team pages, and `no-store` too on a downloaded export."""

import pytest
from django.urls import reverse

from tests.conftest import login

TEAM_PAGES = ["lists", "inquiries", "alerts", "notifications", "connection_list", "api_status", "team_list"]


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("name", TEAM_PAGES)
def test_team_pages_are_private(client, alice, name):
    login(client, alice)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "private" in cache_control(response)
    assert "public" not in cache_control(response)


@pytest.mark.django_db
def test_list_detail_compare_and_item_pages_are_private(client, alice, kitchen):
    login(client, alice)
    item = kitchen.items.order_by("pk").first()
    for url in (reverse("list_detail", args=[kitchen.pk]), reverse("list_compare", args=[kitchen.pk]),
                reverse("item_edit", args=[item.pk])):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert "private" in cache_control(response), url


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["list_export_csv", "list_export_xlsx"])
def test_exports_are_never_stored(client, alice, kitchen, name):
    login(client, alice)
    response = client.get(reverse(name, args=[kitchen.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert {"private", "no-store"} <= cache_control(response)
