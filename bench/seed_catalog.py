"""Benchmark: catalog generation time by size (run by hand).

    python bench/seed_catalog.py --set 100k [--set 1m] [--runs 1] [--seed 1688]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal python bench/seed_catalog.py [--runs 3] [--sizes …]

With --set: seeds the portal's generated catalog (bench/generated.py, what the page and search benchmarks
read) into the bench database (bench/_common.py: BENCH_DATABASE_URL), from scratch each run, and prints
seconds and products per second with the load average; the last seed stays for the other benchmarks.
Without: the sandbox's catalog (sandbox/catalog.py) in DATABASE_URL, median seconds per size.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def portal(args) -> None:
    from bench import _common as common
    from bench import generated

    common.setup()
    print(common.table(["", ""], [[k, v] for k, v in common.machine()], "ll") + "\n", flush=True)
    rows = []
    for count in args.set:
        for run in range(args.runs):
            load = os.getloadavg()[0]
            seconds = generated.generate(count, args.seed, force=True)
            rows.append([f"{count:,}", run + 1, f"{seconds:.0f}", f"{count / seconds:,.0f}",
                         f"{load:.1f} → {os.getloadavg()[0]:.1f}"])  # fmt: skip
    print("\n" + common.table(["products", "run", "seconds", "products/s", "load average (start → end)"], rows))


def sandbox(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.db import connection

    from sandbox.catalog import build_catalog

    print(f"database: {connection.vendor}; runs per size: {args.runs}")
    print(f"{'offers':>8} | {'median s':>9} | {'offers/s':>9} | {'vs 5000':>8}")
    baseline = None
    for size in (int(s) for s in args.sizes.split(",")):
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            build_catalog(offers=size, seed=1688)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        per_offer = median / size
        baseline = baseline or per_offer
        print(f"{size:>8} | {median:>9.2f} | {size / median:>9.0f} | {per_offer / baseline:>7.2f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", action="append", default=[], metavar="SIZE",
                        help="the portal's generated catalog: 100k, 1m or a number of products (repeatable)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1688)
    parser.add_argument("--runs", type=int, default=None, help="per size (default: 1 with --set, else 3)")
    parser.add_argument("--sizes", default="5000,20000,100000", help="sandbox offers per size")
    args = parser.parse_args()
    if args.set:
        from bench.generated import size

        args.set = [size(s) for s in args.set]
        args.runs = args.runs or 1
        portal(args)
    else:
        args.runs = args.runs or 3
        sandbox(args)


if __name__ == "__main__":
    main()
