"""Web CPU and queries per request for distinct (cold) pages, in one process (run by hand).

    python bench/page_cpu.py product|search|category|supplier [-n 60] [--offset 0] [--profile out.prof]

Opens `n` distinct pages of a kind through Django's test client against the bench database (the catalog
seeded first, e.g. `python bench/seed_catalog.py --set 1m`; the pages are those bench/search_mix.py asks) and
prints the process's CPU time per request (median, mean, p90) and the queries per request, with the load
average. CPU time counts only this process's own work, so two versions compared in turn in the same minutes
(a second work tree of the older commit) give a fair before/after even on a shared machine; a wall-clock
figure would not. --offset takes other pages of the same kind (each page is cold only once per cache time).
"""

import argparse
import cProfile
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

KINDS = {"product": "product pages", "category": "category pages", "supplier": "supplier pages"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["search", *KINDS])
    parser.add_argument("-n", type=int, default=60)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", default="", help="write a cProfile (CPU clock) of the measured requests here")
    args = parser.parse_args()

    from bench import _common as common

    common.setup()
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.search_mix import buyer, mix, other_pages

    user, product_list = buyer()
    client = Client()
    client.force_login(user)
    rng = random.Random(args.seed)
    wanted = args.n + args.offset + 20
    if args.kind == "search":
        urls = [url for url, _pages in mix(wanted, rng)][args.offset :]
    else:
        urls = [url for url, _pages in dict(other_pages(wanted, rng, product_list.pk))[KINDS[args.kind]]]
        urls = urls[args.offset :]
    for url in urls[:10]:  # imports, templates and the catalog's shape, on other pages
        client.get(url)
    urls = urls[10 : 10 + args.n]
    caches["pages"].clear()
    profile = cProfile.Profile(time.process_time) if args.profile else None
    cpu, counts = [], []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            started = time.process_time()
            if profile:
                profile.enable()
            answer = client.get(url)
            if profile:
                profile.disable()
            cpu.append((time.process_time() - started) * 1000)
        if answer.status_code != 200:
            sys.exit(f"{url}: {answer.status_code}")
        counts.append(len(queries))
    print(f"{args.kind}: {len(cpu)} pages, CPU ms per request median {statistics.median(cpu):.2f}, "
          f"mean {statistics.mean(cpu):.2f}, p90 {sorted(cpu)[int(len(cpu) * 0.9)]:.2f}; "
          f"queries per request mean {statistics.mean(counts):.2f}, max {max(counts)}; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    if profile:
        profile.dump_stats(args.profile)


if __name__ == "__main__":
    main()
