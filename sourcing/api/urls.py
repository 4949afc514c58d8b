"""/api/v1/: the team API (docs/api.md), its OpenAPI 3 schema and its docs (Swagger UI from this server's files)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from sourcing.api.errors import not_found
from sourcing.api.views import alerts, buying, catalog, lists

public = {"authentication_classes": [], "permission_classes": [AllowAny], "throttle_classes": []}

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(**public), name="api_schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema", **public), name="api_docs"),
    path("products/<id:offer_id>/", catalog.ProductView.as_view(), name="api_product"),
    path("suppliers/<id:supplier_id>/", catalog.SupplierView.as_view(), name="api_supplier"),
    path("search/", catalog.SearchView.as_view(), name="api_search"),
    path("search/fetch/", catalog.SearchFetchView.as_view(), name="api_search_fetch"),
    path("jobs/<id:job_id>/", catalog.JobView.as_view(), name="api_job"),
    path("lists/", lists.ListsView.as_view(), name="api_lists"),
    path("lists/<id:list_id>/", lists.ListView.as_view(), name="api_list"),
    path("lists/<id:list_id>/items/", lists.ItemsView.as_view(), name="api_items"),
    path("items/<id:item_id>/", lists.ItemView.as_view(), name="api_item"),
    path("lists/<id:list_id>/quotes/", buying.QuotesView.as_view(), name="api_quotes"),
    path("lists/<id:list_id>/quote-runs/<id:run_id>/", buying.QuoteRunView.as_view(), name="api_quote_run"),
    path("orders/", buying.OrdersView.as_view(), name="api_orders"),
    path("orders/<id:order_id>/", buying.OrderView.as_view(), name="api_order"),
    path("orders/<id:order_id>/submit/", buying.OrderSubmitView.as_view(), name="api_order_submit"),
    path("alerts/", alerts.AlertsView.as_view(), name="api_alerts"),
    path("alerts/<id:alert_id>/", alerts.AlertView.as_view(), name="api_alert"),
    re_path(r"^.*$", not_found),  # anything else under /api/v1/ (a bad id too): a JSON 404
]
