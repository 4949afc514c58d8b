"""The credential page's "1688 messages" box (connections never import messages: the template loads this tag)."""

from django import template
from django.conf import settings
from django.urls import reverse

from sourcing.messages.selectors import feed_summary
from sourcing.messages.topics import SUBSCRIBE

register = template.Library()


@register.inclusion_tag("sourcing/messages/_credential_box.html")
def credential_messages(credential, is_owner=False):
    """Where 1688 should send this credential's messages, which topics to subscribe to, and how the feed is doing."""
    summary = feed_summary(credential.pk)
    feed = summary["feed"]
    contacts = [t for t in (feed.last_message_at, feed.catchup_ok_at) if t] if feed else []
    return {**summary, "last_contact": max(contacts, default=None), "credential": credential, "is_owner": is_owner, "topics": SUBSCRIBE,
            "hook_url": settings.SITE_URL + reverse("message_hook", args=[credential.pk]),
            "fallback_hours": settings.MESSAGES_FALLBACK_HOURS,
            "refresh_hours": settings.CATALOG_REFRESH_WANTED_HOURS}  # fmt: skip
