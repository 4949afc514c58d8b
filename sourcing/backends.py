"""Login throttling with django-axes: the authentication backend and the lockout page."""

import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.shortcuts import render


class LoginThrottleBackend(AxesStandaloneBackend):
    """axes' lockout check, first among AUTHENTICATION_BACKENDS.

    Web logins (the login page, the admin's) always pass the request. A call without one (the
    test client's login(), a script) has no address to count, so it is not throttled here
    instead of failing as axes would.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of the login form while an account or address is locked out."""
    # Each try during a lockout starts the wait again, so the whole cool-off is what remains.
    minutes = max(1, math.ceil(get_cool_off(request).total_seconds() / 60))
    return render(request, "registration/lockout.html", {"minutes": minutes}, status=429)
