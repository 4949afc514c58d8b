"""Benchmark: sandbox catalog generation time by size (run by hand).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal python bench/seed_catalog.py [--runs 3]

Prints a table of median seconds per size and offers per second.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from sandbox.catalog import build_catalog  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="5000,20000,100000")
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
