"""A real HTTP receiver on 127.0.0.1 (a thread in the test process) that answers a scripted list of statuses and
keeps every request it got; and an Acme endpoint pointing at it."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sourcing.webhooks import services
from sourcing.webhooks.models import EventKind


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str
    script: list = field(default_factory=list)  # statuses to answer, in turn; then 200
    requests: list = field(default_factory=list)
    answer_body: bytes = b'{"ok": true}'
    location: str = ""

    def next_status(self) -> int:
        return self.script.pop(0) if self.script else 200


@pytest.fixture
def receiver():
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            state.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status = state.next_status()
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", state.location or state.url + "elsewhere")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.answer_body)))
            self.end_headers()
            self.wfile.write(state.answer_body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint_and_secret(alice, acme, receiver):
    return services.endpoint_create(actor=alice, team=acme, url=receiver.url, description="Acme ERP",
                                    kinds=list(EventKind.values))  # fmt: skip


@pytest.fixture
def endpoint(endpoint_and_secret):
    return endpoint_and_secret[0]
