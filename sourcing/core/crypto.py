"""Encryption of secrets at rest with MultiFernet (keys from FIELD_ENCRYPTION_KEYS, newest first)."""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext as _


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(value: str) -> str:
    """Decrypt with any configured key; a value no key opens raises ValueError (no secret in the text)."""
    try:
        return fernet().decrypt(value.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise ValueError("A stored secret cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS.") from None


def rotate(value: str) -> str:
    """Re-encrypt with the newest key."""
    return fernet().rotate(value.encode("ascii")).decode("ascii")


def hint(secret: str) -> str:
    """What a page may show of a secret: that it is set and how it ends."""
    return _("set · ends in %(end)s") % {"end": secret[-4:]} if len(secret) >= 8 else _("set")


class EncryptedSecret:
    """A model attribute that reads and writes a secret through an encrypted text field."""

    def __init__(self, field_name: str):
        self.field_name = field_name

    def __get__(self, instance, owner):
        if instance is None:
            return self
        stored = getattr(instance, self.field_name)
        return decrypt(stored) if stored else ""

    def __set__(self, instance, value: str):
        setattr(instance, self.field_name, encrypt(value) if value else "")
