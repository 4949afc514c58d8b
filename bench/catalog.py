"""Benchmark the catalog's selectors (run by hand): search and page reads at scale, without the page around them.

    python bench/catalog.py reads [--products 100000] [--runs 200]
    python bench/catalog.py sync  [--qps 10] [--products 300] [--workers 1,2,4]
    python bench/catalog.py drop

reads: fills the bench database (bench/_common.py: BENCH_DATABASE_URL) with N generated products
and times the selectors the pages call: median and p95 milliseconds and queries per call. Whole
pages, with the naive design beside them, are bench/pages.py; everything at once is bench/run.py.
sync:  the refresh throughput figure of bench/refresh.py on its own.
drop:  removes the bench database.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common as common  # noqa: E402
from bench import generated  # noqa: E402

percentile = common.percentile


def reads(args) -> None:
    common.setup()
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from sourcing.catalog.models import Category, Product
    from sourcing.catalog.selectors.pages import price_history_points, product_for_page
    from sourcing.catalog.selectors.products import search_products

    generated.generate(args.products)
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


def sync(args) -> None:
    from bench import refresh

    common.setup()
    server = common.gunicorn(common.SANDBOX_PORT, "sandbox-sync.log", workers=3, threads=8)
    try:
        text, figures = refresh.sync(qps=args.qps, products=args.products,
                                     worker_counts=[int(w) for w in args.workers.split(",")])  # fmt: skip
    finally:
        common.stop(server)
    print(text + "\n\n" + "\n".join(f.line() for f in figures))


def drop(_args) -> None:
    common.drop_database()
    print(f"dropped {common.DATABASE_URL.rsplit('/', 1)[-1]}")


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
