"""/products/: the local catalog in Chinese and English, filters, sorts, keyset pages and the live 1688 fetch."""

import re

import pytest

from sourcing.catalog.models import CatalogJob, Product, SearchQuery, Supplier
from tests.catalog.pages.conftest import page_html, page_text, stock_product

pytestmark = pytest.mark.django_db


def cards(response) -> list[str]:
    """The offer ids of the result cards, in page order."""
    return re.findall(r'class="pcard-link" href="/products/(\d+)/"', page_html(response))


def test_search_and_suppliers_in_the_navigation_are_the_catalog_pages(client, alice):
    client.force_login(alice)
    page = page_html(client.get("/"))
    assert 'href="/products/"' in page and 'href="/suppliers/"' in page and 'href="/categories/"' in page
    assert "Not built yet" not in page_text(client.get("/suppliers/"))


def test_old_search_address_redirects_with_its_query(client, alice):
    client.force_login(alice)
    response = client.get("/search/?q=%E4%BF%9D%E6%B8%A9%E6%9D%AF&sort=price")
    assert response.status_code == 302
    assert response["Location"] == "/products/?q=%E4%BF%9D%E6%B8%A9%E6%9D%AF&sort=price"


def test_a_result_card_shows_what_a_buyer_weighs(client, alice, cup):
    # given a fully fetched vacuum cup from a supplier with a badge
    client.force_login(alice)
    # when alice searches in Chinese
    page = page_text(client.get("/products/?q=保温杯"))
    # then the card has the Chinese title with the English, ¥ range, MOQ with unit, sales, supplier, badge, freshness
    assert cards(client.get("/products/?q=保温杯")) == ["700001"]
    for shown in ("不锈钢保温杯 大容量", "stainless steel vacuum cup", "¥10.00–11.00", "MOQ 2 个", "1,234 sold",
                  "义乌示例日用品厂", "浙江", "实力商家", "checked just now"):  # fmt: skip
        assert shown in page, shown


@pytest.mark.parametrize("query", ["保温杯", "杯", "vacuum", "VACUUM cups", "Stainless Steel"])
def test_chinese_and_english_queries_find_the_same_offer(client, alice, cup, query):
    client.force_login(alice)
    assert cards(client.get("/products/", {"q": query})) == ["700001"]


def test_no_match_says_so_and_suggests_what_to_try(client, alice, cup):
    client.force_login(alice)
    page = page_text(client.get("/products/?q=挖掘机"))
    assert "No products match “挖掘机”" in page and "Try fewer words" in page


def test_filters_price_moq_province_and_category(client, alice, shelf):
    client.force_login(alice)
    shelf(5)  # ¥10 … ¥14, MOQ 2, Zhejiang
    stock_product(800001, price="30.00", moq=500, place="广东省 深圳市", seller="BBBseller0000000000000002",
                  company="深圳示例工厂")  # fmt: skip
    assert cards(client.get("/products/?q=保温杯&price_min=11&price_max=13&sort=price")) == ["700002", "700003",
                                                                                            "700004"]  # fmt: skip
    assert "800001" not in cards(client.get("/products/?q=保温杯&max_moq=100"))
    assert cards(client.get("/products/?q=保温杯&province=广东")) == ["800001"]
    assert len(cards(client.get("/products/?category=3"))) == 6  # the top category holds its leaves' products
    page = page_html(client.get("/products/?q=保温杯&province=广东"))
    assert '<option value="广东" selected>' in page  # the filter form keeps what is applied


@pytest.mark.parametrize(("sort", "first"), [("price", "700001"), ("price_desc", "700005"), ("newest", "700005")])
def test_sorts(client, alice, shelf, sort, first):
    client.force_login(alice)
    shelf(5)
    assert cards(client.get(f"/products/?q=保温杯&sort={sort}"))[0] == first


def test_more_results_continue_after_the_last_card_without_repeats(client, alice, shelf):
    # given 30 matching products: a page holds 24
    client.force_login(alice)
    shelf(30)
    first = client.get("/products/?q=保温杯&sort=price")
    assert len(cards(first)) == 24
    more = re.search(r'<li class="more"><a class="button" href="([^"]+)"', page_html(first)).group(1)
    # when the buyer clicks "More results" (htmx asks for the cards only)
    rest = client.get(more, headers={"HX-Request": "true"})
    # then the next 6 come, as cards without the page around them, and no "More" after the last
    assert len(cards(rest)) == 6 and not set(cards(rest)) & set(cards(first))
    assert "<html" not in page_html(rest) and 'class="more"' not in page_html(rest)
    # and without JavaScript the link is a whole page
    assert "<html" in page_html(client.get(more)) and len(cards(client.get(more))) == 6


def test_first_page_asks_1688_by_its_follow_up_and_shows_its_progress(client, alice, credential, cup, queued):
    client.force_login(alice)
    page = page_html(client.get("/products/?q=保温杯", headers={"Sec-Fetch-Site": "same-origin"}))
    # the GET queues nothing: it carries the POST the page sends once loaded, and the local catalog meanwhile
    assert queued == [] and not CatalogJob.objects.exists() and not SearchQuery.objects.exists()
    assert 'hx-post="/products/fetch/?q=%E4%BF%9D%E6%B8%A9%E6%9D%AF" hx-trigger="load"' in page
    assert "700001" in cards(client.get("/products/?q=保温杯"))
    answer = page_html(client.post("/products/fetch/?q=保温杯", headers={"HX-Request": "true"}))
    job = CatalogJob.objects.get(kind=CatalogJob.Kind.SEARCH)
    assert queued == [("catalog_search_fetch", (job.pk,))]
    assert "Waiting for a worker" in answer and 'role="progressbar"' in answer
    assert f'hx-get="/products/?q=%E4%BF%9D%E6%B8%A9%E6%9D%AF&job={job.pk}"' in answer
    # the page opened again shows the running job instead of asking again; a poll never queues another fetch
    again = page_html(client.get("/products/?q=保温杯", headers={"Sec-Fetch-Site": "same-origin"}))
    assert 'hx-trigger="load"' not in again and f"job={job.pk}" in again
    client.get(f"/products/?q=保温杯&job={job.pk}", headers={"HX-Request": "true"})
    assert len(queued) == 1


def test_the_poll_swaps_in_results_when_the_worker_lands(client, alice, credential, queued):
    client.force_login(alice)
    client.post("/products/fetch/?q=保温杯")
    job = CatalogJob.objects.get(kind=CatalogJob.Kind.SEARCH)
    poll = f"/products/?q=保温杯&job={job.pk}"
    # while the worker runs: the progress only, still polling, no results block
    running = page_html(client.get(poll, headers={"HX-Request": "true"}))
    assert 'hx-trigger="every 1s"' in running and "search-results" not in running
    # when the worker has stored offers and finished
    stock_product(700001)
    search = SearchQuery.objects.get()
    SearchQuery.objects.filter(pk=search.pk).update(offer_ids=[700001], total=1)
    CatalogJob.objects.filter(pk=job.pk).update(state=CatalogJob.State.DONE, message="1 offer from 1688.")
    done = page_html(client.get(poll, headers={"HX-Request": "true"}))
    # then polling stops and the results come out of band
    assert 'hx-trigger="every 1s"' not in done and "1 offer from 1688." in done
    assert 'id="search-results" class="results" hx-swap-oob="true"' in done and "/products/700001/" in done


def test_without_a_credential_the_local_catalog_is_searched_and_the_page_says_what_to_set_up(client, alice, cup):
    client.force_login(alice)
    page = page_text(client.get("/products/?q=保温杯"))
    assert cards(client.get("/products/?q=保温杯")) == ["700001"]
    assert "no 1688 credential is set up" in page and "Connections page" in page
    assert "Portal catalog only" in page
    assert not CatalogJob.objects.exists()


def test_a_viewer_searches_locally_and_is_told_live_fetches_need_a_buyer(client, alice, bob, credential, cup, queued):
    from sourcing.accounts.models import Membership

    credential.shared_with_team = alice.current_team
    credential.save()
    Membership.objects.filter(user=bob).update(role=Membership.Role.VIEWER)
    client.force_login(bob)
    page = page_text(client.get("/products/?q=保温杯"))
    assert cards(client.get("/products/?q=保温杯")) == ["700001"]
    assert "viewers can't start 1688 searches" in page and "Ask a buyer" in page
    assert queued == []


def test_the_page_says_where_live_data_comes_from(client, alice, credential, cup):
    client.force_login(alice)
    page = page_text(client.get("/products/?q=保温杯"))
    assert "Sandbox" in page and "not real 1688 offers" in page


def test_a_pasted_offer_link_opens_the_offer(client, alice, cup):
    client.force_login(alice)
    response = client.get("/products/", {"q": "https://detail.1688.com/offer/700001.html?spm=a26"})
    assert response.status_code == 302 and response["Location"] == "/products/700001/"


def test_fetch_more_from_1688_queues_the_next_page_of_the_team_search(client, alice, credential, cup, queued):
    client.force_login(alice)
    client.post("/products/fetch/?q=保温杯")
    search = SearchQuery.objects.get()
    CatalogJob.objects.update(state=CatalogJob.State.DONE)
    SearchQuery.objects.filter(pk=search.pk).update(has_more=True, pages_fetched=2, total=500, offer_ids=[700001])
    from django.utils import timezone

    SearchQuery.objects.filter(pk=search.pk).update(fetched_at=timezone.now())
    page = page_text(client.get("/products/?q=保温杯"))
    assert "1688 found 500 offers; your team fetched 1 (just now); 1 listed here." in page
    assert "Fetch more from 1688" in page
    response = client.post(f"/searches/{search.pk}/more/")
    job = CatalogJob.objects.filter(state=CatalogJob.State.QUEUED).get()
    assert response.status_code == 302 and response["Location"].endswith(f"&job={job.pk}")
    assert queued[-1] == ("catalog_search_fetch", (job.pk,))


def test_suppliers_are_listed_with_trust_signals_and_searchable_by_name(client, alice, shelf):
    client.force_login(alice)
    shelf(2)
    stock_product(800001, seller="BBBseller0000000000000002", company="深圳示例电子厂", place="广东省 深圳市")
    page = page_text(client.get("/suppliers/"))
    assert "义乌示例日用品厂" in page and "深圳示例电子厂" in page
    assert "4.5" in page and "46.7 %" in page and "实力商家" in page and "2 offers in the portal" in page
    found = page_text(client.get("/suppliers/?q=深圳"))
    assert "深圳示例电子厂" in found and "义乌示例日用品厂" not in found
    assert "No supplier matches “nothing-like-this”" in page_text(client.get("/suppliers/?q=nothing-like-this"))


def test_supplier_page_lists_its_offers_and_fetches_more_from_1688(client, alice, credential, shelf, queued):
    client.force_login(alice)
    shelf(3)
    supplier = Supplier.objects.get()
    page = page_html(client.get(f"/suppliers/{supplier.pk}/"))
    assert "义乌示例日用品厂" in page and page.count('class="pcard-link"') == 3 and "实力商家" in page
    response = client.post(f"/suppliers/{supplier.pk}/fetch/")
    job = CatalogJob.objects.get(kind=CatalogJob.Kind.SUPPLIER)
    assert response["Location"] == f"/suppliers/{supplier.pk}/?job={job.pk}"
    assert queued == [("catalog_supplier_offers", (job.pk,))]
    waiting = page_html(client.get(response["Location"]))
    assert "Waiting for a worker" in waiting and f'hx-get="/suppliers/{supplier.pk}/?job={job.pk}"' in waiting
    CatalogJob.objects.filter(pk=job.pk).update(state=CatalogJob.State.DONE, message="15 offers from 1688.")
    poll = client.get(response["Location"], headers={"HX-Request": "true"})
    assert poll["HX-Redirect"] == response["Location"]
    assert "15 offers from 1688." in page_text(client.get(response["Location"]))


def test_categories_tree_and_a_category_with_its_products_a_page_at_a_time(client, alice, shelf):
    client.force_login(alice)
    shelf(30)
    tree = page_text(client.get("/categories/"))
    assert "家居园艺" in tree and "Home & Garden" in tree and "厨房用品" in tree and "保温杯" in tree
    first = client.get("/categories/301/")
    assert "Kitchenware" in page_text(first) and len(cards(first)) == 24
    more = re.search(r'<li class="more"><a class="button" href="([^"]+)"', page_html(first)).group(1)
    assert len(cards(client.get(more, headers={"HX-Request": "true"}))) == 6
    assert client.get("/categories/999/").status_code == 404


def test_home_has_search_categories_recently_viewed_and_the_team_searches(client, alice, bob, credential, cup):
    client.force_login(alice)
    client.post("/products/fetch/?q=保温杯&price_max=50")  # the search page's follow-up records the search
    client.get("/products/700001/")
    page = page_html(client.get("/"))
    assert 'role="search"' in page and "家居园艺" in page
    assert "Recently viewed" in page and "/products/700001/" in page
    assert "Your team's recent searches" in page and "保温杯" in page and "price_max=50" in page
    assert "≤ ¥50.00" in page_text(client.get("/"))  # the filter it ran with, in words
    # bob is in the same team: he sees the search too, not alice's views
    client.force_login(bob)
    page = page_text(client.get("/"))
    assert "保温杯" in page and "Recently viewed" not in page


def test_delisted_offers_stay_in_results_marked_delisted(client, alice, shelf):
    client.force_login(alice)
    shelf(2)
    Product.objects.filter(offer_id=700002).update(status=Product.Status.DELISTED)
    page = page_text(client.get("/products/?q=保温杯"))
    assert "700002" in cards(client.get("/products/?q=保温杯")) and "Delisted" in page
