"""Shared pieces of the benchmarks: settings, the database, child processes, the sandbox, figures.

Import this module before Django: it points DATABASE_URL, REDIS_URL and the broker at the bench's
own services (never the portal's), read from these variables:

    BENCH_DATABASE_URL  default: SQLite file var/bench/bench.sqlite3 (PostgreSQL: postgres://…/portal_bench)
    BENCH_REDIS_URL     default: redis://127.0.0.1:6379/7 (limiter and cache; flushed by the benchmarks)
    BENCH_BROKER_URL    default: BENCH_REDIS_URL (flushed too)
    BENCH_SANDBOX_PORT  default: 8641 (gunicorn serving the sandbox gateway on 127.0.0.1)
"""

import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
LOGS = BASE_DIR / "var" / "bench"
LOGS.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{LOGS / 'bench.sqlite3'}"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
BROKER_URL = os.environ.get("BENCH_BROKER_URL", REDIS_URL)
SANDBOX_PORT = int(os.environ.get("BENCH_SANDBOX_PORT", "8641"))
SITE = f"http://127.0.0.1:{SANDBOX_PORT}"
# The settings every bench process (this one, the sandbox server, the workers) runs with.
ENV = {
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "CELERY_BROKER_URL": BROKER_URL,
    "SITE_URL": SITE,
    "ALIBABA_API_URL": f"{SITE}/sandbox/openapi",
    "SANDBOX_ENABLED": "true",
    "DJANGO_DEBUG": "true",
    "ALIBABA_BACKGROUND_QUOTA_SHARE": "1",
    "CATALOG_REFRESH_BATCH": "20000",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "portal.settings",
    "PYTHONPATH": str(BASE_DIR),
}
os.environ.update(ENV)
SHARED_NAMES = ("portal", "test_portal")


def is_postgres() -> bool:
    return DATABASE_URL.startswith(("postgres://", "postgresql://"))


def _admin_sql(sql: str) -> None:
    import psycopg

    base = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql)


def database_name() -> str:
    return DATABASE_URL.rsplit("/", 1)[1]


def ensure_database() -> None:
    """Create the bench's PostgreSQL database when missing; refuse the portal's own."""
    if not is_postgres():
        return
    name = database_name()
    if name in SHARED_NAMES:
        sys.exit("Refusing to use the shared database names portal/test_portal.")
    try:
        _admin_sql(f'CREATE DATABASE "{name}"')
    except Exception as error:  # noqa: BLE001 - "already exists" is fine
        if "already exists" not in str(error):
            raise


def drop_database() -> None:
    if is_postgres():
        _admin_sql(f'DROP DATABASE IF EXISTS "{database_name()}" WITH (FORCE)')
    else:
        Path(DATABASE_URL.removeprefix("sqlite:///")).unlink(missing_ok=True)


def setup() -> None:
    """Create and migrate the bench database, then set Django up in this process."""
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def serve_portal_in_thread():
    """Serve the portal (and its sandbox gateway) from this process on a free port, SITE_URL and the gateway
    pointed at it, for the benches that run the worker's code in-process; returns the server (`.shutdown()`)."""
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    settings.SITE_URL, settings.ALIBABA_API_URL = base, f"{base}/sandbox/openapi"
    return server


def warm_catalog() -> str:
    """Read the catalog's tables and indexes once into the operating system's file cache (PostgreSQL's pg_prewarm,
    'read' mode), as a server that has been answering for a while holds them: figures then measure the portal, not
    the disk after a reseed. Returns what was done, in words."""
    if not is_postgres():
        return "SQLite: nothing to warm"
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            cursor.execute(
                "SELECT sum(pg_prewarm(c.oid::regclass, 'read')) FROM pg_class c JOIN pg_class t ON t.oid = c.oid "
                "OR t.oid IN (SELECT indrelid FROM pg_index WHERE indexrelid = c.oid) "
                "WHERE t.relname IN ('sourcing_product', 'sourcing_supplier', 'sourcing_category') "
                "AND c.relkind IN ('r', 'i')"
            )
            blocks = cursor.fetchone()[0] or 0
    except Exception as error:  # noqa: BLE001 - the extension is optional (postgresql-contrib): say so and go on
        return f"not warmed ({str(error).splitlines()[0]})"
    return f"{blocks * 8 // 1024:,} MB of the catalog's tables and indexes read into the file cache first (pg_prewarm)"


def flush_redis() -> None:
    import redis

    for url in {REDIS_URL, BROKER_URL}:
        if url.startswith("redis://"):
            redis.Redis.from_url(url).flushdb()


# --- numbers ---
def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def median(values) -> float:
    return statistics.median(values)


@dataclass
class Figure:
    """One line of the summary: a value against its target."""

    name: str
    value: float
    target: str
    ok: bool
    unit: str = ""

    def line(self) -> str:
        value = f"{self.value:,.2f}{self.unit}"
        return f"{self.name:<34} {value:>12}  {self.target:<22} {'ok' if self.ok else 'short'}"


def table(headers: list[str], rows: list[list], align: str = "") -> str:
    """A Markdown table; `align` has one 'l' or 'r' per column (default: first left, rest right)."""
    align = align or "l" + "r" * (len(headers) - 1)
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]

    def fmt(row):
        return (
            "| "
            + " | ".join(c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(row, widths, align, strict=True))
            + " |"
        )

    rule = (
        "|"
        + "|".join("-" * (w + 1) + ":" if a == "r" else "-" * (w + 2) for w, a in zip(widths, align, strict=True))
        + "|"
    )
    return "\n".join([fmt(headers), rule, *(fmt(r) for r in cells)])


# --- the machine ---
def machine() -> list[tuple[str, str]]:
    """What the figures were measured on."""
    from django.db import connection

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        db_version = cursor.fetchone()[0].split(" on ")[0]
    db_version = db_version if connection.vendor == "postgresql" else f"SQLite {db_version}"
    try:
        import redis

        broker = f"Redis {redis.Redis.from_url(BROKER_URL).info()['redis_version']} ({BROKER_URL})"
    except Exception as error:  # noqa: BLE001 - said in the header, the sync figures then fail loudly
        broker = f"{BROKER_URL} (unreachable: {error})"
    database = DATABASE_URL if not is_postgres() else DATABASE_URL.rsplit("@", 1)[-1]
    return [
        ("CPU", f"{cpu}, {os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f} at start)"),
        ("RAM", f"{mem_kb / 1024 / 1024:.1f} GiB"),
        ("Python", f"{platform.python_version()} on {platform.system()} {platform.release()}"),
        ("Database", f"{db_version} ({database})"),
        ("Broker", broker),
    ]


def peak_rss_mb(pid: int) -> float:
    """The highest resident set size the process has had (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its direct children so far, in seconds."""
    total = 0.0
    for each in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # ended meanwhile
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return total


def children(pid: int) -> list[int]:
    """Direct child processes of pid (gunicorn's and prefork's workers)."""
    pids = []
    for path in Path(f"/proc/{pid}/task").glob("*/children"):  # every thread's: a fork from any of them counts
        try:
            pids += [int(p) for p in path.read_text().split()]
        except FileNotFoundError:  # the thread ended meanwhile
            pass
    return sorted(set(pids))


# --- child processes ---
def start(cmd: list[str], log_name: str, extra_env: dict | None = None) -> subprocess.Popen:
    """Start a child in its own process group, its output in var/bench/<log_name>."""
    env = {**os.environ, **ENV, **(extra_env or {})}
    log = (LOGS / log_name).open("w")
    return subprocess.Popen(cmd, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    """Stop a child started by `start` (its whole group: gunicorn's and Celery's workers too)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn(port: int, log_name: str, *, workers: int, threads: int = 1, app: str = "portal.wsgi",
             extra_env: dict | None = None) -> subprocess.Popen:  # fmt: skip
    """The portal (and its sandbox gateway) under gunicorn on 127.0.0.1:port, once it answers; `app` is the
    WSGI module (bench.wsgi: with the naive views)."""
    import requests

    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is taken: another server (an earlier run's?) listens there")
    proc = start([sys.executable, "-m", "gunicorn", app, "-b", f"127.0.0.1:{port}", "-w", str(workers),
                  "--threads", str(threads), "--log-level", "warning"], log_name, extra_env)  # fmt: skip

    def up():
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn stopped; see var/bench/{log_name}")
        try:
            return requests.get(f"http://127.0.0.1:{port}/sandbox/", timeout=10).status_code < 500
        except requests.RequestException:  # not listening yet, or still loading Django
            return False

    try:
        wait_for(up, 90, "gunicorn")
    except BaseException:
        stop(proc)
        raise
    return proc


def celery_workers(count: int, name: str, extra_env: dict | None = None) -> list[subprocess.Popen]:
    """`count` Celery worker processes (solo pool: one process each), once all are ready."""
    workers = [
        start([sys.executable, "-m", "celery", "-A", "bench.celery_app", "worker", "--pool=solo", "--loglevel=INFO",
               f"--hostname={name}-{i}@%h", "--without-heartbeat", "--without-gossip", "--without-mingle"],
              f"{name}-{i}.log", extra_env)
        for i in range(count)
    ]  # fmt: skip
    for i, worker in enumerate(workers):
        log = LOGS / f"{name}-{i}.log"

        def ready(log=log, worker=worker):
            if worker.poll() is not None:
                raise SystemExit(f"a worker stopped; see {log}")
            return "ready." in log.read_text()

        wait_for(ready, 120, "a worker")
    return workers


def celery_worker(concurrency: int | None, name: str, extra_env: dict | None = None,
                  app: str = "bench.celery_app") -> subprocess.Popen:  # fmt: skip
    """The documented background worker, `celery -A <app> worker -Q background --loglevel=INFO` (prefork),
    with `--concurrency` child processes (None: Celery's default, one per core), once it and its children are up."""
    cmd = [sys.executable, "-m", "celery", "-A", app, "worker", "-Q", "background", "--loglevel=INFO",
           f"--hostname={name}@%h"]  # fmt: skip
    if concurrency:
        cmd.append(f"--concurrency={concurrency}")
    worker = start(cmd, f"{name}.log", extra_env)
    log = LOGS / f"{name}.log"
    expected = concurrency or os.cpu_count()

    def ready():
        if worker.poll() is not None:
            raise SystemExit(f"the worker stopped; see {log}")
        return "ready." in log.read_text() and len(children(worker.pid)) >= expected

    try:
        wait_for(ready, 120, "the worker")
    except BaseException:
        stop(worker)
        raise
    return worker


def process_tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    pids = [pid]
    for child in children(pid):
        pids += process_tree(child)
    return pids


def memory_mb(pid: int) -> dict[str, float]:
    """One process's proportional (Pss: shared pages divided among their sharers) and resident (Rss) set, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss"):
            values[key.lower()] = int(rest.split()[0]) / 1024
    return values


def tree_memory_mb(pid: int) -> dict:
    """Pss and Rss summed over a process and all its descendants (a prefork worker: parent and children)."""
    per_process = [memory_mb(p) for p in process_tree(pid)]
    return {"processes": len(per_process), "pss": sum(m["pss"] for m in per_process),
            "rss": sum(m["rss"] for m in per_process), "each": per_process}  # fmt: skip


# --- the sandbox side ---
def sandbox_offers(count: int) -> list:
    """The sandbox's first `count` offers, seeding its catalog when it has fewer."""
    import io

    from django.core.management import call_command

    from sandbox.models import SandboxOffer

    if SandboxOffer.objects.count() < count:
        call_command("sandbox_seed", "--offers", str(count), stdout=io.StringIO())
    return list(SandboxOffer.objects.order_by("offer_id")[:count])


def connected_credential(*, user, app_key: str, qps: int, sandbox_qps: int | None = None,
                         sandbox_quota: int = 0, daily_quota: int = 10_000_000):  # fmt: skip
    """A sandbox app and the user's verified, connected credential for it (both created or updated).

    sandbox_qps and sandbox_quota are the app's limits at the sandbox (0: none; a quota makes the
    sandbox count the calls); qps and daily_quota are what the portal is told.
    """
    import io
    import json

    from django.core.management import call_command
    from django.utils import timezone

    from sourcing.alibaba.oauth import parse_token_answer
    from sourcing.connections.models import AppCredential
    from sourcing.connections.services.credentials import credential_create
    from sourcing.connections.services.tokens import token_store

    secret = f"bench-secret-{app_key}"
    call_command("sandbox_app", "--app-key", app_key, "--app-secret", secret, "--grant-all",
                 "--qps", str(qps if sandbox_qps is None else sandbox_qps), "--daily-quota", str(sandbox_quota),
                 "--latency-ms", "0", "--redirect-uri", f"{SITE}/auth/1688/callback", stdout=io.StringIO())  # fmt: skip
    credential = AppCredential.objects.filter(owner=user, app_key=app_key).first() or credential_create(
        owner=user, app_key=app_key, app_secret=secret, name="bench", gateway=AppCredential.Gateway.SANDBOX,
        daily_quota=daily_quota, qps=qps, check=False)  # fmt: skip
    AppCredential.objects.filter(pk=credential.pk).update(qps=qps, daily_quota=daily_quota, verified_at=timezone.now())
    out = io.StringIO()
    call_command("sandbox_token", "--app-key", app_key, "--login-id", f"bench{app_key}", stdout=out)
    token_store(credential=credential, tokens=parse_token_answer(json.loads(out.getvalue())), user=user)
    return AppCredential.objects.get(pk=credential.pk)


def sandbox_calls(app_keys: list[str]) -> int:
    """Metered calls the sandbox counted today for these apps (its own usage counter)."""
    from django.db.models import Sum

    from sandbox.models import SandboxUsage

    return SandboxUsage.objects.filter(app__app_key__in=app_keys).aggregate(n=Sum("calls"))["n"] or 0


def reset_sandbox_usage(app_keys: list[str]) -> None:
    from sandbox.models import SandboxUsage

    SandboxUsage.objects.filter(app__app_key__in=app_keys).delete()


def products_for_offers(offers: list) -> list:
    """Portal products for sandbox offers (summaries only, as a search would leave them)."""
    from sourcing.alibaba.api import OfferSummary
    from sourcing.catalog.services.upsert import products_upsert_summaries

    products = []
    for start_at in range(0, len(offers), 1000):
        summaries = [OfferSummary(offer_id=str(o.offer_id), subject=o.subject, subject_en=o.subject_en, image_url="",
                                  price=None, min_order_quantity=None, month_sold=None, repurchase_rate="",
                                  top_category_id=None, second_category_id=None, third_category_id=None,
                                  seller_years=None, company_name="", detail_url="")
                     for o in offers[start_at:start_at + 1000]]  # fmt: skip
        products += products_upsert_summaries(offers=summaries, source="sandbox")
    return products


def reset_wanted() -> None:
    """Nothing is wanted: no product views, no list items (each refresh figure then wants its own)."""
    from sourcing.catalog.models import ProductView
    from sourcing.lists.models import ListItem

    ListItem.objects.all().delete()
    ProductView.objects.all().delete()


def make_due(product_ids: list[int]) -> None:
    """These products have never been fetched in detail and are claimed by nobody."""
    from sourcing.catalog.models import Product

    Product.objects.filter(pk__in=product_ids).update(detail_fetched_at=None, refresh_queued_at=None,
                                                      refresh_lease_until=None, content_hash="")  # fmt: skip
