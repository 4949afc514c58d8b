"""Password reset: asked for in a request, throttled, and mailed by a worker.

The request does the same work whatever address is typed (count it against the throttle, write one row, queue
one task), so neither the answer nor its timing says whether the address has an account. The worker looks the
accounts up, builds each link itself (the link never goes into a task message or a log line) and mails it.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sourcing.accounts.models import PasswordResetRequest, User
from sourcing.core.enqueue import enqueue
from sourcing.core.throttle import Throttled, throttle_check, throttle_fail

logger = logging.getLogger(__name__)

# A row whose task never ran (a broker lost it) is dropped after this long.
STALE_AFTER = timedelta(days=1)


def _normalise(email: str) -> str:
    return email.strip().casefold()


def _ration(limits: dict[str, int]) -> None:
    """Raise Throttled if any key (mapped to its limit) is used up, counting nothing; else count this use against
    each. The use that reaches a limit still goes through; the next waits PASSWORD_RESET_MINUTES."""
    throttle_check(keys=limits)
    for key, limit in limits.items():
        try:
            throttle_fail(keys=[key], limit=limit, period=settings.PASSWORD_RESET_MINUTES * 60)
        except Throttled:
            pass


def password_reset_request(*, email: str, ip: str | None) -> None:
    """Ask for a reset mail to `email`; raise Throttled when this address or this network address asked too often.

    The e-mail address is counted whether it has an account or not, so a refusal says nothing about accounts.
    """
    email = _normalise(email)
    _ration({
        f"reset:ip:{ip or 'unknown'}": settings.PASSWORD_RESET_ADDRESS_LIMIT,
        f"reset:email:{email}": settings.PASSWORD_RESET_LIMIT,
    })  # fmt: skip
    with transaction.atomic():
        row = PasswordResetRequest.objects.create(email=email)
        enqueue("password_reset_send", row.pk)


def _accounts(email: str):
    """The accounts a reset mail goes to: Django's own rule (active, with a usable password, same address)."""
    return PasswordResetForm().get_users(email)


def password_reset_send(*, request_id: int) -> int:
    """Mail a reset link to each account of the request's address; return how many were sent.

    Safe to run twice: the row is claimed first and deleted when done. An account mailed PASSWORD_RESET_LIMIT
    times in PASSWORD_RESET_MINUTES (however its address was spelt) gets no more until the wait is over.
    """
    now = timezone.now()
    if not PasswordResetRequest.objects.filter(pk=request_id, claimed_at__isnull=True).update(claimed_at=now):
        return 0
    email = PasswordResetRequest.objects.values_list("email", flat=True).get(pk=request_id)
    sent = 0
    try:
        for user in _accounts(email):
            try:
                _ration({f"reset:user:{user.pk}": settings.PASSWORD_RESET_LIMIT})
            except Throttled:
                logger.info("Password reset mail for user %s not sent: asked too often", user.pk)
                continue
            _mail_link(user)
            sent += 1
    except Exception:
        # Not sent after all: give the claim back so the task's retry can send it.
        PasswordResetRequest.objects.filter(pk=request_id, claimed_at=now).update(claimed_at=None)
        raise
    PasswordResetRequest.objects.filter(pk=request_id).delete()
    return sent


def _mail_link(user: User) -> None:
    protocol, _sep, domain = settings.SITE_URL.partition("://")
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": protocol,
    }
    with translation.override(user.reading_language):
        subject = "".join(render_to_string("registration/password_reset_subject.txt", context).splitlines())
        body = render_to_string("registration/password_reset_email.html", context)
    # Not PasswordResetForm.send_mail: it swallows a failed send, and the task's retry could not help.
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])


def password_reset_purge() -> int:
    """Drop requests a worker never got to (their task was lost); nobody is waiting for them any more."""
    deleted, _rows = PasswordResetRequest.objects.filter(created_at__lt=timezone.now() - STALE_AFTER).delete()
    return deleted
