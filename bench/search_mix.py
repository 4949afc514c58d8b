"""Benchmark: cold, varied searches through the whole web stack (issue 20).

    python bench/search_mix.py [--set 100k|1m] [--runs 3] [--queries 300] [--clients 8] [--web-workers 3]
                               [--seed 1688] [--no-naive]

Fills the catalog with the set's generated products (bench/generated.py; a database already holding that
set and seed is reused), starts the portal under gunicorn (3 workers, as deployed) on the bench's Redis page
cache, logs a buyer in over HTTP and asks a generated mix of distinct searches, each once (nothing repeats,
so no result page is served from the cache): Chinese terms of 1 to 4 characters, two-word phrases, English
words, filters (province, price range, minimum order, factory, years), every sort, and deep pages (the first
page's "more" link followed to pages 2 to 5). First one client asks one mix, then --clients clients share
another. Then one client opens the other pages, each kind timed on its own: distinct category pages in every
sort (some followed to pages 2-5), distinct product pages (with and without options), distinct supplier pages,
and a 50-item list. Then the naive view (bench/naive.py: the gateway first, 200 ms added latency) is asked the
first mix by one client. On PostgreSQL the catalog's tables and indexes are read into the file cache first
(pg_prewarm), as on a server that has been answering for a while.

That is one run; each starts a fresh server with Redis flushed before every mix, and asks the same mixes.
Every figure is the median of --runs runs, with the spread between runs (highest ÷ lowest − 1, flagged over
20 %) and the 1-minute load average at the start of each mix and the highest sampled while it ran.
"""

import argparse
import os
import random
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common as common  # noqa: E402
from bench import generated  # noqa: E402
from bench.pages import COLD_CPU_TARGET_MS, LATENCY_MS, fifty_item_list  # noqa: E402

PASSWORD = "bench-Pass-2026"
PROVINCES = ["浙江省", "广东省", "江苏省", "福建省", "山东省"]
SORTS = ["relevance", "price", "price_desc", "sales", "newest"]
ENGLISH = ["bottle", "phone case", "lamp", "bag", "stand", "cup", "cable", "box", "mat", "pen"]
NEXT = re.compile(r'href="(/(?:products|categories/\d+)/\?[^"]*after=[^"]+)"')
NAIVE_APP = "88000010"  # the naive views' sandbox app (bench/pages.py's too)
SPREAD_LIMIT = 0.20


def vocabulary() -> list[str]:
    """The Chinese words the generated titles are made of."""
    from sandbox.catalog import FEATURES, PREFIXES, SUFFIXES

    return [zh for zh, _en in PREFIXES + FEATURES + SUFFIXES]


def mix(count: int, rng: random.Random) -> list[tuple[str, int]]:
    """`count` distinct (query string, pages) in the issue's proportions: 40 % Chinese terms of 1-4 characters,
    15 % phrases, 15 % English, 20 % with filters, every sort throughout, 10 % followed to pages 2-5."""
    words = vocabulary()
    chars = sorted({c for w in words for c in w})
    seen, out = set(), []
    while len(out) < count:
        roll = rng.random()
        if roll < 0.40:
            word = rng.choice(words)
            start = rng.randrange(max(1, len(word) - 1))
            q = word[start : start + rng.randint(1, 4)] or rng.choice(chars)
        elif roll < 0.55:
            q = f"{rng.choice(words)} {rng.choice(words)}"
        elif roll < 0.70:
            q = rng.choice(ENGLISH)
        else:
            q = rng.choice(words)[: rng.randint(1, 3)]
        params = {"q": q, "sort": rng.choice(SORTS)}
        if roll >= 0.70 and roll < 0.90:
            choice = rng.randrange(4)
            if choice == 0:
                params["province"] = rng.choice(PROVINCES)
            elif choice == 1:
                low = rng.randint(1, 50)
                params.update(price_min=str(low), price_max=str(low + rng.randint(5, 200)))
            elif choice == 2:
                params["max_moq"] = str(rng.choice([2, 10, 50, 100, 500]))
            else:
                params.update(factory="1", min_years=str(rng.choice([1, 3, 5])))
        pages = rng.randint(2, 5) if roll >= 0.90 else 1
        key = urlencode(sorted(params.items()))
        if key in seen:
            continue
        seen.add(key)
        out.append(("/products/?" + urlencode(params), pages))
    return out


def other_pages(count: int, rng: random.Random, list_id: int) -> list[tuple[str, list[tuple[str, int]]]]:
    """The other pages a buyer opens, `count` distinct ones of each kind (the list: `count` // 2 views of the one
    50-item list, which no cache serves): category pages in every sort (10 % followed to pages 2-5), product pages
    (half with options and prices by quantity, half with a search snapshot only) and supplier pages."""
    from sourcing.catalog.models import Category, Product, Supplier

    categories = list(Category.objects.values_list("pk", flat=True))
    sorts = [s for s in SORTS if s != "relevance"]
    wanted = sorted({(rng.choice(categories), rng.choice(sorts)) for _ in range(count * 3)})
    rng.shuffle(wanted)
    category_urls = [(f"/categories/{pk}/?sort={sort}", rng.randint(2, 5) if rng.random() < 0.10 else 1)
                     for pk, sort in wanted[:count]]  # fmt: skip
    detailed = list(Product.objects.filter(skus__isnull=False).distinct().values_list("offer_id", flat=True)[:5000])
    low = Product.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    high = Product.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    snapshots = list(Product.objects.filter(pk__in=[rng.randint(low, high) for _ in range(count * 2)],
                                            skus__isnull=True).values_list("offer_id", flat=True))  # fmt: skip
    offers = rng.sample(detailed, min(len(detailed), count // 2)) + snapshots[: count - count // 2]
    suppliers = list(Supplier.objects.values_list("pk", flat=True))
    return [
        ("category pages", category_urls),
        ("product pages", [(f"/products/{offer}/", 1) for offer in offers]),
        ("supplier pages", [(f"/suppliers/{pk}/", 1) for pk in rng.sample(suppliers, min(len(suppliers), count))]),
        ("list page (50 items)", [(f"/lists/{list_id}/", 1)] * (count // 2)),
    ]


def buyer():
    from sourcing.accounts.models import Membership, User
    from sourcing.accounts.services.teams import team_create

    user, _ = User.objects.get_or_create(username="bench-mix")
    user.set_password(PASSWORD)
    user.save()
    if not Membership.objects.filter(user=user).exists():
        team_create(name="Bench mix", owner=user)
    return user, fifty_item_list(user, "Bench mix")


def session(base: str):
    import requests

    s = requests.Session()
    page = s.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = s.post(f"{base}/accounts/login/", data={"username": "bench-mix", "password": PASSWORD,
                    "csrfmiddlewaretoken": token}, headers={"Referer": f"{base}/accounts/login/"}, timeout=30)  # fmt: skip
    if "bench-mix" not in answer.text and answer.url.endswith("/login/"):
        raise SystemExit("could not log in the bench buyer")
    return s


def ask(s, base: str, path: str, pages: int, times: list[float], prefix: str = "") -> None:
    """One search (and its next pages): each request's milliseconds into `times`; prefix /naive for the naive view."""
    for _ in range(pages):
        started = time.perf_counter()
        answer = s.get(base + prefix + path, timeout=60, headers={"Sec-Fetch-Site": "same-origin"})
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{prefix}{path}: {answer.status_code}")
        found = NEXT.search(answer.text)
        if not found:
            return
        path = found.group(1).replace("&amp;", "&")


class Load(threading.Thread):
    """The 1-minute load average at the start and the highest sampled every second until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        self.start_value = self.highest = os.getloadavg()[0]
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(1.0):
            self.highest = max(self.highest, os.getloadavg()[0])

    def stop(self) -> tuple[float, float]:
        self.done.set()
        self.join()
        return self.start_value, max(self.highest, os.getloadavg()[0])


def run(base: str, queries: list[tuple[str, int]], clients: int, prefix: str = "", web_pid: int | None = None) -> dict:
    """Ask every query once, shared by `clients` clients (Redis flushed first: nothing is served from the cache);
    with `web_pid`, the web server's CPU time (all its processes) per request too."""
    common.flush_redis()
    times: list[float] = []
    sessions = [session(base) for _ in range(clients)]
    work = list(queries)
    lock = threading.Lock()
    failed: list[BaseException] = []

    def client(s):
        try:
            while not failed:
                with lock:
                    if not work:
                        return
                    path, pages = work.pop()
                ask(s, base, path, pages, times, prefix)
        except BaseException as error:  # noqa: BLE001 - a thread would drop it (SystemExit silently): report it below
            failed.append(error)

    sampler = Load()
    sampler.start()
    cpu_before = common.cpu_seconds(web_pid) if web_pid else 0.0
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    cpu = (common.cpu_seconds(web_pid) - cpu_before) * 1000 / max(1, len(times)) if web_pid else None
    load = sampler.stop()
    if failed:
        raise SystemExit(f"a client stopped: {failed[0]}")
    return {"requests": len(times), "median": common.median(times), "p95": common.percentile(times, 0.95),
            "rps": len(times) / seconds, "load": load, "cpu": cpu}  # fmt: skip


def naive_gateway(sandbox_offers: int) -> dict:
    """The naive views' credential, connected, its sandbox app answering 200 ms late: the env bench.wsgi reads."""
    from sandbox.models import SandboxApp
    from sourcing.accounts.models import User

    user, _ = User.objects.get_or_create(username="bench-naive")
    credential = common.connected_credential(user=user, app_key=NAIVE_APP, qps=0)
    common.sandbox_offers(sandbox_offers)
    SandboxApp.objects.filter(app_key=NAIVE_APP).update(latency_ms=LATENCY_MS)
    return {"BENCH_NAIVE_CREDENTIAL": str(credential.pk), "BENCH_NAIVE_OFFERS": str(sandbox_offers)}


def spread(values: list[float]) -> float:
    """Highest ÷ lowest − 1: how far apart the runs are."""
    return max(values) / min(values) - 1 if min(values) > 0 else float("inf")


def _one_run(port: int, web_workers: int, phases: list, naive_env: dict | None) -> dict:
    """Each phase on a fresh server: {label: result}."""
    base, results = f"http://127.0.0.1:{port}", {}
    server = common.gunicorn(port, "web-search-mix.log", workers=web_workers)
    try:
        for label, wanted, clients in phases:
            results[label] = run(base, wanted, clients, web_pid=server.pid)
            print(f"  {label}: median {results[label]['median']:.1f} ms, p95 {results[label]['p95']:.1f} ms, "
                  f"{results[label]['rps']:.1f} requests/s, web CPU {results[label]['cpu']:.1f} ms per request",
                  flush=True)  # fmt: skip
    finally:
        common.stop(server)
    if naive_env is not None:
        server = common.gunicorn(port, "web-search-mix-naive.log", workers=web_workers, app="bench.wsgi",
                                 extra_env=naive_env)  # fmt: skip
        try:
            results["naive"] = run(base, phases[0][1], 1, prefix="/naive")
            print(f"  naive: median {results['naive']['median']:.1f} ms", flush=True)
        finally:
            common.stop(server)
    return results


def run_mix(*, products: int, queries: int, clients: int = 8, web_workers: int = 3, seed: int = 1688,
            runs: int = 1, naive: bool = False, sandbox_offers: int = 1_000):  # fmt: skip
    """Returns (text, figures); the catalog is generated to `products` first (or reused)."""
    generated.generate(products, seed)
    _user, product_list = buyer()
    warmed = common.warm_catalog()
    print(f"  {warmed}", flush=True)
    rng = random.Random(seed)
    single, shared = mix(queries, rng), mix(queries * 2, rng)[queries:]
    phases = [("1 client", single, 1), (f"{clients} clients", shared, clients)]
    phases += [(label, urls, 1) for label, urls in other_pages(max(20, queries // 3), rng, product_list.pk)]
    port = common.free_port()
    sandbox = None
    if naive:
        naive_env = naive_gateway(sandbox_offers)
        sandbox = common.gunicorn(common.SANDBOX_PORT, "sandbox-search-mix.log", workers=2, threads=4)
    try:
        every = []
        for n in range(runs):
            print(f"  run {n + 1} of {runs}", flush=True)
            every.append(_one_run(port, web_workers, phases, naive_env if naive else None))
    finally:
        if sandbox:
            common.stop(sandbox)
    text, figures = _report(every, phases, products=products, queries=queries, web_workers=web_workers, seed=seed)
    return text + f"\n\nBefore the runs: {warmed}.", figures


def _report(every: list[dict], phases: list, *, products: int, queries: int, web_workers: int, seed: int):
    rows, worst = [], 0.0
    labels = [label for label, _, _ in phases] + (["naive"] if "naive" in every[0] else [])

    def row(name: str, values: list[float], fmt: str = "{:.1f}") -> float:
        nonlocal worst
        gap = spread(values)
        worst = max(worst, gap)
        flag = " (over 20 %)" if gap > SPREAD_LIMIT else ""
        rows.append([name, fmt.format(common.median(values)), ", ".join(fmt.format(v) for v in values),
                     f"{gap * 100:.0f} %{flag}" if len(values) > 1 else "-"])  # fmt: skip
        return common.median(values)

    for label in labels:
        shown = "naive view (200 ms gateway), 1 client" if label == "naive" else label
        for key, unit in (("median", "median ms"), ("p95", "p95 ms"), ("rps", "requests/s"),
                          ("cpu", "web CPU ms per request")):  # fmt: skip
            if label != "naive" or key != "cpu":
                row(f"{shown}: {unit}", [r[label][key] for r in every])
    ratio = None
    if "naive" in labels:
        ratio = row("naive ÷ ours, median ms (1 client)", [r["naive"]["median"] / r["1 client"]["median"]
                                                           for r in every], "{:.1f}×")  # fmt: skip
    requests = ", ".join(f"{label} {every[0][label]['requests']}" for label in labels)
    loads = "; ".join(f"run {n + 1}: " + ", ".join(f"{label} {r[label]['load'][0]:.1f} → {r[label]['load'][1]:.1f}"
                                                   for label in labels) for n, r in enumerate(every))  # fmt: skip
    runs_said = (f"median of {len(every)} runs, each on fresh servers" if len(every) > 1
                 else "one run on fresh servers, so no median and no spread")  # fmt: skip
    text = (f"Cold varied searches at {products:,} products (seed {seed}; {queries} distinct searches per mix, "
            f"requests per run: {requests}; gunicorn {web_workers} workers, Redis page cache on, flushed before "
            f"each mix; {runs_said})\n\n"
            + common.table(["figure", "median", "runs", "spread"], rows, "lrrr")
            + f"\n\n1-minute load average on {os.cpu_count()} cores, at the start of each mix → highest while it "
            f"ran: {loads}")  # fmt: skip
    p95 = common.median([r["1 client"]["p95"] for r in every])
    cpu = common.median([r["1 client"]["cpu"] for r in every])
    others = [(label, common.median([r[label]["p95"] for r in every])) for label, _, _ in phases[2:]]
    figures = [common.Figure("search_mix.p95_1_client", p95, "< 50 ms", p95 < 50, " ms"),
               *[common.Figure(f"search_mix.p95_{label.split()[0]}_page", value, "< 50 ms", value < 50, " ms")
                 for label, value in others],
               # half of the ~40 ms per request that issue 20 measured (8 clients, 100k), on 1 client here: the
               # 8-client figure counts the CPU that contention adds, which the table beside shows
               common.Figure("search_mix.web_cpu_1_client", cpu, f"< {COLD_CPU_TARGET_MS} ms",
                             cpu < COLD_CPU_TARGET_MS, " ms")]  # fmt: skip
    shared = phases[1][0]
    if products <= 100_000:  # the throughput target is at 100,000 products
        rps = common.median([r[shared]["rps"] for r in every])
        figures.append(common.Figure(f"search_mix.requests_per_s_{phases[1][2]}_clients", rps, ">= 50",
                                     rps >= 50, "/s"))  # fmt: skip
    if ratio is not None:
        figures.append(common.Figure("search_mix.vs_naive_200ms", ratio, "> 1× (faster)", ratio > 1, "×"))
    if len(every) > 1:
        figures.append(common.Figure("search_mix.spread_between_runs", worst * 100, "<= 20 %",
                                     worst <= SPREAD_LIMIT, " %"))  # fmt: skip
    return text, figures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", dest="products", type=generated.size, default=100_000, metavar="SIZE",
                        help=f"products: {', '.join(generated.SETS)} or a number (default 100k)")  # fmt: skip
    parser.add_argument("--products", type=generated.size, dest="products", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1688, help="of the catalog and of the mixes")
    parser.add_argument("--naive", action=argparse.BooleanOptionalAction, default=True,
                        help="also ask the first mix of the naive view (default: yes)")  # fmt: skip
    parser.add_argument("--sandbox-offers", type=int, default=5_000)
    args = parser.parse_args()
    common.setup()
    print(common.table(["", ""], [[k, v] for k, v in common.machine()], "ll") + "\n", flush=True)
    text, figures = run_mix(products=args.products, queries=args.queries, clients=args.clients,
                            web_workers=args.web_workers, seed=args.seed, runs=args.runs, naive=args.naive,
                            sandbox_offers=args.sandbox_offers)  # fmt: skip
    print("\n" + text + "\n\n" + "\n".join(f.line() for f in figures))


if __name__ == "__main__":
    main()
