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


def test_request_lines_and_root_logs_pass_through_the_mask():
    for name in ("django.server", ""):
        # the portal's own console handlers (pytest adds capture handlers of its own to the root)
        handlers = [h for h in logging.getLogger(name).handlers if type(h) is logging.StreamHandler]
        assert handlers, name
        assert all(any(isinstance(f, MaskSecretsFilter) for f in h.filters) for h in handlers), name


def test_callback_request_line_is_masked():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /auth/1688/callback?code=9f8e7d6c&state=abc HTTP/1.1", "302", "0"),
        None,
    )
    MaskSecretsFilter().filter(record)
    assert "9f8e7d6c" not in record.getMessage()
    assert "state=abc" in record.getMessage()
