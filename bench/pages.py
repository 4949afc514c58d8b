"""Benchmark: page views at scale, ours against the naive design, and a web process's memory.

    python bench/pages.py [--products 100000] [--runs 200] [--naive-runs 10]

Fills the catalog with N generated products, logs in as a team member (Django's test Client: the
whole request, middleware and template included) and times the search, category, product and list
pages: median and p95 milliseconds and queries per view. The same pages are then served by the
naive views (bench/naive.py: the gateway first, over HTTP, then the page) against the sandbox under
gunicorn with 200 ms of added latency (a round trip to 1688 from outside China) and with none.
Then the web CPU of cold searches: a generated mix of distinct searches (bench/search_mix.py's, each asked once,
so no result page comes from the cache) through the same client, with the process's CPU time (not the
database's) per request. Last, a gunicorn web process serves the search page repeatedly and its peak RSS is read.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common as common  # noqa: E402
from bench import generated  # noqa: E402

SEARCHES = list("杯壳灯包笔") + ["手机", "支架", "耳机", "保温", "收纳", "laptop stand", "phone case", "yoga mat"]
LIST_ITEMS = 50  # issue 20: "the list page p95 under 50 ms for a 50-item list"
LATENCY_MS = 200
COLD_CPU_TARGET_MS = 20  # half of the ~40 ms of web CPU per cold search that issue 20 measured


def page_user():
    """A buyer in a team with one list of LIST_ITEMS detailed products; no credential of their own."""
    from sourcing.accounts.models import User

    user, _ = User.objects.get_or_create(username="bench-buyer")
    return user, fifty_item_list(user, "Bench buyers")


def fifty_item_list(user, team_name: str):
    """The user's team list of LIST_ITEMS detailed products (the user's team made first if needed)."""
    from sourcing.accounts.models import Membership
    from sourcing.accounts.services.teams import team_create
    from sourcing.catalog.models import Product
    from sourcing.lists.models import ProductList
    from sourcing.lists.services import item_add, list_create

    membership = Membership.objects.filter(user=user).select_related("team").first()
    team = membership.team if membership else team_create(name=team_name, owner=user)
    product_list = ProductList.objects.filter(team=team).first() or list_create(actor=user, team=team, name="Bench")
    if product_list.items.count() != LIST_ITEMS:
        product_list.items.all().delete()
        for product in Product.objects.filter(skus__isnull=False).distinct().order_by("pk")[:LIST_ITEMS]:
            item_add(actor=user, product_list=product_list, product=product, target_quantity=100)
    return product_list


def measure(client, urls: list[str], runs: int) -> dict:
    """Median and p95 ms of `runs` GETs cycling through urls, and median queries per view.

    Queries are counted in a first pass over the urls (which also warms them), so that recording
    them doesn't weigh on the timed views.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        queries.append(len(captured))
    times = []
    for run in range(runs):
        started = time.perf_counter()
        response = client.get(urls[run % len(urls)])
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{urls[run % len(urls)]} answered {response.status_code}")
    return {"median": common.median(times), "p95": common.percentile(times, 0.95), "queries": common.median(queries)}


def cold_search_cpu(client, count: int, seed: int = 20) -> dict:
    """Web CPU (this process's, milliseconds) per request over `count` distinct searches, each asked once."""
    import random

    from bench.search_mix import mix

    cpu, wall = [], []
    for path, _pages in mix(count, random.Random(seed)):
        started, started_wall = time.process_time(), time.perf_counter()
        response = client.get(path)
        cpu.append((time.process_time() - started) * 1000)
        wall.append((time.perf_counter() - started_wall) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    return {"cpu_mean": sum(cpu) / len(cpu), "cpu_median": common.median(cpu), "wall_median": common.median(wall),
            "wall_p95": common.percentile(wall, 0.95)}  # fmt: skip


def web_memory(client, requests_count: int) -> float:
    """Peak RSS (MB) of a gunicorn worker process after serving the search page `requests_count` times."""
    import requests

    port = common.free_port()
    web = common.gunicorn(port, "web.log", workers=1)
    try:
        session = requests.Session()
        session.cookies.set("sessionid", client.cookies["sessionid"].value)
        for i in range(requests_count):
            response = session.get(f"http://127.0.0.1:{port}/products/", params={"q": SEARCHES[i % len(SEARCHES)]})
            if response.status_code != 200 or "login" in response.url:
                raise SystemExit(f"the web process answered {response.status_code} at {response.url}")
        return max(common.peak_rss_mb(pid) for pid in common.children(web.pid))
    finally:
        common.stop(web)


def run(*, products: int, runs: int, naive_runs: int, sandbox_offers: int, web_requests: int):
    """Returns (text, figures)."""
    from django.conf import settings
    from django.test import Client

    from bench import naive
    from sandbox.models import SandboxApp
    from sourcing.accounts.models import User
    from sourcing.catalog.models import Category, Product

    generated.generate(products)
    user, product_list = page_user()
    gateway_user, _ = User.objects.get_or_create(username="bench-naive")
    credential = common.connected_credential(user=gateway_user, app_key="88000010", qps=0)
    naive.configure(credential, [o.offer_id for o in common.sandbox_offers(sandbox_offers)])
    settings.ROOT_URLCONF = "bench.urls"
    client = Client()
    client.force_login(user)

    tops = list(Category.objects.filter(level=1).values_list("pk", flat=True))
    leaves = list(Category.objects.filter(is_leaf=True).values_list("pk", flat=True)[:20])
    detailed = list(Product.objects.filter(skus__isnull=False).distinct().values_list("offer_id", flat=True)[:50])
    pages = [
        ("search", "/products/?q={}", SEARCHES),
        ("category", "/categories/{}/", tops + leaves),
        ("product", "/products/{}/", detailed),
        ("list", "/lists/{}/", [product_list.pk]),
    ]
    server = common.gunicorn(common.SANDBOX_PORT, "sandbox-pages.log", workers=2, threads=4)
    rows, figures = [], []
    try:
        for name, pattern, values in pages:
            urls = [pattern.format(v) for v in values]
            ours = measure(client, urls, runs)
            calls = LIST_ITEMS if name == "list" else 1
            naive_runs_here = max(3, naive_runs // calls)
            SandboxApp.objects.filter(app_key=credential.app_key).update(latency_ms=LATENCY_MS)
            slow = measure(client, ["/naive" + u for u in urls], naive_runs_here)
            SandboxApp.objects.filter(app_key=credential.app_key).update(latency_ms=0)
            fast = measure(client, ["/naive" + u for u in urls], naive_runs_here * 2)
            rows.append([name, f"{ours['median']:.1f}", f"{ours['p95']:.1f}", f"{ours['queries']:.0f}",
                         f"{slow['median']:.0f}", f"{slow['median'] / ours['median']:.0f}×",
                         f"{fast['median']:.1f}", f"{fast['median'] / ours['median']:.1f}×", calls])  # fmt: skip
            # The targets are for the search and list pages; category and product pages are held to
            # the same 50 ms and to a 10× ratio of our own (they render more per view: a tree, a detail).
            ratio_target = 20 if name in ("search", "list") else 10
            figures += [
                common.Figure(f"pages.{name}.p95", ours["p95"], "< 50 ms", ours["p95"] < 50, " ms"),
                common.Figure(
                    f"pages.{name}.vs_naive_200ms",
                    slow["median"] / ours["median"],
                    f">= {ratio_target}×" + ("" if ratio_target == 20 else " (ours)"),
                    slow["median"] / ours["median"] >= ratio_target,
                    "×",
                ),  # fmt: skip
                common.Figure(
                    f"pages.{name}.vs_naive_0ms",
                    fast["median"] / ours["median"],
                    "> 1× (faster)",
                    fast["median"] / ours["median"] > 1,
                    "×",
                ),  # fmt: skip
            ]
            print(f"  {name}: ours p95 {ours['p95']:.1f} ms", flush=True)
    finally:
        common.stop(server)
    cold = cold_search_cpu(client, max(60, runs))
    figures.append(common.Figure("pages.search_cold.web_cpu", cold["cpu_mean"], f"< {COLD_CPU_TARGET_MS} ms",
                                 cold["cpu_mean"] < COLD_CPU_TARGET_MS, " ms"))  # fmt: skip
    print(f"  cold searches: web CPU {cold['cpu_mean']:.1f} ms per request", flush=True)
    peak = web_memory(client, web_requests)
    figures.append(common.Figure("memory.web_search_peak_rss", peak, "< 200 MB", peak < 200, " MB"))
    text = (
        f"Pages at {Product.objects.count():,} products ({runs} views per page, ours; naive: the gateway "
        f"first, {LATENCY_MS} ms added latency and none; list of {LIST_ITEMS} items)\n\n"
        + common.table(
            [
                "page",
                "median ms",
                "p95 ms",
                "queries",
                "naive 200 ms: median ms",
                "ratio",
                "naive 0 ms: median ms",
                "ratio",
                "gateway calls (naive)",
            ],
            rows,
        )  # fmt: skip
        + f"\n\nCold searches ({max(60, runs)} distinct, each once, first pages): web CPU {cold['cpu_mean']:.1f} ms per "
        f"request (median {cold['cpu_median']:.1f}); whole view median {cold['wall_median']:.1f} ms, p95 "
        f"{cold['wall_p95']:.1f} ms"
        + f"\n\nWeb process (gunicorn, 1 sync worker) after {web_requests} search pages: peak RSS {peak:.0f} MB"
    )
    return text, figures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--naive-runs", type=int, default=10)
    args = parser.parse_args()
    common.setup()
    text, figures = run(products=args.products, runs=args.runs, naive_runs=args.naive_runs, sandbox_offers=5000,
                        web_requests=200)  # fmt: skip
    print(text)
    print("\n".join(f.line() for f in figures))


if __name__ == "__main__":
    main()
