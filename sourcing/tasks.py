"""Thin Celery tasks: take ids, call one service; retry only on transient errors."""

from celery import shared_task

from sourcing.alibaba.errors import TransientError
from sourcing.services import permissions, teams, tokens, usage

RETRY = {"autoretry_for": (TransientError,), "retry_backoff": True, "retry_jitter": True, "max_retries": 5}


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def invitation_send(invitation_id: int) -> bool:
    return teams.invitation_send(invitation_id=invitation_id)


@shared_task
def invitations_purge_expired() -> int:
    return teams.invitations_purge_expired()


@shared_task(**RETRY)
def token_refresh(token_id: int) -> None:
    tokens.token_refresh(token_id=token_id)


@shared_task(**RETRY)
def token_postpone(token_id: int) -> None:
    tokens.token_postpone(token_id=token_id)


@shared_task
def tokens_maintain() -> int:
    """Beat: refresh access tokens before they expire; postpone refresh tokens in their last 30 days."""
    refresh_ids, postpone_ids = tokens.tokens_due()
    for token_id in refresh_ids:
        token_refresh.delay(token_id)
    for token_id in postpone_ids:
        token_postpone.delay(token_id)
    return len(refresh_ids) + len(postpone_ids)


@shared_task(**RETRY)
def permissions_verify(credential_id: int) -> dict:
    return permissions.permissions_verify(credential_id=credential_id)


@shared_task
def connection_check(check_id: int) -> None:
    permissions.connection_check_run(check_id=check_id)


@shared_task
def calllog_purge() -> int:
    return usage.calllog_purge()
