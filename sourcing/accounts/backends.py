"""Login throttling with django-axes: the authentication backend and the lockout page."""

import math

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.shortcuts import render

from sourcing.core.http import client_ip
from sourcing.core.throttle import Throttled, throttle_check, throttle_fail


def _address_key(request) -> str:
    return f"login:ip:{client_ip(request)}"


class LoginThrottleBackend(AxesStandaloneBackend):
    """axes' lockout check, first among AUTHENTICATION_BACKENDS.

    Web logins (the login page, the admin's) always pass the request. A call without one (the
    test client's login(), a script) has no address to count, so it is not throttled here
    instead of failing as axes would.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        # Per address, at a higher limit than per account (AUTH_ADDRESS_FAILURE_LIMIT): an office behind one
        # address is not locked out by one person's typos, but one address guessing many accounts is.
        try:
            throttle_check(keys=[_address_key(request)])
        except Throttled as locked:
            request.axes_locked_out = True
            request.login_locked = {"minutes": locked.minutes, "address": True}
            raise AxesBackendPermissionDenied("Too many failed logins from this address") from None
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def _count_address_failure(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    try:
        throttle_fail(keys=[_address_key(request)], limit=settings.AUTH_ADDRESS_FAILURE_LIMIT)
    except Throttled:
        pass  # the next try from this address gets the lockout page


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of the login form while an account or address is locked out."""
    locked = getattr(request, "login_locked", None)
    if locked:
        return render(request, "registration/lockout.html", locked, status=429)
    # Each try during a lockout starts the wait again, so the whole cool-off is what remains.
    minutes = max(1, math.ceil(get_cool_off(request).total_seconds() / 60))
    return render(request, "registration/lockout.html", {"minutes": minutes, "address": False}, status=429)
