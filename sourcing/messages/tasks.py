"""Tasks of messages: apply one message, follow the watched offers, catch up from the message list."""

from celery import shared_task

from sourcing.alibaba.errors import TransientError
from sourcing.core.retry import RETRY
from sourcing.messages.services import apply, catchup, follow, inbox


@shared_task(name="sourcing.tasks.message_apply", bind=True, max_retries=5)
def message_apply(self, message_id: int) -> str:
    """Apply one stored message (claimed first, so a second run does nothing); out of retries, it has failed."""
    try:
        return apply.message_apply(message_id=message_id)
    except TransientError as error:
        if self.request.retries >= self.max_retries:
            apply.message_give_up(message_id=message_id, error=error)
            return "failed"
        raise self.retry(exc=error, countdown=2**self.request.retries) from None


@shared_task(name="sourcing.tasks.messages_follow_sync")
def messages_follow_sync() -> dict:
    """Beat: follow the watched offers not followed yet, unfollow those no longer watched (a batch a run)."""
    return follow.follows_sync()


@shared_task(name="sourcing.tasks.messages_catchup_due")
def messages_catchup_due() -> int:
    """Beat: queue a catch-up of every credential with messages set up."""
    ids = catchup.catchup_due()
    for credential_id in ids:
        messages_catchup.delay(credential_id)
    return len(ids)


@shared_task(name="sourcing.tasks.messages_catchup", **RETRY)
def messages_catchup(credential_id: int) -> int:
    """Store and confirm what the credential's message list holds that the callback missed (one run at a time)."""
    return catchup.messages_catch_up(credential_id=credential_id)


@shared_task(name="sourcing.tasks.messages_purge")
def messages_purge() -> int:
    """Beat: forget finished messages a day past MESSAGES_MAX_AGE_HOURS."""
    return inbox.messages_purge()
