"""Tasks of accounts: invitation and password-reset mail, and purges."""

from celery import shared_task

from sourcing.accounts.services import password_reset, teams


@shared_task(
    name="sourcing.tasks.invitation_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def invitation_send(invitation_id: int) -> bool:
    return teams.invitation_send(invitation_id=invitation_id)


@shared_task(name="sourcing.tasks.invitations_purge_expired")
def invitations_purge_expired() -> int:
    return teams.invitations_purge_expired()


@shared_task(
    name="sourcing.tasks.password_reset_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def password_reset_send(request_id: int) -> int:
    """Mail the reset links of one "Forgot your password?" request (its row's id: never the link or token)."""
    return password_reset.password_reset_send(request_id=request_id)


@shared_task(name="sourcing.tasks.password_reset_purge")
def password_reset_purge() -> int:
    return password_reset.password_reset_purge()
