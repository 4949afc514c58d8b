"""Benchmark: same-item quality and calls (issue 22, "Same-item quality" and "Calls"; run by hand).

    python bench/same_item.py [--products 10000] [--seed 22]

Starts the portal (with its sandbox gateway) on a throw-away SQLite file in a thread, generates a sandbox catalog
of `--products` offers (with its same-item truth), and for every offer, in offer-id order, fetches its detail
when the portal lacks it and runs the same-item worker on it (real HTTP to the sandbox; tasks eager). Then counts
precision and recall of same-item pairs against the generator's truth (`same_item_group`, read only here), the
time per product and the gateway calls per product, and checks that asking again within the refresh interval
costs no call. Prints the figures.
"""

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{_db}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["SANDBOX_ENABLED"] = "true"
os.environ["LOG_LEVEL"] = "WARNING"
os.environ.pop("REDIS_URL", None)
os.environ.pop("CELERY_BROKER_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402


def pairs(groups: dict) -> set[tuple[int, int]]:
    return {pair for members in groups.values() for pair in combinations(sorted(members), 2)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument(
        "--limit", type=int, default=0, help="match only the first N offers of the catalog (pairs counted among them)"
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from bench._common import serve_portal_in_thread

    server = serve_portal_in_thread()

    from bench._common import connected_credential
    from portal.celery import app
    from sandbox.catalog import build_catalog
    from sandbox.models import SandboxOffer
    from sourcing.accounts.models import Membership, Team, User
    from sourcing.catalog.models import Product, SameItemMember
    from sourcing.catalog.services import offers as catalog_offers
    from sourcing.catalog.services.same_items import same_item_start
    from sourcing.connections.models import ApiCallLog

    app.conf.task_always_eager = True
    started = time.perf_counter()
    build_catalog(offers=args.products, seed=args.seed, same_items=True)
    built = time.perf_counter() - started
    team = Team.objects.create(name="Bench")
    user = User.objects.create_user("bench")
    Membership.objects.create(user=user, team=team, role=Membership.Role.OWNER)
    connected_credential(user=user, app_key="70002201", qps=0)
    truth = defaultdict(set)
    for offer_id, group in SandboxOffer.objects.values_list("offer_id", "same_item_group"):
        truth[group].add(offer_id)
    own_details = matching_calls = 0
    matching_seconds = 0.0
    skipped = failed = 0
    ordered = sorted(o for members in truth.values() for o in members)
    matched = set(ordered[: args.limit or None])
    for offer_id in ordered[: args.limit or None]:
        product = Product.objects.filter(offer_id=offer_id).first()
        if product is None:
            before = ApiCallLog.objects.count()
            fetched = catalog_offers.product_fetch_start(user=user, offer_id=str(offer_id))
            if not Product.objects.filter(offer_id=offer_id).exists():
                print(offer_id, fetched, fetched.job and (fetched.job.state, fetched.job.message))
                continue
            own_details += ApiCallLog.objects.count() - before
            product = Product.objects.get(offer_id=offer_id)
        before, clock = ApiCallLog.objects.count(), time.perf_counter()
        job = same_item_start(user=user, product=product).job
        if job is not None:
            job.refresh_from_db()
            failed += job.state != job.State.DONE
        skipped += job is None
        matching_seconds += time.perf_counter() - clock
        matching_calls += ApiCallLog.objects.count() - before
    found = defaultdict(set)
    for cluster_id, offer_id in SameItemMember.objects.values_list("cluster_id", "product__offer_id"):
        found[cluster_id].add(offer_id)
    # Groups are generated together (their offer ids are neighbours): with --limit, count pairs within the first N.
    truth = {g: m & matched for g, m in truth.items()}
    found = {c: m & matched for c, m in found.items()}
    true_pairs, found_pairs = pairs(truth), pairs(found)
    right = len(true_pairs & found_pairs)
    before = ApiCallLog.objects.count()
    # the products matched above (searched from or joined as a candidate), not summaries seen only as candidates
    again = [same_item_start(user=user, product=p).job
             for p in Product.objects.filter(offer_id__in=matched).order_by("?")[:200]]  # fmt: skip
    repeat_calls = ApiCallLog.objects.count() - before
    server.shutdown()
    n = len(matched)
    print(f"database: SQLite (throw-away); catalog: {args.products} offers, {n} matched; built in {built:.1f} s")
    figures = [
        ("true same-item pairs", len(true_pairs)),
        ("pairs found", len(found_pairs)),
        ("precision", f"{right / len(found_pairs):.3f}" if found_pairs else "-"),
        ("recall", f"{right / len(true_pairs):.3f}" if true_pairs else "-"),
        ("products already in a fresh cluster (no call)", skipped),
        ("jobs that did not finish", failed),
        ("matching: gateway calls per product", f"{matching_calls / n:.2f}"),
        ("matching: seconds per product", f"{matching_seconds / n:.3f}"),
        ("the product's own detail: calls per product", f"{own_details / n:.2f}"),
        (
            "asked again within the refresh interval: jobs, calls",
            f"{sum(j is not None for j in again)}, {repeat_calls}",
        ),
    ]
    width = max(len(label) for label, _ in figures)
    for label, value in figures:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
