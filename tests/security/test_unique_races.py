"""Concurrent creates of a unique row (issue 18, item 4): the first one stands, every other one gets the clean
"already" answer, never a 500 or a second row. Threads start together (tests.conftest.run_in_threads), each on its
own database connection; run this file on PostgreSQL too, where the second INSERT waits for the first's commit."""

from datetime import timedelta
from queue import SimpleQueue

import pytest
from django.test import Client
from django.utils import timezone

from sourcing.accounts.models import Invitation, Membership, User, new_invitation_token, token_digest
from sourcing.accounts.services import teams as team_services
from sourcing.alibaba.api import PORTAL_APIS
from sourcing.connections.models import ApiPermission, AppCredential
from sourcing.lists import services as list_services
from sourcing.lists.models import ListItem, ProductList
from tests.conftest import run_in_threads
from tests.portal_fixtures import APP_KEY, APP_SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def _together(count: int, make_call) -> list:
    """Run make_call(i)() in `count` threads at once; returns what each returned (in no order) and fails on raises."""
    calls, results = SimpleQueue(), SimpleQueue()
    for index in range(count):
        calls.put(make_call(index))
    failures = run_in_threads(lambda: results.put(calls.get()()), count)
    assert failures == []
    return [results.get() for _ in range(count)]


def _clients(user, count: int) -> list[Client]:
    clients = []
    for _ in range(count):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    return clients


def test_six_parallel_adds_of_one_app_key_make_one_credential(alice, portal_sandbox):
    form = {"name": "Acme app", "app_key": APP_KEY, "app_secret": APP_SECRET, "account_type": "business",
            "gateway": "sandbox", "callback_url": "", "daily_quota": "500", "qps": "5"}  # fmt: skip
    clients = _clients(alice, 6)
    responses = _together(6, lambda i: lambda: clients[i].post("/connections/new/", form))
    assert sorted(r.status_code for r in responses) == [200] * 5 + [302]
    for response in responses:
        if response.status_code == 200:
            assert f"You already have a credential for App Key {APP_KEY}." in response.content.decode()
    credential = AppCredential.objects.get()
    assert ApiPermission.objects.filter(credential=credential).count() == len(PORTAL_APIS)


def test_six_parallel_lists_of_one_name_make_one_list(alice, bob):
    clients = _clients(alice, 3) + _clients(bob, 3)
    responses = _together(6, lambda i: lambda: clients[i].post("/lists/", {"name": "Spring range"}))
    assert sorted(r.status_code for r in responses) == [302] + [400] * 5  # the form again, with why
    for response in responses:
        if response.status_code == 400:
            assert "Your team already has a list named" in response.content.decode()
    assert ProductList.objects.get().name == "Spring range"


def test_parallel_renames_and_copies_to_one_name_leave_one_list_of_it(alice, kitchen):
    others = [list_services.list_create(actor=alice, team=alice.current_team, name=f"List {i}") for i in range(3)]

    def rename(index):
        def run():
            try:
                if index < 3:
                    list_services.list_update(actor=alice, product_list=others[index], name="Summer")
                else:
                    list_services.list_copy(actor=alice, product_list=kitchen, name="Summer")
            except list_services.ListNameTaken:
                return "taken"
            return "done"

        return run

    outcomes = _together(6, rename)
    assert sorted(outcomes) == ["done"] + ["taken"] * 5
    assert ProductList.objects.filter(name="Summer").count() == 1


def test_parallel_copies_with_the_made_up_name_all_land_with_their_own_names(alice, kitchen):
    _together(4, lambda i: lambda: list_services.list_copy(actor=alice, product_list=kitchen))
    names = sorted(ProductList.objects.exclude(pk=kitchen.pk).values_list("name", flat=True))
    assert names == ["Copy of Spring kitchen range"] + [f"Copy of Spring kitchen range ({n})" for n in (2, 3, 4)]


def test_six_parallel_adds_of_one_offer_make_one_item(alice, bob, kitchen, products):
    flask = products[0]
    ListItem.objects.filter(product_list=kitchen, product=flask).delete()
    results = _together(6, lambda i: lambda: list_services.item_add(actor=[alice, bob][i % 2], product_list=kitchen,
                                                                        product=flask))  # fmt: skip
    assert sorted(created for _item, created in results) == [False] * 5 + [True]
    assert len({item.pk for item, _created in results}) == 1
    assert ListItem.objects.filter(product_list=kitchen, product=flask).count() == 1


def test_two_invitations_to_one_team_accepted_at_once_make_one_membership(alice, acme):
    newcomer = User.objects.create_user("li", "li@example.com", "x")
    tokens = []
    for _ in range(4):  # invited four times by forgetful teammates, each link opened in its own tab
        token = new_invitation_token()
        Invitation.objects.create(team=acme, email="li@example.com", invited_by=alice, token_digest=token_digest(token),
                                  expires_at=timezone.now() + timedelta(days=3))  # fmt: skip
        tokens.append(token)

    def accept(index):
        def run():
            try:
                team_services.invitation_accept(token=tokens[index], user=newcomer)
            except team_services.TeamError as refused:
                return str(refused)
            return "joined"

        return run

    outcomes = _together(4, accept)
    assert sorted(outcomes) == ["You are already a member of Acme Sourcing."] * 3 + ["joined"]
    assert Membership.objects.filter(user=newcomer, team=acme).count() == 1
    assert Invitation.objects.filter(accepted_at__isnull=False).count() == 1  # the refused ones stay usable


def test_four_parallel_signups_of_one_name_make_one_user(db):
    form = {"username": "zhang", "email": "z@example.com", "team_name": "深圳采购", "password1": "a-Long-pass-88",
            "password2": "a-Long-pass-88"}  # fmt: skip
    clients = [Client(raise_request_exception=False) for _ in range(4)]
    responses = _together(4, lambda i: lambda: clients[i].post("/accounts/signup/", form))
    assert sorted(r.status_code for r in responses) == [200] * 3 + [302]
    for response in responses:
        if response.status_code == 200:
            assert "A user with that username already exists." in response.content.decode()
    assert User.objects.filter(username="zhang").count() == 1
    assert Membership.objects.filter(user__username="zhang").count() == 1


def test_concurrent_webhook_endpoints_never_pass_the_teams_cap(alice, acme, settings):
    from sourcing.webhooks import services as webhooks
    from sourcing.webhooks.models import Endpoint

    settings.WEBHOOK_ALLOW_PRIVATE_URLS, settings.WEBHOOK_ENDPOINTS_MAX = True, 3
    webhooks.endpoint_create(actor=alice, team=acme, url="http://127.0.0.1:9/first", kinds=["alert.fired"])

    def make(index):
        def add():
            try:
                webhooks.endpoint_create(
                    actor=alice, team=acme, url=f"http://127.0.0.1:9/{index}", kinds=["alert.fired"]
                )
            except webhooks.WebhookError as error:
                return str(error)
            return "added"

        return add

    answers = _together(6, make)
    assert sorted(answers).count("added") == 2, answers
    assert Endpoint.objects.filter(team=acme).count() == 3
