"""API tokens attacked: a maker whose account was deactivated, or who was made a viewer; the rate asked around by
spelling the same token differently; hostile Authorization headers (401 in JSON, never 500)."""

import pytest
from django.test import Client

from sourcing.accounts.models import Membership
from sourcing.lists.models import ProductList
from tests.api.conftest import Api, error_of, make_token  # noqa: F401 - fixture
from tests.lists.conftest import kitchen  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_the_token_of_a_deactivated_account_stops_working(alice, bob, acme, make_token, kitchen):  # noqa: F811
    Membership.objects.filter(user=bob, team=acme).update(role=Membership.Role.ADMIN)
    api = Api(make_token(bob, acme, ("read", "write")))
    assert api.get("/api/v1/lists/").status_code == 200
    bob.is_active = False  # how an administrator locks an account out
    bob.save(update_fields=["is_active"])
    assert error_of(api.get("/api/v1/lists/")) == (401, "unauthenticated")
    assert error_of(api.post("/api/v1/lists/", {"name": "Still here"})) == (401, "unauthenticated")
    assert not ProductList.objects.filter(name="Still here").exists()


def test_a_maker_made_a_viewer_writes_nothing_through_their_token(alice, bob, acme, make_token, kitchen):  # noqa: F811
    Membership.objects.filter(user=bob, team=acme).update(role=Membership.Role.ADMIN)
    api = Api(make_token(bob, acme, ("read", "write", "order")))
    Membership.objects.filter(user=bob, team=acme).update(role=Membership.Role.VIEWER)
    before = ProductList.objects.count()
    assert error_of(api.post("/api/v1/lists/", {"name": "Viewer's list"}))[0] == 403
    assert error_of(api.delete(f"/api/v1/lists/{kitchen.pk}/"))[0] == 403
    assert ProductList.objects.count() == before
    assert api.get(f"/api/v1/lists/{kitchen.pk}/").status_code == 200  # reading is still a viewer's


def test_spelling_the_token_differently_shares_its_rate(settings, alice, acme, make_token, kitchen):  # noqa: F811
    settings.API_RATE_PER_MINUTE = 4
    raw = make_token(alice, acme, ("read",))
    client = Client(raise_request_exception=False)
    spellings = [f"Bearer {raw}", f"bearer {raw}", f"BEARER   {raw}  ", f"Bearer\t{raw}", f"Bearer {raw}\n"]
    statuses = []
    for _round in range(2):  # the minute may turn once while we ask
        statuses = [client.get("/api/v1/lists/", HTTP_AUTHORIZATION=s).status_code for s in spellings * 2]
        if statuses.count(429) >= 6:
            break
    assert statuses.count(200) <= 4 and statuses.count(429) >= 6, statuses
    # nor do made-up keys around it open anything or cost anything but a 401
    for other in (raw + "x", raw.upper(), raw.replace("pt_", "PT_"), raw[:-1]):
        assert client.get("/api/v1/lists/", HTTP_AUTHORIZATION=f"Bearer {other}").status_code in (401, 429)


@pytest.mark.parametrize("header", [
    "Bearer " + "x" * 10_000, "Bearer pt_" + "a" * 10_000, "Bearer pt_abc_\x00def", "Bearer pt_名_秘密".encode().decode("latin-1"), "Bearer",
    "Bearer a b", "Bearer pt_²_1", "Bearer pt__x", "Bearer pt_" + "f" * 16 + "_x", "Basic YWxpY2U6cHc=",
    "Bearer pt_nan_NaN", "Bearer null", 'Bearer {"a": [1]}',
])  # fmt: skip
def test_hostile_authorization_headers_are_401_in_json(kitchen, header):  # noqa: F811
    # (a header reaches Django as its bytes read as latin-1, so UTF-8 arrives as "å\x90\x8d…")
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/lists/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401, (header[:40], response.status_code)
    assert response["Content-Type"] == "application/json"
