"""The navigation's per-user cached state (bell count, connections to renew): its key, and forgetting it."""

from portal.cache import forget

NAV_SECONDS = 60  # a backstop: every write that changes them forgets them at once (apps.py, notifications_mark_read)


def nav_key(user_id: int) -> str:
    return f"nav:{user_id}"


def forget_nav(user_id) -> None:
    """The user's bell or renew banner changed."""
    if user_id is not None:
        forget(nav_key(user_id))
