"""Tasks of inquiries: the supplier's chat link."""

from celery import shared_task

from sourcing.alibaba.errors import TransientError
from sourcing.core.retry import backoff
from sourcing.inquiries import batch
from sourcing.inquiries import services as inquiries

RETRIES = 5
POLL_SECONDS = 60  # the agent chats with the suppliers: minutes, not seconds
POLLS = 120  # two hours of polls, then the per-supplier inquiries stand alone


@shared_task(name="sourcing.tasks.inquiry_link_fetch", bind=True, max_retries=RETRIES)
def inquiry_link_fetch(self, inquiry_id: int) -> None:
    """Ask 1688 for an inquiry's WangWang chat link; after the retries, link the offer page."""
    try:
        inquiries.inquiry_link_run(inquiry_id=inquiry_id)
    except TransientError as error:
        if self.request.retries >= self.max_retries:
            inquiries.inquiry_link_give_up(inquiry_id=inquiry_id)
            return
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from None


@shared_task(name="sourcing.tasks.request_batch_ask", bind=True, max_retries=RETRIES)
def request_batch_ask(self, request_id: int) -> None:
    """Start 1688's batch inquiry for a request to many suppliers, then poll its result."""
    try:
        started = batch.request_batch_ask(request_id=request_id)
    except TransientError as error:
        if self.request.retries >= self.max_retries:
            batch.request_batch_give_up(request_id=request_id)
            return
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from None
    if started:
        request_batch_poll.apply_async(args=[request_id], countdown=POLL_SECONDS)


@shared_task(name="sourcing.tasks.request_batch_poll")
def request_batch_poll(request_id: int, attempt: int = 0) -> None:
    """Read the batch inquiry's result until the suppliers' answers are in (the agent takes minutes): each poll
    that finds them still answering queues the next one, up to POLLS."""
    try:
        done = batch.request_batch_poll(request_id=request_id)
    except TransientError:
        done = False
    if not done:
        if attempt >= POLLS:
            batch.request_batch_give_up(request_id=request_id)
            return
        request_batch_poll.apply_async(args=[request_id, attempt + 1], countdown=POLL_SECONDS)
