"""A worker SIGKILLed at each step of placing a purchase order: before the createCrossOrder call, after 1688 made
the order but before its answer was written, and after the write. Another worker finishes the placement, and the
sandbox holds exactly one order for it, even with the sandbox's own outOrderId dedupe turned off (so only the
portal's count-then-look-up protocol stands between a retry and a second order).

A SIGKILL at an exact line can't be produced from outside, so the worker is told where to kill itself by the
test-only environment variable PLACEMENT_KILL_AT (read by sourcing.orders.services.placement._kill_point).
"""

import signal

import pytest

from sandbox.models import SandboxOrder
from sourcing.connections.models import AppCredential
from sourcing.connections.services.credentials import credential_update
from sourcing.orders.models import OrderEvent, PurchaseOrder, Quote
from sourcing.orders.services import placement, purchase
from tests.conftest import wait_for, worker_log
from tests.orders.conftest import categories, kitchen, products, yiwu  # noqa: F401 - fixtures
from tests.orders.test_quotes import order_list, quote, shop  # noqa: F401 - fixtures and helpers

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
State = PurchaseOrder.State
QUICK = {"PLACEMENT_LEASE_SECONDS": "5", "PLACEMENT_DOUBT_SECONDS": "2", "CELERY_BROKER_VISIBILITY_TIMEOUT": "4"}


@pytest.mark.parametrize("step", ["before_call", "after_call", "after_write"])
def test_a_worker_killed_at_each_step_of_placing_leaves_one_order(step, request, client, alice, acme, order_list,  # noqa: F811
                                                                  settings, redis_server, use_broker):  # fmt: skip
    # given an approved-to-be draft of a verified quote, and a sandbox that would make a second order for a repeated
    # outOrderId, as the pessimistic reading of live 1688 has it
    settings.SANDBOX_DEDUPE_OUT_ORDER_ID = False
    credential = AppCredential.objects.get(owner=alice)
    credential_update(credential=credential, user=alice, shared_with_team=acme)
    client.force_login(alice)
    quote(client, order_list)
    order = purchase.order_draft(actor=alice, quote=Quote.objects.filter(orderable=True).first())
    # and a worker (on a broker of this test's own) that will die at `step` of the placement
    use_broker(redis_server.url)
    workers = request.getfixturevalue("workers")
    env = {"CELERY_BROKER_URL": redis_server.url, **QUICK}
    doomed = workers.start(f"doomed-{step}", PLACEMENT_KILL_AT=step, **env)
    # when alice (an owner) submits it: approved, queued, and the worker is killed outright at that step
    purchase.order_submit(actor=alice, order=order)
    doomed.wait(timeout=60)
    assert doomed.returncode == -signal.SIGKILL, worker_log(doomed)[-2000:]
    order.refresh_from_db()
    made = SandboxOrder.objects.filter(out_order_id=order.out_order_id)
    assert order.place_attempts == 1
    if step == "before_call":
        assert order.state == State.PLACING and not made.exists()
    elif step == "after_call":  # 1688 made the order; the portal never heard
        assert order.state == State.PLACING and made.count() == 1 and not order.alibaba_order_id
    else:
        assert order.state == State.PLACED and made.count() == 1
    # then another worker gets the placement back (the broker redelivers the unacknowledged task, and beat's
    # sweep queues it again once the dead worker's lease ends) and finishes it
    survivor = workers.start(f"survivor-{step}", **env)

    def placed():
        placement.placements_sweep()  # what beat does every PLACEMENT_SWEEP_EVERY seconds
        return PurchaseOrder.objects.get(pk=order.pk).state == State.PLACED

    wait_for(placed, timeout=90, interval=1)
    order.refresh_from_db()
    # and 1688 holds exactly one order for it: the one the portal wrote down, adopted after a lookup if need be
    assert made.count() == 1, list(made.values_list("order_id", "created_at"))
    assert order.alibaba_order_id == str(made.get().order_id)
    assert OrderEvent.objects.filter(order=order, kind="placed").count() == 1
    assert order.place_attempts == (2 if step == "before_call" else 1)
    if step == "after_call":
        assert "found by its reference" in OrderEvent.objects.get(order=order, kind="placed").text
    # a later delivery of the same task finds nothing to do
    assert placement.placement_execute(order_id=order.pk) == "done"
    assert survivor.poll() is None
