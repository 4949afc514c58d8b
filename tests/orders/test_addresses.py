"""Ship-to addresses on the team's page: owners and admins keep them, buyers and viewers read them, other teams
get 404; bad input gets words in the form and a 400, never a 500 and never a row."""

import pytest

from sourcing.orders.models import ShipAddress
from tests.orders.conftest import YIWU, body, text

pytestmark = pytest.mark.django_db


def form(**changes) -> dict:
    data = dict(YIWU)
    data.update(changes)
    return data


def test_the_owner_adds_addresses_and_picks_the_default(client, alice, acme):
    client.force_login(alice)
    # given no address yet, the team page links to the addresses page, which offers the form
    assert "/addresses/" in body(client.get(f"/teams/{acme.pk}/"))
    page = client.get(f"/teams/{acme.pk}/addresses/")
    assert page.status_code == 200 and "No ship-to address yet." in text(page)
    # when alice adds the forwarder's warehouse, with spaces around the phone
    response = client.post(f"/teams/{acme.pk}/addresses/", form(phone=" 138 0013 8000 "), follow=True)
    # then it is saved, as the team's default (its first), and listed
    assert response.status_code == 200
    first = ShipAddress.objects.get(team=acme)
    assert first.is_default and first.phone == "13800138000" and first.created_by == alice
    assert "义乌仓 (顺达货代)" in text(response) and "稠州北路1号3楼 · 322000" in text(response)
    # a second one asked to be the default takes it over; there is still one default
    client.post(f"/teams/{acme.pk}/addresses/", form(label="广州仓", province="广东省", city="广州市", district="白云区",
                                                    phone="020-86123456", post_code="", is_default="on"))  # fmt: skip
    second = ShipAddress.objects.get(label="广州仓")
    assert second.is_default and second.phone == "020-86123456" and second.post_code == ""
    assert list(ShipAddress.objects.filter(team=acme, is_default=True)) == [second]
    # making the first the default again, then deleting it, passes the default on
    assert client.post(f"/teams/{acme.pk}/addresses/{first.pk}/default/").status_code == 302
    assert list(ShipAddress.objects.filter(is_default=True).values_list("label", flat=True)) == ["义乌仓 (顺达货代)"]
    assert client.post(f"/teams/{acme.pk}/addresses/{first.pk}/delete/").status_code == 302
    assert list(ShipAddress.objects.filter(is_default=True)) == [second]


def test_editing_keeps_one_default(client, alice, acme, yiwu):
    client.force_login(alice)
    assert client.get(f"/teams/{acme.pk}/addresses/{yiwu.pk}/").status_code == 200
    response = client.post(f"/teams/{acme.pk}/addresses/{yiwu.pk}/", form(street="稠州北路2号", is_default="on"))
    assert response.status_code == 302
    yiwu.refresh_from_db()
    assert yiwu.street == "稠州北路2号" and yiwu.is_default


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("street", "街" * 10_000, "Keep this to 200 characters."),
        ("contact_name", "张\x00三", "holds characters the portal cannot read"),
        ("phone", "1380013800²", "Give a mainland mobile number"),
        ("phone", "12345", "Give a mainland mobile number"),
        ("phone", "", "Fill this in."),
        ("post_code", "32200²", "A post code is six digits (322000)."),
        ("post_code", "٣٢٢٠٠٠", "A post code is six digits (322000)."),
        ("province", "香港", "Pick one of the listed provinces."),
        ("province", "", "Pick the province."),
        ("city", "   ", "Fill this in."),
        ("label", "x" * 61, "Keep this to 60 characters."),
    ],
)
def test_bad_input_gets_words_and_no_row(client, alice, acme, field, value, words):
    client.force_login(alice)
    response = client.post(f"/teams/{acme.pk}/addresses/", form(**{field: value}))
    assert response.status_code == 400
    assert words in text(response)
    assert not ShipAddress.objects.exists()


def test_buyers_and_viewers_read_but_do_not_change(client, bob, dave, acme, yiwu):
    for user in (bob, dave):
        client.force_login(user)
        page = client.get(f"/teams/{acme.pk}/addresses/")
        assert page.status_code == 200 and "稠州北路1号3楼" in text(page)
        assert "Add an address" not in text(page)
        assert "Only the team's owners and admins" in text(client.post(f"/teams/{acme.pk}/addresses/", form()))
        assert client.post(f"/teams/{acme.pk}/addresses/", form()).status_code == 403
        assert client.get(f"/teams/{acme.pk}/addresses/{yiwu.pk}/").status_code == 403
        assert client.post(f"/teams/{acme.pk}/addresses/{yiwu.pk}/", form(street="改")).status_code == 403
        assert client.post(f"/teams/{acme.pk}/addresses/{yiwu.pk}/default/").status_code == 403
        assert client.post(f"/teams/{acme.pk}/addresses/{yiwu.pk}/delete/").status_code == 403
    yiwu.refresh_from_db()
    assert yiwu.street == "稠州北路1号3楼" and ShipAddress.objects.count() == 1


def test_other_teams_get_404(client, carol, globex, acme, yiwu):
    client.force_login(carol)
    assert client.get(f"/teams/{acme.pk}/addresses/").status_code == 404
    for path in ("", "default/", "delete/"):
        assert client.post(f"/teams/{acme.pk}/addresses/{yiwu.pk}/{path}", form()).status_code == 404
    # nor through carol's own team's URL
    assert client.get(f"/teams/{globex.pk}/addresses/{yiwu.pk}/").status_code == 404
    assert client.post(f"/teams/{globex.pk}/addresses/{yiwu.pk}/delete/").status_code == 404
    assert ShipAddress.objects.filter(pk=yiwu.pk).exists()


def test_the_addresses_page_reads_in_chinese(client, alice, acme, yiwu):
    client.force_login(alice)
    client.cookies["django_language"] = "zh-hans"
    page = text(client.get(f"/teams/{acme.pk}/addresses/"))
    assert "收货地址" in page and "添加地址" in page and "默认" in page
    refused = client.post(f"/teams/{acme.pk}/addresses/", form(phone="12345"))
    assert "请填写中国大陆手机号" in text(refused)
