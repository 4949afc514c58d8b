import json
import logging
import sys

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
    # the OAuth state is a one-time secret too: with it an attacker could finish someone else's flow
    assert record.getMessage() == '"GET /auth/1688/callback?code=***&state=*** HTTP/1.1" 302 0'


def test_url_encoded_code_and_state_are_masked():
    # given the callback URL logged as the `next` of a login redirect, encoded once and twice
    lines = [
        (
            "GET /accounts/login/?next=/auth/1688/callback%3Fcode%3Dc0de-1%26state%3Dst4te-1 HTTP/1.1",
            "GET /accounts/login/?next=/auth/1688/callback%3Fcode%3D***%26state%3D*** HTTP/1.1",
        ),
        (
            "GET /accounts/login/?next=%2Fauth%2F1688%2Fcallback%253Fcode%253Dc0de-2%2526state%253Dst4te-2",
            "GET /accounts/login/?next=%2Fauth%2F1688%2Fcallback%253Fcode%253D***%2526state%253D***",
        ),
        (
            "GET /x?next=%2Fauth%3Fcode%25253Dc0de-3%252526state%25253Dst4te-3 HTTP/1.1",
            "GET /x?next=%2Fauth%3Fcode%25253D***%252526state%25253D*** HTTP/1.1",
        ),
    ]
    for line, expected in lines:
        # when / then: the values go, everything else stays as it was logged
        assert mask_secrets(line) == expected


def test_json_inside_a_url_is_masked():
    line = "GET /debug?payload=%7B%22code%22%3A%22c0de-4%22%2C%22access_token%22%3A%20%22tok-4%22%7D"
    masked = mask_secrets(line)
    assert "c0de-4" not in masked and "tok-4" not in masked
    assert masked == "GET /debug?payload=%7B%22code%22%3A%22***%22%2C%22access_token%22%3A%20%22***%22%7D"
    double = "payload%3D%257B%2522refresh_token%2522%253A%2522tok-5%2522%257D"
    assert mask_secrets(double) == "payload%3D%257B%2522refresh_token%2522%253A%2522***%2522%257D"
    json_in_json = json.dumps({"body": json.dumps({"code": "c0de-6"})})
    assert mask_secrets(json_in_json) == json.dumps({"body": json.dumps({"code": "***"})})


def test_words_that_only_contain_a_secret_name_are_left_alone():
    text = "error_code=401 barcode=6901234 statement=ok postcode%3D100000 codex=1"
    assert mask_secrets(text) == text


def test_exception_text_is_masked():
    # given an exception whose message holds a URL with a code (as requests' errors do)
    logger = logging.getLogger("tests.mask")
    try:
        raise ConnectionError("Max retries exceeded with url: /openapi/token?code=c0de-7&client_id=1")
    except ConnectionError:
        record = logger.makeRecord("tests.mask", logging.ERROR, __file__, 1, "exchange failed", (), sys.exc_info())
    # when the record passes the filter and a formatter
    MaskSecretsFilter().filter(record)
    text = logging.Formatter().format(record)
    # then the traceback is there, without the code
    assert "Max retries exceeded" in text
    assert "c0de-7" not in text


def test_bearer_tokens_in_invitation_and_reset_paths_are_masked():
    invite, reset = "IzDeNsxltFHXbB4hmrS1zq14RUAUL1QHZ_OR7zx9NBc", "dj7v9i-ffbbc69ee9798d81da778cf530f22ca6"
    lines = [
        (f'"GET /invite/{invite}/ HTTP/1.1" 200 1651', '"GET /invite/***/ HTTP/1.1" 200 1651'),
        (f"GET /accounts/reset/MQ/{reset}/ HTTP/1.1", "GET /accounts/reset/MQ/***/ HTTP/1.1"),
        (f"GET /accounts/login/?next=/invite/{invite}/", "GET /accounts/login/?next=/invite/***/"),
        (f"GET /accounts/login/?next=%2Finvite%2F{invite}%2F", "GET /accounts/login/?next=%2Finvite%2F***%2F"),
        (f"next=%252Faccounts%252Freset%252FMQ%252F{reset}", "next=%252Faccounts%252Freset%252FMQ%252F***"),
        (f"Not Found: /invite/{invite}/", "Not Found: /invite/***/"),
    ]
    for line, expected in lines:
        assert mask_secrets(line) == expected
    # the pages around them keep their paths: nothing secret there
    kept = [
        "GET /accounts/reset/MQ/set-password/ HTTP/1.1",
        "POST /teams/3/invite/ HTTP/1.1",
        "GET /accounts/reset/done/ HTTP/1.1",
        "GET /accounts/password_reset/done/ HTTP/1.1",
    ]
    for line in kept:
        assert mask_secrets(line) == line


def test_gunicorn_and_django_loggers_pass_through_the_mask():
    # gunicorn configures its own handlers: the filter sits on its loggers, so any handler or format it is given
    for name in ("gunicorn.access", "gunicorn.error"):
        assert any(isinstance(f, MaskSecretsFilter) for f in logging.getLogger(name).filters), name
    # Django's default "django" console handler (unmasked) is gone: its records go to the root's masking handler
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django").propagate
