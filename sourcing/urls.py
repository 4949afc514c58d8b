from django.urls import path, re_path, register_converter

from sourcing.accounts.views import teams
from sourcing.accounts.views.site import favicon
from sourcing.alerts import views as alerts_views
from sourcing.api import urls as api_urls
from sourcing.api.errors import not_found as api_not_found
from sourcing.api.views import tokens as api_token_views
from sourcing.catalog.views import categories as catalog_categories
from sourcing.catalog.views import images as catalog_images
from sourcing.catalog.views import links as catalog_links
from sourcing.catalog.views import products as catalog_products
from sourcing.catalog.views import search as catalog
from sourcing.connections import views as conn
from sourcing.core.converters import IdConverter
from sourcing.inquiries import request_views as request_views
from sourcing.inquiries import views as inquiry_views
from sourcing.lists import import_views as lists_import_views
from sourcing.lists import request_views as lists_request_views
from sourcing.lists import views as lists_views
from sourcing.messages import views as message_views
from sourcing.orders.views import addresses as address_views
from sourcing.orders.views import landed as landed_views
from sourcing.orders.views import purchase as order_views
from sourcing.orders.views import quotes as quote_views
from sourcing.orders.views import receiving as receiving_views
from sourcing.orders.views import samples as sample_views
from sourcing.orders.views import scorecards as scorecard_views
from sourcing.webhooks import views as webhook_views

# Every id in a URL is <id:...>: an <int:...> past 2**63-1 would reach the database and fail there (500).
register_converter(IdConverter, "id")

urlpatterns = [
    path("", catalog.home, name="home"),
    path("accounts/signup/", teams.signup, name="signup"),
    path("teams/", teams.team_list, name="team_list"),
    path("teams/switch/", teams.team_switch, name="team_switch"),
    path("teams/<id:team_id>/", teams.team_detail, name="team_detail"),
    path("teams/<id:team_id>/invite/", teams.team_invite, name="team_invite"),
    path("teams/<id:team_id>/members/<id:member_id>/role/", teams.member_role, name="member_role"),
    path("teams/<id:team_id>/members/<id:member_id>/remove/", teams.member_remove, name="member_remove"),
    path(
        "teams/<id:team_id>/invitations/<id:invitation_id>/revoke/",
        teams.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invite/<str:token>/", teams.invitation_accept, name="invitation_accept"),
    # The catalog (docs/catalog.md): every page reads the local database and polls workers' jobs.
    path("products/", catalog.search, name="search"),
    path("products/fetch/", catalog.search_fetch, name="search_fetch"),
    path("products/links/fetch/", catalog_links.search_links_fetch, name="search_links_fetch"),
    path("search/", catalog.search_redirect, name="search_legacy"),
    path("searches/<id:search_id>/more/", catalog.search_more, name="search_more"),
    path("products/image/", catalog_images.image_search, name="image_search"),
    path("products/image/<id:search_id>/", catalog_images.image_results, name="image_results"),
    path("products/image/<id:search_id>/picture/", catalog_images.image_picture, name="image_picture"),
    path("products/<id:offer_id>/", catalog_products.product_detail, name="product"),
    path("products/<id:offer_id>/fetch/", catalog_products.product_fetch, name="product_fetch"),
    path("products/<id:offer_id>/same-item/", catalog_products.product_same_item, name="product_same_item"),
    path("products/<id:offer_id>/refresh/", catalog_products.product_refresh, name="product_refresh"),
    re_path(r"^products/(?P<raw>[^/]{1,200})/$", catalog_products.product_bad_id, name="product_bad_id"),
    path("suppliers/", catalog_products.supplier_list, name="suppliers"),
    path("suppliers/<id:pk>/", catalog_products.supplier_detail, name="supplier_detail"),
    path("suppliers/<id:pk>/fetch/", catalog_products.supplier_fetch, name="supplier_fetch"),
    path("categories/", catalog_categories.category_list, name="categories"),
    path("categories/<id:pk>/", catalog_categories.category_detail, name="category_detail"),
    path("categories/<id:pk>/fetch/", catalog_categories.category_fetch, name="category_fetch"),
    # Team lists (docs/lists.md): every list and item through the doors in selectors_lists.
    path("lists/", lists_views.list_index_view, name="lists"),
    path("lists/add/", lists_views.list_add, name="list_add"),
    path("lists/<id:list_id>/", lists_views.list_detail, name="list_detail"),
    path("lists/<id:list_id>/edit/", lists_views.list_edit, name="list_edit"),
    path("lists/<id:list_id>/copy/", lists_views.list_copy, name="list_copy"),
    path("lists/<id:list_id>/archive/", lists_views.list_archive, name="list_archive"),
    path("lists/<id:list_id>/delete/", lists_views.list_delete, name="list_delete"),
    path("lists/<id:list_id>/compare/", lists_views.list_compare, name="list_compare"),
    path("lists/<id:list_id>/request/", lists_request_views.list_request_new, name="list_request_new"),
    path("lists/<id:list_id>/export.csv", lists_views.list_export_csv, name="list_export_csv"),
    path("lists/<id:list_id>/export.xlsx", lists_views.list_export_xlsx, name="list_export_xlsx"),
    path("lists/<id:list_id>/import/", lists_import_views.list_import_start, name="list_import_start"),
    path("lists/<id:list_id>/imports/<id:import_id>/", lists_import_views.list_import_view, name="list_import"),
    path("lists/items/<id:item_id>/", lists_views.item_edit, name="item_edit"),
    path("lists/items/<id:item_id>/status/", lists_views.item_status, name="item_status"),
    path("lists/items/<id:item_id>/delete/", lists_views.item_delete, name="item_delete"),
    path("lists/items/<id:item_id>/swap/", lists_views.item_swap, name="item_swap"),
    path("lists/items/<id:item_id>/comment/", lists_views.item_comment, name="item_comment"),
    path("teams/<id:team_id>/currency/", lists_views.team_currency, name="team_currency"),
    # Buying (docs/buying.md): ship-to addresses through selectors_orders.get_address_for_user, quotes through the list.
    path("teams/<id:team_id>/addresses/", address_views.address_index, name="team_addresses"),
    path("teams/<id:team_id>/addresses/<id:address_id>/", address_views.address_edit, name="address_edit"),
    path(
        "teams/<id:team_id>/addresses/<id:address_id>/default/", address_views.address_default, name="address_default"
    ),
    path("teams/<id:team_id>/addresses/<id:address_id>/delete/", address_views.address_delete, name="address_delete"),
    # Landed cost (docs/buying.md, "Landed cost"): rate cards and duty rates through their doors, the rest via the list.
    path("teams/<id:team_id>/rate-cards/", landed_views.rate_card_index, name="team_rate_cards"),
    path("teams/<id:team_id>/rate-cards/<id:rate_card_id>/", landed_views.rate_card_edit, name="rate_card_edit"),
    path(
        "teams/<id:team_id>/rate-cards/<id:rate_card_id>/default/",
        landed_views.rate_card_default,
        name="rate_card_default",
    ),
    path(
        "teams/<id:team_id>/rate-cards/<id:rate_card_id>/delete/",
        landed_views.rate_card_delete,
        name="rate_card_delete",
    ),
    path("teams/<id:team_id>/duty-rates/", landed_views.duty_rate_index, name="team_duty_rates"),
    path("teams/<id:team_id>/duty-rates/<id:duty_id>/", landed_views.duty_rate_edit, name="duty_rate_edit"),
    path("teams/<id:team_id>/duty-rates/<id:duty_id>/delete/", landed_views.duty_rate_delete, name="duty_rate_delete"),
    path("lists/<id:list_id>/landed/", landed_views.list_landed, name="list_landed"),
    path("lists/<id:list_id>/landed/card/", landed_views.list_landed_card, name="list_landed_card"),
    path("lists/<id:list_id>/landed/duty/", landed_views.list_landed_duty, name="list_landed_duty"),
    path(
        "lists/<id:list_id>/landed/items/<id:item_id>/packing/",
        landed_views.list_landed_packing,
        name="list_landed_packing",
    ),
    path("lists/<id:list_id>/landed/estimate/", landed_views.list_landed_estimate, name="list_landed_estimate"),
    path(
        "lists/<id:list_id>/landed/estimate/progress/", landed_views.list_landed_progress, name="list_landed_progress"
    ),
    path("lists/<id:list_id>/quotes/", quote_views.list_quotes_view, name="list_quotes"),
    path("lists/<id:list_id>/quotes/start/", quote_views.quote_start_view, name="list_quote_start"),
    path("lists/<id:list_id>/quotes/panel/", quote_views.quote_panel, name="list_quote_panel"),
    path("lists/<id:list_id>/quotes/settings/", quote_views.quote_settings, name="list_quote_settings"),
    path("lists/<id:list_id>/quotes/runs/<id:run_id>/", quote_views.quote_run_progress, name="quote_run_progress"),
    # Samples and receiving (docs/buying.md): through get_sample_for_user / get_order_for_user, items through theirs.
    path("lists/items/<id:item_id>/samples/", sample_views.item_samples_panel, name="item_samples_panel"),
    path("lists/items/<id:item_id>/samples/request/", sample_views.sample_request_view, name="sample_request"),
    path("samples/<id:sample_id>/", sample_views.sample_detail, name="sample_detail"),
    path("samples/<id:sample_id>/quote/", sample_views.sample_quote, name="sample_quote"),
    path("samples/<id:sample_id>/ordered/", sample_views.sample_ordered, name="sample_ordered"),
    path("samples/<id:sample_id>/received/", sample_views.sample_received, name="sample_received"),
    path("samples/<id:sample_id>/decide/", sample_views.sample_decide_view, name="sample_decide"),
    path("samples/<id:sample_id>/photos/", sample_views.sample_photo_add_view, name="sample_photo_add"),
    path("samples/<id:sample_id>/photos/<id:photo_id>/", sample_views.sample_photo, name="sample_photo"),
    path("orders/<id:order_id>/receive/", receiving_views.order_receive, name="order_receive"),
    # Purchase orders (docs/buying.md, "Purchase orders"): each through get_order_for_user.
    path("lists/<id:list_id>/quotes/order/", order_views.order_draft, name="order_draft"),
    path("orders/", order_views.order_index, name="orders"),
    # Supplier scorecards (docs/buying.md, "Supplier scorecards"): the current team's own figures only.
    path("buying/suppliers/", scorecard_views.supplier_scorecards, name="supplier_scorecards"),
    path("orders/<id:order_id>/", order_views.order_detail, name="order_detail"),
    path("orders/<id:order_id>/status/", order_views.order_status, name="order_status"),
    path("orders/<id:order_id>/submit/", order_views.order_submit, name="order_submit"),
    path("orders/<id:order_id>/approve/", order_views.order_approve, name="order_approve"),
    path("orders/<id:order_id>/decline/", order_views.order_decline, name="order_decline"),
    path("orders/<id:order_id>/cancel/", order_views.order_cancel, name="order_cancel"),
    path("teams/<id:team_id>/buying/", order_views.buying_settings, name="buying_settings"),
    # Webhooks out (docs/webhooks.md): endpoints through get_endpoint_for_user, deliveries through theirs.
    path("teams/<id:team_id>/webhooks/", webhook_views.webhook_endpoints, name="webhook_endpoints"),
    path("teams/<id:team_id>/webhooks/<id:endpoint_id>/", webhook_views.webhook_endpoint, name="webhook_endpoint"),
    path("teams/<id:team_id>/webhooks/<id:endpoint_id>/test/", webhook_views.webhook_test, name="webhook_test"),
    path("teams/<id:team_id>/webhooks/<id:endpoint_id>/roll/", webhook_views.webhook_roll, name="webhook_roll"),
    path("teams/<id:team_id>/webhooks/<id:endpoint_id>/active/", webhook_views.webhook_active, name="webhook_active"),
    path("teams/<id:team_id>/webhooks/<id:endpoint_id>/delete/", webhook_views.webhook_delete, name="webhook_delete"),
    path(
        "teams/<id:team_id>/webhooks/<id:endpoint_id>/deliveries/<id:delivery_id>/replay/",
        webhook_views.webhook_replay,
        name="webhook_replay",
    ),
    # Contacting suppliers and alerts (docs/inquiries-alerts.md): through the doors in selectors_inquiries.
    path("inquiries/", inquiry_views.inquiry_index, name="inquiries"),
    path("inquiries/new/", inquiry_views.inquiry_new, name="inquiry_new"),
    path("inquiries/message/", inquiry_views.inquiry_message, name="inquiry_message"),
    path("inquiries/<id:inquiry_id>/", inquiry_views.inquiry_detail, name="inquiry_detail"),
    path("inquiries/<id:inquiry_id>/link/", inquiry_views.inquiry_link, name="inquiry_link"),
    path("inquiries/<id:inquiry_id>/sent/", inquiry_views.inquiry_sent, name="inquiry_sent"),
    path("inquiries/<id:inquiry_id>/reply/", inquiry_views.inquiry_reply, name="inquiry_reply"),
    path("inquiries/<id:inquiry_id>/close/", inquiry_views.inquiry_close, name="inquiry_close"),
    path("inquiries/<id:inquiry_id>/notes/", inquiry_views.inquiry_notes, name="inquiry_notes"),
    path("requests/<id:request_id>/", request_views.request_detail, name="request_detail"),
    path("alerts/", alerts_views.alert_index, name="alerts"),
    path("alerts/watch/", alerts_views.product_watch, name="product_watch"),
    path("alerts/<id:alert_id>/delete/", alerts_views.alert_delete, name="alert_delete"),
    path("notifications/", alerts_views.notification_list, name="notifications"),
    path("notifications/<id:notification_id>/", alerts_views.notification_open, name="notification_open"),
    path("connections/", conn.connection_list, name="connection_list"),
    path("connections/new/", conn.connection_new, name="connection_new"),
    path("connections/<id:pk>/", conn.connection_detail, name="connection_detail"),
    path("connections/<id:pk>/edit/", conn.connection_edit, name="connection_edit"),
    path("connections/<id:pk>/reveal/", conn.connection_reveal, name="connection_reveal"),
    path("connections/<id:pk>/reset-secret/", conn.connection_reset_secret, name="connection_reset_secret"),
    path("connections/<id:pk>/connect/", conn.connection_connect, name="connection_connect"),
    path("connections/<id:pk>/disconnect/", conn.connection_disconnect, name="connection_disconnect"),
    path("connections/<id:pk>/verify/", conn.connection_verify, name="connection_verify"),
    path("connections/<id:pk>/check-key/", conn.connection_check_key, name="connection_check_key"),
    path("connections/<id:pk>/delete/", conn.connection_delete, name="connection_delete"),
    path("connections/<id:pk>/permissions/<id:permission_id>/", conn.permission_status, name="permission_status"),
    path("auth/1688/callback", conn.oauth_callback, name="oauth_callback"),
    path("api-status/", conn.api_status, name="api_status"),
    path("api-status/check/", conn.api_status_check, name="api_status_check"),
    path("api-status/verify/", conn.api_status_verify, name="api_status_verify"),
    path("api-status/check/<id:check_id>/", conn.api_status_check_progress, name="api_status_check_progress"),
    # 1688 messages in (docs/1688-messages.md): one callback per credential, checked with its App Secret.
    path("hooks/1688/<id:credential_id>/", message_views.message_hook, name="message_hook"),
    path("favicon.ico", favicon, name="favicon"),
    # The team API (docs/api.md): /api/v1/ with its schema and docs; a team's tokens under its settings pages.
    *api_urls.patterns(),
    re_path(r"^api/", api_not_found),  # anything else under /api/ (a bad id too): a JSON 404
    path("teams/<id:team_id>/api-tokens/", api_token_views.token_index, name="api_tokens"),
    path("teams/<id:team_id>/api-tokens/<id:token_id>/revoke/", api_token_views.token_revoke, name="api_token_revoke"),
]
