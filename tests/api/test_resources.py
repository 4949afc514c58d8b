"""The API's resources as another system uses them: every write through the domain's services (the list's history
shows it), prices as the pages show them, search over the kept catalog, quotes and orders under the team's rules."""

from decimal import Decimal

from sourcing.alerts.models import Alert
from sourcing.catalog.models import CatalogJob
from sourcing.lists.models import ListActivity, ListItem, ProductList
from tests.api.conftest import Api, error_of


def test_a_product_priced_at_a_quantity_for_an_option_with_its_suppliers_trust(api, products):
    flask, glass, mug = products
    body = api.get(f"/api/v1/products/{flask.offer_id}/", {"quantity": 150}).json()
    assert body["price"]["unit_price"] == "12.50" and body["price"]["total"] == "1875.00"
    assert body["price"]["tier_min_quantity"] == 100
    assert [t["min_quantity"] for t in body["tiers"]] == [2, 100, 1000]
    black = mug.skus.get(sku_id="80000302")
    body = api.get(f"/api/v1/products/{mug.offer_id}/", {"quantity": 100, "option": black.pk}).json()
    assert body["price"] | {"unit": None} == {
        "quantity": 100, "option": "黑色", "unit_price": "7.00", "total": "700.00", "tier_min_quantity": None,
        "below_moq": False, "is_from": False, "message": "", "unit": None,
    }  # fmt: skip
    assert [o["label"] for o in body["options"]] == ["白色", "黑色"]
    assert body["trust"]["service_score"] == "3.80" and body["trust"]["repurchase_rate"] == "20.00"
    supplier = api.get(f"/api/v1/suppliers/{mug.supplier_id}/").json()
    assert supplier["company_name"] == "潮州陶瓷厂" and supplier["trust"]["service_score"] == "3.80"
    assert error_of(api.get("/api/v1/products/999999999/")) == (404, "not_found")
    assert error_of(api.get(f"/api/v1/products/{mug.offer_id}/", {"option": 999999})) == (400, "bad_request")


def test_search_reads_the_kept_catalog_and_pages_in_a_stable_order(api, products):
    first = api.get("/api/v1/search/", {"q": "杯", "limit": 2}).json()
    assert len(first["results"]) == 2 and first["matched"] == 3 and first["next"]
    second = api.get("/api/v1/search/", {"q": "杯", "limit": 2, "after": first["next"]}).json()
    ids = [p["offer_id"] for p in first["results"] + second["results"]]
    assert sorted(ids) == [800001, 800002, 800003] and second["next"] is None
    # no credential: the catalog only, and it says why 1688 isn't asked
    assert first["fetch"]["status"] == "unavailable" and "credential" in first["fetch"]["notice"]
    assert CatalogJob.objects.count() == 0
    cut = api.get("/api/v1/search/", {"q": "杯", "price_min": "abc", "sort": "nonsense"}).json()
    assert len(cut["problems"]) == 2 and cut["matched"] == 3


def test_lists_and_items_are_written_through_the_services(api, alice, kitchen, products):
    flask, glass, mug = products
    made = api.post("/api/v1/lists/", {"name": "ERP reorder", "description": "from the ERP"})
    assert made.status_code == 201
    list_id = made.json()["id"]
    assert error_of(api.post("/api/v1/lists/", {"name": "erp  REORDER"})) == (409, "conflict")
    black = mug.skus.get(sku_id="80000302")
    added = api.post(f"/api/v1/lists/{list_id}/items/",
                     {"offer": f"https://detail.1688.com/offer/{mug.offer_id}.html?spm=x", "quantity": 120,
                      "option": black.pk, "target_price": "6.80"})  # fmt: skip
    assert added.status_code == 201
    item = added.json()
    assert (item["offer_id"], item["option_label"], item["quantity"], item["target_price"]) == (
        mug.offer_id, "黑色", 120, "6.80")  # fmt: skip
    assert item["price"]["total"] == "840.00"
    again = api.post(f"/api/v1/lists/{list_id}/items/", {"offer": str(mug.offer_id)})
    assert again.status_code == 200 and again.json()["id"] == item["id"]
    changed = api.patch(f"/api/v1/items/{item['id']}/", {"quantity": 300, "status": "shortlisted",
                                                         "version": item["version"]})  # fmt: skip
    assert changed.status_code == 200
    assert (changed.json()["quantity"], changed.json()["status"]) == (300, "shortlisted")
    # an edit from a stale version of the same field is refused, not lost
    stale = api.patch(f"/api/v1/items/{item['id']}/", {"quantity": 5, "version": item["version"]})
    assert error_of(stale) == (409, "conflict")
    assert error_of(api.patch(f"/api/v1/items/{item['id']}/", {"option": 1})) == (422, "invalid")
    assert api.delete(f"/api/v1/items/{item['id']}/").status_code == 204
    verbs = list(ListActivity.objects.filter(product_list_id=list_id).order_by("pk").values_list("verb", "actor"))
    assert [v for v, _a in verbs] == ["created", "added", "edited", "status", "removed"]
    assert {a for _v, a in verbs} == {alice.pk}
    assert api.patch(f"/api/v1/lists/{list_id}/", {"archived": True}).json()["archived"] is True
    assert api.delete(f"/api/v1/lists/{list_id}/").status_code == 204
    assert not ProductList.objects.filter(pk=list_id).exists()


def test_an_offer_the_portal_lacks_is_fetched_by_a_worker_and_the_answer_says_pending(api, kitchen, alice,
                                                                                     connected, catalog):  # fmt: skip
    from sandbox.models import SandboxOffer

    offer = SandboxOffer.objects.order_by("offer_id").first()
    response = api.post(f"/api/v1/lists/{kitchen.pk}/items/", {"offer": str(offer.offer_id), "quantity": 10})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending" and body["job"]["kind"] == "product"
    # the worker (eager here) fetched it: the job is done and the same request now adds the item
    assert api.get(f"/api/v1/jobs/{body['job']['id']}/").json()["state"] == "done"
    added = api.post(f"/api/v1/lists/{kitchen.pk}/items/", {"offer": str(offer.offer_id), "quantity": 10})
    assert added.status_code == 201 and added.json()["offer_id"] == offer.offer_id


def test_a_buyer_made_token_cannot_delete_what_only_owners_delete(alice, bob, acme, kitchen, make_token):
    from sourcing.accounts.models import Membership

    Membership.objects.filter(user=bob, team=acme).update(role=Membership.Role.ADMIN)
    api = Api(make_token(bob, acme, ("read", "write")))
    Membership.objects.filter(user=bob, team=acme).update(role=Membership.Role.BUYER)  # demoted later
    item = kitchen.items.first()
    assert error_of(api.delete(f"/api/v1/items/{item.pk}/")) == (403, "forbidden")
    assert ListItem.objects.filter(pk=item.pk).exists()


def test_alerts_are_read_made_and_deleted(api, kitchen, products, carol, globex, make_token):
    flask = products[0]
    made = api.post("/api/v1/alerts/", {"offer_id": flask.offer_id, "kind": "price_below", "threshold": "11.50"})
    assert made.status_code == 201
    alert = made.json()
    assert (alert["kind"], alert["threshold"], alert["armed"]) == ("price_below", "11.50", True)
    assert error_of(api.post("/api/v1/alerts/", {"offer_id": flask.offer_id, "kind": "price_below"})) == (
        422, "invalid")  # fmt: skip
    listed = api.get("/api/v1/alerts/").json()
    assert [a["id"] for a in listed["results"]] == [alert["id"]]
    other = Api(make_token(carol, globex, ("read", "write")))
    assert error_of(other.get(f"/api/v1/alerts/{alert['id']}/")) == (404, "not_found")
    assert error_of(other.delete(f"/api/v1/alerts/{alert['id']}/")) == (404, "not_found")
    assert api.delete(f"/api/v1/alerts/{alert['id']}/").status_code == 204
    assert Alert.objects.count() == 0


def test_pages_are_stable_and_bad_cursors_are_400(api, alice, acme, products):
    from sourcing.lists import services

    for n in range(5):
        services.list_create(actor=alice, team=acme, name=f"List {n}")
    first = api.get("/api/v1/lists/", {"limit": 2}).json()
    services.list_create(actor=alice, team=acme, name="Made while paging")
    second = api.get("/api/v1/lists/", {"limit": 2, "after": first["next"]}).json()
    third = api.get("/api/v1/lists/", {"limit": 2, "after": second["next"]}).json()
    names = [x["name"] for x in first["results"] + second["results"] + third["results"]]
    assert names == ["List 4", "List 3", "List 2", "List 1", "List 0"] and third["next"] is None
    for bad in ("abc", "-1", "²", "9" * 30, "1.5"):
        assert error_of(api.get("/api/v1/lists/", {"after": bad})) == (400, "bad_request")
    assert error_of(api.get("/api/v1/lists/", {"limit": "1000"})) == (400, "bad_request")


def test_threshold_for_price_alerts_is_money(api, products):
    flask = products[0]
    for bad in ("NaN", "Infinity", "1e400", "²", "12.345", "-1", "1" * 40):
        response = api.post("/api/v1/alerts/", {"offer_id": flask.offer_id, "kind": "price_below", "threshold": bad})
        assert error_of(response) == (422, "invalid"), bad
    assert Alert.objects.count() == 0
    assert Decimal("0") == sum((a.threshold or 0 for a in Alert.objects.all()), Decimal("0"))


def test_a_search_1688_would_be_asked_for_is_due_and_fetching_it_is_pending(api, alice, connected, catalog):
    # the first search: the kept catalog has nothing yet, and 1688 would be asked (the GET asks nothing)
    first = api.get("/api/v1/search/", {"q": "保温杯"}).json()
    assert first["fetch"] == {"status": "due", "job": None, "notice": ""}
    assert CatalogJob.objects.count() == 0
    asked = api.post("/api/v1/search/fetch/?q=保温杯")
    assert asked.status_code in (200, 202)
    job = CatalogJob.objects.get(kind=CatalogJob.Kind.SEARCH)
    assert api.get(f"/api/v1/jobs/{job.pk}/").json()["state"] == "done"  # eager here: the worker ran
    # the results are in the portal now, and the same search is fresh: nothing more to ask
    again = api.get("/api/v1/search/", {"q": "保温杯"}).json()
    assert again["results"] and again["fetch"]["status"] == "fresh"


def test_a_page_of_orders_costs_the_same_queries_however_many_orders(api, alice, acme, kitchen,
                                                                    django_assert_max_num_queries):  # fmt: skip
    from sourcing.orders.models import PurchaseOrder, PurchaseOrderLine

    item = kitchen.items.order_by("pk").first()
    for n in range(12):
        order = PurchaseOrder.objects.create(team=acme, product_list=kitchen, out_order_id=f"po-q-{n}",
                                             created_by=alice, total=Decimal("10.00"))  # fmt: skip
        PurchaseOrderLine.objects.create(order=order, list_item=item, product=item.product, quantity=1,
                                         unit_price=Decimal("10.00"), amount=Decimal("10.00"))  # fmt: skip
    api.get("/api/v1/orders/")  # warm: the token's first use notes last_used_at
    with django_assert_max_num_queries(8):
        page = api.get("/api/v1/orders/").json()
    assert len(page["results"]) == 12 and all(len(o["lines"]) == 1 for o in page["results"])
