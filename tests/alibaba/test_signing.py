"""Signatures reproduce every vector kept with the tests and the official ordering rule."""

import json
from pathlib import Path

import pytest

from sourcing.alibaba import sign_params, sign_request

# Facts about the gateway, kept with the tests (the file's "about" key says where they come from).
VECTORS_PATH = Path(__file__).with_name("signature-vectors.json")
VECTORS = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))["vectors"]


def test_every_vector_says_where_it_comes_from():
    assert [v["source"].split(" (")[0] for v in VECTORS] == ["third-party SDK test"] * 3 + [
        "computed from the rule"
    ] * 2


@pytest.mark.parametrize("vector", VECTORS, ids=[v["url_path"].split("/")[3] for v in VECTORS])
def test_vectors_reproduce(vector):
    assert sign_request(vector["url_path"], vector["params"], vector["secret"]) == vector["signature"]


def test_signature_is_excluded_from_what_is_signed():
    # the category vector, sent again with a stale _aop_signature among its parameters
    vector = next(v for v in VECTORS if "alibaba.category.get" in v["url_path"])
    params = {**vector["params"], "_aop_signature": "0" * 40}
    assert sign_request(vector["url_path"], params, vector["secret"]) == vector["signature"]


def test_official_order_sorts_key_value_strings_not_keys():
    # sort=price, sortType=asc: the official order is "sortTypeasc" < "sortprice" (key order is the reverse).
    # HMAC-SHA1("s", "param2/1/ns/api/ksortTypeascsortprice"), upper-case hex, computed by hand.
    assert sign_request("param2/1/ns/api/k", {"sort": "price", "sortType": "asc"}, "s") == (
        "A7BAB122DA248F76DA3522D0A923ACAAA7236CA9"
    )
    # the key-sorted string "…sortpricesortTypeasc" would sign as 7F31DFB9…; the order of the dict never matters
    assert sign_request("param2/1/ns/api/k", {"sortType": "asc", "sort": "price"}, "s") == (
        "A7BAB122DA248F76DA3522D0A923ACAAA7236CA9"
    )


def test_ordinal_order_puts_upper_case_and_underscore_before_lower_case():
    # the official example's shape (currentTime, b=2&a=1) with a capital and _aop_ in the mix:
    # ordinal order is "Z9" < "_aop_timestamp1" < "a1" < "b2", so the string signed is
    # "param2/1/system/currentTime/1000000Z9_aop_timestamp1a1b2" (HMAC-SHA1 computed by hand)
    params = {"b": "2", "a": "1", "_aop_timestamp": "1", "Z": "9"}
    assert sign_request("param2/1/system/currentTime/1000000", params, "test123") == (
        "4345978C6560C46F5E3AE40CD036D4F5243FF0C4"
    )


def test_legacy_parameter_signature_example():
    params = {"client_id": "1000000", "site": "china", "redirect_uri": "http://example.com/cb", "state": "xyz"}
    assert sign_params(params, "test123") == "4573B722C4F2B6E892DEC592460DB614EAE2A0B4"
