"""A tiny HTTP server on 127.0.0.1 standing in for an app's message callback URL (tests of the message service)."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class Server(ThreadingHTTPServer):
    request_queue_size = 64  # bursts of parallel deliveries
    daemon_threads = True


class Callback:
    """Records every POST (form fields and arrival time) and answers `status` (or sleeps `delay` first)."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 200
        self.delay = 0.0
        self.lock = threading.Lock()
        callback = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
                with callback.lock:
                    callback.received.append({"form": form, "at": time.monotonic(),
                                              "content_type": self.headers.get("Content-Type", "")})  # fmt: skip
                if callback.delay:
                    time.sleep(callback.delay)
                self.send_response(callback.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/1688/test/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.01)
        raise AssertionError(f"the callback got {len(self.received)} of {count} messages in {timeout} s")

    def close(self):
        self.server.shutdown()
        self.server.server_close()
