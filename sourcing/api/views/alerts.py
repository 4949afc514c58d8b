"""Alerts: read through `team_alerts` and `get_alert_for_user` (404 outside the token's team), made and deleted
through the alerts' services."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from sourcing.alerts import services
from sourcing.alerts.selectors import get_alert_for_user, team_alerts
from sourcing.api.serializers import AlertIn, AlertOut
from sourcing.api.views.common import (
    PAGE_PARAMS,
    ApiView,
    errors,
    keyset,
    page_of,
    valid_body,
)
from sourcing.catalog.models import Product, Sku
from sourcing.lists.selectors import get_item_for_user


def alert_of(alert) -> dict:
    return {"id": alert.pk, "kind": alert.kind, "offer_id": alert.product.offer_id, "option": alert.sku_id,
            "item": alert.list_item_id, "threshold": alert.threshold, "notify_team": alert.notify_team,
            "active": alert.active, "armed": alert.armed, "last_value": alert.last_value,
            "fired_count": alert.fired_count, "last_fired_at": alert.last_fired_at,
            "created_at": alert.created_at}  # fmt: skip


class AlertsView(ApiView):
    @extend_schema(operation_id="alerts_list", tags=["alerts"], parameters=PAGE_PARAMS,
                   responses={200: page_of("AlertPage", AlertOut), **errors(400, 403)},
                   summary="The team's alerts, newest first")  # fmt: skip
    def get(self, request):
        rows, following = keyset(request, team_alerts(request.user))
        return Response({"results": AlertOut([alert_of(a) for a in rows], many=True).data, "next": following})

    @extend_schema(operation_id="alerts_create", tags=["alerts"], request=AlertIn,
                   responses={201: AlertOut, **errors(403, 404, 422)},
                   summary="Alert the team when an offer's price crosses a threshold, it sells out, comes back or is "
                           "delisted")  # fmt: skip
    def post(self, request):
        data = valid_body(AlertIn, request)
        product = Product.objects.filter(offer_id=data["offer_id"]).first()
        if product is None:
            raise Http404
        item = get_item_for_user(request.user, data["item"]) if data.get("item") else None
        sku = Sku.objects.filter(pk=data["option"], product=product).first() if data.get("option") else None
        if data.get("option") and sku is None:
            raise services.AlertError(_("“option” is not one of this offer's options."))
        alert = services.alert_create(actor=self.actor, team=self.team, product=product, kind=data["kind"],
                                      threshold=data.get("threshold"), list_item=item, sku=sku,
                                      notify_team=data["notify_team"])  # fmt: skip
        return Response(AlertOut(alert_of(alert)).data, status=201)


class AlertView(ApiView):
    @extend_schema(
        operation_id="alerts_get", tags=["alerts"], responses={200: AlertOut, **errors(403, 404)}, summary="An alert"
    )
    def get(self, request, alert_id):
        return Response(AlertOut(alert_of(get_alert_for_user(request.user, alert_id))).data)

    @extend_schema(operation_id="alerts_delete", tags=["alerts"], responses={204: None, **errors(403, 404)},
                   summary="Delete an alert")  # fmt: skip
    def delete(self, request, alert_id):
        alert = get_alert_for_user(request.user, alert_id)
        services.alert_delete(actor=self.actor, alert=alert)
        return Response(status=204)
