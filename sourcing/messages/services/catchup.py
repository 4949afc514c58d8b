"""Catch-up: what the callback missed (it was down, 1688 gave up retrying) is read from the message list.

`push.query.messageList` holds the app's messages not yet confirmed, oldest first; each is stored through the same
`message_store` as a pushed one (a msgId kept already is not kept twice) and only then confirmed with `push.confirm`,
so a crash between the two loses nothing (the list still holds it; storing it again changes nothing). The window read
is the last MESSAGES_MAX_AGE_HOURS (never before the feed's first message): the list holds only unconfirmed
messages, so when nothing was missed the read is one call.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from sourcing.alibaba import api, errors
from sourcing.connections.models import AppCredential
from sourcing.connections.services.gateway import gateway_call
from sourcing.messages.models import InboundMessage, MessageFeed
from sourcing.messages.selectors import set_up_feeds
from sourcing.messages.services.inbox import feed_of, message_store
from sourcing.messages.wire import BadMessage, envelope_of

PAGE_SIZE = 200  # the list's largest page
MAX_PAGES = 25  # a run reads at most this many pages; the next run goes on
LEASE = timedelta(minutes=5)


def catchup_due() -> list[int]:
    """Credentials with messages set up whose last catch-up is a cycle old (the message list is the app's: no 1688
    account needs to be connected)."""
    now = timezone.now()
    last = now - timedelta(seconds=settings.MESSAGES_CATCHUP_EVERY * 0.9)
    return list(
        set_up_feeds()
        .filter(credential__status=AppCredential.Status.ACTIVE)
        .filter(Q(catchup_at__isnull=True) | Q(catchup_at__lt=last))
        .order_by("credential_id")
        .values_list("credential_id", flat=True)
    )


def _raw(listed) -> dict:
    """The envelope of a listed message, as the callback would have received it."""
    born = int(listed.born_at.timestamp() * 1000) if listed.born_at else None
    return {"msgId": listed.msg_id, "gmtBorn": born, "type": listed.type, "userInfo": listed.user_info,
            "topicGroup": listed.topic_group, "topicName": listed.topic_name, "appKey": listed.app_key,
            "data": listed.data}  # fmt: skip


def _confirm(credential: AppCredential, msg_ids: list[int]) -> None:
    for start in range(0, len(msg_ids), PAGE_SIZE):
        chunk = msg_ids[start : start + PAGE_SIZE]
        gateway_call(credential=credential, needs_token=False, fn=lambda c, t, ids=chunk: api.message_confirm(c, ids))
        InboundMessage.objects.filter(credential=credential, msg_id__in=chunk).update(confirmed_at=timezone.now())


def messages_catch_up(*, credential_id: int) -> int:
    """Worker: read the credential's unconfirmed messages, store each once, confirm them; returns how many were new."""
    now = timezone.now()
    if not AppCredential.objects.filter(pk=credential_id).exists():
        return 0
    feed_of(credential_id)  # the first read of a credential's list makes its feed (a good read sets it up)
    claimed = (
        MessageFeed.objects.filter(credential_id=credential_id)
        .filter(Q(catchup_lease_until__isnull=True) | Q(catchup_lease_until__lt=now))
        .update(catchup_lease_until=now + LEASE, catchup_at=now)
    )
    if not claimed:
        return 0
    feed = MessageFeed.objects.select_related("credential").get(credential_id=credential_id)
    credential = feed.credential
    start = now - timedelta(hours=settings.MESSAGES_MAX_AGE_HOURS)
    if feed.first_message_at:
        start = max(start, feed.first_message_at - timedelta(hours=1))
    new = 0
    try:
        for _page in range(MAX_PAGES):
            page = gateway_call(credential=credential, needs_token=False, fn=lambda c, t: api.message_list(
                c, start=start, end=timezone.now() + timedelta(minutes=5), page=1, page_size=PAGE_SIZE))  # fmt: skip
            kept = []
            for listed in page.messages:
                try:
                    envelope = envelope_of(_raw(listed))
                except BadMessage:
                    continue  # unreadable: left unconfirmed (the admin's delivery log shows it)
                message, created = message_store(credential_id=credential.pk, envelope=envelope,
                                                  via=InboundMessage.Via.CATCHUP)  # fmt: skip
                if message is not None:
                    kept.append(envelope.msg_id)
                    new += created
            if kept:
                _confirm(credential, kept)  # after storing: the list keeps whatever wasn't stored
            if len(page.messages) < PAGE_SIZE or not kept:
                break
    except errors.TransientError as error:
        MessageFeed.objects.filter(pk=feed.pk).update(catchup_lease_until=None, catchup_error=str(error)[:300])
        raise
    except errors.AlibabaError as error:
        MessageFeed.objects.filter(pk=feed.pk).update(catchup_lease_until=None,
                                                      catchup_error=f"{error.code}: {error.message}"[:300])  # fmt: skip
        return new
    MessageFeed.objects.filter(pk=feed.pk).update(catchup_lease_until=None, catchup_ok_at=timezone.now(),
                                                  catchup_error="")  # fmt: skip
    return new
