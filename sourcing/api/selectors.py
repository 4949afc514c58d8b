"""Reads of API tokens: a team's tokens, and the one door to a token (404 outside its team)."""

from django.http import Http404

from sourcing.accounts.models import User
from sourcing.accounts.selectors import get_team_object_for_user
from sourcing.api.models import ApiToken
from sourcing.orders.models import PurchaseOrder


def get_token_for_user(user: User, team_id, pk) -> ApiToken:
    """The token if it is team `team_id`'s and the user is a member of that team (`.membership` set); else 404."""
    tokens = ApiToken.objects.select_related("team", "created_by", "revoked_by")
    token = get_team_object_for_user(user, tokens, pk, name="token")
    if str(token.team_id) != str(team_id):
        raise Http404("No such token")
    return token


def team_tokens(team_id: int) -> list[ApiToken]:
    """The team's tokens, active ones first, newest first."""
    tokens = ApiToken.objects.filter(team_id=team_id).select_related("created_by", "revoked_by")
    return sorted(tokens.order_by("-created_at", "-pk"), key=lambda t: t.revoked_at is not None)


def team_orders(team_id: int, state: str = ""):
    """The team's purchase orders (of one state when it is one), for the API's pages; newest first by id."""
    orders = PurchaseOrder.objects.filter(team_id=team_id)
    if state in PurchaseOrder.State.values:
        orders = orders.filter(state=state)
    return orders.order_by("-pk")
