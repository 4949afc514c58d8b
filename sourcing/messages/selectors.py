"""Reads of the message feeds: which credentials have messages set up and healthy, and a credential's box."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from sourcing.messages.models import Follow, InboundMessage, MessageFeed

SET_UP = Q(first_message_at__isnull=False) | Q(catchup_ok_at__isnull=False)


def set_up_feeds() -> QuerySet:
    """Feeds set up: a signed message arrived on the callback, or the app's message list was read."""
    return MessageFeed.objects.filter(SET_UP)


def healthy_feeds(now: datetime | None = None) -> QuerySet:
    """Feeds set up whose catch-up read the list, or whose callback received a message, lately."""
    since = (now or timezone.now()) - timedelta(seconds=settings.MESSAGES_HEALTHY_SECONDS)
    return set_up_feeds().filter(Q(catchup_ok_at__gte=since) | Q(last_pushed_at__gte=since))


def covered_product_ids(now: datetime | None = None) -> QuerySet:
    """Products followed by a credential whose messages are healthy: messages tell their stock, edits and listing."""
    return Follow.objects.filter(
        state=Follow.State.FOLLOWING, credential_id__in=healthy_feeds(now).values("credential_id")
    ).values("product_id")


def feed_summary(credential_id: int) -> dict:
    """What the credential page shows about its messages."""
    feed = MessageFeed.objects.filter(credential_id=credential_id).first()
    healthy = feed is not None and healthy_feeds().filter(pk=feed.pk).exists()
    return {
        "feed": feed,
        "healthy": healthy,
        "following": Follow.objects.filter(credential_id=credential_id, state=Follow.State.FOLLOWING).count(),
        "waiting": InboundMessage.objects.filter(credential_id=credential_id, state=InboundMessage.State.NEW).count(),
    }
