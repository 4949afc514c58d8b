"""A logging filter that masks secrets wherever they appear in a record."""

import logging
import re

SECRET_NAMES = ("access_token", "refresh_token", "client_secret", "code", "_aop_signature", "refreshToken")
# key=value, "key": "value" and 'key': 'value' forms, as found in URLs, form bodies, JSON and reprs.
_PATTERN = re.compile(
    r"""(?P<key>\b(?:%s)\b)(?P<sep>["']?\s*[:=]\s*["']?)(?P<value>[^&"'\s,;}]+)"""
    % "|".join(re.escape(n) for n in SECRET_NAMES)
)


def mask_secrets(text: str) -> str:
    return _PATTERN.sub(lambda m: f"{m.group('key')}{m.group('sep')}***", text)


class MaskSecretsFilter(logging.Filter):
    """Rewrite each record's message with secret values masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logged as it is
            return True
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
