"""The interface in English and Simplified Chinese; the language switch remembers the choice (issue 10, item 6)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

pytestmark = pytest.mark.django_db

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def _switch(client, language, next_url="/"):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    return response


def test_switching_to_chinese_and_back(client, alice):
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert ">Search</a>" in page
    assert 'action="/i18n/setlang/"' in page  # the switch is in the nav

    _switch(client, "zh-hans")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"  # remembered
    for url in ("/", "/products/?q=保温杯"):
        page = client.get(url).content.decode()
        assert '<html lang="zh-hans">' in page, url
        assert ">搜索</a>" in page and ">采购清单</a>" in page and "退出登录" in page, url
        assert '<option value="zh-hans" lang="zh-hans" selected>简体中文</option>' in page

    _switch(client, "en", "/products/")
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert ">Search</a>" in page and ">Lists</a>" in page


def test_login_page_can_switch_too(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'action="/i18n/setlang/"' in page and "<noscript>" in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in page and "登录" in page


def test_default_is_english_and_browser_chinese_is_honoured(client):
    assert '<html lang="en">' in client.get("/accounts/login/").content.decode()
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in page


def test_committed_mo_translates():
    assert (LOCALE_DIR / "django.mo").stat().st_size > 0
    with translation.override("zh-hans"):
        assert translation.gettext("Search") == "搜索"
        assert translation.ngettext("%(n)s item", "%(n)s items", 3) % {"n": 3} == "3 个商品"
    with translation.override("en"):
        assert translation.gettext("Search") == "Search"


def test_mo_is_up_to_date_with_po():
    """Every translation in the .po is in the committed .mo (so a fresh machine needs no gettext tools)."""
    import polib

    po_path, mo_path = LOCALE_DIR / "django.po", LOCALE_DIR / "django.mo"
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(mo_path))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        assert (entry.msgctxt, entry.msgid) in compiled, f"{entry.msgid!r}: run compilemessages"
        msgstr, plural = compiled[(entry.msgctxt, entry.msgid)]
        if entry.msgid_plural:
            assert plural[0] == entry.msgstr_plural[0]
        else:
            assert msgstr == entry.msgstr, f"{entry.msgid!r}: run compilemessages"
