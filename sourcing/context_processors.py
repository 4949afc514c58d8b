from sourcing.selectors import current_membership, memberships_of


def navigation(request):
    """The current team and the user's other teams, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from sourcing.models import OAuthToken

    broken = OAuthToken.objects.filter(credential__owner_id=user.pk, status=OAuthToken.Status.NEEDS_REAUTH)
    return {
        "current_membership": current_membership(user),
        "my_memberships": memberships_of(user),
        "tokens_needing_reauth": list(broken.select_related("credential")),
        "unread_notifications": unread_notifications(user),
    }


def unread_notifications(user) -> int:
    """The bell's count: the user's unread alert notifications."""
    from sourcing.selectors_inquiries import unread_count

    return unread_count(user)
