"""Tasks of inquiries: the supplier's chat link."""

from celery import shared_task

from sourcing.alibaba.errors import TransientError
from sourcing.core.retry import backoff
from sourcing.inquiries import services as inquiries

RETRIES = 5


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
