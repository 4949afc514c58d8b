"""Thin Celery tasks: take ids, call one service."""

from celery import shared_task

from sourcing.services import teams


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5, acks_late=True)
def invitation_send(invitation_id: int) -> bool:
    return teams.invitation_send(invitation_id=invitation_id)


@shared_task
def invitations_purge_expired() -> int:
    return teams.invitations_purge_expired()
