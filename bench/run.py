"""Run every benchmark and check each figure against its target (issue 11).

    python bench/run.py            # full scale: 100,000 products, 300 calls per sync run, 10,000-product refresh
    python bench/run.py --quick    # small scale, a few minutes: 3,000 products, 40 calls per run, 300 products

Prints the machine, one table per benchmark, then one line per figure: name, value, target, and
`ok` or `short`. The exit code is 1 when any figure is short, 0 when all are ok.

Services (see bench/_common.py): BENCH_DATABASE_URL (default: a SQLite file under var/bench/;
PostgreSQL: postgres://postgres@127.0.0.1:5432/portal_bench, created when missing),
BENCH_REDIS_URL and BENCH_BROKER_URL (default redis://127.0.0.1:6379/7 for both; flushed),
BENCH_SANDBOX_PORT (default 8641). Logs of the servers and workers go to var/bench/.
What each figure means: docs/benchmarks.md.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common as common  # noqa: E402

SCALES = {
    "quick": {"products": 3_000, "runs": 30, "naive_runs": 3, "web_requests": 50, "sandbox_offers": 1_000,
              "qps": 10, "sync_products": 40, "teams": 10, "shared": 100, "per_user_sample": 10,
              "memory_products": 300},
    "full": {"products": 100_000, "runs": 200, "naive_runs": 10, "web_requests": 200, "sandbox_offers": 10_000,
             "qps": 10, "sync_products": 300, "teams": 50, "shared": 1_000, "per_user_sample": 40,
             "memory_products": 10_000},
}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small scale, a few minutes in all")
    parser.add_argument("--qps", type=int, help="the sandbox app's calls per second for the sync figure (10)")
    parser.add_argument("--memory-products", type=int, help="products refreshed for the worker memory figure")
    args = parser.parse_args()
    scale = dict(SCALES["quick" if args.quick else "full"])
    scale.update({k: v for k, v in (("qps", args.qps), ("memory_products", args.memory_products)) if v})
    started = time.perf_counter()
    start_load = os.getloadavg()[0]
    common.setup()
    from bench import pages, refresh

    print(f"# Benchmarks ({'quick' if args.quick else 'full'} scale)\n")
    print(common.table(["", ""], [[k, v] for k, v in common.machine()], "ll") + "\n", flush=True)
    sections = []
    print("pages ...", flush=True)
    sections.append(pages.run(products=scale["products"], runs=scale["runs"], naive_runs=scale["naive_runs"],
                              sandbox_offers=scale["sandbox_offers"], web_requests=scale["web_requests"]))  # fmt: skip
    server = common.gunicorn(common.SANDBOX_PORT, "sandbox-refresh.log", workers=3, threads=8)
    try:
        print("sync ...", flush=True)
        sections.append(refresh.sync(qps=scale["qps"], products=scale["sync_products"], worker_counts=[1, 2, 4]))
        print("calls per product ...", flush=True)
        sections.append(refresh.calls_per_product(teams=scale["teams"], products=scale["shared"],
                                                  per_user_sample=scale["per_user_sample"]))  # fmt: skip
        print("worker memory ...", flush=True)
        sections.append(refresh.worker_memory(products=scale["memory_products"]))
    finally:
        common.stop(server)
    loads = [start_load, os.getloadavg()[0]]
    figures = [f for _, section in sections for f in section]
    print()
    for text, _ in sections:
        print(text + "\n")
    print(f"## Summary ({time.perf_counter() - started:.0f} s; 1-minute load average on {os.cpu_count()} cores: "
          f"{loads[0]:.1f} at the start, {loads[-1]:.1f} at the end)\n")  # fmt: skip
    print("\n".join(f.line() for f in figures))
    short = [f.name for f in figures if not f.ok]
    print(
        f"\n{len(figures) - len(short)} of {len(figures)} figures ok"
        + (f"; short: {', '.join(short)}" if short else "")
    )
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
