"""Quotes and purchase orders: quotes through their list's door, orders through `get_order_for_user` (404 outside
the token's team); asking 1688 for quotes, drafting and submitting orders through the orders' services (roles,
one live run per list, the team's approval threshold). Drafting and submitting need the "order" scope."""

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from sourcing.api.selectors import team_orders
from sourcing.api.serializers import OrderIn, OrderOut, QuoteIn, QuoteOut, QuoteRunOut
from sourcing.api.views.common import (
    PAGE_PARAMS,
    ApiView,
    errors,
    keyset,
    page_of,
    valid_body,
)
from sourcing.lists.selectors import get_list_for_user
from sourcing.orders.models import PurchaseOrder, PurchaseOrderLine, Quote
from sourcing.orders.selectors import get_address_for_user, get_order_for_user, get_run_for_list, list_quotes
from sourcing.orders.services import purchase, quotes


def quote_of(quote) -> dict:
    supplier = quote.supplier
    return {
        "id": quote.pk, "list": quote.product_list_id,
        "supplier": {"id": supplier.pk, "company_name": supplier.company_name} if supplier else None,
        "supplier_name": quote.supplier_name, "address_text": quote.address_text, "quoted_at": quote.quoted_at,
        "orderable": quote.orderable, "message": quote.message, "goods": quote.goods, "freight": quote.freight,
        "discount": quote.discount, "total": quote.total,
        "lines": [{
            "id": x.pk, "item": x.list_item_id, "offer_id": x.product.offer_id, "option_label": x.sku_label,
            "quantity": x.quantity, "listed_unit_price": x.listed_unit_price, "unit_price": x.unit_price,
            "amount": x.amount, "orderable": x.orderable, "reasons": [str(r) for r in x.reasons or []],
            "message": x.message,
        } for x in quote.all_lines],
    }  # fmt: skip


def run_of(run) -> dict:
    return {"id": run.pk, "list": run.product_list_id, "state": run.state, "groups_total": run.groups_total,
            "groups_done": run.groups_done, "message": run.message, "error_code": run.error_code,
            "created_at": run.created_at, "finished_at": run.finished_at}  # fmt: skip


def order_of(order) -> dict:
    cached = getattr(order, "_prefetched_objects_cache", {}).get("lines")
    lines = cached if cached is not None else order.lines.select_related("product").order_by("pk")
    return {
        "id": order.pk, "kind": order.kind, "state": order.state, "list": order.product_list_id,
        "quote": order.quote_id, "supplier_name": order.supplier_name, "address_text": order.address_text,
        "message": order.message, "goods": order.goods, "freight": order.freight, "discount": order.discount,
        "total": order.total, "alibaba_order_id": order.alibaba_order_id, "alibaba_status": order.alibaba_status,
        "error_message": order.error_message, "created_at": order.created_at, "updated_at": order.updated_at,
        "placed_at": order.placed_at,
        "lines": [{"id": x.pk, "offer_id": x.product.offer_id, "option_label": x.sku_label, "quantity": x.quantity,
                   "unit_price": x.unit_price, "amount": x.amount} for x in lines],
    }  # fmt: skip


class QuotesView(ApiView):
    @extend_schema(operation_id="quotes_list", tags=["buying"],
                   responses={200: QuoteOut(many=True), **errors(403, 404)},
                   summary="A list's current verified quotes (1688's order preview per supplier), newest first")  # fmt: skip
    def get(self, request, list_id):
        product_list = get_list_for_user(request.user, list_id)
        return Response(QuoteOut([quote_of(q) for q in list_quotes(product_list)], many=True).data)

    @extend_schema(operation_id="quotes_request", tags=["buying"], request=QuoteIn,
                   responses={202: QuoteRunOut, **errors(403, 404, 422)},
                   summary="Ask 1688 to quote the list (a worker does it: poll the run)")  # fmt: skip
    def post(self, request, list_id):
        product_list = get_list_for_user(request.user, list_id)
        data = valid_body(QuoteIn, request)
        address = get_address_for_user(request.user, data["address"]) if data.get("address") else None
        run = quotes.quote_start(actor=self.actor, product_list=product_list, address=address,
                                 item_ids=data.get("items") or None)  # fmt: skip
        return Response(QuoteRunOut(run_of(run)).data, status=202)


class QuoteRunView(ApiView):
    @extend_schema(operation_id="quote_runs_get", tags=["buying"], responses={200: QuoteRunOut, **errors(403, 404)},
                   summary="A request for quotes: queued, running, done or failed")  # fmt: skip
    def get(self, request, list_id, run_id):
        product_list = get_list_for_user(request.user, list_id)
        return Response(QuoteRunOut(run_of(get_run_for_list(product_list, run_id))).data)


class OrdersView(ApiView):
    scopes = {"POST": "order"}

    @extend_schema(operation_id="orders_list", tags=["buying"],
                   parameters=[*PAGE_PARAMS, OpenApiParameter("state", str, enum=PurchaseOrder.State.values)],
                   responses={200: page_of("OrderPage", OrderOut), **errors(400, 403)},
                   summary="The team's purchase orders, newest first")  # fmt: skip
    def get(self, request):
        rows, following = keyset(request, team_orders(self.team.pk, request.query_params.get("state", "")))
        lines = Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("product").order_by("pk"))
        prefetch_related_objects(rows, lines)  # one query for every order's lines
        return Response({"results": OrderOut([order_of(o) for o in rows], many=True).data, "next": following})

    @extend_schema(operation_id="orders_draft", tags=["buying"], request=OrderIn,
                   responses={201: OrderOut, **errors(403, 404, 422)},
                   summary="Draft a purchase order from a verified quote (scope: order)")  # fmt: skip
    def post(self, request):
        data = valid_body(OrderIn, request)
        product_list = get_list_for_user(request.user, data["list"])
        quote = Quote.objects.filter(pk=data["quote"], product_list=product_list).select_related("run").first()
        if quote is None:
            raise Http404
        order = purchase.order_draft(actor=self.actor, quote=quote, line_ids=data.get("lines") or None,
                                     message=data["message"])  # fmt: skip
        return Response(OrderOut(order_of(order)).data, status=201)


class OrderView(ApiView):
    @extend_schema(operation_id="orders_get", tags=["buying"], responses={200: OrderOut, **errors(403, 404)},
                   summary="A purchase order with its lines and 1688's status")  # fmt: skip
    def get(self, request, order_id):
        return Response(OrderOut(order_of(get_order_for_user(request.user, order_id))).data)


class OrderSubmitView(ApiView):
    scopes = {"POST": "order"}

    @extend_schema(operation_id="orders_submit", tags=["buying"], request=None,
                   responses={200: OrderOut, **errors(403, 404, 422)},
                   summary="Submit a draft: placed at once within the team's approval limit, else it waits for an "
                           "owner's or admin's approval on the portal (scope: order)")  # fmt: skip
    def post(self, request, order_id):
        order = get_order_for_user(request.user, order_id)
        order = purchase.order_submit(actor=self.actor, order=order, approve_own=False)
        return Response(OrderOut(order_of(order)).data)
