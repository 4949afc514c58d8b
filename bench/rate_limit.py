"""Benchmark: how the per-app rate limiter spaces real calls across worker processes (run by hand).

    python manage.py migrate        # the limiter's database row needs the tables
    [DATABASE_URL=… REDIS_URL=redis://127.0.0.1:6379/1] python bench/rate_limit.py [--runs 3]

Each run starts PROCESSES processes that each take CALLS slots of one key at QPS and note when
each call was let through. Prints a table of medians over the runs: the span from first to last
call against the ideal (calls - 1) / qps, the calls per second achieved, and the most calls let
through in any one second. The tests assert the slots handed out (tests/sourcing/
test_quota_and_permissions.py); wall time belongs here, because these machines are noisy.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, os, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
import django; django.setup()
from sourcing.connections.services.ratelimit import rate_acquire
key, qps, calls, start_at = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
time.sleep(max(0.0, start_at - time.time()))  # start together, once every process has set Django up
stamps = []
for _ in range(calls):
    rate_acquire(key=key, qps=qps, max_wait=60)
    stamps.append(time.time())
print(json.dumps(stamps))
"""


def one_run(processes: int, qps: int, calls: int) -> tuple[float, float, int]:
    import time

    key = f"bench:{uuid.uuid4().hex[:12]}"
    start_at = time.time() + 3.0
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, key, str(qps), str(calls), str(start_at)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    stamps = []
    for child in children:
        out, err = child.communicate(timeout=300)
        if child.returncode:
            sys.exit(err)
        stamps += json.loads(out)
    stamps.sort()
    span = stamps[-1] - stamps[0]
    busiest = max(sum(1 for s in stamps if start <= s < start + 1) for start in stamps)
    return span, (len(stamps) - 1) / span if span else float("inf"), busiest


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--processes", default="1,3,6")
    parser.add_argument("--qps", default="5,20")
    parser.add_argument("--calls", type=int, default=10, help="calls per process")
    args = parser.parse_args()
    backend = "redis" if os.environ.get("REDIS_URL") else "database"
    print(f"limiter: {backend}; database: {os.environ.get('DATABASE_URL', 'sqlite (default)')}; runs: {args.runs}")
    print(
        f"{'procs':>5} | {'qps':>4} | {'calls':>5} | {'ideal s':>7} | {'median s':>8} | {'calls/s':>7} | {'busiest 1 s':>11}"
    )
    for qps in (int(q) for q in args.qps.split(",")):
        for processes in (int(p) for p in args.processes.split(",")):
            results = [one_run(processes, qps, args.calls) for _ in range(args.runs)]
            total = processes * args.calls
            span = statistics.median(r[0] for r in results)
            rate = statistics.median(r[1] for r in results)
            busiest = max(r[2] for r in results)
            print(
                f"{processes:>5} | {qps:>4} | {total:>5} | {(total - 1) / qps:>7.2f} | {span:>8.2f} | "
                f"{rate:>7.1f} | {busiest:>11}"
            )


if __name__ == "__main__":
    main()
