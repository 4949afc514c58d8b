"""The fixed cast: alice and bob (team Acme), carol (team Globex); and shared fixtures."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from sourcing.accounts.models import Membership, Team, User

pytest_plugins = ["tests.portal_fixtures"]

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "sourcing-demo"
CHROMIUM = "/usr/bin/chromium"


def _make_user(username, team, role, **extra):
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, **extra)
    Membership.objects.create(user=user, team=team, role=role)
    user.current_team = team
    user.save(update_fields=["current_team"])
    return user


@pytest.fixture
def acme(db):
    return Team.objects.create(name="Acme Sourcing")


@pytest.fixture
def globex(db):
    return Team.objects.create(name="Globex Trading")


@pytest.fixture
def alice(acme):
    return _make_user("alice", acme, Membership.Role.OWNER, is_staff=True, is_superuser=True)


@pytest.fixture
def bob(acme, alice):
    return _make_user("bob", acme, Membership.Role.BUYER)


@pytest.fixture
def carol(globex):
    return _make_user("carol", globex, Membership.Role.OWNER)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """Hash test passwords with MD5: PBKDF2's deliberate slowness costs seconds per test and proves nothing here.

    Only the test process is changed; production keeps Django's default hashers. They stay listed after
    MD5 so that a password hashed by a child process (a worker, a command) still checks.
    """
    from django.conf import settings
    from django.test import override_settings

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=fast + [h for h in settings.PASSWORD_HASHERS if h not in fast]):
        yield


@pytest.fixture(autouse=True)
def _clean_cache():
    """Counters kept in the cache (rate limits) and cached pages start from nothing in every test."""
    from django.core.cache import caches

    from sourcing.catalog.selectors.products import forget_catalog_shape

    for cache in caches.all(initialized_only=False):
        cache.clear()
    forget_catalog_shape()


@pytest.fixture(autouse=True)
def _celery_eager():
    """Run tasks inline in unit tests; the worker fixture turns this off."""
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


def database_url_for_subprocess() -> str:
    """A DATABASE_URL that points a child process at the test database."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_celery_worker(log_path: Path, *args: str, env: dict | None = None, hostname: str = "") -> subprocess.Popen:
    """Start a real `celery worker` process (solo pool unless `args` say otherwise) and wait until it is ready.

    The process gets `.log`, its open log file; stop it with `stop_celery_worker`.
    """
    log = open(log_path, "w+")  # noqa: SIM115 - closed by stop_celery_worker
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--loglevel=INFO",
            f"--hostname={hostname or f'test-{os.getpid()}'}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            *(args or ["--pool=solo"]),
        ],
        cwd=BASE_DIR,
        env=env if env is not None else dict(os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    proc.log = log
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None and "ready." not in worker_log(proc):
        time.sleep(0.2)
    output = worker_log(proc)
    if "ready." not in output:
        stop_celery_worker(proc)
        pytest.fail(f"Celery worker did not start:\n{output[-3000:]}")
    return proc


def worker_log(proc: subprocess.Popen) -> str:
    proc.log.seek(0)
    return proc.log.read()


def stop_celery_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    proc.log.close()


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """A real `celery worker` process on the configured broker and the test database."""
    from portal.celery import app

    app.conf.task_always_eager = False
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = dict(os.environ, DATABASE_URL=database_url_for_subprocess(), EMAIL_URL=f"filemail:///{mail_dir}")
    proc = start_celery_worker(tmp_path / "worker.log", env=env)
    proc.mail_dir = mail_dir
    yield proc
    stop_celery_worker(proc)
    app.conf.task_always_eager = True


def wait_for(predicate, timeout=30.0, interval=0.2):
    """Poll `predicate` until it is truthy; return its value or fail the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout}s")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded browser; a missing one fails the test."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium fonts-wqy-microhei")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


def login(client, user):
    client.force_login(user)
    return client


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test counts as a failed one."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("CI") and skipped and exitstatus == 0:
        reporter.write_line(f"CI: {skipped} test(s) skipped; a skipped test fails the run.", red=True)
        session.exitstatus = 1


# --- the sandbox gateway over real HTTP ---
SANDBOX_KEY, SANDBOX_SECRET = "1000000", "test123"


def make_sandbox_app(app_key: str, secret: str, live_server):
    """A sandbox app with every API granted and generous limits, its callback on the live server."""
    from sandbox.models import SandboxApp

    app = SandboxApp(app_key=app_key, grant_all=True, qps=1000, daily_quota=100000,
                     redirect_uri=f"{live_server.url}/auth/1688/callback")  # fmt: skip
    app.app_secret = secret
    app.save()
    return app


def run_in_threads(fn, count: int) -> list[Exception]:
    """Start `fn` in `count` threads at once (each with its own database connection); return what they raised."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(count)
    failures = []

    def run():
        try:
            barrier.wait()
            fn()
        except Exception as error:  # noqa: BLE001 - returned to the test
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


@pytest.fixture
def sandbox_app(transactional_db, live_server):
    """App 1000000 / test123 with every API granted."""
    return make_sandbox_app(SANDBOX_KEY, SANDBOX_SECRET, live_server)


@pytest.fixture
def catalog(transactional_db):
    from sandbox.catalog import build_catalog

    build_catalog(offers=240, seed=7)


@pytest.fixture
def gateway_url(live_server):
    return f"{live_server.url}/sandbox/openapi"


@pytest.fixture
def client_1688(sandbox_app, gateway_url):
    from sourcing.alibaba import AlibabaClient

    return AlibabaClient(SANDBOX_KEY, SANDBOX_SECRET, base_url=gateway_url, read_timeout=10)


def consent(live_server, app, *, login_id="采购测试账号", decision="approve", redirect_uri=None, state="st-1"):
    """POST the sandbox consent form like a browser would; returns the redirect response."""
    import requests

    return requests.post(
        f"{live_server.url}/sandbox/oauth/authorize",
        params={
            "client_id": app.app_key,
            "site": "1688",
            "redirect_uri": redirect_uri or app.redirect_uri,
            "state": state,
        },
        data={"login_id": login_id, "decision": decision},
        allow_redirects=False,
        timeout=10,
    )


def code_from(response) -> str:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(response.headers["Location"]).query)["code"][0]


@pytest.fixture
def tokens(live_server, sandbox_app, client_1688):
    """A full OAuth dance: consent, then code exchange; returns the TokenSet."""
    from sourcing.alibaba import oauth

    code = code_from(consent(live_server, sandbox_app))
    return oauth.exchange_code(client_1688, code=code, redirect_uri=sandbox_app.redirect_uri)
