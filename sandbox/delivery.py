"""POSTing messages to the apps' callback URLs, with retries (docs/1688-messages.md, "Delivery").

A new message is sent at once on a short-lived thread started after its transaction commits, so the
request that changed the data never waits for a callback. Retries and the drift tick run from `pump`:
a Celery beat entry in the demo (portal/settings.py, "sandbox-messages") or `manage.py sandbox_deliver`.
Each attempt first claims the message with a conditional UPDATE (a lease), so two senders never POST
one message at the same moment.
"""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .gateway import signature_of
from .messages import tick, wire_text
from .models import SandboxMessage

log = logging.getLogger(__name__)
USER_AGENT = "1688-sandbox-message-service/1.0"
BATCH_PER_THREAD = 25  # a new batch gets a second sending thread from 50 messages on


def push_signature(message: str, secret: str) -> str:
    """`_aop_signature` of a pushed message: the gateway's rule applied to the form's one field, no URL path:
    upper-case hex HMAC-SHA1(appSecret, "message" + message)."""
    return signature_of("", {"message": message}, secret)


def retry_delays() -> list[float]:
    return [float(s) for s in settings.SANDBOX_MESSAGE_RETRY_SECONDS]


def _claim(ids: list[int]) -> list[SandboxMessage]:
    """The pending messages among `ids` that are due, leased to this sender for the length of one attempt
    (rows another sender holds at this moment are skipped, not waited for)."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.SANDBOX_MESSAGE_TIMEOUT_SECONDS + 30)
    with transaction.atomic():
        due = SandboxMessage.objects.select_for_update(skip_locked=True).filter(
            pk__in=ids, state="pending", next_attempt_at__lte=now
        )
        claimed = list(due.values_list("pk", flat=True))
        SandboxMessage.objects.filter(pk__in=claimed).update(next_attempt_at=lease)
    return list(SandboxMessage.objects.filter(pk__in=claimed).select_related("app__subscription").order_by("msg_id"))


def attempt(message: SandboxMessage, session: requests.Session | None = None) -> str:
    """POST one claimed message once and record the outcome; the callback's 200 confirms it. Returns the outcome;
    UNREACHABLE outcomes (no answer, no connection) start with "no answer" or "connection"."""
    subscription = message.app.subscription
    text = wire_text(message.envelope)
    form = {"message": text, "_aop_signature": push_signature(text, message.app.app_secret)}
    sender = session or requests
    try:
        answer = sender.post(subscription.callback_url, data=form, timeout=settings.SANDBOX_MESSAGE_TIMEOUT_SECONDS,
                             allow_redirects=False, headers={"User-Agent": USER_AGENT})  # fmt: skip
        ok, outcome = answer.status_code == 200, f"HTTP {answer.status_code}"
    except requests.Timeout:
        ok, outcome = False, f"no answer within {settings.SANDBOX_MESSAGE_TIMEOUT_SECONDS:g} s"
    except requests.ConnectionError:
        ok, outcome = False, "connection refused or dropped"
    except (requests.RequestException, ValueError) as error:  # a malformed URL, say
        ok, outcome = False, f"not sent: {type(error).__name__}"
    _record(message, ok, outcome)
    return outcome


def _record(message: SandboxMessage, ok: bool, outcome: str) -> None:
    now = timezone.now()
    attempts = message.attempts + 1
    delays = retry_delays()
    fields = {"attempts": attempts, "last_attempt_at": now, "last_outcome": outcome[:200]}
    if ok:
        fields.update(state="delivered", next_attempt_at=None)
    elif attempts <= len(delays):
        fields.update(next_attempt_at=now + timedelta(seconds=delays[attempts - 1]))
    else:
        fields.update(
            state="failed", next_attempt_at=None, last_outcome=f"gave up after {attempts} attempts: {outcome}"[:200]
        )
    # Confirmed meanwhile through the API: keep that state, count the attempt.
    if not SandboxMessage.objects.filter(pk=message.pk, state="pending").update(**fields):
        SandboxMessage.objects.filter(pk=message.pk).update(
            attempts=attempts, last_attempt_at=now, last_outcome=outcome[:200]
        )


def unreachable(outcome: str) -> bool:
    return outcome.startswith(("no answer", "connection"))


def deliver(ids: list[int]) -> int:
    """Send the due pending messages among `ids`, oldest first; returns how many were attempted.

    When the callback is down (a refused connection, or two timeouts in a row), the rest of the batch is not sent
    but counted as failed attempts with that outcome, so a callback that is down costs a timeout or two per round,
    not one per message, and every message keeps its retry schedule."""
    messages = _claim(ids)
    misses = 0
    with requests.Session() as session:
        for index, message in enumerate(messages):
            outcome = attempt(message, session)
            misses = misses + 1 if unreachable(outcome) else 0
            if misses >= 2 or outcome.startswith("connection"):  # down, not one slow answer
                for rest in messages[index + 1 :]:
                    _record(rest, False, f"not sent: {outcome} just before")
                break
    return len(messages)


def _deliver_in_thread(ids: list[int]) -> None:
    try:
        deliver(ids)
    except Exception:  # a thread has no caller to tell; the pump retries what was left
        log.exception("sandbox message delivery failed")
    finally:
        connection.close()


def deliver_soon(ids: list[int]) -> None:
    """Send new messages on their own threads (called after commit), or here when SANDBOX_MESSAGE_INLINE is on.

    A big batch (a drift tick over many followed offers) is split into up to SANDBOX_MESSAGE_CONCURRENCY runs of
    consecutive messages, sent side by side; a small one goes out on one thread, in order."""
    ids = sorted(ids)
    if settings.SANDBOX_MESSAGE_INLINE:
        deliver(ids)
        return
    width = max(1, min(settings.SANDBOX_MESSAGE_CONCURRENCY, len(ids) // BATCH_PER_THREAD))
    size = -(-len(ids) // width)
    for start in range(0, len(ids), size):
        # Not a daemon: a management command that made a change (sandbox_move_price) exits once it is sent.
        threading.Thread(target=_deliver_in_thread, args=(ids[start : start + size],), name="sandbox-messages").start()


def deliver_due(limit: int = 500) -> int:
    """Retry what is due, a few callbacks at a time (SANDBOX_MESSAGE_CONCURRENCY)."""
    ids = list(SandboxMessage.objects.filter(state="pending", next_attempt_at__lte=timezone.now())
               .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])  # fmt: skip
    if not ids:
        return 0
    width = max(1, settings.SANDBOX_MESSAGE_CONCURRENCY)
    by_app: dict[int, list[int]] = {}
    for pk, app_id in SandboxMessage.objects.filter(pk__in=ids).values_list("pk", "app_id"):
        by_app.setdefault(app_id, []).append(pk)
    # One lane per app (its messages in order), up to `width` apps at once.
    with ThreadPoolExecutor(max_workers=width, thread_name_prefix="sandbox-retry") as pool:
        return sum(pool.map(_lane, by_app.values()))


def _lane(ids: list[int]) -> int:
    try:
        return deliver(sorted(ids))
    finally:
        connection.close()


def pump() -> dict:
    """One round of the background work: announce the drift, then retry what is due."""
    return {"ticked": tick(), "attempted": deliver_due()}
