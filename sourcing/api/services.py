"""Every write to API tokens, and the checks a request's token goes through (docs/api.md).

A token is shown once, when it is made; the database keeps its SHA-256 digest and a non-secret key id to find
it by. Owners and admins make and revoke a team's tokens; the API acts as the token's maker within its team.
"""

import hashlib
import hmac
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.accounts.models import Membership, Team, User
from sourcing.api.models import SCOPES, ApiToken

PREFIX = "pt_"
TOUCH_SECONDS = 60  # last_used_at is written at most once a minute per token


class TokenError(Exception):
    """A token change that was refused; the message is shown as it is."""


class TokenForbidden(TokenError):
    """Only a team's owners and admins manage its tokens (pages answer 403)."""


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _require_manager(actor: User, team_id: int) -> Membership:
    membership = Membership.objects.filter(user_id=actor.pk, team_id=team_id).first()
    if membership is None or not membership.can_manage_members:
        raise TokenForbidden(_("Only the team's owners and admins can make and revoke API tokens."))
    return membership


def clean_scopes(scopes) -> list[str]:
    wanted = {str(s) for s in (scopes or [])}
    unknown = wanted - set(SCOPES)
    if unknown:
        raise TokenError(_("Unknown scope: %(s)s.") % {"s": ", ".join(sorted(unknown))[:100]})
    if not wanted:
        raise TokenError(_("Pick at least one scope."))
    return [s for s in SCOPES if s in wanted]


def token_create(*, actor: User, team: Team, name: str, scopes) -> tuple[ApiToken, str]:
    """A new token of `team` (owners and admins): (row, the token itself, to show once and never again)."""
    _require_manager(actor, team.pk)
    name = " ".join(str(name or "").split())[:80]
    if not name:
        raise TokenError(_("Name the token after the system that will use it, like “ERP sync”."))
    scopes = clean_scopes(scopes)
    with transaction.atomic():
        Team.objects.select_for_update().filter(pk=team.pk).first()  # two clicks can't both take the last place
        live = ApiToken.objects.filter(team=team, revoked_at__isnull=True).count()
        if live >= settings.API_TOKENS_PER_TEAM_MAX:
            raise TokenError(_("Your team has %(n)s active tokens, the most it may keep: revoke one first.")
                             % {"n": live})  # fmt: skip
        key_id = secrets.token_hex(6)
        raw = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        token = ApiToken.objects.create(team=team, name=name, key_id=key_id, digest=digest_of(raw), scopes=scopes,
                                        created_by=actor)  # fmt: skip
    return token, raw


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token (owners and admins): refused from its next request on; revoking twice changes nothing."""
    _require_manager(actor, token.team_id)
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=actor)
    token.refresh_from_db()
    return token


def token_find(raw: str) -> ApiToken | None:
    """The live token this text is, with its team and maker loaded; None for anything else (a revoked token, a
    wrong secret, a maker who has left the team or whose account is deactivated). The digest comparison takes the same time however it differs."""
    raw = str(raw or "").strip()
    if not raw.startswith(PREFIX) or len(raw) > 200 or not raw.isascii():
        return None
    key_id = raw[len(PREFIX) :].split("_", 1)[0]
    if not key_id or len(key_id) > 16:
        return None
    token = ApiToken.objects.select_related("team", "created_by").filter(key_id=key_id).first()
    if token is None or not hmac.compare_digest(token.digest, digest_of(raw)):
        return None
    if token.revoked_at is not None or token.created_by_id is None or not token.created_by.is_active:
        return None  # revoked, or its maker's account was deleted or deactivated (locked out everywhere)
    if not Membership.objects.filter(user_id=token.created_by_id, team_id=token.team_id).exists():
        return None  # its maker left the team: the token goes with them
    return token


def token_touch(token: ApiToken) -> None:
    """Note when the token was last used (one conditional UPDATE, at most once a minute)."""
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - timedelta(seconds=TOUCH_SECONDS))
    ).update(last_used_at=now)


def rate_take(token: ApiToken) -> int:
    """Count one request against the token's minute; 0 when it may go on, else the seconds until the next minute.

    One atomic increment in the cache (Redis INCR with REDIS_URL), keyed by the token and the minute."""
    now = time.time()
    minute = int(now // 60)
    key = f"api-rate:{token.pk}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=120)
        count = 1
    if count <= settings.API_RATE_PER_MINUTE:
        return 0
    return max(1, int((minute + 1) * 60 - now + 0.999))
