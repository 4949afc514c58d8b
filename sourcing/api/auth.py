"""Who a request is: its bearer token (401 without a live one), what the token may do (its scopes: 403), and how
often (API_RATE_PER_MINUTE per token: 429 with Retry-After). Wired in settings.REST_FRAMEWORK."""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import BaseThrottle

from sourcing.accounts.models import Membership
from sourcing.api.services import rate_take, token_find, token_touch
from sourcing.core.request_cache import cached, drop


def pin_to_team(user, team_id: int) -> None:
    """Make the team of the token the user's only team for this request: the selectors' doors (which read the
    user's memberships once per request) then answer 404 for every other team's objects, the user's own other
    teams included, and "the current team" is the token's."""
    membership = Membership.objects.select_related("team").filter(user_id=user.pk, team_id=team_id).first()
    user.current_team_id = team_id  # in memory only, for this request
    drop(("memberships", user.pk))
    drop(("membership", user.pk, team_id))
    cached(("memberships", user.pk), lambda: [membership] if membership else [])


class TokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as “Authorization: Bearer pt_…”."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("That is not an API token.")) from None
        token = token_find(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is unknown or has been revoked."))
        user = token.created_by
        pin_to_team(user, token.team_id)
        token_touch(token)
        return user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def scope_needed(request, view) -> str:
    """The scope a request needs: the view's own for its method, else read for reads and write for the rest."""
    wanted = getattr(view, "scopes", {}) or {}
    if request.method in wanted:
        return wanted[request.method]
    return "read" if request.method in SAFE_METHODS else "write"


class HasScope(BasePermission):
    def has_permission(self, request, view):
        token = request.auth
        if token is None:
            raise exceptions.NotAuthenticated(_("Send an API token: “Authorization: Bearer pt_…”."))
        scope = scope_needed(request, view)
        if not token.has_scope(scope):
            raise exceptions.PermissionDenied(
                _("This token lacks the “%(scope)s” scope. Make a token with it on the team's API tokens page.")
                % {"scope": scope}
            )
        return True


class TokenRate(BaseThrottle):
    """API_RATE_PER_MINUTE requests a minute per token, counted atomically in the cache (services.rate_take)."""

    def allow_request(self, request, view):
        self.retry_after = rate_take(request.auth) if request.auth is not None else 0
        return self.retry_after == 0

    def wait(self):
        return self.retry_after


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme, so the docs' "Authorize" button takes a token."""

    target_class = "sourcing.api.auth.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "pt_…",
                "description": "A team's API token (the team's page → API tokens)."}  # fmt: skip
