"""The sandbox's background work as a Celery task, for the demo's beat (portal/settings.py, "sandbox-messages").

The sandbox stands in for 1688's servers inside the portal's processes in development; the portal's own
code never imports this module (the import contracts in pyproject.toml), beat names it by its path.
"""

from celery import shared_task


@shared_task(ignore_result=True, expires=30)
def messages_pump():
    """Announce the drift and retry due message deliveries (sandbox/delivery.py)."""
    from .delivery import pump

    return pump()
