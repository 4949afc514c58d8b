"""Benchmark: database queries and wall time per gateway call, through the one door (run by hand).

    python bench/gateway_queries.py [--calls 200]

Starts the portal (with its sandbox gateway) on a throw-away SQLite file in a thread, registers a
sandbox app, a verified and connected credential, then makes keyword searches through
`gateway_call` and prints the median queries and milliseconds per call. Only APIs that exist in both
the current code and commit f8fea8f are used, so the same script measures "before" in a worktree of
that commit (`git worktree add /tmp/before f8fea8f && cp bench/gateway_queries.py /tmp/before/bench/`).
"""

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{_db}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from bench._common import serve_portal_in_thread

    server = serve_portal_in_thread()
    call_command("sandbox_seed", "--offers", "200", stdout=io.StringIO())
    call_command("sandbox_app", "--app-key", "70001688", "--app-secret", "bench-secret-0001", "--grant-all", "--qps", "0",
                 "--daily-quota", "0", stdout=io.StringIO())  # fmt: skip

    from sourcing.accounts.models import User
    from sourcing.alibaba import api
    from sourcing.alibaba.oauth import parse_token_answer
    from sourcing.connections.models import AppCredential, OAuthToken
    from sourcing.connections.services.credentials import credential_create
    from sourcing.connections.services.gateway import gateway_call

    user = User.objects.create_user("bench")
    try:
        credential = credential_create(owner=user, app_key="70001688", app_secret="bench-secret-0001", name="bench",
                                       gateway="sandbox", daily_quota=1_000_000, qps=0, check=False)  # fmt: skip
    except TypeError:  # before the hardening: no check argument
        credential = credential_create(owner=user, app_key="70001688", app_secret="bench-secret-0001", name="bench",
                                       gateway="sandbox", daily_quota=1_000_000, qps=0)  # fmt: skip
    out = io.StringIO()
    call_command("sandbox_token", "--app-key", "70001688", "--login-id", "bench", stdout=out)
    tokens = parse_token_answer(json.loads(out.getvalue()))
    token = OAuthToken(credential=credential, resource_owner="bench")
    token.access_token, token.refresh_token = tokens.access_token, tokens.refresh_token
    token.access_expires_at, token.refresh_expires_at = tokens.access_expires_at, tokens.refresh_expires_at
    token.save()
    gateway_call(credential=credential, fn=lambda c, t: c.server_time(), needs_token=False)  # verifies it
    credential = AppCredential.objects.get(pk=credential.pk)

    queries, millis = [], []
    for i in range(args.calls + 5):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            gateway_call(credential=credential, fn=lambda c, t: api.keyword_search(c, t, "杯", page_size=5))
        if i >= 5:  # the first calls create the day's rows and warm the caches
            queries.append(len(captured.captured_queries))
            millis.append((time.perf_counter() - started) * 1000)
    server.shutdown()
    print(f"database: {connection.vendor}; calls: {args.calls}")
    print(f"{'figure':<28} | {'median':>8} | {'p95':>8}")
    print(f"{'queries per gateway call':<28} | {statistics.median(queries):>8.0f} | "
          f"{sorted(queries)[int(0.95 * len(queries)) - 1]:>8}")  # fmt: skip
    print(f"{'ms per gateway call':<28} | {statistics.median(millis):>8.1f} | "
          f"{sorted(millis)[int(0.95 * len(millis)) - 1]:>8.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
