"""Quotes and orders over the API, against the sandbox: quotes read through their list, a quote asked as a run to
poll, orders drafted and submitted only with the "order" scope and under the team's approval threshold."""

import pytest

from sourcing.orders.models import BuyingPolicy, PurchaseOrder
from tests.api.conftest import Api, error_of
from tests.orders.conftest import yiwu  # noqa: F401 - fixture
from tests.orders.test_purchase import quoted  # noqa: F401 - fixture
from tests.orders.test_quotes import order_list, shop  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def test_quotes_then_an_order_that_waits_for_approval_above_the_limit(alice, acme, order_list, quoted, make_token):  # noqa: F811
    api = Api(make_token(alice, acme, ("read", "write", "order")))
    listed = api.get(f"/api/v1/lists/{order_list.pk}/quotes/").json()
    assert sorted(q["id"] for q in listed) == sorted(q.pk for q in quoted)
    first = quoted.first()
    body = next(q for q in listed if q["id"] == first.pk)
    assert body["total"] == f"{first.total:.2f}" and body["orderable"] is True and body["lines"]
    # a token made by the owner is still held to the team's threshold: the order waits for a person
    BuyingPolicy.objects.create(team=acme, approval_above=first.total - 1)
    drafted = api.post("/api/v1/orders/", {"list": order_list.pk, "quote": first.pk, "message": "API 下单"})
    assert drafted.status_code == 201
    order = drafted.json()
    assert order["state"] == "draft" and order["total"] == f"{first.total:.2f}" and order["message"] == "API 下单"
    submitted = api.post(f"/api/v1/orders/{order['id']}/submit/")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert PurchaseOrder.objects.get(pk=order["id"]).approved_by is None
    assert [o["id"] for o in api.get("/api/v1/orders/", {"state": "submitted"}).json()["results"]] == [order["id"]]
    # a quote of another list, or an unknown one: 404
    assert error_of(api.post("/api/v1/orders/", {"list": order_list.pk, "quote": 99999999})) == (404, "not_found")


def test_asking_for_a_quote_answers_a_run_to_poll(alice, acme, order_list, quoted, make_token):  # noqa: F811
    api = Api(make_token(alice, acme, ("read", "write")))
    asked = api.post(f"/api/v1/lists/{order_list.pk}/quotes/", {})
    assert asked.status_code == 202
    run = asked.json()
    polled = api.get(f"/api/v1/lists/{order_list.pk}/quote-runs/{run['id']}/").json()
    assert polled["id"] == run["id"] and polled["state"] == "done"  # eager in tests: the worker ran already
    read_only = Api(make_token(alice, acme, ("read",)))
    assert error_of(read_only.post(f"/api/v1/lists/{order_list.pk}/quotes/", {})) == (403, "insufficient_scope")
