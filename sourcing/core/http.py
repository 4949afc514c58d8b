"""What the portal takes from a request that the user controls: redirect targets and addresses."""

import ipaddress

from django.conf import settings
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, value, default="home") -> str:
    """`value` if it is a path on this site ("/teams/"), else `default` (a view name or path) as a URL.

    Only a local path starting with one "/" is taken: never another host ("//evil", "https://…"),
    and never a bare word, which Django's redirect() would look up as a view name ("abc" → 500,
    "logout" → somewhere the user didn't ask for).
    """
    if (
        isinstance(value, str)
        and value.startswith("/")
        and not value.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=False)
    ):
        return value
    return resolve_url(default)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front, the address
    the outermost of them saw (X-Forwarded-For is only trusted as far as our own proxies wrote it)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies and _is_ip(forwarded[-proxies]):
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
