"""Reads of alerts and notifications (each through the one door: 404 outside the team or the user)."""

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from sourcing.accounts.models import Membership, User
from sourcing.accounts.selectors import current_membership, get_team_object_for_user
from sourcing.alerts.models import Alert, Notification
from sourcing.catalog.models import Product
from sourcing.core.converters import parse_id
from sourcing.core.request_cache import cached
from sourcing.inquiries.models import Inquiry


def get_alert_for_user(user: User, pk) -> Alert:
    """The alert if the user is a member of its team (`.membership` set); 404 for anyone else."""
    alerts = Alert.objects.select_related("product", "sku", "list_item__product_list", "created_by")
    return get_team_object_for_user(user, alerts, pk, name="alert")


def get_notification_for_user(user: User, pk) -> Notification:
    """A notification of the user's own; 404 for anyone else's."""
    note_id = parse_id(pk)
    note = (
        Notification.objects.select_related("product").filter(pk=note_id, user_id=user.pk).first()
        if note_id and user.is_authenticated
        else None
    )
    if note is None:
        raise Http404("No such notification")
    return note


def team_alerts(user: User, *, membership: Membership | None = None) -> QuerySet[Alert]:
    membership = membership or current_membership(user)
    if membership is None:
        return Alert.objects.none()
    return Alert.objects.filter(team_id=membership.team_id).select_related(
        "product", "sku", "list_item__product_list", "created_by"
    )


def team_product_rows(team_id: int, product_id: int) -> tuple[bool, bool]:
    """Whether the team has (any inquiry, any alert) on the product: one plain query, once per request, before
    the product page's contact and alert boxes read theirs. Most offers have neither, and each read (a join of
    three tables) costs ~2.5 ms of ORM work for nothing."""

    def read():
        inquiries, alerts = Inquiry._meta.db_table, Alert._meta.db_table  # table names, not input
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT EXISTS (SELECT 1 FROM "{inquiries}" WHERE team_id = %s AND product_id = %s), '  # noqa: S608
                f'EXISTS (SELECT 1 FROM "{alerts}" WHERE team_id = %s AND product_id = %s)',
                [team_id, product_id, team_id, product_id],
            )
            found = cursor.fetchone()
        return bool(found[0]), bool(found[1])

    return cached(("team_product_rows", team_id, product_id), read)


def alerts_for_product(user: User, product: Product | None, *, membership=None) -> list[Alert]:
    if product is None:
        return []
    found = team_alerts(user, membership=membership).select_related(None)
    rows = list(found.select_related("sku", "list_item__product_list", "created_by").filter(product=product))
    for row in rows:
        row.product = product
    return rows


def notifications_for(user: User, limit: int = 100) -> list[Notification]:
    return list(Notification.objects.filter(user_id=user.pk).select_related("product", "team")[:limit])
