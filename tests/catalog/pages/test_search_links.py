"""Several offer links pasted into the search box: a page of those offers, a result per link, the offers the catalog
lacks fetched by product jobs against the sandbox over real HTTP (tasks inline) — never by a GET, never from a
link on another site."""

from urllib.parse import urlencode

import pytest

from sandbox.models import SandboxOffer
from sourcing.accounts.models import Membership
from sourcing.catalog.models import CatalogJob, Product
from sourcing.catalog.services import offers as catalog_offers
from tests.catalog.pages.conftest import page_html, page_text
from tests.conftest import _make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dave(acme, alice):
    """A viewer in Acme."""
    return _make_user("dave", acme, Membership.Role.VIEWER)


@pytest.fixture
def shop(connected, catalog):
    """alice's credential, connected to the live server's sandbox, over a 240-offer catalog (client logged in)."""
    return connected


def paste(known, new1, new2) -> str:
    return "\n".join([
        f"【1688】{known.subject} https://detail.1688.com/offer/{known.offer_id}.html?spm=a26352.13672862",
        f"https://m.1688.com/offer/{new1.offer_id}.html",
        f"https://www.pandabuy.com/product?ra=1&url=https%3A%2F%2Fdetail.1688.com%2Foffer%2F{new2.offer_id}.html",
        "https://item.taobao.com/item.htm?id=691541677564",
        "123456789",
        f"detail.1688.com/offer/{known.offer_id}.html",
    ])  # fmt: skip


def test_pasted_links_show_known_offers_at_once_and_fetch_the_rest(client, shop, alice):
    known, new1, new2 = SandboxOffer.objects.order_by("offer_id")[:3]
    catalog_offers.product_fetch_start(user=alice, offer_id=known.offer_id)
    jobs_before = CatalogJob.objects.count()
    text = paste(known, new1, new2)
    url = "/products/?" + urlencode({"q": text})
    # opened from the portal: known offers show at once; the GET asks 1688 for nothing, its page POSTs itself
    page = client.get(url, headers={"Sec-Fetch-Site": "same-origin"})
    assert page.status_code == 200 and CatalogJob.objects.count() == jobs_before
    words = page_text(page)
    assert "5 pasted links" in words and "1 of 4 offers ready" in words
    assert words.count("Not in the catalog yet") == 3 and "Not a 1688 offer" in words
    assert "a Taobao link. The portal fetches 1688 offers only." in words
    assert "1 link named an offer already listed" in words
    fetch_url = "/products/links/fetch/?" + urlencode({"q": text})
    assert f'hx-post="{fetch_url}" hx-trigger="load"' in page_html(page)
    assert Product.objects.get(offer_id=known.offer_id).title in words
    # the follow-up starts one product job per unknown offer; the worker lands them (inline here)
    answer = client.post(fetch_url, headers={"HX-Request": "true"})
    jobs = CatalogJob.objects.filter(kind=CatalogJob.Kind.PRODUCT).exclude(target=str(known.offer_id))
    assert {j.target for j in jobs} == {str(new1.offer_id), str(new2.offer_id), "123456789"}
    words = page_text(answer)
    assert "4 of 4 offers ready" in words and words.count("Found") == 3 and "Not found on 1688" in words
    assert "no offer 123456789" in words and "hx-trigger" not in page_html(answer)  # nothing left to poll
    assert Product.objects.filter(offer_id__in=[new1.offer_id, new2.offer_id]).count() == 2
    # seen again: everything at once, nothing asked
    again = page_text(client.get(url, headers={"Sec-Fetch-Site": "same-origin"}))
    assert "4 of 4 offers ready" in again and CatalogJob.objects.count() == jobs_before + 3


def test_a_link_on_another_site_never_spends_quota(client, shop, alice):
    known, new1, new2 = SandboxOffer.objects.order_by("offer_id")[:3]
    url = "/products/?" + urlencode({"q": paste(known, new1, new2)})
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {}):
        page = client.get(url, headers=headers)
        assert page.status_code == 200 and not CatalogJob.objects.exists()
        assert "hx-post" not in page_html(page) and "Fetch from 1688" in page_text(page)
        assert "up to 4 calls of your team's daily 1688 quota" in page_text(page)
    # the button (a plain form POST) fetches and comes back to the page
    response = client.post("/products/links/fetch/?" + urlencode({"q": paste(known, new1, new2)}))
    assert response.status_code == 302 and CatalogJob.objects.filter(kind=CatalogJob.Kind.PRODUCT).count() == 4


def test_the_page_polls_while_jobs_run(client, alice, credential, queued):
    client.force_login(alice)
    text = "https://detail.1688.com/offer/612345678901.html 612345678902"
    client.post("/products/links/fetch/?" + urlencode({"q": text}), headers={"HX-Request": "true"})
    assert [name for name, _args in queued] == ["catalog_product_fetch"] * 2
    url = "/products/?" + urlencode({"q": text})
    poll = client.get(url, headers={"HX-Request": "true"})
    assert f'hx-get="{url}" hx-trigger="every 1s"' in page_html(poll) and "0 of 2 offers ready" in page_text(poll)
    assert page_text(poll).count("Fetching from 1688") == 2


def test_a_viewer_sees_known_offers_and_is_told_why_nothing_is_fetched(client, shop, acme, dave):
    shop.shared_with_team = acme  # the team's credential: a viewer may read with it, not spend it
    shop.save()
    known, new1, new2 = SandboxOffer.objects.order_by("offer_id")[:3]
    client.force_login(dave)
    text = paste(known, new1, new2)
    page = page_text(client.get("/products/?" + urlencode({"q": text}), headers={"Sec-Fetch-Site": "same-origin"}))
    assert "Not fetched" in page and "viewers can't start 1688 searches" in page
    client.post("/products/links/fetch/?" + urlencode({"q": text}), headers={"HX-Request": "true"})
    assert not CatalogJob.objects.exists()


@pytest.mark.parametrize(
    ("q", "where"),
    [
        ("https://detail.1688.com/offer/612345678901.html?spm=x", "/products/612345678901/"),
        ("【1688】保温杯 https://m.1688.com/offer/612345678901.html", "/products/612345678901/"),
        ("612345678901", "/products/612345678901/"),
        ("https://www.cssbuy.com/item-1688-612345678901.html", "/products/612345678901/"),
    ],
)
def test_one_offer_opens_its_page(client, alice, q, where):
    client.force_login(alice)
    assert client.get("/products/?" + urlencode({"q": q}))["Location"] == where


@pytest.mark.parametrize("q", ["保温杯 500ml", "型号 123456 保温杯", "iphone 15 pro 256"])
def test_words_stay_a_keyword_search(client, alice, q):
    client.force_login(alice)
    page = client.get("/products/?" + urlencode({"q": q}))
    assert page.status_code == 200 and "pasted link" not in page_text(page)


def test_hostile_pastes_never_fail(client, alice):
    client.force_login(alice)
    for q in ["https://item.taobao.com/item.htm?id=1 https://s.1688.com/x", "http://[::1 https://%zz", "9" * 40 + " x.y",
              " ".join(f"https://detail.1688.com/offer/{600000000000 + i}.html" for i in range(80))]:  # fmt: skip
        page = client.get("/products/?" + urlencode({"q": q}))
        assert page.status_code in (200, 302)
    many = page_text(page)
    assert "80 pasted links" in many and many.count("Not looked at") == 30
