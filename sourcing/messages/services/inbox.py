"""The inbox: a message is checked, stored once per (credential, msgId) and handed to a worker by id.

The callback (views.py) answers in a few milliseconds: one credential read, one HMAC, one INSERT … ON CONFLICT DO
NOTHING, one feed UPDATE, and the task queued on commit. It never calls the gateway. The catch-up (catchup.py)
stores what it reads through the same `message_store`, so a message that came both ways is kept once.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from sourcing.alibaba.api import push_signature_ok
from sourcing.connections.models import AppCredential
from sourcing.core.enqueue import enqueue
from sourcing.messages.models import InboundMessage, MessageFeed
from sourcing.messages.wire import BadMessage, Envelope, read_envelope


@dataclass(frozen=True)
class Received:
    status: int  # the HTTP status the callback answers
    outcome: str  # stored, duplicate, too_old, forged, unsigned, unreadable, too_large
    message_id: int | None = None


def feed_of(credential_id: int) -> MessageFeed:
    """The credential's message feed, made on first use."""
    feed, _created = MessageFeed.objects.get_or_create(credential_id=credential_id)
    return feed


def message_store(*, credential_id: int, envelope: Envelope, via: str) -> tuple[InboundMessage | None, bool]:
    """Keep the message once (a second copy of its msgId changes nothing) and queue its worker on commit."""
    now = timezone.now()
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                credential_id=credential_id, msg_id=envelope.msg_id, topic=envelope.topic,
                user_info=envelope.user_info, born_at=envelope.born_at, envelope=dict(envelope.raw, data=envelope.data), via=via, received_at=now,
            )  # fmt: skip
            values = {"last_message_at": now, "received": F("received") + 1,
                      "first_message_at": Coalesce(F("first_message_at"), now),
                      "last_born_at": Greatest(Coalesce(F("last_born_at"), envelope.born_at), envelope.born_at)}  # fmt: skip
            if via == InboundMessage.Via.PUSH:
                values["last_pushed_at"] = now
            if not MessageFeed.objects.filter(credential_id=credential_id).update(**values):
                feed_of(credential_id)
                MessageFeed.objects.filter(credential_id=credential_id).update(**values)
            enqueue("message_apply", message.pk)
    except IntegrityError:  # this msgId is kept already (a retry after a lost 200, or the catch-up read it too)
        return InboundMessage.objects.filter(credential_id=credential_id, msg_id=envelope.msg_id).first(), False
    return message, True


def message_receive(*, credential_id: int, form) -> Received:
    """What the callback does with a POSTed form: check, store once, queue. Never raises on bad input."""
    message, signature = form.get("message"), form.get("_aop_signature")
    if not isinstance(message, str) or not isinstance(signature, str) or not signature:
        return Received(401, "unsigned")
    if len(message.encode("utf-8", "replace")) > settings.MESSAGES_MAX_BYTES:
        return Received(413, "too_large")
    credential = AppCredential.objects.filter(pk=credential_id).only("app_secret_encrypted").first()
    if credential is None:
        return Received(404, "no_credential")
    try:
        secret = credential.app_secret
    except ValueError:  # an undecryptable secret (keys rotated away): nothing can be proven
        secret = ""
    if not push_signature_ok(message, signature.strip(), secret):
        MessageFeed.objects.filter(credential_id=credential_id).update(refused=F("refused") + 1)
        return Received(403, "forged")
    try:
        envelope = read_envelope(message)
    except BadMessage:
        return Received(400, "unreadable")
    if envelope.born_at < timezone.now() - timedelta(hours=settings.MESSAGES_MAX_AGE_HOURS):
        return Received(200, "too_old")  # a replay of an old message, or one 1688 kept too long: nothing changes
    stored, created = message_store(credential_id=credential_id, envelope=envelope, via=InboundMessage.Via.PUSH)
    return Received(200, "stored" if created else "duplicate", stored.pk if stored else None)


def messages_purge(*, now=None) -> int:
    """Beat: forget messages born more than MESSAGES_MAX_AGE_HOURS + a day ago (finished ones only). A copy of one
    arriving later is refused as too old before the table is asked, and the catch-up never reads that far back, so
    nothing can be applied twice."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.MESSAGES_MAX_AGE_HOURS + 24)
    deleted, _rows = InboundMessage.objects.filter(born_at__lt=cutoff).exclude(state=InboundMessage.State.NEW).delete()
    return deleted
