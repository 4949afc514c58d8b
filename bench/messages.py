"""Benchmark: 1688 messages instead of polling (issue 23, "Measure"; run by hand).

    python bench/messages.py [--products 100] [--seed 23] [--part all|calls|bell|lost]

Starts the portal with its sandbox gateway in this process (a threaded WSGI server on a free port; tasks run eagerly,
the sandbox sends each message in the thread that made the change), on PostgreSQL when BENCH_DATABASE_URL is set
(a throw-away SQLite file otherwise). Three measures:

* calls: the same watched products and the same simulated day of changes (each product's stock moves three times,
  one in ten has its price edited, one in fifty is delisted), once with polling only and once with messages plus
  the fallback poll. The clock is simulated (`django.utils.timezone.now` moved on in 15-minute steps: beat's refresh,
  and the catch-up every MESSAGES_CATCHUP_EVERY); every business call the portal makes is counted from its call log.
  The stock moves are sandbox stock messages of the followed offers (the sandbox's own stock drift moves every
  offer's price at the same time, which would make every product an edit).
* bell: real time: a price cut on a followed offer with a price alert, to the team's notification; p50/p95.
  Polling: the bell waits for the product's next refresh, uniformly up to CATALOG_REFRESH_WANTED_HOURS after it.
* lost: the callback is down for 10 simulated minutes while 1,000 changes are made; then it is back, the sandbox's
  retries and the portal's catch-up run: every change is applied once. Then 300 of the messages are POSTed again,
  shuffled, and 50 newer stock messages are delivered newest first: nothing is stored twice, the final state holds
  the newest levels.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp())}/b.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.update(SANDBOX_ENABLED="true", LOG_LEVEL="ERROR", SANDBOX_MESSAGE_INLINE="true",
                  SANDBOX_DRIFT_SECONDS=str(10**9), SANDBOX_ACCESS_TOKEN_LIFETIME=str(30 * 86400),
                  SANDBOX_MESSAGE_TIMEOUT_SECONDS="5", SANDBOX_MESSAGE_RETRY_SECONDS="60,300")  # fmt: skip
os.environ.pop("REDIS_URL", None)
os.environ.pop("CELERY_BROKER_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

REAL_NOW = timezone.now
CLOCK = {"offset": timedelta(0)}


def clock_now():
    return REAL_NOW() + CLOCK["offset"]


def serve():
    """The portal in a threaded server (a callback that fetches from the sandbox must not wait for itself)."""
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    class Threaded(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, get_wsgi_application(), server_class=Threaded, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    settings.SITE_URL, settings.ALIBABA_API_URL = base, f"{base}/sandbox/openapi"
    return server


def business_calls() -> int:
    from sourcing.connections.models import ApiCallLog

    return ApiCallLog.objects.exclude(api__startswith="system").exclude(outcome="refused").count()


class World:
    """A team watching `products` offers with one connected credential; the sandbox app subscribed to messages."""

    def __init__(self, products: int, seed: int):
        from bench._common import connected_credential
        from sandbox.catalog import build_catalog
        from sandbox.models import SandboxApp, SandboxOffer
        from sourcing.accounts.models import Membership, Team, User

        build_catalog(offers=max(products * 2, 50), seed=seed)
        self.team = Team.objects.create(name="Bench")
        self.user = User.objects.create_user("bench", email="bench@example.com")
        Membership.objects.create(user=self.user, team=self.team, role=Membership.Role.OWNER)
        self.user.current_team = self.team
        self.user.save()
        self.credential = connected_credential(user=self.user, app_key="70002301", qps=0)
        self.app = SandboxApp.objects.get(app_key="70002301")
        self.offers = list(SandboxOffer.objects.order_by("offer_id")[:products])
        self.rng = random.Random(seed)

    def hook(self) -> str:
        from django.conf import settings

        return f"{settings.SITE_URL}/hooks/1688/{self.credential.pk}/"

    def subscribe(self, url: str | None) -> None:
        from sandbox import messages as sandbox_messages
        from sandbox.models import SandboxSubscription

        if url is None:
            SandboxSubscription.objects.filter(app=self.app).delete()
            return
        sandbox_messages.subscribe(self.app, callback_url=url, topics=sandbox_messages.TOPICS)

    def messages_on(self) -> None:
        """Subscribe the callback, send the console's test message (the feed is set up), follow the watched."""
        from sandbox import messages as sandbox_messages
        from sourcing.messages.services.follow import follows_sync

        self.subscribe(self.hook())
        sandbox_messages.emit_test(self.app)
        while follows_sync(batch=1000)["followed"]:
            pass

    def watch(self) -> list:
        """Fetch every offer into the portal and put it on the team's list (the fetches are not counted)."""
        from sourcing.catalog.models import CatalogJob
        from sourcing.catalog.services.offers import product_detail_fetch
        from sourcing.lists import services as lists

        team_list = lists.list_create(actor=self.user, team=self.team, name="Watched")
        products = []
        for offer in self.offers:
            job = CatalogJob(kind=CatalogJob.Kind.REFRESH, credential=self.credential)
            product = product_detail_fetch(job=job, offer_id=offer.offer_id)
            lists.item_add(actor=self.user, product_list=team_list, product=product)
            products.append(product)
        return products

    def day_of_changes(self) -> list[tuple[float, str, int]]:
        """(seconds into the day, kind, offer index): 3 stock moves each, 1 in 10 edited, 1 in 50 delisted."""
        events = []
        for index in range(len(self.offers)):
            events += [(self.rng.uniform(0, 86400), "stock", index) for _ in range(3)]
            if index % 10 == 3:
                events.append((self.rng.uniform(0, 86400), "price", index))
            if index % 50 == 7:
                events.append((self.rng.uniform(0, 86400), "delist", index))
        return sorted(events)

    def change(self, kind: str, index: int) -> None:
        """Make one change in the sandbox (its followers are told as 1688 would tell them)."""
        from decimal import Decimal

        from sandbox import messages as sandbox_messages
        from sandbox.models import SandboxOffer

        offer = SandboxOffer.objects.get(pk=self.offers[index].pk)
        if kind == "price":
            offer.base_price = (offer.base_price * Decimal("0.93")).quantize(Decimal("0.01"))
            offer.save()
        elif kind == "delist":
            offer.listed = not offer.listed
            offer.save()
        else:  # a stock move of one option, as the sandbox's drift would announce it
            now = timezone.now()
            _price, levels = sandbox_messages.stock_levels(offer, now)
            key = self.rng.choice(sorted(levels))
            after = dict(levels, **{key: max(0, levels[key] + self.rng.randint(-40, 40))})
            items = []
            for follow in sandbox_messages._follows(offer.offer_id):
                items += sandbox_messages.product_messages(follow, [], (levels, after), now)
            sandbox_messages.store(items, now)


def run_day(world: World, products: list, *, messages: bool) -> dict:
    """One simulated day: changes as they happen, beat's refresh every 15 minutes, the catch-up every
    MESSAGES_CATCHUP_EVERY."""
    from django.conf import settings

    from sourcing.catalog.models import Product
    from sourcing.catalog.services.refresh import refresh_due
    from sourcing.messages.services.catchup import messages_catch_up

    start = timezone.now()
    Product.objects.filter(pk__in=[p.pk for p in products]).update(detail_fetched_at=start, refresh_queued_at=None)
    events = world.day_of_changes()
    before, step = business_calls(), 0
    for tick in range(1, 97):
        CLOCK["offset"] += timedelta(minutes=15)
        while step < len(events) and events[step][0] <= tick * 900:
            _at, kind, index = events[step]
            world.change(kind, index)
            step += 1
        if messages and (tick * 900) % settings.MESSAGES_CATCHUP_EVERY == 0:
            messages_catch_up(credential_id=world.credential.pk)
        refresh_due()
    return {"calls": business_calls() - before, "changes": len(events)}


def measure_calls(world: World, products: list) -> list[tuple[str, str]]:
    from django.conf import settings

    world.subscribe(None)
    polling = run_day(world, products, messages=False)
    before = business_calls()
    world.messages_on()
    follow_calls = business_calls() - before
    with_messages = run_day(world, products, messages=True)
    n = len(products)
    per_polling, per_messages = polling["calls"] / n, with_messages["calls"] / n
    return [
        ("watched products", f"{n}"),
        ("changes in the day (stock, edits, delistings)", f"{polling['changes']}"),
        (f"polling only (every {settings.CATALOG_REFRESH_WANTED_HOURS} h): calls per product per day",
         f"{per_polling:.2f}"),
        (f"messages + fallback (every {settings.MESSAGES_FALLBACK_HOURS} h): calls per product per day",
         f"{per_messages:.2f}"),
        ("fewer calls", f"{per_polling / per_messages:.1f}×" if per_messages else "∞"),
        ("following, once per product (not in the day)", f"{follow_calls / n:.2f} calls per product"),
    ]  # fmt: skip


def measure_bell(world: World, products: list, trials: int) -> list[tuple[str, str]]:
    from django.conf import settings

    from sourcing.alerts import services as alerts
    from sourcing.alerts.models import Alert, Notification

    waits = []
    for product in products[:trials]:
        product.refresh_from_db()
        if product.status != "active" or product.price_min is None:
            continue
        price_now = alerts.alert_price(Alert(team=world.team, product=product, kind="price_below"))
        if price_now is None:
            continue
        alerts.alert_create(actor=world.user, team=world.team, product=product, kind="price_below",
                            threshold=price_now)  # fires on any cut  # fmt: skip
        index = next(i for i, o in enumerate(world.offers) if o.offer_id == product.offer_id)
        started = time.perf_counter()
        world.change("price", index)
        deadline = time.monotonic() + 30
        while not Notification.objects.filter(product=product).exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        if Notification.objects.filter(product=product).exists():
            waits.append(time.perf_counter() - started)
    waits.sort()
    hours = settings.CATALOG_REFRESH_WANTED_HOURS
    return [
        ("price cuts measured", f"{len(waits)}"),
        ("messages: change → bell, p50", f"{statistics.median(waits) * 1000:.0f} ms" if waits else "-"),
        ("messages: change → bell, p95", f"{waits[int(len(waits) * 0.95) - 1] * 1000:.0f} ms" if waits else "-"),
        (f"polling every {hours} h: change → bell, p50 / p95", f"{hours * 0.5:.1f} h / {hours * 0.95:.1f} h"),
    ]


def measure_lost(world: World, products: list, changes: int) -> list[tuple[str, str]]:
    import json

    from sandbox import delivery
    from sandbox.models import SandboxMessage
    from sourcing.alibaba.api import push_signature
    from sourcing.messages.models import InboundMessage
    from sourcing.messages.services.catchup import messages_catch_up

    first = SandboxMessage.objects.filter(app=world.app).order_by("-msg_id").values_list("msg_id", flat=True).first()
    first = first or 0
    world.subscribe("http://127.0.0.1:9/hooks/1688/down/")  # nothing listens there: refused at once
    for i in range(changes):  # 10 simulated minutes of changes; the sandbox's pump runs every 30 s
        before = CLOCK["offset"]
        CLOCK["offset"] += timedelta(seconds=600 / changes)
        world.change("stock" if i % 20 else "price", world.rng.randrange(len(products)))
        if int(CLOCK["offset"].total_seconds()) // 30 != int(before.total_seconds()) // 30:
            delivery.deliver_due()
    world.subscribe(world.hook())  # back up: the retries still due reach it
    for _ in range(20):
        CLOCK["offset"] += timedelta(seconds=30)
        delivery.deliver_due()
    messages_catch_up(credential_id=world.credential.pk)  # and what the sandbox gave up on is read back
    sent = SandboxMessage.objects.filter(app=world.app, msg_id__gt=first)
    ids = set(sent.values_list("msg_id", flat=True))
    stored = InboundMessage.objects.filter(credential=world.credential, msg_id__in=ids)
    done = stored.filter(state__in=["applied", "ignored"]).count()
    by_state = {s: sent.filter(state=s).count() for s in ("delivered", "confirmed", "failed", "pending")}
    # then duplicates, shuffled, and newer stock delivered newest first
    again = list(sent.order_by("?")[:300])
    before_rows = InboundMessage.objects.count()
    session = __import__("requests").Session()
    for message in again:
        text = json.dumps(message.envelope, ensure_ascii=False, separators=(",", ":"))
        session.post(world.hook(), data={"message": text, "_aop_signature": push_signature(text, world.app.app_secret)})
    duplicates_stored = InboundMessage.objects.count() - before_rows
    world.subscribe("http://127.0.0.1:9/hooks/1688/down/")  # the sandbox keeps them; they are POSTed below
    mark = SandboxMessage.objects.filter(app=world.app).order_by("-msg_id").values_list("msg_id", flat=True).first()
    for _ in range(50):
        CLOCK["offset"] += timedelta(seconds=1)
        world.change("stock", world.rng.randrange(min(5, len(products))))
    newest = list(SandboxMessage.objects.filter(app=world.app, msg_id__gt=mark).order_by("-msg_id"))
    for message in newest:  # newest first: every older one arrives after a newer one
        text = json.dumps(message.envelope, ensure_ascii=False, separators=(",", ":"))
        session.post(world.hook(), data={"message": text, "_aop_signature": push_signature(text, world.app.app_secret)})
    return [
        ("changes made while the callback was down", f"{changes} ({len(ids)} messages)"),
        ("sandbox: delivered by a retry / confirmed by the catch-up / left", f"{by_state['delivered']} / "
         f"{by_state['confirmed']} / {by_state['failed'] + by_state['pending']}"),
        ("stored once and applied (of the messages sent)", f"{done} of {len(ids)} (rows: {stored.count()})"),
        ("300 duplicates POSTed again, shuffled: rows added", f"{duplicates_stored}"),
        ("50 newer stock messages newest first: final levels right", f"{final_levels_right(newest)}"),
    ]  # fmt: skip


def final_levels_right(messages) -> str:
    """Compare each option's stock with the newest level the messages told (per offer and option)."""
    from sourcing.catalog.models import Sku

    newest = {}
    for message in sorted(messages, key=lambda m: m.msg_id):
        for row in message.envelope["data"].get("OfferInventoryChangeList", []):
            if row.get("skuId"):
                newest[(row["offerId"], str(row["skuId"]))] = row["skuOnSale"]
    stocks = {(p, s): v for p, s, v in Sku.objects.filter(product__offer_id__in={k[0] for k in newest})
              .values_list("product__offer_id", "sku_id", "stock")}  # fmt: skip
    right = sum(stocks.get(key) == level for key, level in newest.items())
    return f"{right} of {len(newest)} options"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--part", default="all", choices=["all", "calls", "bell", "lost"])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--changes", type=int, default=1000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from portal.celery import app

    app.conf.task_always_eager = True
    timezone.now = clock_now  # every `timezone.now()` of the portal and the sandbox reads the simulated clock
    server = serve()
    world = World(args.products, args.seed)
    products = world.watch()
    figures = []
    if args.part in ("all", "calls"):
        figures += measure_calls(world, products)
    if args.part in ("all", "bell"):
        world.messages_on()
        figures += measure_bell(world, products, args.trials)
    if args.part in ("all", "lost"):
        world.messages_on()
        figures += measure_lost(world, products, args.changes)
    server.shutdown()
    vendor = "PostgreSQL" if os.environ["DATABASE_URL"].startswith("postgres") else "SQLite (throw-away)"
    print(f"database: {vendor}; {args.products} watched products; seed {args.seed}")
    width = max(len(label) for label, _ in figures)
    for label, value in figures:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
