"""Tasks of alerts: evaluation after a product changed, notification mail, daily digests."""

from celery import shared_task

from sourcing.alerts import services as alerts


@shared_task(name="sourcing.tasks.alerts_evaluate")
def alerts_evaluate(product_ids: list[int]) -> int:

    return alerts.alerts_evaluate(product_ids=product_ids)


@shared_task(
    name="sourcing.tasks.notification_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def notification_email(notification_id: int) -> bool:

    return alerts.notification_email_send(notification_id=notification_id)


@shared_task(name="sourcing.tasks.alerts_digest_due")
def alerts_digest_due() -> int:
    """Beat: queue today's digest of each user who asked for one (each claimed once per day)."""

    user_ids = alerts.digests_due()
    for user_id in user_ids:
        alerts_digest_send.delay(user_id)
    return len(user_ids)


@shared_task(
    name="sourcing.tasks.alerts_digest_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
)
def alerts_digest_send(user_id: int) -> int:

    return alerts.digest_send(user_id=user_id)
