"""Benchmark: landed cost's accuracy against 1688's order previews (issue 21, "Accuracy"; run by hand).

    python bench/landed_accuracy.py [--items 200]

Starts the portal (with its sandbox gateway) on a throw-away SQLite file in a thread, seeds the sandbox catalog,
connects a credential, fetches `--items` offers' details, puts them on one list (each at its option with the most
stock, at its minimum order), quotes the list through real order previews over HTTP, then computes the list's
landed cost and checks, on every supplier group, that the breakdown's domestic freight adds up to the preview's
`sumCarriage` and its goods to the preview's `sumPaymentNoCarriage`, to the cent. Prints the figures.
"""

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{_db}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["SANDBOX_ENABLED"] = "true"
os.environ["LOG_LEVEL"] = "WARNING"  # the eager tasks' "succeeded" lines would bury the figures
os.environ.pop("REDIS_URL", None)
os.environ.pop("CELERY_BROKER_URL", None)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=200)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from bench._common import serve_portal_in_thread

    server = serve_portal_in_thread()
    settings.SANDBOX_DRIFT_SECONDS = 10**9  # prices hold still while the list is quoted

    from bench._common import connected_credential, sandbox_offers
    from portal.celery import app
    from sandbox.catalog import is_sold_out
    from sourcing.accounts.models import Membership, Team, User
    from sourcing.catalog.models import Product
    from sourcing.catalog.services import offers as catalog_offers
    from sourcing.lists import services as list_services
    from sourcing.orders.models import QuoteLine
    from sourcing.orders.services import addresses, quotes
    from sourcing.orders.services import rates as rate_services
    from sourcing.orders.services.landed import landed_for_list

    app.conf.task_always_eager = True  # the worker's code runs here, over real HTTP to the sandbox
    team = Team.objects.create(name="Bench")
    user = User.objects.create_user("bench")
    Membership.objects.create(user=user, team=team, role=Membership.Role.OWNER)
    connected_credential(user=user, app_key="70001690", qps=0)
    address = addresses.address_create(actor=user, team=team, label="义乌仓", contact_name="张三", phone="13800138000",
                                       province="浙江省", city="金华市", district="义乌市", street="稠州北路1号",
                                       post_code="322000")  # fmt: skip
    rate_services.rate_card_create(actor=user, team=team, forwarder="顺达货代", mode="air", destination="Hamburg",
                                   currency="CNY", price_per_kg=Decimal("30"), volumetric_divisor=6000,
                                   min_charge=Decimal("300"), per_parcel_fee=Decimal("15"), transit_days_min=7,
                                   transit_days_max=10, notes="")  # fmt: skip
    offers = [o for o in sandbox_offers(args.items * 3) if not is_sold_out(o) and o.sku_axes][: args.items]
    product_list = list_services.list_create(actor=user, team=team, name="Accuracy bench")
    started = time.perf_counter()
    for offer in offers:
        catalog_offers.product_fetch_start(user=user, offer_id=str(offer.offer_id))
        product = Product.objects.get(offer_id=offer.offer_id)
        sku = max(product.skus.exclude(spec_id=""), key=lambda s: s.stock or 0, default=None)
        list_services.item_add(actor=user, product_list=product_list, product=product, sku=sku,
                               target_quantity=product.moq or 1)  # fmt: skip
    fetched = time.perf_counter() - started
    started = time.perf_counter()
    run = quotes.quote_start(actor=user, product_list=product_list, address=address)
    run.refresh_from_db()
    quoted = time.perf_counter() - started
    started = time.perf_counter()
    landed = landed_for_list(product_list)
    computed = time.perf_counter() - started
    groups = {line.quote for line in QuoteLine.objects.filter(quote__product_list=product_list, is_current=True)}
    checked = goods_ok = freight_ok = 0
    misses = []
    for quote in sorted(groups, key=lambda q: q.pk):
        if quote.goods is None or quote.freight is None:
            continue  # refused as a whole by 1688 (no preview): nothing to compare
        rows = [landed.items[i] for i in quote.lines.values_list("list_item_id", flat=True)]
        domestic = sum(r.domestic for r in rows if r.domestic is not None)
        goods = sum(r.goods for r in rows if r.goods is not None)
        checked += 1
        goods_ok += goods == quote.goods
        freight_ok += domestic == quote.freight
        if goods != quote.goods or domestic != quote.freight:
            misses.append((quote.pk, quote.goods, goods, quote.freight, domestic))
    server.shutdown()
    print(f"database: SQLite (throw-away); items: {product_list.items.count()}; run: {run.state} "
          f"({run.calls} previews, {run.groups_total} supplier groups)")  # fmt: skip
    figures = [
        ("supplier groups with a preview, checked", checked),
        ("groups: Σ goods = sumPaymentNoCarriage (to the cent)", goods_ok),
        ("groups: Σ domestic freight = sumCarriage (to the cent)", freight_ok),
        ("groups that differ", len(misses)),
        ("items whose landed cost is known (air card ¥30/kg)", f"{landed.known} of {len(landed.items)}"),
        ("landed total of the known items (CNY)", f"{landed.total:,}"),
        ("seconds: fetch details / quote / landed cost", f"{fetched:.1f} / {quoted:.1f} / {computed:.2f}"),
    ]
    print(f"{'figure':<56} | {'value':>16}")
    for name, value in figures:
        print(f"{name:<56} | {value!s:>16}")
    reasons = Counter(str(w) for row in landed.items.values() for w in row.unknown[:1])
    for why, count in reasons.most_common(3):
        print(f"not known: {count} × {why}")
    for miss in misses[:10]:
        print("differs: quote {} goods {} vs {}, freight {} vs {}".format(*miss))
    return 0 if checked and not misses else 1


if __name__ == "__main__":
    sys.exit(main())
