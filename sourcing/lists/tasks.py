"""Tasks of lists: an import of links or a file, by its id; transient 1688 errors retry the rows still waiting."""

from celery import shared_task

from sourcing.alibaba.errors import TransientError
from sourcing.connections.services.ratelimit import RateLimitWait
from sourcing.core.retry import backoff, slot_due
from sourcing.lists import imports

IMPORT_RETRIES = 5


@shared_task(name="sourcing.tasks.list_import_run", bind=True, max_retries=IMPORT_RETRIES)
def list_import_run(self, import_id: int) -> None:
    """Add an import's rows to its list, each with its result."""
    try:
        imports.import_run(import_id=import_id)
    except RateLimitWait as error:
        imports.import_requeue(import_id=import_id, error=error)
        raise self.retry(exc=error, countdown=slot_due(error), max_retries=self.request.retries + 1) from None
    except TransientError as error:
        if self.request.retries >= self.max_retries:
            imports.import_give_up(import_id=import_id, error=error)
            return
        imports.import_requeue(import_id=import_id, error=error)
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from None
