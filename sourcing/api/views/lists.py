"""Lists and items: read through the lists' doors (`get_list_for_user`, `get_item_for_user`: 404 outside the
token's team), written through the lists' services (roles, activity, caps, optimistic edits)."""

from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from sourcing.api.serializers import FetchOut, ItemIn, ItemOut, ItemPatch, ListIn, ListOut, ListPatch, PriceOut
from sourcing.api.views.catalog import job_of
from sourcing.api.views.common import (
    PAGE_PARAMS,
    ApiView,
    errors,
    keyset,
    page_of,
    valid_body,
)
from sourcing.catalog.links import offer_in_cell
from sourcing.catalog.models import Product
from sourcing.catalog.services.offers import product_fetch_start
from sourcing.lists import services
from sourcing.lists.models import ListItem, ProductList
from sourcing.lists.selectors import get_item_for_user, get_list_for_user, item_quote, lists_for_user


def list_of(product_list: ProductList, items_count: int | None = None) -> dict:
    if items_count is None:
        items_count = product_list.items.count()
    by = product_list.created_by
    return {
        "id": product_list.pk, "name": product_list.name, "description": product_list.description,
        "archived": product_list.archived_at is not None, "items_count": items_count,
        "created_by": {"id": by.pk, "username": by.username} if by else None,
        "created_at": product_list.created_at, "updated_at": product_list.updated_at,
    }  # fmt: skip


def item_of(item: ListItem) -> dict:
    return {
        "id": item.pk, "list": item.product_list_id, "offer_id": item.product.offer_id,
        "title": item.product.display_title, "option": item.sku_id, "option_label": item.sku_label,
        "quantity": item.target_quantity, "target_price": item.target_price, "note": item.note,
        "status": item.status, "version": item.version, "price": PriceOut.of(item_quote(item)),
        "created_at": item.created_at, "updated_at": item.updated_at,
    }  # fmt: skip


class ListsView(ApiView):
    @extend_schema(operation_id="lists_list", tags=["lists"], responses={200: page_of("ListPage", ListOut), **errors(400, 403)},
                   parameters=[*PAGE_PARAMS, OpenApiParameter("archived", bool, description="Only archived lists")],
                   summary="The team's lists, newest first")  # fmt: skip
    def get(self, request):
        archived = str(request.query_params.get("archived", "")).lower() in ("1", "true", "yes")
        lists = lists_for_user(request.user, archived=archived).select_related("created_by")
        rows, following = keyset(request, lists.annotate(n_items=Count("items")))
        return Response({"results": ListOut([list_of(x, x.n_items) for x in rows], many=True).data, "next": following})

    @extend_schema(operation_id="lists_create", tags=["lists"], request=ListIn,
                   responses={201: ListOut, **errors(403, 409, 422)}, summary="Create a list")  # fmt: skip
    def post(self, request):
        data = valid_body(ListIn, request)
        product_list = services.list_create(actor=self.actor, team=self.team, name=data["name"],
                                            description=data["description"])  # fmt: skip
        return Response(ListOut(list_of(product_list, 0)).data, status=201)


class ListView(ApiView):
    @extend_schema(
        operation_id="lists_get", tags=["lists"], responses={200: ListOut, **errors(403, 404)}, summary="A list"
    )
    def get(self, request, list_id):
        return Response(ListOut(list_of(get_list_for_user(request.user, list_id))).data)

    @extend_schema(operation_id="lists_update", tags=["lists"], request=ListPatch,
                   responses={200: ListOut, **errors(403, 404, 409, 422)},
                   summary="Rename, describe, archive or bring back a list")  # fmt: skip
    def patch(self, request, list_id):
        product_list = get_list_for_user(request.user, list_id)
        data = valid_body(ListPatch, request)
        if "name" in data or "description" in data:
            product_list = services.list_update(
                actor=self.actor,
                product_list=product_list,
                name=data.get("name", product_list.name),
                description=data.get("description", product_list.description),
            )
        if "archived" in data and data["archived"] != (product_list.archived_at is not None):
            product_list = services.list_archive(actor=self.actor, product_list=product_list,
                                                 archived=data["archived"])  # fmt: skip
        return Response(ListOut(list_of(product_list)).data)

    @extend_schema(operation_id="lists_delete", tags=["lists"], responses={204: None, **errors(403, 404)},
                   summary="Delete a list with its items (a token made by an owner or admin)")  # fmt: skip
    def delete(self, request, list_id):
        product_list = get_list_for_user(request.user, list_id)
        services.list_delete(actor=self.actor, product_list=product_list)
        return Response(status=204)


class ItemsView(ApiView):
    @extend_schema(operation_id="items_list", tags=["lists"], parameters=PAGE_PARAMS,
                   responses={200: page_of("ItemPage", ItemOut), **errors(400, 403, 404)},
                   summary="A list's items, newest first, each priced at its quantity for its option")  # fmt: skip
    def get(self, request, list_id):
        product_list = get_list_for_user(request.user, list_id)
        items = ListItem.objects.filter(product_list=product_list).select_related("product", "sku")
        rows, following = keyset(request, items)
        return Response({"results": ItemOut([item_of(i) for i in rows], many=True).data, "next": following})

    @extend_schema(
        operation_id="items_add", tags=["lists"], request=ItemIn,
        responses={201: ItemOut, 200: OpenApiResponse(ItemOut, description="The offer was on the list already"),
                   202: OpenApiResponse(FetchOut, description="The offer is not in the portal yet: a worker fetches "
                                        "it; add it again once the job is done"),
                   **errors(403, 404, 409, 422)},
        summary="Add an offer (its id or link) with a quantity and an option",
    )  # fmt: skip
    def post(self, request, list_id):
        product_list = get_list_for_user(request.user, list_id)
        data = valid_body(ItemIn, request)
        offer_id, _piece = offer_in_cell(data["offer"])
        if offer_id is None:
            raise services.ListError(_("“offer” is neither a 1688 offer id nor an offer's link."))
        product = Product.objects.filter(offer_id=offer_id).first()
        if product is None:
            started = product_fetch_start(user=self.actor, offer_id=offer_id, product=None)
            if started.job is None:
                raise services.ListError(started.error or started.notice
                                                 or _("The portal could not fetch this offer."))  # fmt: skip
            return Response(FetchOut({"status": "pending", "job": job_of(started.job), "notice": ""}).data, status=202)
        item, created = services.item_add(
            actor=self.actor,
            product_list=product_list,
            product=product,
            sku=data.get("option"),
            target_quantity=data.get("quantity"),
            target_price=data.get("target_price"),
            note=data["note"],
        )
        return Response(ItemOut(item_of(item)).data, status=201 if created else 200)


class ItemView(ApiView):
    @extend_schema(operation_id="items_get", tags=["lists"], responses={200: ItemOut, **errors(403, 404)},
                   summary="An item, priced at its quantity for its option")  # fmt: skip
    def get(self, request, item_id):
        return Response(ItemOut(item_of(get_item_for_user(request.user, item_id))).data)

    @extend_schema(operation_id="items_update", tags=["lists"], request=ItemPatch,
                   responses={200: ItemOut, **errors(403, 404, 409, 422)},
                   summary="Change an item's quantity, option, target price, note or status")  # fmt: skip
    def patch(self, request, item_id):
        item = get_item_for_user(request.user, item_id)
        data = valid_body(ItemPatch, request)
        names = {"quantity": "target_quantity", "option": "sku", "target_price": "target_price", "note": "note"}
        changes = {names[k]: v for k, v in data.items() if k in names}
        if changes:
            item = services.item_update(actor=self.actor, item=item, version=data.get("version", item.version),
                                        changes=changes)  # fmt: skip
        if "status" in data:
            item = services.item_set_status(actor=self.actor, item=item, status=data["status"])
        return Response(ItemOut(item_of(get_item_for_user(request.user, item.pk))).data)

    @extend_schema(operation_id="items_delete", tags=["lists"], responses={204: None, **errors(403, 404)},
                   summary="Take an item off its list (a token made by an owner or admin)")  # fmt: skip
    def delete(self, request, item_id):
        item = get_item_for_user(request.user, item_id)
        services.item_remove(actor=self.actor, item=item)
        return Response(status=204)
