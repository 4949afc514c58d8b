"""Connecting a 1688 account (OAuth), and the token lifecycle: refresh, postpone, disconnect."""

import hmac
import logging
import re
import secrets
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from sourcing.alibaba import errors, oauth
from sourcing.connections.models import AppCredential, OAuthToken
from sourcing.connections.services.gateway import client_for
from sourcing.core.enqueue import enqueue

logger = logging.getLogger(__name__)
STATE_SESSION_KEY = "oauth_states"
STATE_MAX_AGE = 600  # seconds a Connect click stays valid
LEASE_SECONDS = 60


class ConnectError(Exception):
    """The connection could not be made; the message says why and what to do."""


def callback_url() -> str:
    return f"{settings.SITE_URL}/auth/1688/callback"


_HOST = re.compile(r"^[A-Za-z0-9.\-]{1,100}$")


def host_name(host: str) -> str:
    """The name part of "host:port" ("[::1]:8000" too), lower-cased; "" if it isn't a plain host name."""
    host = str(host or "").strip().lower()
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else ""
        return host if re.fullmatch(r"[0-9a-f:.]{2,45}", host) else ""
    host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return host if _HOST.match(host) else ""


def _same_cookies(one: str, other: str) -> bool:
    """Whether a browser sends the same session cookie to both host names (cookies ignore the port)."""
    if one == other:
        return True
    domain = str(settings.SESSION_COOKIE_DOMAIN or "").lstrip(".").lower()
    return bool(domain) and all(h == domain or h.endswith("." + domain) for h in (one, other))


def connect_address(host: str) -> str:
    """SITE_URL when a Connect click at `host` could not be finished (1688 returns to SITE_URL's host, where the
    browser holds another session, e.g. localhost against 127.0.0.1); "" when `host` is fine."""
    site = host_name(urlsplit(settings.SITE_URL).netloc)
    here = host_name(host)
    return "" if not site or not here or _same_cookies(site, here) else settings.SITE_URL


def state_started_at(state: str) -> str:
    """The host name a Connect click put in its state ("" if none): only for words on a refused callback."""
    _random, _tilde, host = str(state or "").rpartition("~")
    return host_name(host) if _tilde else ""


def connect_start(*, session, credential: AppCredential, host: str = "") -> str:
    """Remember a fresh single-use state in the session and return the 1688 authorize URL.

    The state ends with the host name the click came from, so a callback that lands in another session
    (another address of the same portal) can say so instead of blaming the link."""
    state = secrets.token_urlsafe(32)
    if host_name(host):
        state = f"{state}~{host_name(host)}"
    states = {s: v for s, v in session.get(STATE_SESSION_KEY, {}).items() if v["at"] > time.time() - STATE_MAX_AGE}
    states[state] = {"credential": credential.pk, "at": time.time()}
    session[STATE_SESSION_KEY] = states
    return oauth.authorize_url(
        app_key=credential.app_key, redirect_uri=callback_url(), state=state, base=credential.authorize_base
    )


def connect_take_state(*, session, state: str) -> int | None:
    """Pop the matching state from the session (constant-time compare); return its credential id."""
    states = session.get(STATE_SESSION_KEY, {})
    match = None
    for candidate in states:
        if hmac.compare_digest(candidate.encode(), state.encode()):
            match = candidate
    if match is None:
        return None
    entry = states.pop(match)
    session[STATE_SESSION_KEY] = states
    return entry["credential"] if entry["at"] > time.time() - STATE_MAX_AGE else None


CONNECT_ERRORS = [
    (errors.InvalidGrant, gettext_lazy("1688 did not accept the authorization code: it expired (codes last 2 minutes) or was "
                            "already used. Click “Connect 1688 account” again.")),
    (errors.InvalidClient, gettext_lazy("1688 rejected the App Key or App Secret. Check the App Key, then use “Reset secret” "
                             "with the secret from the 1688 console (应用凭证).")),
    (errors.SignatureInvalid, gettext_lazy("Signature verification failed: the App Secret is wrong. Use “Reset secret”.")),
    (errors.AppKeyInvalid, gettext_lazy("1688 does not know this App Key, or the app is not approved yet.")),
    (errors.TransientError, gettext_lazy("1688 did not answer properly. Wait a minute and click “Connect” again.")),
    (errors.AlibabaError, gettext_lazy("1688 refused the connection.")),
]  # fmt: skip


def connect_finish(*, credential: AppCredential, code: str, user) -> OAuthToken:
    """Exchange the code for tokens and store them on the credential (replacing an old connection)."""
    try:
        tokens = oauth.exchange_code(client_for(credential), code=code, redirect_uri=callback_url())
    except errors.AlibabaError as error:
        message = next(text for cls, text in CONNECT_ERRORS if isinstance(error, cls))
        raise ConnectError(f"{message} ({error.code or type(error).__name__})") from None
    return token_store(credential=credential, tokens=tokens, user=user)


def token_store(*, credential: AppCredential, tokens: oauth.TokenSet, user) -> OAuthToken:
    """Store a 1688 account's tokens on the credential, replacing an earlier connection."""
    with transaction.atomic():
        token = OAuthToken.objects.select_for_update().filter(credential=credential).first()
        token = token or OAuthToken(credential=credential)
        _apply(token, tokens)
        token.resource_owner = tokens.resource_owner
        token.member_id, token.ali_id = tokens.member_id, tokens.ali_id
        token.connected_by = user
        token.save()
    return token


def _apply(token: OAuthToken, tokens: oauth.TokenSet) -> None:
    token.access_token = tokens.access_token
    token.access_expires_at = tokens.access_expires_at
    if tokens.refresh_token:
        token.refresh_token = tokens.refresh_token
        token.refresh_expires_at = tokens.refresh_expires_at
    token.status = OAuthToken.Status.ACTIVE
    token.last_error = ""
    token.last_refreshed_at = timezone.now()


def token_disconnect(*, credential: AppCredential) -> None:
    OAuthToken.objects.filter(credential=credential).delete()


class _Lease:
    """Claim the token row for one worker; others wait until it is released or has expired."""

    def __init__(self, token_id: int, wait: float = 30.0):
        self.token_id, self.wait = token_id, wait
        self.holder = secrets.token_hex(16)

    def __enter__(self):
        deadline = time.monotonic() + self.wait
        while True:
            now = timezone.now()
            claimed = OAuthToken.objects.filter(
                Q(lease_until__isnull=True) | Q(lease_until__lt=now), pk=self.token_id
            ).update(lease_until=now + timedelta(seconds=LEASE_SECONDS), lease_holder=self.holder)
            if claimed:
                return self
            if time.monotonic() > deadline:
                raise errors.TransientError("Another worker is renewing this token; try again.", code="local.TokenBusy")
            time.sleep(0.05)

    def __exit__(self, *exc):
        # Only our own lease: if ours expired and another worker holds the row now, its lease stays.
        OAuthToken.objects.filter(pk=self.token_id, lease_holder=self.holder).update(lease_until=None, lease_holder="")


def _fail(token: OAuthToken, error: errors.AlibabaError) -> OAuthToken:
    token.status = OAuthToken.Status.NEEDS_REAUTH
    token.last_error = str(error)[:300]
    token.save(update_fields=["status", "last_error"])
    # The e-mail goes from its own task, after the lease: no SMTP wait while the row is claimed.
    enqueue("token_reauth_notify", token.pk)
    return token


def token_reauth_notify(*, token_id: int) -> bool:
    """E-mail the owner of a connection that needs re-authorisation (nothing if it was renewed since)."""
    token = OAuthToken.objects.select_related("credential__owner").filter(pk=token_id).first()
    if token is None or token.status != OAuthToken.Status.NEEDS_REAUTH:
        return False
    owner = token.credential.owner
    if owner is None or not owner.email:
        return False
    with override(owner.reading_language):  # the owner's language, not the worker's
        send_mail(
            subject=_("Your 1688 connection for %(name)s needs to be renewed") % {"name": token.credential.name},
            message=_(
                "The 1688 account %(account)s connected to the credential %(name)s (App Key %(key)s) could not be "
                "renewed automatically. Searches and refreshes with it are paused.\n\n"
                "Open %(url)s and click “Connect 1688 account” to authorise it again."
            ) % {"account": token.resource_owner, "name": token.credential.name, "key": token.credential.app_key,
                 "url": f"{settings.SITE_URL}/connections/{token.credential_id}/"},
            from_email=None,
            recipient_list=[owner.email],
        )  # fmt: skip
    return True


def _renew(token: OAuthToken, call) -> OAuthToken:
    """Run a token call; store its answer, or mark the token for re-authorisation on a final refusal."""
    try:
        tokens = call(client_for(token.credential))
    except errors.TransientError:
        raise
    except errors.PostponeNotAllowed:
        return token  # too early to postpone: the token itself is fine
    except errors.AlibabaError as error:
        return _fail(token, error)
    _apply(token, tokens)
    token.save()
    return token


def token_refresh(*, token_id: int, stale_access: str | None = None, force: bool = False) -> OAuthToken:
    """Get a new access token, unless another worker already did; concurrent callers make one call."""
    with _Lease(token_id):
        token = OAuthToken.objects.select_related("credential__owner").get(pk=token_id)
        # Re-check after taking the lease: the token may have been renewed while we waited.
        if token.status in (OAuthToken.Status.REVOKED, OAuthToken.Status.NEEDS_REAUTH):
            return token
        if stale_access is not None and token.access_token != stale_access:
            return token
        margin = timedelta(seconds=settings.ALIBABA_REFRESH_MARGIN)
        if (
            stale_access is None
            and not force
            and token.access_expires_at
            and token.access_expires_at > timezone.now() + margin
        ):
            return token
        return _renew(token, lambda client: oauth.refresh(client, refresh_token=token.refresh_token))


def token_postpone(*, token_id: int) -> OAuthToken:
    """Extend the refresh token in its last 30 days (spec §5.5)."""
    with _Lease(token_id):
        token = OAuthToken.objects.select_related("credential__owner").get(pk=token_id)
        window = timedelta(days=30)
        if token.status != OAuthToken.Status.ACTIVE or not token.refresh_expires_at:
            return token
        if token.refresh_expires_at - timezone.now() > window:
            return token
        return _renew(
            token,
            lambda client: oauth.postpone(client, refresh_token=token.refresh_token, access_token=token.access_token),
        )


def tokens_due() -> tuple[list[int], list[int]]:
    """Ids of tokens whose access token expires soon, and of those whose refresh token is in its last 30 days."""
    now = timezone.now()
    live = OAuthToken.objects.filter(status__in=[OAuthToken.Status.ACTIVE, OAuthToken.Status.EXPIRING])
    refresh = live.filter(access_expires_at__lt=now + timedelta(seconds=settings.ALIBABA_REFRESH_MARGIN))
    postpone = live.filter(refresh_expires_at__lt=now + timedelta(days=30), refresh_expires_at__gt=now)
    return list(refresh.values_list("pk", flat=True)), list(postpone.values_list("pk", flat=True))
