"""OAuth 2.0 with the 1688 authorization server (spec §5)."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sourcing.alibaba import errors
from sourcing.alibaba.client import AlibabaClient
from sourcing.alibaba.timefmt import parse_gateway_time

LIVE_AUTHORIZE_URL = "https://auth.1688.com/oauth/authorize"


@dataclass(frozen=True)
class TokenSet:
    """A token answer with absolute expiry instants; secrets are kept out of repr."""

    access_token: str = field(repr=False)
    access_expires_at: datetime | None
    refresh_token: str | None = field(repr=False, default=None)
    refresh_expires_at: datetime | None = None
    resource_owner: str = ""
    member_id: str = ""
    ali_id: str = ""


def parse_token_answer(body: Any, *, received_at: datetime | None = None) -> TokenSet:
    """Read a getToken / refresh / postpone answer (numbers arrive as strings)."""
    if not isinstance(body, dict) or not body.get("access_token"):
        raise errors.MalformedResponse("The token answer has no access_token.", api="system.oauth2:getToken-1")
    received_at = received_at or datetime.now(UTC)
    try:
        expires_in = body.get("expires_in")
        access_expires = received_at + timedelta(seconds=int(str(expires_in))) if expires_in not in (None, "") else None
        refresh_timeout = body.get("refresh_token_timeout")
        refresh_expires = parse_gateway_time(refresh_timeout) if refresh_timeout else None
    except ValueError as error:
        raise errors.MalformedResponse(f"Unreadable token lifetime: {error}", api="system.oauth2:getToken-1") from None
    return TokenSet(
        access_token=str(body["access_token"]),
        access_expires_at=access_expires,
        refresh_token=str(body["refresh_token"]) if body.get("refresh_token") else None,
        refresh_expires_at=refresh_expires,
        resource_owner=str(body.get("resource_owner") or body.get("resourceOwner") or ""),
        member_id=str(body.get("memberId") or ""),
        ali_id=str(body.get("aliId") or ""),
    )


def authorize_url(*, app_key: str, redirect_uri: str, state: str, base: str = LIVE_AUTHORIZE_URL) -> str:
    """The browser URL where a 1688 user approves the app (spec §5.2)."""
    query = urlencode({"client_id": app_key, "site": "1688", "redirect_uri": redirect_uri, "state": state})
    return f"{base}?{query}"


def _token_call(client: AlibabaClient, name: str, params: dict, protocol: str) -> TokenSet:
    body = client.call("system.oauth2", name, params, protocol=protocol, signed=False, timestamp=False)
    return parse_token_answer(body)


def exchange_code(client: AlibabaClient, *, code: str, redirect_uri: str) -> TokenSet:
    """Trade an authorization code for tokens (spec §5.3)."""
    params = {
        "grant_type": "authorization_code",
        "need_refresh_token": "true",
        "client_id": client.app_key,
        "client_secret": client._app_secret,
        "redirect_uri": redirect_uri,
        "code": code,
    }
    return _token_call(client, "getToken", params, "http")


def refresh(client: AlibabaClient, *, refresh_token: str) -> TokenSet:
    """A new access token from a refresh token (spec §5.4); the refresh token stays the same."""
    params = {
        "grant_type": "refresh_token",
        "client_id": client.app_key,
        "client_secret": client._app_secret,
        "refresh_token": refresh_token,
    }
    return _token_call(client, "getToken", params, "param2")


def postpone(client: AlibabaClient, *, refresh_token: str, access_token: str) -> TokenSet:
    """Extend a refresh token in its last 30 days (spec §5.5); the old one stops working."""
    params = {
        "client_id": client.app_key,
        "client_secret": client._app_secret,
        "refresh_token": refresh_token,
        "access_token": access_token,
    }
    return _token_call(client, "postponeToken", params, "param2")
