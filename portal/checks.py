"""System checks for settings that production should not run with, but that don't stop it.

They run with every management command (migrate, check) when DJANGO_DEBUG=false, so
`manage.py check --deploy` lists them next to Django's own. Settings that can't work at all
(no secret key, the published development keys, an unreadable Fernet key) stop start-up in
portal/settings.py instead.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def production_settings(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    warnings = []
    if urlsplit(settings.SITE_URL).scheme != "https":
        warnings.append(
            checks.Warning(
                f"SITE_URL is {settings.SITE_URL!r}, not https: OAuth callbacks and invitation links would "
                "send codes and tokens in clear text, and the secure cookies would not be sent back.",
                hint="Set SITE_URL to the portal's https address, e.g. https://portal.example.com",
                id="portal.W001",
            )
        )
    if settings.SANDBOX_ENABLED:
        warnings.append(
            checks.Warning(
                "The sandbox gateway is enabled: anyone can reach its stand-in 1688 gateway and consent page "
                "under /sandbox/.",
                hint="Set SANDBOX_ENABLED=false (the default when DJANGO_DEBUG=false).",
                id="portal.W002",
            )
        )
    return warnings
