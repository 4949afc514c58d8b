"""What every page's navigation shows: the current team, the user's teams, the bell and connections to renew."""

from types import SimpleNamespace

from portal.cache import page_cache
from sourcing.accounts.selectors import current_membership, memberships_of
from sourcing.alerts.models import Notification
from sourcing.connections.models import OAuthToken
from sourcing.core.nav import NAV_SECONDS, nav_key


def nav_state(user_id: int) -> tuple[int, list[tuple[int, str]]]:
    """The bell's unread count and the (credential id, name) of 1688 connections to renew, cached per user:
    every page shows them, and they change seldom."""
    key = nav_key(user_id)
    state = page_cache.get(key)
    if state is None:
        unread = Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()
        broken = OAuthToken.objects.filter(credential__owner_id=user_id, status=OAuthToken.Status.NEEDS_REAUTH)
        state = (unread, list(broken.values_list("credential_id", "credential__name")))
        page_cache.set(key, state, NAV_SECONDS)
    return state


def navigation(request):
    """The current team and the user's other teams, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    unread, broken = nav_state(user.pk)
    return {
        "current_membership": current_membership(user),
        "my_memberships": memberships_of(user),
        "tokens_needing_reauth": [
            SimpleNamespace(credential_id=pk, credential=SimpleNamespace(name=name)) for pk, name in broken
        ],  # fmt: skip
        "unread_notifications": unread,
    }
