from types import SimpleNamespace

from sourcing.selectors import current_membership, memberships_of
from sourcing.selectors_inquiries import nav_state


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
