"""Tasks of connections: token upkeep, permission checks, connection checks, the call log's purge."""

from celery import shared_task

from sourcing.alibaba.errors import TransientError
from sourcing.connections.services import checks, permissions, tokens, usage
from sourcing.core.retry import RETRY


@shared_task(name="sourcing.tasks.token_refresh", **RETRY)
def token_refresh(token_id: int) -> None:
    tokens.token_refresh(token_id=token_id)


@shared_task(name="sourcing.tasks.token_postpone", **RETRY)
def token_postpone(token_id: int) -> None:
    tokens.token_postpone(token_id=token_id)


@shared_task(name="sourcing.tasks.tokens_maintain")
def tokens_maintain() -> int:
    """Beat: refresh access tokens before they expire; postpone refresh tokens in their last 30 days."""
    refresh_ids, postpone_ids = tokens.tokens_due()
    for token_id in refresh_ids:
        token_refresh.delay(token_id)
    for token_id in postpone_ids:
        token_postpone.delay(token_id)
    return len(refresh_ids) + len(postpone_ids)


@shared_task(name="sourcing.tasks.permissions_verify", **RETRY)
def permissions_verify(credential_id: int) -> dict:
    return permissions.permissions_verify(credential_id=credential_id)


@shared_task(name="sourcing.tasks.check_run", bind=True, max_retries=4)
def check_run(self, check_id: int) -> None:
    """A check a person is watching: transient failures retry a few times, then the page says so."""
    try:
        checks.check_run(check_id=check_id)
    except TransientError as error:
        if self.request.retries >= self.max_retries:
            checks.check_give_up(check_id=check_id, error=error)
            return
        raise self.retry(exc=error, countdown=2**self.request.retries)


@shared_task(
    name="sourcing.tasks.token_reauth_notify",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def token_reauth_notify(token_id: int) -> bool:
    return tokens.token_reauth_notify(token_id=token_id)


@shared_task(name="sourcing.tasks.calllog_purge")
def calllog_purge() -> int:
    return usage.calllog_purge()
