"""Benchmark: cold, varied searches through the whole web stack (issue 20).

    python bench/search_mix.py [--products 100000] [--queries 300] [--clients 8] [--web-workers 3] [--seed 1688]

Fills the catalog with N generated products, starts the portal under gunicorn (3 workers, as deployed) on
the bench's Redis page cache, logs a buyer in over HTTP and asks a generated mix of distinct searches, each
once (nothing repeats, so no result page is served from the cache): Chinese terms of 1 to 4 characters,
two-word phrases, English words, filters (province, price range, minimum order, factory, years), every sort,
and deep pages (the first page's "more" link followed to pages 2 to 5). First one client asks one mix, then
--clients clients share another: median and p95 milliseconds per request, requests per second, and the
machine's load average while it ran.
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

PASSWORD = "bench-Pass-2026"
PROVINCES = ["浙江省", "广东省", "江苏省", "福建省", "山东省"]
SORTS = ["relevance", "price", "price_desc", "sales", "newest"]
ENGLISH = ["bottle", "phone case", "lamp", "bag", "stand", "cup", "cable", "box", "mat", "pen"]
NEXT = re.compile(r'href="(/products/\?[^"]*after=[^"]+)"')


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


def buyer():
    from sourcing.accounts.models import Membership, User
    from sourcing.accounts.services.teams import team_create

    user, _ = User.objects.get_or_create(username="bench-mix")
    user.set_password(PASSWORD)
    user.save()
    if not Membership.objects.filter(user=user).exists():
        team_create(name="Bench mix", owner=user)
    return user


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


def ask(s, base: str, path: str, pages: int, times: list[float]) -> None:
    """One search (and its next pages): each request's milliseconds into `times`."""
    for _ in range(pages):
        started = time.perf_counter()
        answer = s.get(base + path, timeout=60, headers={"Sec-Fetch-Site": "same-origin"})
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{path}: {answer.status_code}")
        found = NEXT.search(answer.text)
        if not found:
            return
        path = found.group(1).replace("&amp;", "&")


def run(base: str, queries: list[tuple[str, int]], clients: int) -> dict:
    times: list[float] = []
    sessions = [session(base) for _ in range(clients)]
    work = list(queries)
    lock = threading.Lock()

    def client(s):
        while True:
            with lock:
                if not work:
                    return
                path, pages = work.pop()
            ask(s, base, path, pages, times)

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    return {"requests": len(times), "median": common.median(times), "p95": common.percentile(times, 0.95),
            "rps": len(times) / seconds, "load": max(load_before, os.getloadavg()[0])}  # fmt: skip


def run_mix(*, products: int, queries: int, clients: int = 8, web_workers: int = 3, seed: int = 1688):
    """Returns (text, figures); the catalog is generated to `products` first."""
    generated.generate(products)
    buyer()
    common.flush_redis()
    rng = random.Random(seed)
    single, shared = mix(queries, rng), mix(queries * 2, rng)[queries:]
    port = common.free_port()
    server = common.gunicorn(port, "web-search-mix.log", workers=web_workers)
    base = f"http://127.0.0.1:{port}"
    try:
        rows, results = [], []
        for label, wanted, count in (("1 client", single, 1), (f"{clients} clients", shared, clients)):
            result = run(base, wanted, count)
            results.append(result)
            rows.append([label, result["requests"], f"{result['median']:.1f}", f"{result['p95']:.1f}",
                         f"{result['rps']:.1f}", f"{result['load']:.1f}"])  # fmt: skip
            print(f"  {label}: p95 {result['p95']:.1f} ms, {result['rps']:.1f} requests/s", flush=True)
    finally:
        common.stop(server)
    text = (f"Cold varied searches at {products:,} products ({queries} distinct searches per run, gunicorn "
            f"{web_workers} workers, Redis page cache on)\n\n"
            + common.table(["clients", "requests", "median ms", "p95 ms", "requests/s", "load avg"], rows))  # fmt: skip
    p95 = results[0]["p95"]
    return text, [common.Figure("search_mix.p95_1_client", p95, "< 50 ms", p95 < 50, " ms")]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1688)
    args = parser.parse_args()
    common.setup()
    print("\n".join(f"{k}: {v}" for k, v in common.machine()) + "\n")
    text, figures = run_mix(products=args.products, queries=args.queries, clients=args.clients,
                            web_workers=args.web_workers, seed=args.seed)  # fmt: skip
    print("\n" + text + "\n\n" + "\n".join(f.line() for f in figures))


if __name__ == "__main__":
    main()
