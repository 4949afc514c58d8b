"""Signed calls to the 1688 gateway over the param2 protocol (spec §1-§4, §8)."""

import json
import logging
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests

from sourcing.alibaba import errors
from sourcing.alibaba.signing import sign_request
from sourcing.alibaba.timefmt import parse_gateway_time

logger = logging.getLogger(__name__)

LIVE_API_URL = "https://gw.open.1688.com/openapi"
LIVE_IMAGE_HOST = "https://cbu01.alicdn.com/"
USER_AGENT = "sourcing-portal/1.0 (+1688 Open Platform client)"


# Reused across clients (issue: a session and a clock sync per call are wasted work for workers).
# One requests.Session per thread and base URL, so keep-alive connections are reused without
# sharing a Session between threads; a forked worker process starts with fresh sessions.
_local = threading.local()
# The measured offset between the gateway's clock and ours, per (base URL, App Key): every new
# client of the same app starts with it instead of re-syncing.
_clock_offsets: dict[tuple[str, str], int] = {}
_clock_lock = threading.Lock()


def shared_session(base_url: str) -> requests.Session:
    """This thread's reusable HTTP session for one gateway base URL."""
    if getattr(_local, "pid", None) != os.getpid():
        _local.pid, _local.sessions = os.getpid(), {}
    session = _local.sessions.get(base_url)
    if session is None:
        session = _local.sessions[base_url] = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
    return session


def forget_clock_offsets() -> None:
    """Drop every remembered clock offset (tests, or after the host clock was fixed)."""
    with _clock_lock:
        _clock_offsets.clear()


def default_image_host(base_url: str) -> str:
    """Where relative image paths (`img/ibank/...`) live for a gateway base URL.

    1688's own answers are relative to its image CDN; any other gateway (the sandbox, a test
    double) serves them next to its `/openapi` path.
    """
    base = base_url.rstrip("/")
    if base == LIVE_API_URL:
        return LIVE_IMAGE_HOST
    return (base.removesuffix("/openapi") or base) + "/"


def encode_value(value: Any) -> str:
    """Stringify one parameter: JSON once for structures, true/false for booleans (spec §2.1)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


@dataclass(frozen=True)
class CallOutcome:
    """What one gateway call did, for usage records: never a secret."""

    api: str
    ok: bool
    error_code: str
    error_type: str  # the exception class name, "" when ok
    message: str
    latency_ms: int
    http_status: int | None


class AlibabaClient:
    """One 1688 app (App Key + App Secret) talking to one gateway base URL."""

    def __init__(
        self,
        app_key: str,
        app_secret: str,
        *,
        base_url: str = LIVE_API_URL,
        connect_timeout: float = 5.0,
        read_timeout: float = 20.0,
        session: requests.Session | None = None,
        image_host: str | None = None,
        before_call=None,
        on_call=None,
    ):
        self.app_key = str(app_key).strip()
        self._app_secret = str(app_secret).strip()
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.image_host = image_host or default_image_host(self.base_url)
        if session is None:
            self.session = shared_session(self.base_url)
        else:
            self.session = session
            self.session.headers.setdefault("User-Agent", USER_AGENT)
        # Called with the API id before every call (may raise to stop it: quota, rate limit,
        # permission), and with a CallOutcome after it, for usage accounting.
        self.before_call = before_call
        self.on_call = on_call

    def __repr__(self):
        return f"<AlibabaClient app_key={self.app_key} base_url={self.base_url}>"

    @property
    def clock_offset_ms(self) -> int:
        """Milliseconds to add to our clock to get the gateway's, as last measured for this app."""
        return _clock_offsets.get((self.base_url, self.app_key), 0)

    @clock_offset_ms.setter
    def clock_offset_ms(self, value: int) -> None:
        with _clock_lock:
            _clock_offsets[(self.base_url, self.app_key)] = int(value)

    # --- low level ---
    def url_path(self, namespace: str, name: str, *, version: int = 1, protocol: str = "param2") -> str:
        return f"{protocol}/{version}/{namespace}/{name}/{self.app_key}"

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.clock_offset_ms

    def call(
        self,
        namespace: str,
        name: str,
        params: Mapping[str, Any] | None = None,
        *,
        access_token: str | None = None,
        version: int = 1,
        protocol: str = "param2",
        signed: bool = True,
        timestamp: bool = True,
        business_check: bool = True,
    ) -> Any:
        """POST one API call and return the decoded JSON body, or raise a typed AlibabaError.

        A timestamp refused as expired re-measures the clock offset and is sent once more. With
        `business_check=False` an HTTP-200 answer that says `success: false` is returned for the caller
        to read (the order preview names what 1688 would refuse inside such an answer).
        """
        api = f"{namespace}:{name}-{version}"
        url_path = self.url_path(namespace, name, version=version, protocol=protocol)
        if self.before_call:
            self.before_call(api)
        base = {k: encode_value(v) for k, v in (params or {}).items() if v is not None}
        if access_token:
            base["access_token"] = access_token
        for attempt in (1, 2):
            form = dict(base)
            if timestamp:
                form["_aop_timestamp"] = str(self.now_ms())
            if signed:
                form["_aop_signature"] = sign_request(url_path, form, self._app_secret)
            try:
                return self._send(api, f"{self.base_url}/{url_path}", form, business_check)
            except errors.TimestampInvalid:
                if attempt == 2 or not timestamp:
                    raise
                self.sync_clock()
        raise AssertionError("unreachable")

    def _send(self, api: str, url: str, form: dict[str, str], business_check: bool = True) -> Any:
        started = time.monotonic()
        status = None
        try:
            try:
                response = self.session.post(url, data=form, timeout=self.timeout)
            except requests.Timeout:
                raise errors.GatewayTimeout(api=api) from None
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
                raise errors.MalformedResponse("The answer was cut off.", api=api) from None
            except requests.ConnectionError:
                raise errors.ConnectionFailed(api=api) from None
            status = response.status_code
            try:
                body = response.json()
            except ValueError:
                body = None
            if body is None and status < 400:
                raise errors.MalformedResponse(
                    f"HTTP {status} with a body that is not JSON.", http_status=status, api=api
                )
            error = errors.error_from_answer(status, body, api)
            if error:
                raise error
            if isinstance(body, dict) and business_check:
                errors.check_business(body, api)
        except errors.AlibabaError as error:
            self._record(api, started, status, error)
            logger.info("1688 %s failed: %s", api, error)
            raise
        self._record(api, started, status, None)
        return body

    def _record(self, api: str, started: float, status: int | None, error: errors.AlibabaError | None) -> None:
        if self.on_call:
            latency = int((time.monotonic() - started) * 1000)
            if error is None:
                self.on_call(CallOutcome(api, True, "", "", "", latency, status))
            else:
                code = error.code or type(error).__name__
                self.on_call(CallOutcome(api, False, code, type(error).__name__, error.message[:300], latency, status))

    # --- server time (spec §8) ---
    def server_time(self) -> datetime:
        """The gateway's clock, from system/currentTime."""
        body = self.call("system", "currentTime", timestamp=False)
        if not isinstance(body, str):
            raise errors.MalformedResponse("currentTime did not answer a time string.", api="system:currentTime-1")
        return parse_gateway_time(body)

    def sync_clock(self) -> int:
        """Measure the offset between the gateway's clock and ours; later timestamps use it."""
        before = time.time()
        server = self.server_time()
        after = time.time()
        self.clock_offset_ms = int((server.timestamp() - (before + after) / 2) * 1000)
        return self.clock_offset_ms
