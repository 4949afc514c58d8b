"""A search request walks straight down: the view cleans it once into a SearchRequest that the selector and the
services take as it is (docs/architecture.md, "The arrows")."""

import pytest

from sourcing.catalog import search as search_module
from sourcing.catalog.search import SearchFilters, SearchRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def cleanings(monkeypatch):
    calls = []
    real = search_module.clean_filters

    def counting(raw):
        calls.append(raw)
        return real(raw)

    monkeypatch.setattr(search_module, "clean_filters", counting)
    return calls


def test_one_search_page_cleans_its_request_once(client, alice, cleanings):
    client.force_login(alice)
    # the first page (results, the team's fetch check, the counts) and the follow-up that asks 1688
    page = client.get("/products/", {"q": "保温杯", "province": "浙江", "price_min": "abc"})
    assert page.status_code == 200 and len(cleanings) == 1
    assert "Ignored the lowest price “abc”" in page.content.decode()
    cleanings.clear()
    client.post("/products/fetch/?q=保温杯&province=浙江")
    assert len(cleanings) == 1


def test_the_request_says_what_cleaning_did():
    wanted = SearchRequest.of("  保温杯   500ml " + "x" * 300, {"price_min": "9", "price_max": "3", "sort": "nonsense"})
    assert wanted.text.startswith("保温杯 500ml") and wanted.shortened
    assert wanted.filters.price_min < wanted.filters.price_max and wanted.filters.sort == "relevance"
    assert SearchRequest.of(wanted) is wanted  # a clean request passes through untouched
    assert SearchRequest.of("", SearchFilters()).terms == ()
