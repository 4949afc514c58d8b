"""Tasks of buying: each takes ids; refusals end in plain words, transient errors retry."""

from celery import shared_task
from django.conf import settings

from sourcing.alibaba.errors import TransientError
from sourcing.connections.services.ratelimit import RateLimitWait
from sourcing.core.retry import RETRY, backoff, slot_due
from sourcing.orders.services import freight, placement, purchase, quotes

QUOTE_RETRIES = 5


def _run(task, run_id: int) -> None:
    try:
        quotes.quote_run_execute(run_id=run_id)
    except RateLimitWait as error:
        # the app's next slot is seconds away: back to the queue, due then; the worker takes other work meanwhile
        quotes.run_requeue(run_id=run_id, error=error)
        raise task.retry(exc=error, countdown=slot_due(error), max_retries=task.request.retries + 1) from None
    except TransientError as error:
        if task.request.retries >= task.max_retries:
            quotes.run_give_up(run_id=run_id, error=error)
            return
        quotes.run_requeue(run_id=run_id, error=error)
        raise task.retry(exc=error, countdown=backoff(task.request.retries)) from None


@shared_task(name="sourcing.tasks.quote_run", bind=True, max_retries=QUOTE_RETRIES)
def quote_run(self, run_id: int) -> None:
    """A quote someone asked for (the interactive queue)."""
    _run(self, run_id)


@shared_task(name="sourcing.tasks.quote_requote", bind=True, max_retries=QUOTE_RETRIES)
def quote_requote(self, run_id: int) -> None:
    """The daily re-quote of an "ordering" list (the background queue)."""
    _run(self, run_id)


@shared_task(name="sourcing.tasks.quotes_requote_due")
def quotes_requote_due() -> int:
    """Beat: queue today's re-quote of each "ordering" list (each claimed once per 1688 day)."""
    return quotes.quotes_requote_due()


@shared_task(name="sourcing.tasks.freight_estimate", bind=True, max_retries=QUOTE_RETRIES)
def freight_estimate(self, list_id: int, user_id: int, credential_id: int, item_ids: list) -> None:
    """1688's freight estimates of a list's items (the interactive queue: someone pressed the button)."""
    try:
        freight.estimate_execute(list_id=list_id, user_id=user_id, credential_id=credential_id, item_ids=item_ids)
    except RateLimitWait as error:
        raise self.retry(exc=error, countdown=slot_due(error), max_retries=self.request.retries + 1) from None
    except TransientError as error:
        if self.request.retries >= self.max_retries:
            freight.estimate_give_up(list_id=list_id, item_ids=item_ids, error=error)
            return
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from None


# --- purchase orders (docs/buying.md, "Purchase orders") ---
PLACE_RETRIES = 12


@shared_task(name="sourcing.tasks.order_place", bind=True, max_retries=PLACE_RETRIES)
def order_place(self, order_id: int) -> str:
    """Place an approved order on 1688 exactly once (the interactive queue)."""
    try:
        return placement.placement_execute(order_id=order_id)
    except placement.PlacementWait as wait:
        # a lease held or an earlier attempt's answer still possible: not a failure, so it doesn't count
        raise self.retry(countdown=wait.seconds, max_retries=self.request.retries + 1) from None
    except RateLimitWait as error:
        raise self.retry(exc=error, countdown=slot_due(error), max_retries=self.request.retries + 1) from None
    except TransientError as error:
        if self.request.retries >= self.max_retries:
            placement.placement_give_up(order_id=order_id, error=error)
            return "gave up"
        # the next attempt looks the order up first, once the doubt delay has passed
        countdown = max(backoff(self.request.retries), settings.PLACEMENT_DOUBT_SECONDS)
        raise self.retry(exc=error, countdown=countdown) from None


@shared_task(name="sourcing.tasks.placements_sweep")
def placements_sweep() -> int:
    """Beat: queue again the placements whose worker's lease ran out."""
    return placement.placements_sweep()


@shared_task(name="sourcing.tasks.order_sync", **RETRY)
def order_sync(order_id: int) -> None:
    """Read an order's 1688 status, payment link and trace (someone has its page open, or it was just placed)."""
    purchase.order_sync(order_id=order_id)


@shared_task(name="sourcing.tasks.order_sync_background", **RETRY)
def order_sync_background(order_id: int) -> None:
    """The same read for beat's rounds (the background queue)."""
    purchase.order_sync(order_id=order_id)


@shared_task(name="sourcing.tasks.orders_sync_due")
def orders_sync_due() -> int:
    """Beat: queue a status read of each followed order not read lately."""
    return purchase.orders_sync_due()


@shared_task(name="sourcing.tasks.order_cancel", **RETRY)
def order_cancel(order_id: int, actor_id: int | None = None) -> str:
    """Cancel an unpaid order on 1688 (asked on its page)."""
    return purchase.order_cancel_execute(order_id=order_id, actor_id=actor_id)
