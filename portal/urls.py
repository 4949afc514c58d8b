"""Top-level URLs: the portal, accounts, the admin and (when enabled) the sandbox gateway."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from sourcing.accounts.views.site import set_language
from sourcing.accounts.views.teams import PasswordResetView

urlpatterns = [
    path("admin/", admin.site.urls),
    # Before Django's own: throttled, and the mail is sent by a worker.
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),  # the language switch in the nav
    path("", include("sourcing.urls")),
]

if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("sandbox.urls")))
