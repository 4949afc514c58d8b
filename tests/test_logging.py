import logging

from sourcing.logging import MaskSecretsFilter, mask_secrets


def test_secrets_are_masked_in_every_form():
    text = (
        "POST access_token=abc123&refresh_token=r-9 {'client_secret': 's3cr3t', \"code\": \"c0de\"} "
        "_aop_signature=ABCDEF error_code=401"
    )
    masked = mask_secrets(text)
    for secret in ("abc123", "r-9", "s3cr3t", "c0de", "ABCDEF"):
        assert secret not in masked
    assert "error_code=401" in masked


def test_filter_rewrites_formatted_records():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "sent %s", ("access_token=tok-42",), None)
    MaskSecretsFilter().filter(record)
    assert "tok-42" not in record.getMessage()
