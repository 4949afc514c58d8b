"""Benchmark: background refresh against the sandbox: throughput, calls per product, worker memory.

    python bench/refresh.py [--qps 10] [--products 300] [--workers 1,2,4] [--teams 50] [--shared 1000]
                            [--memory-products 10000] [--only sync,calls,memory]

Starts the sandbox under gunicorn and the worker as README deploys it, `celery -A … worker -Q background
--loglevel=INFO` (prefork), on Redis. "N workers" is one such command with `--concurrency N`: N worker
processes under one parent, which is how a machine runs more of them (Celery's default is one per core,
2 here); one worker is one process, the least a deployment runs.

* sync: at concurrency 1, 2 and 4 (`bench.celery_app`: the portal's app plus one bench task), beat
  queues a refresh of M wanted products; achieved detail calls per second ÷ the app's QPS limit and
  the sandbox's frequency-limit answers. Then N such commands at concurrency 1 (N machines) run the
  same refresh paced only by Celery's `rate_limit` (the shared limiter off), which Celery keeps per
  worker node: N nodes send up to N times the limit.
* calls: the same products on T teams' lists, each team's user with their own credential; one beat
  cycle, gateway calls counted by the sandbox's usage counter ÷ products; then a per-user refresh
  (each team's user fetches their list's first K products with their own credential), as a ratio.
* memory: after a refresh of N products by the documented command itself (`celery -A portal worker -Q
  background --loglevel=INFO`, at Celery's default concurrency, then at 1), PSS and RSS summed over all
  its processes (the parent and every child, from /proc/<pid>/smaps_rollup). PSS divides each page shared
  by the forked children among them, so it is what the worker as a whole costs; RSS counts them again
  in each process.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common as common  # noqa: E402

SYNC_APP, MEMORY_APP, TEAM_APP_BASE = "88000001", "88000002", 88100000


def _wait_job(job, timeout: float) -> None:
    from sourcing.catalog.models import CatalogJob

    common.wait_for(lambda: CatalogJob.objects.get(pk=job.pk).done >= job.total, timeout, "the refresh")


def _detail_calls(expected: int, timeout: float) -> dict:
    """Wait for `expected` detail calls in the call log; calls, seconds and rate of the ok ones, throttled ones."""
    from sourcing.alibaba import api
    from sourcing.connections.models import ApiCallLog

    calls = ApiCallLog.objects.filter(api=api.PRODUCT_DETAIL.id)
    common.wait_for(lambda: calls.count() >= expected, timeout, "the detail calls")
    ok = list(calls.filter(outcome="ok").order_by("at").values_list("at", flat=True))
    seconds = (ok[-1] - ok[0]).total_seconds() if len(ok) > 1 else 0.0
    return {"calls": len(ok), "seconds": seconds, "rate": (len(ok) - 1) / seconds if seconds else 0.0,
            "throttled": calls.filter(outcome="throttled").count()}  # fmt: skip


def _ours(products: list, qps: int) -> dict:
    """One beat cycle over `products`, paced by the gateway's shared limiter."""
    from sourcing.catalog.services.refresh import refresh_due
    from sourcing.connections.models import ApiCallLog

    ApiCallLog.objects.all().delete()
    common.make_due([p.pk for p in products])
    job = refresh_due()
    if not job or job.total != len(products):
        raise SystemExit(f"beat queued {job and job.total} products, expected {len(products)}")
    _wait_job(job, 60 + 3 * len(products) / qps)
    return _detail_calls(len(products), 60)


def _celery_paced(products: list, credential, qps: int) -> dict:
    """The same refresh with the credential's limit off, paced by Celery's per-worker rate_limit only."""
    from django.utils import timezone

    from bench.celery_app import celery_paced_refresh
    from sourcing.catalog.models import CatalogJob
    from sourcing.catalog.services.refresh import refresh_claim
    from sourcing.connections.models import ApiCallLog, AppCredential

    ApiCallLog.objects.all().delete()
    common.make_due([p.pk for p in products])
    AppCredential.objects.filter(pk=credential.pk).update(qps=0)
    try:
        claimed = refresh_claim(product_ids=[p.pk for p in products])
        job = CatalogJob.objects.create(kind=CatalogJob.Kind.REFRESH, target="bench", total=len(claimed),
                                        state=CatalogJob.State.RUNNING, started_at=timezone.now())  # fmt: skip
        for product_id in claimed:
            celery_paced_refresh.apply_async((product_id, job.pk), queue="background")
        return _detail_calls(len(products), 60 + 3 * len(products) / qps)
    finally:
        AppCredential.objects.filter(pk=credential.pk).update(qps=qps)


def sync(*, qps: int, products: int, worker_counts: list[int]):
    """Returns (text, figures)."""
    from sourcing.accounts.models import User
    from sourcing.catalog.models import ProductView

    user, _ = User.objects.get_or_create(username="bench-sync")
    credential = common.connected_credential(user=user, app_key=SYNC_APP, qps=qps, sandbox_qps=qps)
    rows, figures = [], []
    batch = common.products_for_offers(common.sandbox_offers(products))
    for workers in worker_counts:
        common.reset_wanted()
        ProductView.objects.bulk_create([ProductView(user=user, product=p) for p in batch])
        common.flush_redis()  # no leftover limiter slots or queued tasks from an earlier run
        worker = common.celery_worker(workers, f"sync{workers}")
        try:
            ours = _ours(batch, qps)
            load = os.getloadavg()[0]  # the last minute's: the run just measured
        finally:
            common.stop(worker)
        # Celery's rate_limit holds per worker node (its consumer's token bucket), so it is compared where it falls
        # short: N machines each running the command with one process.
        nodes = [common.celery_worker(1, f"paced{workers}-{i}", {"BENCH_CELERY_RATE": f"{qps}/s"})
                 for i in range(workers)]  # fmt: skip
        try:
            paced = _celery_paced(batch, credential, qps)
        finally:
            for node in nodes:
                common.stop(node)
        celery_name = "Celery rate_limit" + (f" ({workers} nodes of 1)" if workers > 1 else "")
        for name, result in (("ours (shared limiter)", ours), (celery_name, paced)):
            rows.append([workers, name, result["calls"], f"{result['seconds']:.1f}", f"{result['rate']:.2f}",
                         f"{result['rate'] / qps:.2f}", result["throttled"], f"{load:.1f}"])  # fmt: skip
        figures += [
            common.Figure(
                f"sync.w{workers}.achieved_vs_limit", ours["rate"] / qps, ">= 0.90", ours["rate"] / qps >= 0.9
            ),
            common.Figure(f"sync.w{workers}.frequency_errors", ours["throttled"], "= 0", ours["throttled"] == 0),
        ]
        print(f"  sync with {workers} worker process{'es' * (workers > 1)}: ours {ours['rate'] / qps:.2f} ({ours['throttled']} errors), "
              f"Celery rate_limit {paced['rate'] / qps:.2f} ({paced['throttled']} errors), load {load:.1f}",
              flush=True)  # fmt: skip
    text = (
        f"Refresh throughput against the sandbox's limit of {qps} calls/s ({products} products per run; one prefork "
        "worker, `-Q background --concurrency N`; the portal paces at ALIBABA_RATE_HEADROOM = 95 % of the limit)\n\n"
        + common.table(
            [
                "worker processes",
                "pacing",
                "calls",
                "seconds",
                "calls/s",
                "÷ limit",
                "frequency-limit errors",
                "load (1 min, ours)",
            ],
            rows,
            "rlrrrrrr",
        )  # fmt: skip
    )
    return text, figures


def calls_per_product(*, teams: int, products: int, per_user_sample: int):
    """Returns (text, figures)."""
    from sourcing.accounts.models import Membership, User
    from sourcing.accounts.services.teams import team_create
    from sourcing.catalog.models import CatalogJob, Product
    from sourcing.catalog.services.offers import product_detail_fetch
    from sourcing.catalog.services.refresh import refresh_due
    from sourcing.lists.models import ListItem, ProductList
    from sourcing.lists.services import list_create

    batch = common.products_for_offers(common.sandbox_offers(products))
    common.reset_wanted()
    members = []
    for t in range(teams):
        user, _ = User.objects.get_or_create(username=f"bench-team{t:02d}")
        membership = Membership.objects.filter(user=user).select_related("team").first()
        team = membership.team if membership else team_create(name=f"Bench team {t:02d}", owner=user)
        product_list = ProductList.objects.filter(team=team).first() or list_create(actor=user, team=team, name="Watch")
        credential = common.connected_credential(
            user=user, app_key=str(TEAM_APP_BASE + t), qps=50, sandbox_qps=0, sandbox_quota=10_000_000
        )
        ListItem.objects.bulk_create([ListItem(product_list=product_list, product=p, added_by=user, position=i)
                                      for i, p in enumerate(batch)], batch_size=2000)  # fmt: skip
        members.append((user, credential))
    keys = [c.app_key for _, c in members]
    common.make_due([p.pk for p in batch])
    common.reset_sandbox_usage(keys)
    common.flush_redis()
    worker = common.celery_worker(2, "calls")
    try:
        job = refresh_due()
        _wait_job(job, 600)
    finally:
        common.stop(worker)
    ours = common.sandbox_calls(keys)
    fetched = Product.objects.filter(pk__in=[p.pk for p in batch], detail_fetched_at__isnull=False).count()
    # The per-user design: every team's user refreshes their own list with their own credential.
    common.reset_sandbox_usage(keys)
    sample = batch[:per_user_sample]
    for _user, credential in members:
        for product in sample:
            job = CatalogJob(kind=CatalogJob.Kind.REFRESH, credential=credential)
            product_detail_fetch(job=job, offer_id=product.offer_id, credential=credential)
    per_user = common.sandbox_calls(keys) / len(sample)
    ours_per_product = ours / len(batch)
    rows = [
        ["ours (one beat cycle, shared catalog)", len(batch), ours, f"{ours_per_product:.2f}"],
        ["per-user refresh (each team's user, own credential)", len(sample), per_user * len(sample), f"{per_user:.2f}"],
    ]
    text = (
        f"Gateway calls per refreshed product: {len(batch):,} products on {teams} teams' lists, each team's user "
        f"with their own credential; calls counted by the sandbox; {fetched:,} products fetched in the cycle\n\n"
        + common.table(["design", "products", "gateway calls", "calls per product"], rows)
        + f"\n\nRatio per-user ÷ ours: {per_user / ours_per_product:.1f}×"
    )
    figures = [
        common.Figure("calls.per_product", ours_per_product, "= 1.00", round(ours_per_product, 4) == 1.0),
        common.Figure(
            "calls.per_user_vs_ours",
            per_user / ours_per_product,
            f"= {teams}× (teams)",
            round(per_user / ours_per_product, 4) == teams,
            "×",
        ),  # fmt: skip
    ]
    return text, figures


def worker_memory(*, products: int, concurrencies: tuple = (None, 1)):
    """Returns (text, figures): the documented worker's memory after a refresh of `products` products, at Celery's
    default concurrency (None: one process per core) and at each other concurrency given."""
    from sourcing.accounts.models import User
    from sourcing.catalog.models import ProductView
    from sourcing.catalog.services.refresh import refresh_due

    user, _ = User.objects.get_or_create(username="bench-memory")
    common.connected_credential(user=user, app_key=MEMORY_APP, qps=500, sandbox_qps=0)
    batch = common.products_for_offers(common.sandbox_offers(products))
    rows, figures = [], []
    for concurrency in concurrencies:
        common.reset_wanted()
        ProductView.objects.bulk_create([ProductView(user=user, product=p) for p in batch], batch_size=5000)
        common.make_due([p.pk for p in batch])
        common.flush_redis()
        worker = common.celery_worker(concurrency, f"memory{concurrency or ''}", app="portal")
        try:
            idle = common.tree_memory_mb(worker.pid)
            started = time.perf_counter()
            job = refresh_due()
            _wait_job(job, 3600)
            seconds = time.perf_counter() - started
            time.sleep(1)  # the last task's ack and the children's return to idle
            after = common.tree_memory_mb(worker.pid)
            load = os.getloadavg()[0]
        finally:
            common.stop(worker)
        children = after["each"][1:]
        label = f"{len(children)} (default)" if concurrency is None else str(concurrency)
        rows.append([label, after["processes"], f"{idle['pss']:.0f}", f"{after['pss']:.0f}", f"{after['rss']:.0f}",
                     f"{after['each'][0]['pss']:.0f}", " / ".join(f"{c['pss']:.0f}" for c in children),
                     f"{job.total / seconds:.1f}", f"{load:.1f}"])  # fmt: skip
        name = "default" if concurrency is None else f"c{concurrency}"
        figures.append(common.Figure(f"memory.worker_{name}_pss", after["pss"], "< 200 MB", after["pss"] < 200, " MB"))
    text = (
        f"Worker memory as deployed (`celery -A portal worker -Q background --loglevel=INFO`, prefork) after a refresh "
        f"of {len(batch):,} products; all processes of the command, MB\n\n"
        + common.table(
            [
                "worker processes",
                "processes in all",
                "PSS idle",
                "PSS after",
                "RSS after",
                "parent PSS",
                "children PSS",
                "products/s",
                "load (1 min)",
            ],
            rows,
            "lrrrrrrrr",
        )  # fmt: skip
    )
    return text, figures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--qps", type=int, default=10)
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--teams", type=int, default=50)
    parser.add_argument("--shared", type=int, default=1000)
    parser.add_argument("--per-user-sample", type=int, default=40)
    parser.add_argument("--memory-products", type=int, default=10_000)
    parser.add_argument("--only", default="sync,calls,memory", help="which parts to run, comma-separated")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    if parts - {"sync", "calls", "memory"}:
        parser.error("--only takes sync, calls and memory")
    common.setup()
    server = common.gunicorn(common.SANDBOX_PORT, "sandbox-refresh.log", workers=3, threads=8)
    try:
        runs = {
            "sync": lambda: sync(qps=args.qps, products=args.products,
                                 worker_counts=[int(w) for w in args.workers.split(",")]),
            "calls": lambda: calls_per_product(teams=args.teams, products=args.shared,
                                               per_user_sample=args.per_user_sample),
            "memory": lambda: worker_memory(products=args.memory_products),
        }  # fmt: skip
        for part in ("sync", "calls", "memory"):
            if part not in parts:
                continue
            text, figures = runs[part]()
            print(text + "\n")
            print("\n".join(f.line() for f in figures) + "\n")
    finally:
        common.stop(server)


if __name__ == "__main__":
    main()
