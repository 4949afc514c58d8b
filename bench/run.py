"""Run every benchmark and check each figure against its target (issue 11).

    python bench/run.py            # full scale: 100,000 products, 300 calls per sync run, 10,000-product refresh
    python bench/run.py --quick    # small scale, a few minutes: 3,000 products, 30 calls per run, 200 products

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
              "qps": 10, "sync_products": 30, "teams": 10, "shared": 60, "per_user_sample": 10,
              "memory_products": 200, "mix_queries": 60, "mix_runs": 1},
    "full": {"products": 100_000, "runs": 200, "naive_runs": 10, "web_requests": 200, "sandbox_offers": 10_000,
             "qps": 10, "sync_products": 300, "teams": 50, "shared": 1_000, "per_user_sample": 40,
             "memory_products": 10_000, "mix_queries": 300, "mix_runs": 3},
}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small scale, a few minutes in all")
    parser.add_argument("--set", action="append", default=[], metavar="SIZE=N",
                        help=f"change one size of the chosen scale (repeatable): {', '.join(SCALES['full'])}")  # fmt: skip
    args = parser.parse_args()
    scale = dict(SCALES["quick" if args.quick else "full"])
    for item in args.set:
        key, _, value = item.partition("=")
        if key not in scale or not value.isdigit():
            parser.error(f"--set {item}: expected one of {', '.join(scale)} = a whole number")
        scale[key] = int(value)
    started = time.perf_counter()
    start_load = os.getloadavg()[0]
    common.setup()
    from bench import pages, refresh, search_mix

    changed = f", changed: {', '.join(args.set)}" if args.set else ""
    print(f"# Benchmarks ({'quick' if args.quick else 'full'} scale{changed})\n")
    print(common.table(["", ""], [[k, v] for k, v in common.machine()], "ll") + "\n", flush=True)
    sections = []

    def section(name, fn, **kwargs):
        began = time.perf_counter()
        print(f"{name} ...", flush=True)
        sections.append(fn(**kwargs))
        print(f"{name}: {time.perf_counter() - began:.0f} s, load average {os.getloadavg()[0]:.1f}", flush=True)

    section("pages", pages.run, products=scale["products"], runs=scale["runs"], naive_runs=scale["naive_runs"],
            sandbox_offers=scale["sandbox_offers"], web_requests=scale["web_requests"])  # fmt: skip
    section("cold varied searches", search_mix.run_mix, products=scale["products"], queries=scale["mix_queries"],
            runs=scale["mix_runs"], naive=True, sandbox_offers=scale["sandbox_offers"])  # fmt: skip
    server = common.gunicorn(common.SANDBOX_PORT, "sandbox-refresh.log", workers=3, threads=8)
    try:
        section("sync", refresh.sync, qps=scale["qps"], products=scale["sync_products"], worker_counts=[1, 2, 4])
        section("calls per product", refresh.calls_per_product, teams=scale["teams"], products=scale["shared"],
                per_user_sample=scale["per_user_sample"])  # fmt: skip
        section("worker memory", refresh.worker_memory, products=scale["memory_products"])
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
