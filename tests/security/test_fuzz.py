"""Hostile values in every form field and query parameter of every portal view, as alice (who may see
everything): never a 500, and a refused request writes no row."""

import ast
import inspect
import os
import textwrap
from urllib.parse import quote_from_bytes

from django.db import connection, transaction
from django.forms import BaseForm
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sandbox.forms
import sourcing.accounts.forms
import sourcing.alerts.forms
import sourcing.catalog.forms
import sourcing.connections.forms
import sourcing.inquiries.forms
import sourcing.lists.forms
import sourcing.webhooks.forms
from tests.security.test_url_walk import fill, url_patterns

# Values that broke or could break parsers: past every integer range, digits that are not ASCII, NaN and infinities,
# NUL bytes (PostgreSQL refuses them in text), 10,000 characters, markup, SQL and path tricks, impossible dates.
NASTY = ["9" * 30, "9223372036854775808", "-9223372036854775809", "-1", "-0", "0", "²", "١٢", "NaN", "nan", "inf",
         "-inf", "1e309", "1e-400", "0x10", "1_000", " ", "", "\x00", "a\x00b", "x" * 10_000, "😀", "𠀀" * 300,
         "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "%00", "1,5", "12.345678901234567890",
         "2026-02-30", "9999-12-31", "0000-00-00", "true", "[]", "{}", "null", "\u202e", "\r\n\r\n"]  # fmt: skip
# Bytes that are not UTF-8 (a lone continuation byte, a cut sequence, an encoded surrogate, an overlong NUL) and NUL
# among text: sent %-escaped as they are, not as Python strings (which the test client would encode as UTF-8).
NOT_UTF8 = [b"\xff", b"\xff\xfe", b"\xc3", b"\xe4\xb8", b"\xed\xa0\x80", b"\xc0\x80", b"a\x00b", b"\x00",
            "保温杯".encode()[:4], b"\x80abc"]  # fmt: skip
VALUE = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(alphabet="\x00a保 \ufffd%", max_size=12),  # NUL among ordinary text: PostgreSQL refuses it
    st.sampled_from(NOT_UTF8),
    st.binary(max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))  # per view; FUZZ_EXAMPLES=200 for a long run by hand
VALUES = st.one_of(VALUE, st.lists(VALUE, min_size=2, max_size=3))  # a list sends the parameter several times
# Parameters that shared helpers read for many views (job polling, paging, catalog filters, where to go next).
COMMON = ["job", "after", "q", "sort", "category", "price_min", "price_max", "max_moq", "province", "status", "offer",
          "item", "next", "page", "format", "archived", "qty", "sku", "list", "team"]  # fmt: skip
FORMS = {name: cls for module in (sourcing.accounts.forms, sourcing.connections.forms, sourcing.catalog.forms, sourcing.lists.forms,
                                       sourcing.inquiries.forms, sourcing.alerts.forms, sandbox.forms,
                                       sourcing.webhooks.forms) for name, cls in vars(module).items()
         if isinstance(cls, type) and issubclass(cls, BaseForm)}  # fmt: skip
# The portal's own views; the admin's dates and ids are fuzzed in test_bad_ids_and_next.py.
TARGETS = sorted(
    (key, route) for key, route, pattern in url_patterns()
    if not route.startswith("admin/") and pattern.callback.__module__.startswith(("sourcing", "sandbox", "django"))
)  # fmt: skip


def fields_of(callback) -> list[str]:
    """The parameters a view reads: its forms' fields and every `.get("name")` in its code, plus the common ones."""
    function = inspect.unwrap(callback)
    names = set(COMMON)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError):  # a class-based view from Django: the common names only
        return sorted(names)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in FORMS:
            names |= set(FORMS[node.id].base_fields)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("get", "getlist") and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
    return sorted(names)


# A refused Reveal (wrong password) is audited and counted by the throttle on purpose: those rows are the point,
# not half a write (the throttle's counters live in RateSlot rows when REDIS_URL is not set).
AUDIT_TABLES = {"sourcing_secretaudit", "sourcing_rateslot"}


def _row_counts() -> tuple:
    """How many rows each of the portal's tables holds, in one query."""
    tables = [t for t in connection.introspection.table_names()
              if t.startswith(("sourcing_", "sandbox_")) and t not in AUDIT_TABLES]  # fmt: skip
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables))  # noqa: S608
        return tuple(zip(tables, cursor.fetchone(), strict=True))


def test_every_portal_view_is_fuzzed_with_its_own_fields():
    keys = {key for key, _route in TARGETS}
    assert {"search", "list_add", "item_edit", "inquiry_new", "connection_new", "login", "set_language",
            "sandbox:console", "sandbox:gateway"} <= keys  # fmt: skip
    patterns = {key: pattern for key, _route, pattern in url_patterns()}
    assert {"name", "app_key", "daily_quota", "qps"} <= set(fields_of(patterns["connection_new"].callback))
    assert {"target_quantity", "target_price"} <= set(fields_of(patterns["item_edit"].callback))


def _raw_query(params: dict) -> str:
    pairs = []
    for name, value in params.items():
        for one in value if isinstance(value, list) else [value]:
            data = one if isinstance(one, bytes) else one.encode("utf-8", "surrogatepass")
            pairs.append(f"{quote_from_bytes(name.encode())}={quote_from_bytes(data)}")
    return "&".join(pairs)


def _fuzz(key: str, route: str, world, user, examples: int) -> None:
    """Hypothesis' examples for one view; raises on a 500 or on rows written by a refused request."""
    path, _owned = fill(key, route, world)
    names = fields_of({k: p for k, _r, p in url_patterns()}[key].callback)
    client = Client(raise_request_exception=False)

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(params=st.dictionaries(st.sampled_from(names), VALUES, min_size=1, max_size=6),
           method=st.sampled_from(["get", "post"]))  # fmt: skip
    def request(params, method):
        if client.session.get("_auth_user_id") != str(user.pk):
            client.force_login(user)
        before = _row_counts()
        if any(
            isinstance(v, bytes) for value in params.values() for v in (value if isinstance(value, list) else [value])
        ):
            raw = _raw_query(params)  # bytes as they are, %-escaped: a query string or a urlencoded form
            if method == "get":
                response = client.get(f"{path}?{raw}")
            else:
                response = client.post(path, raw, content_type="application/x-www-form-urlencoded")
        else:
            response = getattr(client, method)(path, params)
        assert response.status_code < 500, (method.upper(), path, params, response.status_code)
        if 400 <= response.status_code < 500:
            assert _row_counts() == before, ("a refused request wrote rows", method.upper(), path, params)

    request()


def test_hostile_input_never_makes_a_500_or_half_a_write(acme_world, alice):
    problems = []
    for key, route in TARGETS:
        # each view starts from the same Acme: what one view's examples deleted is back for the next
        with transaction.atomic():
            try:
                _fuzz(key, route, acme_world, alice, examples=EXAMPLES)
            except Exception as failure:  # noqa: BLE001 - Hypothesis' reports, collected per view
                problems.append(f"{key}: {failure}")
            transaction.set_rollback(True)
    assert problems == []


def test_nul_and_bytes_that_are_not_utf8_in_every_field_of_every_view(acme_world, alice):
    """Not left to chance: every field of every view at once, with NUL in text and with bytes that are not UTF-8,
    by GET and by POST (the examples above may not draw them for a given view)."""
    patterns = {k: p for k, _r, p in url_patterns()}
    client = Client(raise_request_exception=False)
    problems = []
    for key, route in TARGETS:
        with transaction.atomic():
            path, _owned = fill(key, route, acme_world)
            for value in ("a\x00b", b"\xff\xfe", b"\xed\xa0\x80"):
                raw = _raw_query(dict.fromkeys(fields_of(patterns[key].callback), value))
                client.force_login(alice)
                requests = {"GET": lambda: client.get(f"{path}?{raw}"),
                            "POST": lambda: client.post(path, raw, content_type="application/x-www-form-urlencoded")}  # fmt: skip
                for method, send in requests.items():
                    before = _row_counts()
                    response = send()
                    if response.status_code >= 500:
                        problems.append(f"{key}: {method} {path} {value!r} -> {response.status_code}")
                    elif response.status_code >= 400 and _row_counts() != before:
                        problems.append(f"{key}: {method} {path} {value!r} wrote rows")
            transaction.set_rollback(True)
    assert problems == []
