"""Tasks of webhooks: one delivery attempt by id, and beat's sweep of due retries and failing endpoints."""

from celery import shared_task
from django.conf import settings

from sourcing.webhooks import services


@shared_task(name="sourcing.tasks.webhook_deliver", bind=True)
def webhook_deliver(self, delivery_id: int) -> float | None:
    """Send one attempt of a delivery (claimed first, so a second run sends nothing). A near retry is queued with
    its countdown; a later one (and any lost task) is picked up by `webhooks_deliver_due`."""
    retry_in = services.delivery_attempt(delivery_id=delivery_id)
    if retry_in is not None and retry_in <= settings.WEBHOOK_SWEEP_SECONDS * 4 and not self.request.is_eager:
        services.delivery_queued(delivery_id=delivery_id, seconds=retry_in)
        self.apply_async((delivery_id,), countdown=retry_in)
    return retry_in


@shared_task(name="sourcing.tasks.webhooks_deliver_due")
def webhooks_deliver_due() -> int:
    """Beat: queue the deliveries whose next attempt is due; disable endpoints failing for days."""
    services.endpoints_disable_failing()
    return services.deliveries_due()
