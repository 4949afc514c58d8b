"""Reliability fixtures: real worker processes on a chosen broker, a private Redis server, known products."""

import os
import shutil
import socket
import subprocess
import time
from types import SimpleNamespace

import pytest

from sourcing.catalog.models import Product, ProductView
from sourcing.catalog.services.upsert import products_upsert_summaries
from tests.catalog.conftest import offer
from tests.conftest import database_url_for_subprocess, start_celery_worker, stop_celery_worker

AMQP_URL = os.environ.get("RELIABILITY_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/reliability")


@pytest.fixture
def worker_env(live_server, portal_sandbox, tmp_path):
    """What a worker process needs: the test database, and the live server's sandbox as its 1688 gateway."""
    mail = tmp_path / "mail"
    mail.mkdir()
    return dict(
        os.environ,
        DATABASE_URL=database_url_for_subprocess(),
        SITE_URL=live_server.url,
        ALIBABA_API_URL=f"{live_server.url}/sandbox/openapi",
        EMAIL_URL=f"filemail:///{mail}",
    )


@pytest.fixture
def workers(worker_env, tmp_path):
    """`workers.start(name, *celery_args, **env)` starts a worker process; every one still running stops at the end."""
    from portal.celery import app

    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over from an earlier test runs in this one
    started = []

    def start(name: str, *args: str, **env: str) -> subprocess.Popen:
        proc = start_celery_worker(tmp_path / f"{name}.log", *args, env={**worker_env, **env},
                                   hostname=f"{name}-{os.getpid()}")  # fmt: skip
        started.append(proc)
        return proc

    yield SimpleNamespace(start=start)
    for proc in started:
        stop_celery_worker(proc)
    app.control.purge()
    app.conf.task_always_eager = True


@pytest.fixture
def use_broker(monkeypatch):
    """`use_broker(url)`: this process publishes tasks to another broker until the test ends."""
    from portal.celery import app

    saved = os.environ.get("CELERY_BROKER_URL", ""), app.conf.broker_url, app.conf.broker_transport_options

    def switch(env_url: str, url: str, options: dict | None = None) -> None:
        # Celery reads CELERY_BROKER_URL from the environment before its settings.
        monkeypatch.setenv("CELERY_BROKER_URL", env_url)
        app.conf.broker_url, app.conf.broker_transport_options = url, options or {}
        # The connection and producer pools are made once per app: forget them so the next task opens new ones.
        app._pool = None
        app.amqp._producer_pool = None

    yield lambda url: switch(url, url)
    switch(*saved)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own on 127.0.0.1, persisting every write so a restart keeps the queue."""

    def __init__(self, folder):
        self.folder, self.port, self.proc = folder, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is missing: apt-get install redis-server")
        self.proc = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder), "--save", "",
             "--appendonly", "yes", "--appendfsync", "always"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        """Shut down as an operator would (SIGTERM: the append-only file is flushed)."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def known_products(offers, *, viewer) -> list[Product]:
    """The sandbox's offers as a search found them (summary only), each viewed by `viewer` so beat refreshes it."""
    products = products_upsert_summaries(
        offers=[offer(str(o.offer_id), subject=o.subject, subject_en=o.subject_en) for o in offers], source="sandbox"
    )
    ProductView.objects.bulk_create([ProductView(user=viewer, product=p) for p in products])
    return products
