"""Request signatures of the 1688 gateway (spec §3)."""

import hashlib
import hmac
from collections.abc import Mapping


def _hmac_hex(secret: str, message: str) -> str:
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha1).hexdigest().upper()


def _joined(params: Mapping[str, str]) -> str:
    # The official rule sorts the concatenated key+value strings, in ordinal (code point) order;
    # sorting by key alone differs when one key is a prefix of another (sort / sortType).
    return "".join(sorted(f"{k}{v}" for k, v in params.items() if k != "_aop_signature"))


def sign_request(url_path: str, params: Mapping[str, str], secret: str) -> str:
    """Signature of an API call: HMAC-SHA1 over url_path + sorted key+value strings (§3.1)."""
    return _hmac_hex(secret, url_path + _joined(params))


def sign_params(params: Mapping[str, str], secret: str) -> str:
    """The legacy parameter signature of the old authorize page, without the url path (§3.3)."""
    return _hmac_hex(secret, _joined(params))
