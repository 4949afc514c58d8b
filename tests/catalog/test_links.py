"""The parser of pasted 1688 offer references, on real link shapes (tests/catalog/links_examples.json)."""

import json
from pathlib import Path

import pytest

from sourcing.catalog.links import MAX_PIECES, Why, offer_in_cell, offers_in_text

EXAMPLES = json.loads((Path(__file__).parent / "links_examples.json").read_text(encoding="utf-8"))["examples"]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["text"][:60] for e in EXAMPLES])
def test_each_real_link_gives_its_offer_or_says_why_not(example):
    number, piece = offer_in_cell(example["text"])
    assert number == example["offer_id"]
    if number is None:
        assert piece.why == example["why"] and piece.words


def test_every_example_has_its_source():
    assert all(e.get("source") for e in EXAMPLES) and len(EXAMPLES) >= 25


@pytest.mark.parametrize(
    "text",
    [
        "detail.1688.com/offer/610494659403.html",
        "http://detail.1688.com/offer/610494659403.html?spm=a2615.2177701.0.0&tracelog=p4p#detail",
        "https://DETAIL.1688.COM/offer/610494659403.htm",
        "https://m.1688.com/offer/610494659403.html?offerId=610494659403&sk=consign",
        "https://m.1688.com/page/offerRemark.htm?offerId=610494659403",
        "https://dj.1688.com/ci_bb?a=1&offerId=610494659403&e=xyz",
        "https://qr.1688.com/share.html?offerId=610494659403&secret=abc",
        "offerId=610494659403",
        "offer_id=610494659403",
        "610494659403",
        " 610494659403 ",
        '=HYPERLINK("https://detail.1688.com/offer/610494659403.html","杯子")',
    ],
)
def test_the_forms_of_one_offer(text):
    assert offer_in_cell(text) == (610494659403, None)


def test_a_shared_message_with_many_links_gives_ordered_unique_offers_and_the_rest_with_why():
    text = (
        "【1688】不锈钢保温杯 大容量 https://detail.1688.com/offer/610494659403.html，"
        "m.1688.com/offer/813724060928.html、 641649880094\n"
        "offerId=780065669125; 123 https://item.taobao.com/item.htm?id=691541677564 "
        "https://detail.1688.com/offer/610494659403.html?spm=x\t"
        "https://s.1688.com/selloffer/offer_search.htm?keywords=cup，https://www.aliexpress.com/item/1005004567890123.html"
    )
    parsed = offers_in_text(text)
    assert parsed.offer_ids == [610494659403, 813724060928, 641649880094, 780065669125]
    assert parsed.repeats == 1
    assert parsed.sources[813724060928] == "m.1688.com/offer/813724060928.html"
    reasons = [(p.why, p.site) for p in parsed.links]
    assert reasons == [(Why.OTHER_SITE, "Taobao"), (Why.NOT_AN_OFFER_PAGE, ""), (Why.OTHER_SITE, "AliExpress")]
    assert "not a 1688 offer: a Taobao link" in parsed.links[0].words
    assert any(p.why == Why.TEXT and "不锈钢保温杯" in p.text for p in parsed.pieces)


@pytest.mark.parametrize("glue", ["\n", ",", " ", "，", "、", "；", "\r\n", "\u3000", " | "])
def test_separators(glue):
    text = glue.join(
        ["https://detail.1688.com/offer/610494659403.html", "813724060928", "m.1688.com/offer/1234567.html"]
    )
    assert offers_in_text(text).offer_ids == [610494659403, 813724060928, 1234567]


def test_links_glued_together_by_a_search_box_that_dropped_the_line_breaks():
    glued = "https://detail.1688.com/offer/610494659403.htmlhttps://m.1688.com/offer/813724060928.html"
    assert offers_in_text(glued).offer_ids == [610494659403, 813724060928]
    nested = "https://m.superbuy.com/home/#/goodsDetail?url=https://detail.1688.com/offer/610494659403.html"
    assert offers_in_text(nested).offer_ids == [610494659403] and not offers_in_text(nested).links


def test_chinese_text_glued_to_a_link():
    parsed = offers_in_text("看看这个https://detail.1688.com/offer/610494659403.html。谢谢")
    assert parsed.offer_ids == [610494659403]


@pytest.mark.parametrize(
    "text", ["", "   ", "保温杯", "hello world", "１２３４５６７８", "-610494659403", "9" * 30, "0"]
)
def test_nothing_that_is_an_offer(text):
    assert offers_in_text(text).offer_ids == []


def test_a_number_too_long_for_an_offer_id_says_so():
    assert offers_in_text("9" * 25).links[0].why == Why.BAD_NUMBER


def test_a_huge_paste_is_cut_not_slow():
    text = "\n".join(f"https://detail.1688.com/offer/{600000000000 + i}.html" for i in range(MAX_PIECES + 50))
    parsed = offers_in_text(text)
    assert parsed.cut and len(parsed.offer_ids) == MAX_PIECES


def test_hostile_text_never_raises():
    for text in ["http://[::1", "https://%zz%zz", "http://" + "a." * 5000 + "com", "\x00\x01", "offerId=", "=cmd|' /C calc'!A0",
                 "https://detail.1688.com/offer/.html", "https://x.com/?url=%E0%A4%A"]:  # fmt: skip
        offers_in_text(text)
        offer_in_cell(text)
