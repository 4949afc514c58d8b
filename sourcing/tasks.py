"""Every Celery task, for Celery's autodiscovery (it imports `sourcing.tasks`): each domain keeps its own in
its tasks.py, named "sourcing.tasks.<name>" so beat, routes and queued messages keep their names; the demo's two
tasks live here. Services hand work to tasks by name (sourcing.core.enqueue), never by importing them."""

from celery import shared_task

from sourcing.accounts.tasks import (  # noqa: F401 - registered and reachable as sourcing.tasks.<name>
    invitation_send,
    invitations_purge_expired,
    password_reset_purge,
    password_reset_send,
)
from sourcing.alerts.tasks import (  # noqa: F401
    alerts_digest_due,
    alerts_digest_send,
    alerts_evaluate,
    notification_email,
)
from sourcing.catalog.tasks import (  # noqa: F401
    _catalog_job,
    catalog_categories_fetch,
    catalog_image_search,
    catalog_jobs_dispatch,
    catalog_product_fetch,
    catalog_product_refresh,
    catalog_refresh_due,
    catalog_same_item,
    catalog_search_fetch,
    catalog_supplier_offers,
    catalog_unknown_details,
)
from sourcing.connections.tasks import (  # noqa: F401
    calllog_purge,
    check_run,
    permissions_verify,
    token_postpone,
    token_reauth_notify,
    token_refresh,
    tokens_maintain,
)
from sourcing.inquiries.tasks import inquiry_link_fetch, request_batch_ask, request_batch_poll  # noqa: F401
from sourcing.lists.tasks import list_import_run  # noqa: F401
from sourcing.messages.tasks import (  # noqa: F401
    message_apply,
    messages_catchup,
    messages_catchup_due,
    messages_follow_sync,
    messages_purge,
)
from sourcing.orders.tasks import (  # noqa: F401
    freight_estimate,
    order_cancel,
    order_place,
    order_sync,
    order_sync_background,
    orders_sync_due,
    placements_sweep,
    quote_requote,
    quote_run,
    quotes_requote_due,
)
from sourcing.webhooks.tasks import webhook_deliver, webhooks_deliver_due  # noqa: F401


# --- the demo ---
@shared_task(name="sourcing.tasks.demo_lists_fill", bind=True, max_retries=90)
def demo_lists_fill(self) -> bool:
    """The demo's lists hold offers the warm searches bring in: wait for them (10 s apart, 15 minutes at most)."""
    from sourcing.management.commands.demo_data import demo_lists_fill as fill

    if not fill():
        raise self.retry(countdown=10)
    return True


@shared_task(name="sourcing.tasks.demo_market_moves", bind=True, max_retries=120)
def demo_market_moves(self) -> bool:
    """The demo's price moves and fired alerts: wait for the listed offers' details (10 s apart, 20 minutes at most)."""
    from sourcing.management.commands.demo_data import demo_market_moves as moves

    if not moves():
        raise self.retry(countdown=10)
    return True
