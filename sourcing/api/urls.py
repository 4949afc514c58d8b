"""/api/v1/: the team API (docs/api.md), its OpenAPI 3 schema and its docs (Swagger UI from this server's own files).

Plain patterns, spread into sourcing/urls.py (the URL walks read one flat list) once its <id:…> converter is
registered; anything else under /api/ is the JSON 404 there."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from sourcing.api.views import alerts, buying, catalog, lists

V = "api/v1/"
public = {"authentication_classes": [], "permission_classes": [AllowAny], "throttle_classes": []}


def patterns() -> list:
    return [
        path(V + "openapi.json", SpectacularJSONAPIView.as_view(**public), name="api_schema"),
        path(V + "docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema", **public), name="api_docs"),
        path(V + "products/<id:offer_id>/", catalog.ProductView.as_view(), name="api_product"),
        path(V + "suppliers/<id:supplier_id>/", catalog.SupplierView.as_view(), name="api_supplier"),
        path(V + "search/", catalog.SearchView.as_view(), name="api_search"),
        path(V + "search/fetch/", catalog.SearchFetchView.as_view(), name="api_search_fetch"),
        path(V + "jobs/<id:job_id>/", catalog.JobView.as_view(), name="api_job"),
        path(V + "lists/", lists.ListsView.as_view(), name="api_lists"),
        path(V + "lists/<id:list_id>/", lists.ListView.as_view(), name="api_list"),
        path(V + "lists/<id:list_id>/items/", lists.ItemsView.as_view(), name="api_items"),
        path(V + "items/<id:item_id>/", lists.ItemView.as_view(), name="api_item"),
        path(V + "lists/<id:list_id>/quotes/", buying.QuotesView.as_view(), name="api_quotes"),
        path(V + "lists/<id:list_id>/quote-runs/<id:run_id>/", buying.QuoteRunView.as_view(), name="api_quote_run"),
        path(V + "orders/", buying.OrdersView.as_view(), name="api_orders"),
        path(V + "orders/<id:order_id>/", buying.OrderView.as_view(), name="api_order"),
        path(V + "orders/<id:order_id>/submit/", buying.OrderSubmitView.as_view(), name="api_order_submit"),
        path(V + "alerts/", alerts.AlertsView.as_view(), name="api_alerts"),
        path(V + "alerts/<id:alert_id>/", alerts.AlertView.as_view(), name="api_alert"),
    ]
