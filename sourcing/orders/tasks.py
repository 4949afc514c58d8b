"""Tasks of buying: each takes ids; refusals end in plain words, transient errors retry."""

from celery import shared_task

from sourcing.alibaba.errors import TransientError
from sourcing.connections.services.ratelimit import RateLimitWait
from sourcing.core.retry import backoff, slot_due
from sourcing.orders.services import freight, quotes

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
