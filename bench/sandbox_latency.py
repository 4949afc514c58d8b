"""Benchmark: the sandbox gateway's injected latency, as a caller measures it (run by hand).

    python manage.py migrate
    [DATABASE_URL=…] python bench/sandbox_latency.py [--runs 5] [--latencies 0,100,300]

Registers a throw-away sandbox app, sends signed system/currentTime calls through Django's test
client (no sockets, so only the gateway's own work and the injected sleep count), and prints a
table of median milliseconds per latency setting, next to what was asked for. The app is removed
at the end. The tests check that the latency is applied, not how long it takes.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from sandbox.models import SandboxApp  # noqa: E402
from sourcing.alibaba import sign_request  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latencies", default="0,100,300")
    args = parser.parse_args()
    if not settings.SANDBOX_ENABLED:
        sys.exit("SANDBOX_ENABLED is off: the sandbox gateway is not mounted.")
    app_key, secret = f"9{uuid.uuid4().int % 10**8:08d}", "bench-secret"
    app = SandboxApp(app_key=app_key, name="bench", grant_all=True, qps=0, daily_quota=0)
    app.app_secret = secret
    app.save()
    url_path = f"param2/1/system/currentTime/{app_key}"
    data = {"_aop_signature": sign_request(url_path, {}, secret)}
    client = Client()
    try:
        print(f"database: {connection.vendor}; calls per setting: {args.runs}")
        print(f"{'latency_ms':>10} | {'median ms':>9} | {'added ms':>8}")
        baseline = None
        for latency in (int(v) for v in args.latencies.split(",")):
            SandboxApp.objects.filter(pk=app.pk).update(latency_ms=latency)
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                response = client.post(f"/sandbox/openapi/{url_path}", data)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    sys.exit(f"unexpected answer {response.status_code}: {response.content[:200]!r}")
            median = statistics.median(times)
            baseline = median if baseline is None else baseline
            print(f"{latency:>10} | {median:>9.1f} | {median - baseline:>8.1f}")
    finally:
        app.delete()


if __name__ == "__main__":
    main()
