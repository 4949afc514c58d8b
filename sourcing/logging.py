"""A logging filter that masks secrets wherever they appear in a record."""

import logging
import re

SECRET_NAMES = (
    "access_token",
    "refresh_token",
    "refreshToken",
    "client_secret",
    "app_secret",
    "code",
    "state",
    "_aop_signature",
    "password",
)

# A secret can be logged inside a URL that is itself a parameter (`next=/auth/1688/callback%3Fcode%3D…`),
# encoded once or more (`%253D`), or as JSON inside a URL (`code%22%3A%22…`). So every separator may
# appear as itself or percent-encoded any number of times: %3D, %253D, %25253D …
_ENC = r"%(?:25)*"
_QUOTE = rf"""(?:\\?["']|{_ENC}2[27])"""
_SPACE = rf"(?:[ \t]|{_ENC}20)"
_EQUALS = rf"(?:[:=]|{_ENC}3[aAdD])"
# What ends a value: & " ' , ; } \ or whitespace, plain or encoded.
_END = rf"""(?:[&"'\s,;}}\\]|{_ENC}(?:26|2[27]|2[cC]|3[bB]|7[dD]|5[cC]|20))"""
# The key must start a word: start of text, a non-word character, or an encoded character (`%3Fcode`).
_PATTERN = re.compile(
    rf"(?P<pre>^|[^A-Za-z0-9_%]|{_ENC}[0-9A-Fa-f]{{2}})"
    rf"(?P<key>{'|'.join(re.escape(n) for n in SECRET_NAMES)})"
    rf"(?P<sep>{_QUOTE}?{_SPACE}*{_EQUALS}{_SPACE}*{_QUOTE}?)"
    rf"(?P<value>(?:(?!{_END}).)+)"
)

# Bearer links carry their secret in the path, not in a parameter: an invitation (/invite/<token>/) and a password
# reset (/accounts/reset/<uid>/<token>/; Django then moves the token to the session and redirects to
# /accounts/reset/<uid>/set-password/, which is kept). They reach logs as request lines and inside `next=`.
_SLASH = rf"(?:/|{_ENC}2[fF])"
_TOKEN = r"[A-Za-z0-9_\-]+"
_PATH_PATTERN = re.compile(
    rf"(?P<pre>{_SLASH}(?:reset{_SLASH}{_TOKEN}|invite){_SLASH})(?!set-password(?![A-Za-z0-9_\-]))(?P<value>{_TOKEN})"
)


# The team API's tokens (sourcing/api): pt_<key id>_<secret>; the key id stays, it names the token without opening it.
# It may follow a percent-encoded character (`Bearer%20pt_…`, `%2520`), where \b sees no word boundary.
_API_TOKEN = re.compile(
    r"(?P<pre>(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2})|(?<=%25[0-9A-Fa-f]{2}))pt_[0-9a-f]{1,16}_)[A-Za-z0-9_\-]+"
)
# A webhook endpoint's signing secret (sourcing/webhooks): whsec_<base64>, shown once on its page and never again.
_WEBHOOK_SECRET = re.compile(r"(?P<pre>whsec_)(?:[A-Za-z0-9+/=]|%2[bBfF]|%3[dD])+")


def mask_secrets(text: str) -> str:
    text = _PATTERN.sub(lambda m: f"{m.group('pre')}{m.group('key')}{m.group('sep')}***", text)
    text = _API_TOKEN.sub(lambda m: f"{m.group('pre')}***", text)
    text = _WEBHOOK_SECRET.sub(lambda m: f"{m.group('pre')}***", text)
    return _PATH_PATTERN.sub(lambda m: f"{m.group('pre')}***", text)


def mask_server_loggers() -> None:
    """Put the filter on the loggers of the web server in front of Django (gunicorn's access and error logs).

    Those loggers get their handlers from the server's own configuration, not from settings.LOGGING; a filter
    on the logger itself sees every line they write, whatever handlers and format the server was given.
    runserver's request lines ("django.server") are masked by LOGGING's handler.
    """
    for name in ("gunicorn.access", "gunicorn.error"):
        server_logger = logging.getLogger(name)
        if not any(isinstance(f, MaskSecretsFilter) for f in server_logger.filters):
            server_logger.addFilter(MaskSecretsFilter())


class MaskSecretsFilter(logging.Filter):
    """Rewrite each record's message, and its traceback, with secret values masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logged as it is
            return True
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        # An exception's text can hold a URL with a code in it (requests puts the URL in its errors).
        # Formatters reuse a cached exc_text, so format it once here, masked.
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_secrets(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = mask_secrets(record.stack_info)
        return True
