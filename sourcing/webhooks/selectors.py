"""Reads of a team's webhooks, through the one door (404 outside the team)."""

from django.db.models import Count, Q
from django.http import Http404

from sourcing.accounts.models import User
from sourcing.accounts.selectors import get_team_object_for_user
from sourcing.webhooks.models import Delivery, Endpoint

Status = Delivery.Status


def get_endpoint_for_user(user: User, team_id, endpoint_id) -> Endpoint:
    """The endpoint if the user is a member of its team (and it is that team's), with `.membership`; else 404."""
    endpoint = get_team_object_for_user(user, Endpoint.objects.select_related("team"), endpoint_id, name="endpoint")
    if str(endpoint.team_id) != str(team_id):
        raise Http404("No such endpoint")
    return endpoint


def get_delivery_for_user(user: User, endpoint: Endpoint, delivery_id) -> Delivery:
    """The delivery if it is this endpoint's and the user is a member of its team; else 404."""
    found = get_team_object_for_user(user, Delivery.objects.select_related("endpoint", "event"), delivery_id,
                                     team_of=lambda d: d.endpoint.team_id, name="delivery")  # fmt: skip
    if found.endpoint_id != endpoint.pk:
        raise Http404("No such delivery")
    return found


def team_endpoints(team_id: int) -> list[Endpoint]:
    """The team's endpoints, each with its counts of deliveries by status."""
    return list(
        Endpoint.objects.filter(team_id=team_id).annotate(
            pending=Count("deliveries", filter=Q(deliveries__status=Status.PENDING)),
            failed=Count("deliveries", filter=Q(deliveries__status=Status.FAILED)),
            succeeded=Count("deliveries", filter=Q(deliveries__status=Status.SUCCEEDED)),
        )
    )


def endpoint_deliveries(endpoint: Endpoint, limit: int = 50) -> list[Delivery]:
    """The endpoint's latest deliveries with their events, newest first."""
    return list(endpoint.deliveries.select_related("event").order_by("-created_at", "-pk")[:limit])
