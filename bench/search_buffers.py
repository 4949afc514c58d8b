"""Shared buffers per search request: a figure that does not move with the machine's load (run by hand).

    python bench/search_buffers.py [--queries 300] [--json out.json]

Asks the 1-client mix of bench/search_mix.py (the same distinct searches, first pages and the pages followed
through "more") through Django's test client against the bench database (BENCH_DATABASE_URL, the catalog
already seeded, e.g. `python bench/seed_catalog.py --set 1m`), and runs EXPLAIN (ANALYZE, BUFFERS) on every
SELECT of the catalog's products each request made. Prints the median, p90, p95, max and mean of the shared
buffers (hit + read) per request. The page cache is emptied first, so no ranking is served from it; a page
followed through "more" finds its first page's count kept, as a browser's would.
"""

import argparse
import html
import json
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def buffers(connection, sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    top = (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]
    return top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1688)
    parser.add_argument("--json", default="", help="write [path, buffers] per request here")
    args = parser.parse_args()

    from bench import _common as common

    common.setup()
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.search_mix import NEXT, buyer, mix

    if connection.vendor != "postgresql":
        sys.exit("EXPLAIN (BUFFERS) needs PostgreSQL: set BENCH_DATABASE_URL")
    user, _list = buyer()
    client = Client()
    client.force_login(user)
    caches["pages"].clear()
    rows = []
    for url, pages in mix(args.queries, random.Random(args.seed)):
        path = url
        for _page in range(pages):
            with CaptureQueriesContext(connection) as queries:
                answer = client.get(path)
            sqls = [q["sql"] for q in queries.captured_queries]
            total = sum(buffers(connection, s) for s in sqls if s.startswith("SELECT") and "sourcing_product" in s)
            rows.append((path, total))
            found = NEXT.search(answer.content.decode())
            if not found:
                break
            path = html.unescape(found.group(1))
    counts = sorted(total for _path, total in rows)

    def at(share: float) -> int:
        return counts[min(len(counts) - 1, int(share * len(counts)))]

    print(f"{len(counts)} requests, shared buffers per request: median {statistics.median(counts):,.0f}, "
          f"p90 {at(0.9):,}, p95 {at(0.95):,}, max {counts[-1]:,}, mean {statistics.mean(counts):,.0f}")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(rows))


if __name__ == "__main__":
    main()
