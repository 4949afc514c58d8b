"""Tables built once at import (what each 1688 API is for, the search's sort options) are worded in the
reader's language, not in whichever language the process happened to start in."""

import pytest
from django.conf import settings
from django.utils import translation

from tests.catalog.pages.conftest import credential, queued  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """A Chinese request leaves Chinese active in this thread; later tests expect the default."""
    yield
    translation.deactivate()


def _chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"


def test_api_descriptions_follow_the_page_language(client, alice, credential):  # noqa: F811
    client.force_login(alice)
    english = client.get("/api-status/").content.decode()
    assert "keyword search (Chinese or English)" in english and "contact a supplier: WangWang chat link" in english
    _chinese(client)
    for path in ("/api-status/", f"/connections/{credential.pk}/", "/connections/new/"):
        page = client.get(path).content.decode()
        assert "关键词搜索（中文或英文）" in page and "联系供应商：旺旺聊天链接" in page, path
        assert "keyword search (Chinese or English)" not in page and "category tree for browsing" not in page, path


def test_sort_options_follow_the_page_language(client, alice):
    client.force_login(alice)
    _chinese(client)
    page = client.get("/products/", {"q": "杯"}).content.decode()
    assert "综合排序" in page and "销量优先" in page and "Best selling" not in page
