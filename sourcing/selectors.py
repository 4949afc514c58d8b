"""Reads that are more than one line, and the one door to team-owned objects."""

from django.http import Http404

from sourcing.models import Membership, User


def get_membership_for_user(user: User, team_id) -> Membership:
    """Return the user's membership in team `team_id`, or 404 for anyone outside it."""
    membership = (
        Membership.objects.select_related("team", "user").filter(user_id=user.pk, team_id=team_id).first()
        if user.is_authenticated and str(team_id).isdigit()
        else None
    )
    if membership is None:
        raise Http404("No such team")
    return membership


def current_membership(user: User) -> Membership | None:
    """The membership of the user's current team, falling back to their oldest team."""
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.select_related("team").filter(user_id=user.pk)
    if user.current_team_id:
        found = memberships.filter(team_id=user.current_team_id).first()
        if found:
            return found
    return memberships.order_by("created_at").first()


def memberships_of(user: User):
    return Membership.objects.select_related("team").filter(user_id=user.pk).order_by("team__name")
