"""Benchmark: purchase orders placed exactly once under the sandbox's fault mix and workers killed mid-placement.

    python bench/orders_exactly_once.py [--placements 1000] [--concurrency 4] [--kill-one-in 10]
                                        [--external-kill-every 15] [--fault-each 0.0436]

The sandbox runs under gunicorn with SANDBOX_DEDUPE_OUT_ORDER_ID=false: a repeated outOrderId makes a second
order there, the pessimistic reading of live 1688, so nothing but the portal's own protocol (count the attempt
before the call; after any doubt, look the order up by its outOrderId before calling again) stands between a
retry and a duplicate. The app's faults are the reliability suite's 20 % mix: a timeout (the order IS made after
the client gave up), 502, broken JSON, a cut-off answer (the order IS made), a frequency refusal, each at 4.36 %.

An owner drafts and approves N orders (each from one of a few verified quotes, each with its own outOrderId);
`celery -A bench.celery_app worker --concurrency C` (prefork) places them. Workers die on the way:

* test-only kill points (PLACEMENT_KILL_AT=before_call,after_call,after_write, PLACEMENT_KILL_ONE_IN=K): about one
  order in K has its worker process SIGKILLed at one of the three steps of its first attempt;
* every --external-kill-every seconds the bench SIGKILLs one busy pool process from outside, wherever it is.

The bench plays beat: it runs the placement sweep every PLACEMENT_SWEEP_EVERY seconds. At the end it counts,
from the sandbox's own table, the orders made for each outOrderId: placed = approved, 0 duplicates, 0 lost.
"""

import argparse
import os
import random
import signal
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common as common  # noqa: E402

APP_KEY = "88000021"
FAULTS = ("fault_timeout", "fault_5xx", "fault_malformed", "fault_truncated", "fault_frequency")
# Workers' settings: a short lease and doubt delay so a killed placement comes back in seconds, not minutes; the
# doubt delay stays above the sandbox's timeout_delay (2.5 s), the longest a request may still land after the
# client gave up (ALIBABA_READ_TIMEOUT 1.5 s).
WORKER_ENV = {"PLACEMENT_LEASE_SECONDS": "6", "PLACEMENT_DOUBT_SECONDS": "5", "PLACEMENT_SWEEP_EVERY": "5",
              "ALIBABA_READ_TIMEOUT": "1.5", "CELERY_BROKER_VISIBILITY_TIMEOUT": "30", "ORDER_SYNC_EVERY": "86400"}  # fmt: skip
SANDBOX_ENV = {"SANDBOX_DEDUPE_OUT_ORDER_ID": "false", "SANDBOX_DRIFT_SECONDS": str(10**9),
               "SANDBOX_ANSWER_PROFILE": "full"}  # fmt: skip


def _owner():
    from sourcing.accounts.models import Membership, Team, User

    user, _ = User.objects.get_or_create(username="bench-buyer", defaults={"email": "bench-buyer@example.com"})
    team, _ = Team.objects.get_or_create(name="Bench buying")
    Membership.objects.get_or_create(user=user, team=team, defaults={"role": Membership.Role.OWNER})
    user.current_team = team
    user.save(update_fields=["current_team"])
    return user, team


def _quotes(user, team, credential, count: int) -> list:
    """`count` verified quotes 1688 would take: one offer each, its best-stocked option at the minimum order."""
    from django.utils import timezone

    from sandbox.trade import options
    from sourcing.alibaba import api
    from sourcing.catalog.models import Sku
    from sourcing.connections.services.gateway import gateway_call
    from sourcing.core.beijing import beijing_today
    from sourcing.lists.models import ProductList
    from sourcing.orders.models import Quote, QuoteLine, ShipAddress
    from sourcing.orders.services.quotes import ship_to

    address, _ = ShipAddress.objects.get_or_create(
        team=team, label="义乌仓", defaults={"contact_name": "张三", "phone": "13800138000", "province": "浙江省",
                                             "city": "金华市", "district": "义乌市", "street": "稠州北路1号",
                                             "is_default": True})  # fmt: skip
    product_list, _ = ProductList.objects.get_or_create(team=team, name="Bench order", defaults={"created_by": user})
    offers = common.sandbox_offers(max(60, count * 3))
    products = {p.offer_id: p for p in common.products_for_offers(offers)}
    quotes = []
    for offer in offers:
        if len(quotes) >= count:
            break
        option = max(options(offer), key=lambda o: o.stock)
        quantity = offer.min_order_quantity or 1
        if option.stock < quantity:
            continue
        product = products[offer.offer_id]
        sku = None
        if option.spec_id:
            sku, _ = Sku.objects.get_or_create(product=product, sku_id=str(option.sku_id),
                                               defaults={"spec_id": option.spec_id})  # fmt: skip
        preview = gateway_call(credential=credential, fn=lambda c, t, o=offer, s=option, q=quantity: api.order_preview(
            c, t, ship_to(address), [api.CargoLine(str(o.offer_id), s.spec_id, q)]))  # fmt: skip
        if not preview.orderable:
            continue
        line = preview.lines[0]
        quote = Quote.objects.create(
            team=team, product_list=product_list, supplier_name=offer.supplier.company_name, address=address,
            address_text=address.one_line, key=f"bench-{offer.offer_id}", day=beijing_today(),
            quoted_at=timezone.now(), orderable=True, goods=preview.goods, freight=preview.freight,
            discount=preview.discount, additional_fee=preview.additional_fee, total=preview.total, flow=preview.flow,
        )  # fmt: skip
        QuoteLine.objects.create(quote=quote, product=product, sku=sku, spec_id=option.spec_id, quantity=quantity,
                                 unit_price=line.unit_price, amount=line.amount, orderable=True)  # fmt: skip
        quotes.append(quote)
    if len(quotes) < count:
        raise SystemExit(f"only {len(quotes)} orderable quotes found")
    return quotes


def _kill_step(out_order_id: str, one_in: int) -> str | None:
    """The step at which the worker placing this order kills itself on its first attempt (as _kill_point picks)."""
    import hashlib

    steps = ["before_call", "after_call", "after_write"]
    digest = int(hashlib.sha256(out_order_id.encode()).hexdigest()[:8], 16)
    return None if digest % one_in else steps[(digest // one_in) % len(steps)]


def _busy_children(worker) -> list[int]:
    return common.children(worker.pid)


def run(*, placements: int, concurrency: int, kill_one_in: int, external_every: float, fault_each: float) -> None:
    from django.db.models import Count

    from sandbox.models import SandboxApp, SandboxOrder
    from sourcing.orders.models import BuyingPolicy, PurchaseOrder
    from sourcing.orders.services import placement, purchase

    State = PurchaseOrder.State
    user, team = _owner()
    credential = common.connected_credential(user=user, app_key=APP_KEY, qps=1000, sandbox_qps=0)
    BuyingPolicy.objects.update_or_create(team=team, defaults={"approval_above": None})
    quotes = _quotes(user, team, credential, 10)
    PurchaseOrder.objects.filter(team=team).delete()
    SandboxOrder.objects.filter(out_order_id__startswith=f"po-{team.pk}-").delete()
    sandbox = SandboxApp.objects.filter(app_key=APP_KEY)
    sandbox.update(timeout_delay=2.5, **dict.fromkeys(FAULTS, fault_each))
    kill_env = {**WORKER_ENV, "PLACEMENT_KILL_AT": "before_call,after_call,after_write",
                "PLACEMENT_KILL_ONE_IN": str(kill_one_in)}  # fmt: skip
    # placements, status reads and cancels go to the interactive queue (README, Scaling out)
    interactive = common.start(
        [sys.executable, "-m", "celery", "-A", "bench.celery_app", "worker", "-Q", "interactive", "--loglevel=INFO",
         f"--concurrency={concurrency}", "--hostname=orders-interactive@%h"], "orders-interactive.log", kill_env)  # fmt: skip
    common.wait_for(lambda: "ready." in (common.LOGS / "orders-interactive.log").read_text(), 120, "the worker")
    started = time.monotonic()
    killed_outside = 0
    try:
        for i in range(placements):
            order = purchase.order_draft(actor=user, quote=quotes[i % len(quotes)])
            purchase.order_submit(actor=user, order=order)  # an owner: approved, placing, queued
        approved = PurchaseOrder.objects.filter(team=team).exclude(approved_at=None).count()
        print(f"  {approved} orders approved in {time.monotonic() - started:.1f} s; placing…", flush=True)
        last_sweep = last_kill = time.monotonic()
        deadline = time.monotonic() + 600 + placements
        while time.monotonic() < deadline:
            placing = PurchaseOrder.objects.filter(team=team, state=State.PLACING).count()
            if not placing:
                break
            now = time.monotonic()
            if now - last_sweep >= int(WORKER_ENV["PLACEMENT_SWEEP_EVERY"]):
                placement.placements_sweep()
                last_sweep = now
            if external_every and now - last_kill >= external_every:
                pool = _busy_children(interactive)
                if pool:
                    os.kill(random.choice(pool), signal.SIGKILL)  # noqa: S311 - which one doesn't matter
                    killed_outside += 1
                last_kill = now
            time.sleep(1)
        seconds = time.monotonic() - started
    finally:
        common.stop(interactive)
        sandbox.update(**dict.fromkeys(FAULTS, 0))
    orders = PurchaseOrder.objects.filter(team=team)
    states = Counter(orders.values_list("state", flat=True))
    ours = set(orders.values_list("out_order_id", flat=True))
    made = Counter(dict(SandboxOrder.objects.filter(out_order_id__in=ours).values_list("out_order_id")
                        .annotate(n=Count("pk")).values_list("out_order_id", "n")))  # fmt: skip
    duplicates = sum(n - 1 for n in made.values() if n > 1)
    lost = sum(1 for o in ours if not made.get(o))
    mismatched = sum(
        1 for o in orders.filter(state=State.PLACED)
        if not SandboxOrder.objects.filter(out_order_id=o.out_order_id, order_id=int(o.alibaba_order_id or 0)).exists()
    )  # fmt: skip
    attempts = Counter(orders.values_list("place_attempts", flat=True))
    adopted = orders.filter(events__kind="placed", events__text__contains="reference").count()
    kills = (common.LOGS / "orders-interactive.log").read_text().count("exited with 'signal 9 (SIGKILL)'")
    chosen = Counter(_kill_step(o, kill_one_in) for o in ours)
    chosen.pop(None, None)
    print(f"\nExactly once: {placements:,} placements, sandbox dedupe OFF, faults {len(FAULTS)} × {fault_each:.2%} "
          f"(≈{1 - (1 - fault_each) ** len(FAULTS):.0%} of calls), prefork --concurrency {concurrency}\n")  # fmt: skip
    print(common.table(["figure", "value"], [
        ["orders approved", approved], ["orders placed in the sandbox", sum(made.values())],
        ["distinct orders in the sandbox", len(made)], ["duplicates", duplicates], ["lost", lost],
        ["portal state placed", states.get(State.PLACED, 0)], ["portal state refused", states.get(State.REFUSED, 0)],
        ["portal still placing", states.get(State.PLACING, 0)], ["placed order id ≠ sandbox's", mismatched],
        ["adopted after a lookup", adopted], ["attempts per order", dict(sorted(attempts.items()))],
        ["orders given a kill point", ", ".join(f"{k} {n}" for k, n in sorted(chosen.items()))],
        ["pool processes SIGKILLed (worker log)", kills], ["of them from outside, anywhere", killed_outside],
        ["seconds", f"{seconds:.0f}"],
    ], "lr"))  # fmt: skip
    figures = [
        common.Figure("exactly_once.placed_vs_approved", sum(made.values()) / max(1, approved), "= 1.00",
                      sum(made.values()) == approved),
        common.Figure("exactly_once.duplicates", duplicates, "= 0", duplicates == 0),
        common.Figure("exactly_once.lost", lost, "= 0", lost == 0),
    ]  # fmt: skip
    print("\n" + "\n".join(f.line() for f in figures) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--placements", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--kill-one-in", type=int, default=10, help="about one order in K has a kill point")
    parser.add_argument("--external-kill-every", type=float, default=15.0, help="seconds; 0: none")
    parser.add_argument("--fault-each", type=float, default=0.0436, help="probability of each of the five faults")
    args = parser.parse_args()
    common.setup()
    common.flush_redis()
    server = common.gunicorn(common.SANDBOX_PORT, "sandbox-orders.log", workers=2, threads=16, extra_env=SANDBOX_ENV)
    try:
        run(placements=args.placements, concurrency=args.concurrency, kill_one_in=args.kill_one_in,
            external_every=args.external_kill_every, fault_each=args.fault_each)  # fmt: skip
    finally:
        common.stop(server)


if __name__ == "__main__":
    main()
