"""Workers reuse one HTTP session per thread and gateway, and one clock offset per app."""

import threading

import pytest

from sourcing.alibaba import AlibabaClient
from sourcing.alibaba import client as client_module

LIVE = "https://gw.open.1688.com/openapi"


@pytest.fixture(autouse=True)
def _fresh_offsets():
    client_module.forget_clock_offsets()
    yield
    client_module.forget_clock_offsets()


def test_clients_of_one_gateway_share_a_session_per_thread():
    first, second = AlibabaClient("1", "s", base_url=LIVE), AlibabaClient("2", "t", base_url=LIVE + "/")
    assert first.session is second.session
    assert AlibabaClient("1", "s", base_url="http://127.0.0.1:9/openapi").session is not first.session
    other_thread = []
    thread = threading.Thread(target=lambda: other_thread.append(AlibabaClient("1", "s", base_url=LIVE).session))
    thread.start()
    thread.join()
    assert other_thread[0] is not first.session  # requests.Session is not shared between threads
    assert "sourcing-portal" in first.session.headers["User-Agent"]


def test_a_given_session_is_used_as_is():
    import requests

    own = requests.Session()
    assert AlibabaClient("1", "s", base_url=LIVE, session=own).session is own


def test_the_clock_offset_is_kept_per_app_and_gateway():
    first = AlibabaClient("1", "s", base_url=LIVE)
    first.clock_offset_ms = 1234
    assert AlibabaClient("1", "other secret", base_url=LIVE).clock_offset_ms == 1234
    assert AlibabaClient("2", "s", base_url=LIVE).clock_offset_ms == 0
    assert AlibabaClient("1", "s", base_url="http://127.0.0.1:9/openapi").clock_offset_ms == 0


@pytest.mark.django_db(transaction=True)
def test_a_new_client_of_the_app_starts_with_the_measured_offset(client_1688, gateway_url):
    from tests.conftest import SANDBOX_KEY, SANDBOX_SECRET

    client_1688.clock_offset_ms = -3600 * 1000  # as if our clock were an hour behind
    measured = client_1688.sync_clock()
    assert abs(measured) < 5000
    calls = []
    fresh = AlibabaClient(SANDBOX_KEY, SANDBOX_SECRET, base_url=gateway_url, on_call=calls.append)
    assert fresh.clock_offset_ms == measured
    fresh.call("com.alibaba.product", "alibaba.category.get", {"categoryID": 0})
    assert [c.api for c in calls] == ["com.alibaba.product:alibaba.category.get-1"]  # no re-sync first


def test_relative_images_resolve_against_the_gateway_they_came_from():
    assert AlibabaClient("1", "s", base_url=LIVE).image_host == "https://cbu01.alicdn.com/"
    assert AlibabaClient("1", "s", base_url="http://127.0.0.1:8000/sandbox/openapi").image_host == (
        "http://127.0.0.1:8000/sandbox/"
    )
