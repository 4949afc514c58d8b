"""Polling stays the fallback: offers that healthy messages cover are refreshed every MESSAGES_FALLBACK_HOURS."""

from datetime import datetime

from django.conf import settings

from sourcing.catalog.services.refresh import slower_pace
from sourcing.messages.selectors import covered_product_ids


@slower_pace
def messages_cover(now: datetime):
    return covered_product_ids(now), settings.MESSAGES_FALLBACK_HOURS
