"""The interface in English and Simplified Chinese; the language switch remembers the choice (issue 10, item 6)."""

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation

from sourcing.alerts import services as alert_services
from sourcing.connections.explain import explain
from sourcing.connections.models import AppCredential, ConnectionCheck
from sourcing.connections.services.credentials import credential_create
from sourcing.connections.services.permissions import CLOCK_OFFSET
from sourcing.inquiries import services as inquiry_services
from sourcing.lists import services as list_services
from tests.catalog.pages.conftest import categories  # noqa: F401 - fixture
from tests.lists.conftest import kitchen, products  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def _switch(client, language, next_url="/"):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    return response


def _po_msgstr(msgid: str) -> str:
    """The committed .po's translation of msgid (read without Django), or msgid while it has none."""
    import polib

    entry = polib.pofile(str(LOCALE_DIR / "django.po")).find(msgid)
    return entry.msgstr if entry is not None and entry.translated() else msgid


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
        assert '<option value="en" lang="en">English</option>' in page  # not 英语: each language in its own words

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


# --- the journey's pages in 中文 ---
# alice saves offers to a list → bob comments → bob contacts the glass's supplier → the inquiry shows in the
# supplier's history; alice watches the flask; her credential's pages and the team page.
CHINESE_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} CST \(北京\)")
ENGLISH_DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} CST \(Beijing\)")
NAV = ["Connections", "Change language", "Current team"]
# Per page: English sentences the page shows that must not be left in English under zh-hans.
PAGES = {
    "lists": NAV
    + [
        "Your team's shortlists: everyone in the team sees them; buyers add and edit, owners and admins delete."
    ],  # fmt: skip
    "list": ["Total at target quantities", "Delete the list", "rejected items left out"],
    "item": ["No option chosen", "Offer page", "Option (SKU)"],
    "compare": ["Repurchase rate", "Minimum order", "Service score", "Ships within"],
    "product": ["Save to a team list", "Price at quantity", "Find similar offers", "Options and stock"],
    "contact": ["No option chosen", "Option (SKU)", "Current team"],
    "supplier": ["Fetch more offers from 1688", "Offers in the portal", "Only the offers found by searches so far."],
    "inquiry": NAV,
    "inquiries": NAV,
    "alerts": NAV,
    "connections": ["Add a 1688 app", "key not confirmed yet", "1688 connections"],
    "connection": ["No 1688 account is connected yet.", "Calls per Beijing day, last 30 days", "Not connected"],
    "api_status": ["Permissions and today's usage", "Recent errors, explained", "Credential in use"],
    "team": ["Show prices also in", "Prices show in yuan (CNY) only."],
}


def _words(response) -> str:
    """The page's words as a reader sees them: no markup, scripts or styles, entities decoded."""
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html.unescape(response.content.decode()), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


@pytest.fixture
def journey(alice, bob, kitchen, products):  # noqa: F811
    """The journey's rows, made through the services the pages use; returns each page's address."""
    flask, glass, _mug = products
    item = kitchen.items.get(product=glass)
    list_services.comment_add(actor=bob, item=item, text="样品已到，杯盖很紧。")
    inquiry = inquiry_services.inquiry_create(actor=bob, team=bob.current_team, product=glass, message="您好！")
    inquiry_services.inquiry_mark_sent(actor=bob, inquiry=inquiry, at=timezone.now() - timedelta(hours=3))
    alert_services.product_watch(actor=alice, team=alice.current_team, product=flask)
    credential = credential_create(owner=alice, app_key="30051688", app_secret="demo-app-secret-5f1c2e9a",
                                   name="Acme app", gateway=AppCredential.Gateway.SANDBOX, check=False)  # fmt: skip
    return {
        "lists": "/lists/",
        "list": f"/lists/{kitchen.pk}/",
        "item": f"/lists/items/{item.pk}/",
        "compare": f"/lists/{kitchen.pk}/compare/",
        "product": f"/products/{glass.offer_id}/",
        "contact": f"/inquiries/new/?offer={glass.offer_id}",
        "supplier": f"/suppliers/{glass.supplier_id}/",
        "inquiry": f"/inquiries/{inquiry.pk}/",
        "inquiries": "/inquiries/",
        "alerts": "/alerts/",
        "connections": "/connections/",
        "connection": f"/connections/{credential.pk}/",
        "api_status": "/api-status/",
        "team": f"/teams/{alice.current_team.pk}/",
        "credential": credential,
        "inquiry_row": inquiry,
    }


def _get(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def test_the_journey_pages_render_in_chinese(client, alice, journey):
    client.force_login(alice)
    for name, sentences in PAGES.items():
        english = _words(_get(client, journey[name], "en"))
        response = _get(client, journey[name], "zh-hans")
        chinese = _words(response)
        assert '<html lang="zh-hans">' in response.content.decode(), name
        for sentence in sentences:
            assert sentence in english, (name, sentence)  # the page does say it…
            assert sentence not in chinese, (name, sentence)  # …and not in English to a Chinese reader
            with translation.override("zh-hans"):
                assert translation.gettext(sentence) in chinese, (name, sentence)


def test_headings_and_history_in_chinese(client, alice, journey):
    client.force_login(alice)
    assert "<h1>采购清单" in _get(client, journey["lists"], "zh-hans").content.decode()
    assert "<h1>询盘" in _get(client, journey["inquiries"], "zh-hans").content.decode()
    assert "1688 API 状态" in _get(client, journey["api_status"], "zh-hans").content.decode()
    # bob's inquiry shows in the supplier's history, on a Chinese page
    supplier = _get(client, journey["supplier"], "zh-hans").content.decode()
    history = supplier[supplier.index('id="inquiries"') :]
    assert f'href="/inquiries/{journey["inquiry_row"].pk}/"' in history and "bob" in history


def test_dates_follow_the_language(client, alice, journey):
    client.force_login(alice)
    for name in ("product", "inquiry"):
        english, chinese = _words(_get(client, journey[name], "en")), _words(_get(client, journey[name], "zh-hans"))
        assert ENGLISH_DATE.search(english) and not CHINESE_DATE.search(english), name
        assert CHINESE_DATE.search(chinese) and not ENGLISH_DATE.search(chinese), name
    # the quota's reset time on the API status page: midnight Beijing, tomorrow
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = _words(_get(client, journey["api_status"], "zh-hans"))
    assert f"{tomorrow.year}年{tomorrow.month}月{tomorrow.day}日 00:00 CST (北京)" in page


def test_numbers_in_inputs_stay_machine_readable(client, alice, kitchen):  # noqa: F811
    """A Chinese page's form fields still hold 12.00 and 500, which the server reads back."""
    client.force_login(alice)
    item = kitchen.items.get(target_quantity=500)
    page = _get(client, f"/lists/items/{item.pk}/", "zh-hans").content.decode()
    assert re.search(r'name="target_price"[^>]*value="12.00"|value="12.00"[^>]*name="target_price"', page)
    assert re.search(r'name="target_quantity"[^>]*value="500"|value="500"[^>]*name="target_quantity"', page)


def test_a_checks_steps_read_in_the_readers_language(client, alice, journey):
    """A worker stores a check's steps in English; a Chinese reader sees them in Chinese, a failure explained anew."""
    credential = journey["credential"]
    check = ConnectionCheck.objects.create(
        credential=credential, requested_by=alice, state=ConnectionCheck.State.FAILED, progress=100,
        steps=[{"name": "Reach the gateway", "ok": True, "detail": CLOCK_OFFSET, "args": {"offset": "+0.3"}},
               {"name": "Check the signature", "ok": True,
                "detail": "signature accepted (App Key and App Secret match)"},
               {"name": "Use the access token", "ok": False, "code": "local.NotConnected", "kind": "NotConnected",
                "detail": "No 1688 account is connected to this credential. Click “Connect 1688 account”."}],
    )  # fmt: skip
    client.force_login(alice)
    url = f"/api-status/check/{check.pk}/"
    chinese = _words(_get(client, url, "zh-hans"))
    assert "连接网关: 已连通网关；时钟偏差 +0.3 秒" in chinese
    assert "检查签名: 签名通过（App Key 与 App Secret 匹配）" in chinese
    with translation.override("zh-hans"):
        assert f"使用访问令牌: {explain('local.NotConnected', app_key='30051688').sentence}" in chinese
    english = _words(_get(client, url, "en"))
    assert "Reach the gateway: gateway reached; clock offset +0.3 s" in english
    assert "Use the access token: No 1688 account is connected to this credential. Click" in english


def test_secret_hint_and_zone_in_chinese(client, alice, journey):
    client.force_login(alice)
    page = _words(_get(client, journey["connection"], "zh-hans"))
    assert "已设置 · 末四位 2e9a" in page and "ends in" not in page


def test_messages_and_plain_words_follow_the_language(client, alice, journey, products):  # noqa: F811
    """A flash message and an explained 1688 error come out of the catalog for a Chinese reader."""
    flask, glass, _mug = products
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = _words(client.post("/alerts/watch/", {"offer": glass.offer_id}, follow=True))
    watching = "Watching: you'll hear when this offer sells out, comes back or is taken off 1688."
    assert _po_msgstr(watching) in page and "通知" in page
    with translation.override("zh-hans"):
        error = explain("SignatureInvalid", app_key="30051688")
        assert error.title == _po_msgstr("Signature verification failed: the App Secret does not belong to %(key)s") % {
            "key": _po_msgstr("App Key %(key)s") % {"key": "30051688"}
        }


def test_every_string_has_a_chinese_translation():
    """No page shows English in the Chinese interface: every msgid of the catalog is translated, none fuzzy."""
    import polib

    po = polib.pofile(str(LOCALE_DIR / "django.po"))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == [], f"{len(missing)} strings without Chinese, e.g. {missing[:5]}"
