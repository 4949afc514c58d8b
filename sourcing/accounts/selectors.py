"""Reads of teams and memberships, and the one door to team-owned objects (404 outside the team)."""

from django.http import Http404

from sourcing.accounts.models import Membership, User
from sourcing.core.converters import parse_id
from sourcing.core.request_cache import cached


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


def get_team_object_for_user(user: User, queryset, pk, *, team_of=lambda obj: obj.team_id, name: str = "object"):
    """The object `pk` of `queryset` if the user is a member of its team, with `.membership` set; else 404.

    The one door to team-owned rows: lists, list items, inquiries and alerts go through it."""
    object_id = parse_id(pk) if user.is_authenticated else None
    found = queryset.filter(pk=object_id).first() if object_id else None
    # The user's memberships are read once per request (the navigation needs them too), so the door costs one query.
    team_id = team_of(found) if found is not None else None
    membership = next((m for m in memberships_of(user) if m.team_id == team_id), None) if team_id else None
    if membership is None:
        raise Http404(f"No such {name}")
    found.membership = membership
    return found


def current_membership(user: User) -> Membership | None:
    """The membership of the user's current team, falling back to their oldest team."""
    if not user.is_authenticated:
        return None
    return cached(("membership", user.pk, user.current_team_id), lambda: _current_membership(user))


def _current_membership(user: User) -> Membership | None:
    memberships = memberships_of(user)
    found = [m for m in memberships if m.team_id == user.current_team_id]
    return found[0] if found else min(memberships, key=lambda m: (m.created_at, m.pk), default=None)


def memberships_of(user: User) -> list[Membership]:
    """The user's memberships with their teams, by team name (one query per request)."""
    return cached(
        ("memberships", user.pk),
        lambda: list(Membership.objects.select_related("team").filter(user_id=user.pk).order_by("team__name", "pk")),
    )
