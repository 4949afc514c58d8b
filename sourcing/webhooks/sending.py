"""One webhook request: POST the signed body to the endpoint, never following a redirect, reading a little of the
answer, and (in production) never to a private, loopback or link-local address nor to the portal itself or its
sandbox, checked on the connected socket too so a name that resolves elsewhere between the check and the call is
refused as well (docs/webhooks.md, "Safety")."""

import ipaddress
import socket
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

USER_AGENT = "sourcing-portal-webhooks/1"


# What went wrong, stored in English by the worker and shown in the reader's language (`|translated`).
WORDS = {
    "status": gettext_noop("The endpoint did not answer with a 2xx status."),
    "redirect": gettext_noop("The endpoint answered with a redirect; redirects are not followed."),
    "private": gettext_noop("The address led to a private or local network; webhooks go only to public addresses."),
    "own": gettext_noop("The address led to this portal itself; webhooks go only to other systems."),
    "timeout": gettext_noop("The endpoint did not answer in time."),
    "connect": gettext_noop("Could not connect to the endpoint."),
    "failed": gettext_noop("The request to the endpoint failed."),
}


class PrivateAddress(Exception):
    """The endpoint's name led to an address the portal may not call."""


class OwnAddress(PrivateAddress):
    """The endpoint's name led to the portal itself (or its sandbox)."""


def address_refused(ip: str) -> bool:
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    # an IPv4 address inside an IPv6 one (mapped, 6to4, Teredo's client) is judged as that IPv4 address
    embedded = [getattr(address, "ipv4_mapped", None), getattr(address, "sixtofour", None),
                *(getattr(address, "teredo", None) or ())]  # fmt: skip
    if any(inner is not None and (not inner.is_global or inner.is_multicast) for inner in embedded):
        return True
    return not address.is_global or address.is_multicast


def _host(name: str) -> str:
    return name.strip().strip("[]").rstrip(".").lower()


def _address(ip: str) -> str:
    """An address as one spelling (an IPv4-mapped IPv6 one as its IPv4 address), to compare."""
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return ip
    return str(getattr(address, "ipv4_mapped", None) or address)


def own_names() -> tuple[str, ...]:
    """The host names that reach this portal, or the sandbox it serves as a gateway: SITE_URL's, ALLOWED_HOSTS
    (".example.com" also covers its sub-domains) and the 1688 URLs' when they are not the live gateway's."""
    names = [urlsplit(settings.SITE_URL).hostname or "", *(h for h in settings.ALLOWED_HOSTS if h != "*")]
    for url, live in ((settings.ALIBABA_API_URL, settings.ALIBABA_LIVE_API_URL),
                      (settings.ALIBABA_AUTHORIZE_URL, settings.ALIBABA_LIVE_AUTHORIZE_URL)):  # fmt: skip
        if urlsplit(url).hostname != urlsplit(live).hostname:
            names.append(urlsplit(url).hostname or "")
    return tuple(sorted({_host(n) for n in names if n and _host(n)}))


@lru_cache(maxsize=8)
def _addresses_of(names: tuple[str, ...], _minute: int) -> frozenset[str]:
    found = set()
    for name in names:
        try:
            found |= {_address(info[4][0]) for info in socket.getaddrinfo(name.lstrip("."), 443)}
        except (OSError, UnicodeError, ValueError):
            continue  # a name that does not resolve here reaches nothing: only the name itself is refused
    return frozenset(found)


def own_addresses() -> frozenset[str]:
    """The addresses the portal's names resolve to (looked up again each minute)."""
    return _addresses_of(own_names(), int(time.time() // 60))


def _is_address(host: str) -> bool:
    """Whether the host is an address already (the socket's check judges it: private first, then the portal's)."""
    try:
        ipaddress.ip_address(_host(host).split("%", 1)[0])
    except ValueError:
        return False
    return True


def is_own(host: str) -> bool:
    host = _host(host)
    return any(host == name or (name.startswith(".") and (host == name[1:] or host.endswith(name)))
               for name in own_names())  # fmt: skip


def url_refusal(url: str, *, allow_private: bool | None = None) -> str:
    """Why this URL can't be an endpoint, in plain words ("" when it can)."""
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_URLS if allow_private is None else allow_private
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return _("That is not a web address.")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("Use an http:// or https:// address.")
    if parts.username or parts.password:
        return _("Leave the user name and password out of the URL (every member can read it); check the signature "
                 "instead.")  # fmt: skip
    if allow_private:
        return ""
    host = _host(parts.hostname)  # "localhost." is localhost
    try:
        found = (
            {_address(host)}
            if _is_address(host)
            else {info[4][0] for info in socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)}
        )  # an address is judged as written (a zone, "fe80::1%25lo", is no reason to let it by)
    except (OSError, UnicodeError, ValueError):
        found = set()  # not resolvable now: the attempts will say so
    if any(address_refused(ip) for ip in found):
        return _("That address leads to a private or local network; webhooks go only to public addresses.")
    own = own_addresses()
    if is_own(parts.hostname) or any(_address(ip) in own for ip in found):
        return _("That address leads to this portal itself; webhooks go only to other systems.")
    return ""


class _Guard:
    def _new_conn(self):
        sock = super()._new_conn()
        peer = sock.getpeername()[0]
        if address_refused(peer):
            sock.close()
            raise PrivateAddress
        if _address(peer) in own_addresses():
            sock.close()
            raise OwnAddress
        return sock


class _GuardedHTTP(_Guard, HTTPConnection):
    pass


class _GuardedHTTPS(_Guard, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTP


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPS


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


@dataclass
class Outcome:
    ok: bool
    code: int | None = None
    excerpt: str = ""
    duration_ms: int = 0
    error: str = ""


def _excerpt(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    return "".join(c if c >= " " or c in "\n\t" else " " for c in text).strip()[:500]


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST once; 2xx is a success, anything else (a redirect included) a failure in plain words."""
    refusal = url_refusal(url, allow_private=True)  # the shape; the address is checked on the socket below
    if refusal:
        return Outcome(ok=False, error=refusal)
    host = urlsplit(url).hostname or ""
    if not settings.WEBHOOK_ALLOW_PRIVATE_URLS and is_own(host) and not _is_address(host):
        return Outcome(ok=False, error=WORDS["own"])  # saved before the portal took this name: nothing is sent
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the address checked is the one called
    if not settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        session.mount("http://", _GuardedAdapter())
        session.mount("https://", _GuardedAdapter())
    started = time.monotonic()
    outcome = Outcome(ok=False)
    try:
        with session.post(url, data=body, timeout=(timeout, timeout), allow_redirects=False, stream=True,
                          headers={**headers, "content-type": "application/json", "user-agent": USER_AGENT}) as answer:  # fmt: skip
            read, limit, deadline = b"", settings.WEBHOOK_RESPONSE_MAX_BYTES, started + timeout
            for chunk in answer.iter_content(1024):
                read += chunk
                if len(read) >= limit or time.monotonic() > deadline:
                    break
            outcome = Outcome(
                ok=200 <= answer.status_code < 300, code=answer.status_code, excerpt=_excerpt(read[:limit])
            )
            if 300 <= answer.status_code < 400:
                outcome.error = WORDS["redirect"]
            elif not outcome.ok:
                outcome.error = WORDS["status"]
    except OwnAddress:
        outcome.error = WORDS["own"]
    except PrivateAddress:
        outcome.error = WORDS["private"]
    except requests.Timeout:
        outcome.error = WORDS["timeout"]
    except requests.ConnectionError:
        outcome.error = WORDS["connect"]
    except requests.RequestException:
        outcome.error = WORDS["failed"]
    finally:
        session.close()
    outcome.duration_ms = int((time.monotonic() - started) * 1000)
    return outcome
