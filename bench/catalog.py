"""Benchmark the catalog (run by hand): search and page reads at scale, and refresh throughput.

    python bench/catalog.py reads [--products 100000] [--runs 200]
    python bench/catalog.py sync  [--qps 10] [--products 300] [--workers 1,2,4]
    python bench/catalog.py drop

Both use their own PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/portal_bench), created when missing; `drop` removes it.

reads: fills the catalog with N generated products (bulk_create, search documents included) and
times the selectors the pages call: median and p95 milliseconds and queries per call.
sync:  starts the sandbox (gunicorn on 127.0.0.1:8641) and W Celery worker processes on Redis db 7
(BENCH_REDIS_URL; flushed between runs), queues a background refresh of M wanted products, and
reports achieved detail calls per second ÷ the app's QPS limit and frequency-limit errors.
"""

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
SANDBOX_PORT = 8641
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("SANDBOX_ENABLED", "true")


def _admin_sql(sql: str) -> None:
    import psycopg

    base = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql)


def _database_name() -> str:
    return DATABASE_URL.rsplit("/", 1)[1]


def ensure_database() -> None:
    name = _database_name()
    if name in ("portal", "test_portal"):
        sys.exit("Refusing to use the shared database names portal/test_portal.")
    try:
        _admin_sql(f'CREATE DATABASE "{name}"')
    except Exception as error:  # noqa: BLE001 - "already exists" is fine
        if "already exists" not in str(error):
            raise


def setup(extra_env: dict | None = None):
    os.environ.update(extra_env or {})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# --- reads ---
def generate(count: int) -> None:
    """Replace the catalog with `count` products shaped like the sandbox's (titles, categories, suppliers)."""
    from django.db import connection

    from sandbox.catalog import FEATURES, PREFIXES, SUFFIXES, categories
    from sourcing.models import Category, PriceHistory, Product, Sku, Supplier
    from sourcing.services.catalog_search import document

    if Product.objects.count() == count:
        return
    print(f"generating {count} products ...", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE sourcing_sku, sourcing_pricehistory, sourcing_productview, sourcing_product, "
                       "sourcing_supplier, sourcing_category CASCADE")  # fmt: skip
    rng = random.Random(1688)
    Category.objects.bulk_create(
        [
            Category(id=c.id, parent_id=c.parent_id, name=c.name, name_en=c.name_en, level=c.level, is_leaf=c.is_leaf)
            for c in sorted(categories(), key=lambda c: c.level)
        ]  # fmt: skip
    )
    leaves = [c for c in categories() if c.is_leaf]
    provinces = [
        ("浙江省", "义乌市"),
        ("广东省", "深圳市"),
        ("江苏省", "苏州市"),
        ("福建省", "泉州市"),
        ("山东省", "青岛市"),
    ]
    Supplier.objects.bulk_create([
        Supplier(open_id=f"BBBbench{i:08d}", company_name=f"{provinces[i % 5][1]}示例{i}号贸易有限公司",
                 province=provinces[i % 5][0], city=provinces[i % 5][1], years=1 + i % 15,
                 service_score=Decimal("3.5") + Decimal(i % 15) / 10)
        for i in range(2500)
    ], batch_size=2500)  # fmt: skip
    supplier_ids = list(Supplier.objects.values_list("pk", "province"))
    batch = []
    for i in range(count):
        leaf = rng.choice(leaves)
        prefix, feature, suffix = rng.choice(PREFIXES), rng.choice(FEATURES), rng.choice(SUFFIXES)
        title = f"{prefix[0]}{feature[0]}{leaf.name}{' ' + suffix[0] if suffix[0] else ''}"
        title_en = " ".join(w for w in (prefix[1], feature[1], leaf.name_en, suffix[1]) if w)
        supplier_id, province = supplier_ids[i % len(supplier_ids)]
        attributes = [{"name": "品牌", "value": rng.choice(["其他", "OEM", "自有品牌"]), "name_en": "Brand",
                       "value_en": "Other"}, {"name": "产地", "value": "中国大陆", "name_en": "Origin",
                       "value_en": "Mainland China"}]  # fmt: skip
        price = Decimal(str(round(rng.uniform(1, 300), 2)))
        product = Product(
            offer_id=600000000000 + i, title=title, title_en=title_en, category_id=leaf.id, supplier_id=supplier_id,
            province=province, price_min=price, price_max=price + 2, moq=rng.choice([1, 2, 5, 10, 50]),
            month_sold=int(rng.paretovariate(1.2) * 20), attributes=attributes, image_url="https://img.example/x.png",
            price_tiers=[{"min_quantity": 1, "price": str(price + 2)}, {"min_quantity": 100, "price": str(price)}],
        )  # fmt: skip
        for key, value in document(title_parts=[title, title_en],
                                   body_parts=[v for a in attributes for v in a.values()]).items():  # fmt: skip
            setattr(product, key, value)
        batch.append(product)
        if len(batch) == 5000:
            Product.objects.bulk_create(batch)
            batch = []
    Product.objects.bulk_create(batch)
    detailed = list(Product.objects.order_by("pk").values_list("pk", "price_min")[:2000])
    Sku.objects.bulk_create([Sku(product_id=pk, sku_id=f"{pk}{n}", price=price, stock=100 + n, position=n,
                                 attributes=[{"name": "颜色", "value": f"色{n}"}])
                             for pk, price in detailed for n in range(8)], batch_size=5000)  # fmt: skip
    PriceHistory.objects.bulk_create([PriceHistory(product_id=pk, price_min=price + n, price_max=price + n, stock=100)
                                      for pk, price in detailed for n in range(6)], batch_size=5000)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"generated in {time.perf_counter() - started:.0f}s", flush=True)


def reads(args) -> None:
    ensure_database()
    setup()
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from sourcing.models import Category, Product
    from sourcing.selectors_catalog import price_history_points, product_for_page, search_products

    generate(args.products)
    tops = list(Category.objects.filter(level=1).values_list("pk", flat=True))
    leaves = list(Category.objects.filter(is_leaf=True).values_list("pk", flat=True))
    detailed = list(Product.objects.filter(skus__isnull=False).distinct().values_list("offer_id", flat=True)[:500])

    def deep(query):
        page = search_products(query, limit=24)
        for _ in range(4):
            if page.next_cursor:
                page = search_products(query, after=page.next_cursor, limit=24)
        return page

    def read(offer_id):
        product = product_for_page(offer_id)
        return [s.label for s in product.skus.all()], price_history_points(product), product.supplier, product.category

    cases = [
        ("search 1 char (杯, 壳, 灯 …)", lambda q: search_products(q, limit=24), list("杯壳灯包笔茶锅帽表椅")),
        ("search 2 chars (手机, 支架 …)", lambda q: search_products(q, limit=24),
         ["手机", "支架", "耳机", "保温", "收纳", "键盘", "积木", "茶叶", "口红", "手套"]),
        ("search English (laptop stand …)", lambda q: search_products(q, limit=24),
         ["laptop stand", "phone case", "vacuum cup", "yoga mat", "usb hub", "gel pen", "dash cam", "storage box",
          "wireless mouse", "green tea"]),
        ("search 2 chars, by price", lambda q: search_products(q, {"sort": "price"}, limit=24), ["手机", "支架", "杯子"]),
        ("search 1 char, 5th page", deep, list("杯壳灯包笔")),
        ("category browse (top, sales)", lambda c: search_products("", {"category": str(c)}, limit=24), tops),
        ("category browse (leaf, price)", lambda c: search_products("", {"category": str(c), "sort": "price"},
                                                                     limit=24), leaves[:40]),
        ("product read (SKUs, history)", read, detailed),
    ]  # fmt: skip
    print(f"\n{Product.objects.count():,} products on {connection.vendor} ({connection.settings_dict['NAME']}); "
          f"{args.runs} calls per row\n")  # fmt: skip
    print(f"| {'selector':<34} | median ms | p95 ms | queries | results |")
    print(f"|{'-' * 36}|----------:|-------:|--------:|--------:|")
    for name, fn, inputs in cases:
        for value in inputs:  # warm the cache once
            fn(value)
        times, queries, results = [], [], []
        for run in range(args.runs):
            value = inputs[run % len(inputs)]
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                outcome = fn(value)
                times.append((time.perf_counter() - started) * 1000)
            queries.append(len(captured))
            results.append(len(outcome.products) if hasattr(outcome, "products") else 1)
        print(f"| {name:<34} | {statistics.median(times):9.2f} | {percentile(times, 0.95):6.2f} | "
              f"{statistics.median(queries):7.0f} | {statistics.median(results):7.0f} |")  # fmt: skip


# --- sync ---
def _start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def sync(args) -> None:
    import redis
    import requests

    ensure_database()
    site = f"http://127.0.0.1:{SANDBOX_PORT}"
    env = {"REDIS_URL": REDIS_URL, "CELERY_BROKER_URL": REDIS_URL, "SITE_URL": site,
           "ALIBABA_API_URL": f"{site}/sandbox/openapi", "ALIBABA_BACKGROUND_QUOTA_SHARE": "1",
           "CATALOG_REFRESH_BATCH": str(args.products), "LOG_LEVEL": "WARNING"}  # fmt: skip
    setup(env)
    from django.core.management import call_command
    from django.utils import timezone

    from sourcing.alibaba import api
    from sourcing.alibaba.oauth import parse_token_answer
    from sourcing.models import ApiCallLog, AppCredential, Product, ProductView, User
    from sourcing.services.catalog_refresh import refresh_due
    from sourcing.services.catalog_upsert import products_upsert_summaries
    from sourcing.services.credentials import credential_create
    from sourcing.services.tokens import token_store

    logs = BASE_DIR / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    child_env = {**os.environ, **env}
    redis.Redis.from_url(REDIS_URL).flushdb()
    web = _start([sys.executable, "-m", "gunicorn", "portal.wsgi", "-b", f"127.0.0.1:{SANDBOX_PORT}", "-w", "3",
                  "--threads", "8", "--log-level", "warning"], child_env, logs / "sandbox.log")  # fmt: skip
    workers: list[subprocess.Popen] = []
    try:
        import io
        import json

        from sandbox.models import SandboxOffer

        if SandboxOffer.objects.count() < args.products:
            call_command("sandbox_seed", "--offers", str(max(2000, args.products)), stdout=io.StringIO())
        key, secret = "88000001", "bench-secret"
        call_command("sandbox_app", "--app-key", key, "--app-secret", secret, "--grant-all", "--qps", str(args.qps),
                     "--daily-quota", "0", "--redirect-uri", f"{site}/auth/1688/callback", stdout=io.StringIO())  # fmt: skip
        user, _ = User.objects.get_or_create(username="bench")
        credential = AppCredential.objects.filter(owner=user, app_key=key).first() or credential_create(
            owner=user, app_key=key, app_secret=secret, name="bench", gateway=AppCredential.Gateway.SANDBOX,
            daily_quota=1_000_000, qps=args.qps)  # fmt: skip
        AppCredential.objects.filter(pk=credential.pk).update(qps=args.qps, verified_at=timezone.now())
        out = io.StringIO()
        call_command("sandbox_token", "--app-key", key, "--login-id", "bench采购", stdout=out)
        token_store(credential=credential, tokens=parse_token_answer(json.loads(out.getvalue())), user=user)
        offers = SandboxOffer.objects.order_by("offer_id")[: args.products]
        from sourcing.alibaba.api import OfferSummary

        summaries = [OfferSummary(offer_id=str(o.offer_id), subject=o.subject, subject_en=o.subject_en, image_url="",
                                  price=None, min_order_quantity=None, month_sold=None, repurchase_rate="",
                                  top_category_id=None, second_category_id=None, third_category_id=None,
                                  seller_years=None, company_name="", detail_url="") for o in offers]  # fmt: skip
        products = products_upsert_summaries(offers=summaries, source="sandbox")
        ProductView.objects.bulk_create([ProductView(user=user, product=p) for p in products], ignore_conflicts=True)
        _wait_for(lambda: requests.get(f"{site}/sandbox/", timeout=2).status_code < 500, 30, "the sandbox server")
        print(f"\nRefreshing {len(products)} products against the sandbox; app limit {args.qps} calls/s\n")
        print("| workers | calls | seconds | calls/s | ÷ limit | frequency-limit errors | other errors |")
        print("|--------:|------:|--------:|--------:|--------:|-----------------------:|-------------:|")
        for count in [int(w) for w in args.workers.split(",")]:
            redis.Redis.from_url(REDIS_URL).flushdb()
            ApiCallLog.objects.all().delete()
            Product.objects.filter(pk__in=[p.pk for p in products]).update(
                detail_fetched_at=None, refresh_queued_at=None, refresh_lease_until=None, content_hash=""
            )
            workers = [
                _start([sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO",
                        f"--hostname=bench{count}-{i}@%h", "--without-heartbeat", "--without-gossip",
                        "--without-mingle"], child_env, logs / f"worker{count}-{i}.log")
                for i in range(count)
            ]  # fmt: skip
            for i in range(count):
                log = logs / f"worker{count}-{i}.log"
                _wait_for(lambda log=log: "ready." in log.read_text(), 60, "a worker")
            job = refresh_due()
            assert job and job.total == len(products), job
            done = Product.objects.filter(pk__in=[p.pk for p in products], detail_fetched_at__isnull=False)
            _wait_for(lambda done=done: done.count() == len(products), 600, "the refresh")
            calls = ApiCallLog.objects.filter(api=api.PRODUCT_DETAIL.id)
            ok = list(calls.filter(outcome="ok").order_by("at").values_list("at", flat=True))
            seconds = (ok[-1] - ok[0]).total_seconds()
            rate = (len(ok) - 1) / seconds if seconds else 0
            throttled = calls.filter(outcome="throttled").count()
            errors = calls.filter(outcome="error").count()
            print(f"| {count:7} | {len(ok):5} | {seconds:7.1f} | {rate:7.2f} | {rate / args.qps:7.2f} | "
                  f"{throttled:22} | {errors:12} |", flush=True)  # fmt: skip
            for worker in workers:
                _stop(worker)
            workers = []
    finally:
        for worker in workers:
            _stop(worker)
        _stop(web)
        redis.Redis.from_url(REDIS_URL).flushdb()


def drop(_args) -> None:
    _admin_sql(f'DROP DATABASE IF EXISTS "{_database_name()}" WITH (FORCE)')
    print(f"dropped {_database_name()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("reads")
    p.add_argument("--products", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=200)
    p.set_defaults(fn=reads)
    p = sub.add_parser("sync")
    p.add_argument("--qps", type=int, default=10)
    p.add_argument("--products", type=int, default=300)
    p.add_argument("--workers", default="1,2,4")
    p.set_defaults(fn=sync)
    sub.add_parser("drop").set_defaults(fn=drop)
    args = parser.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
