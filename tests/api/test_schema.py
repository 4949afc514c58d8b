"""schemathesis against the API's own OpenAPI schema, on the live test server with a token of Acme: for every
operation, generated requests (valid ones and invalid ones) reach Acme's seeded list, item, alert, order, quote run
and job, and every answer is no 5xx and matches the schema (its status documented, its body the documented shape)."""

from decimal import Decimal

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from sourcing.alerts import services as alert_services
from sourcing.catalog.models import CatalogJob
from sourcing.orders.models import PurchaseOrder, PurchaseOrderLine, QuoteRun

pytestmark = pytest.mark.django_db(transaction=True)
EXAMPLES = 6  # per operation and mode: about 250 requests in all, under a minute


@pytest.fixture
def seeded(alice, acme, kitchen, make_token):
    item = kitchen.items.order_by("pk").first()
    product = item.product
    alert = alert_services.alert_create(actor=alice, team=acme, product=product, kind="price_below",
                                        threshold=Decimal("1.00"))  # fmt: skip
    job = CatalogJob.objects.create(kind=CatalogJob.Kind.PRODUCT, target=str(product.offer_id), team=acme,
                                    requested_by=alice)  # fmt: skip
    run = QuoteRun.objects.create(team=acme, product_list=kitchen, requested_by=alice, state=QuoteRun.State.DONE)
    order = PurchaseOrder.objects.create(team=acme, product_list=kitchen, supplier_name="义乌示例日用品厂",
                                         out_order_id="api-po-1", state=PurchaseOrder.State.SHIPPED,
                                         created_by=alice, goods=Decimal("100.00"), total=Decimal("100.00"))  # fmt: skip
    PurchaseOrderLine.objects.create(order=order, list_item=item, product=product, quantity=10,
                                     unit_price=Decimal("10.00"), amount=Decimal("100.00"))  # fmt: skip
    ids = {"list_id": kitchen.pk, "item_id": item.pk, "alert_id": alert.pk, "offer_id": product.offer_id,
           "supplier_id": product.supplier_id, "job_id": job.pk, "run_id": run.pk, "order_id": order.pk}  # fmt: skip
    return ids, make_token(alice, acme, ("read", "write", "order"))


def test_every_operation_answers_as_its_schema_says(live_server, settings, seeded):
    settings.API_RATE_PER_MINUTE = 1_000_000
    ids, token = seeded
    schema = schemathesis.openapi.from_dict(requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=10).json())
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    failures, calls = [], {"n": 0}
    for result in schema.get_all_operations():
        operation = result.ok()
        names = [p.name for p in operation.path_parameters]
        fixed = {n: ids[n] for n in names} if operation.method.upper() != "DELETE" else None
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
            except Exception:  # noqa: BLE001 - an operation with nothing to make invalid has no negative mode
                continue

            @given(case=strategy)
            @hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                                 suppress_health_check=list(HealthCheck))  # fmt: skip
            def call(case):
                calls["n"] += 1
                case.call_and_validate(base_url=live_server.url, session=session, headers=headers,
                                       checks=[not_a_server_error, response_schema_conformance])  # fmt: skip

            try:
                call()
            except Exception as error:  # noqa: BLE001 - collect every operation's failure, then fail once
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {error}"[:2000])
    assert failures == [], "\n\n".join(failures)
    assert calls["n"] > 100
