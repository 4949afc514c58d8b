"""The whole offer's content: the seller's description cleaned by nh3 (never a script, a handler, a frame, a
style with url() or a javascript: link; pictures kept and lazy), video links read from both detail APIs, and
what an answer without a description does to the one already known."""

import pytest

from sourcing.alibaba import api
from sourcing.catalog.offer_content import clean_description, description_images, media_url
from tests.alibaba.recorded_answers import answer

HOSTILE = """
<p style="text-align:center">春季新款 <b>保温杯</b></p>
<script>alert("xss")</script>
<img src="https://cbu01.alicdn.com/img/ibank/O1CN01a.jpg" onerror="alert(1)" onload="steal()" style="width:750px">
<img src="//cbu01.alicdn.com/img/ibank/O1CN01b.jpg" alt="详情">
<img src="javascript:alert(2)"><img src="data:image/svg+xml;base64,PHN2Zz4=">
<a href="javascript:alert(3)">点我</a> <a href="  JaVaScRiPt:alert(4)">再点</a>
<a href="https://detail.1688.com/offer/1.html" rel="opener" target="_self" onclick="x()">店铺</a>
<iframe src="https://evil.example/frame">框架里的字</iframe>
<div style="background:url(https://evil.example/track.png)">背景</div>
<span style="background-image: url('javascript:alert(5)')">样式</span>
<svg><script>alert(6)</script></svg><object data="x.swf"></object><embed src="x.swf">
<form action="https://evil.example/"><input name="q"><button>提交</button></form>
"""


def test_the_sanitiser_strips_what_could_run_and_keeps_pictures_and_text():
    # when a seller's description with every trick in it is cleaned
    html = clean_description(HOSTILE)
    lowered = html.lower()
    # then nothing that runs, frames, styles or submits is left
    for gone in ("<script", "alert", "onerror", "onload", "onclick", "javascript:", "<iframe", "框架里的字",
                 "style=", "url(", "evil.example", "<svg", "<object", "<embed", "<form", "<input", "data:"):  # fmt: skip
        assert gone not in lowered, gone
    # and the text and pictures stay, lazily loaded, the protocol-relative one made https
    for kept in ("春季新款", "<b>保温杯</b>", "背景", "样式", "点我", "店铺"):
        assert kept in html, kept
    assert description_images(html) == [
        "https://cbu01.alicdn.com/img/ibank/O1CN01a.jpg",
        "https://cbu01.alicdn.com/img/ibank/O1CN01b.jpg",
    ]
    assert html.count("<img") == 2 and html.count('loading="lazy"') == 2
    # links go out only as http(s), opened apart from the page and followed by no search engine
    assert '<a href="https://detail.1688.com/offer/1.html" rel="noopener noreferrer nofollow" target="_blank">' in html
    assert 'rel="opener"' not in html and "_self" not in html
    # cleaning clean HTML changes nothing (the page cleans again what the database holds)
    assert clean_description(html) == html


@pytest.mark.parametrize("value", [None, "", "   ", "<p></p><p>&nbsp;</p>", "<script>alert(1)</script>",
                                   '<img src="javascript:alert(1)">', '<img src="img/ibank/relative.jpg">'])  # fmt: skip
def test_a_description_with_nothing_to_show_is_empty(value):
    assert clean_description(value) == ""


def test_widths_are_pixels_and_http_on_the_1688_cdn_becomes_https():
    html = clean_description('<img src="http://cbu01.alicdn.com/a.jpg" width="100%;background:url(x)" height="500">'
                             '<img src="http://img.example/b.jpg" width="750">')  # fmt: skip
    assert 'src="https://cbu01.alicdn.com/a.jpg"' in html and 'height="500"' in html and "100%" not in html
    assert 'src="http://img.example/b.jpg"' in html and 'width="750"' in html


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("https://cloud.video.taobao.com/play/u/1/p/1/e/6/t/1/330937381845.mp4",
         "https://cloud.video.taobao.com/play/u/1/p/1/e/6/t/1/330937381845.mp4"),
        ("//cloud.video.taobao.com/play/x.mp4", "https://cloud.video.taobao.com/play/x.mp4"),
        ("javascript:alert(1)", ""), ("", ""), (None, ""), ("/relative.mp4", ""), ("https://", ""),
        ('https://a.example/x.mp4" onmouseover="alert(1)', ""),
    ],
)  # fmt: skip
def test_media_links_are_absolute_http(raw, url):
    assert media_url(raw) == url


def test_the_readers_take_the_video_links_of_both_detail_apis():
    # queryProductDetail: mainVideo / detailVideo (the recorded answer has empty strings)
    raw = answer("product.search.queryProductDetail")["result"]["result"]
    assert api.read_detail(raw).video_url == "" and api.read_detail(raw).description == "<p>示例描述</p>"
    # a sparse answer: description and videos null or left out
    sparse = {k: v for k, v in raw.items() if k not in ("description", "detailVideo")} | {"mainVideo": None}
    assert (api.read_detail(sparse).description, api.read_detail(sparse).video_url) == ("", "")
    assert api.read_detail({**raw, "description": None}).description == ""
    raw = {**raw, "mainVideo": "//cloud.video.taobao.com/play/main.mp4", "detailVideo": "https://v.example/d.mp4"}
    read = api.read_detail(raw)
    assert (read.video_url, read.detail_video_url) == ("https://cloud.video.taobao.com/play/main.mp4",
                                                       "https://v.example/d.mp4")  # fmt: skip
    # alibaba.product.get: mainVedio / detailVedio, spelled so
    info = answer("alibaba.product.get")["productInfo"]
    read = api.read_product_info({**info, "mainVedio": "https://v.example/m.mp4", "detailVedio": None})
    assert (read.video_url, read.detail_video_url, read.description) == ("https://v.example/m.mp4", "", "描述")


def test_the_same_description_cleans_to_the_same_text_in_every_process():
    """The cleaned description is part of the detail's content hash: another worker process must not see a change."""
    import subprocess
    import sys

    code = (
        "from sourcing.catalog.offer_content import clean_description as c; "
        'print(c(\'<p><img src="https://cbu01.alicdn.com/a.jpg" width="750" alt="杯">'
        '<a href="https://shop.example/">店</a></p>\'))'
    )
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        for _ in range(6)
    }
    assert len(outputs) == 1, outputs
    (cleaned,) = outputs
    assert 'loading="lazy"' in cleaned and 'rel="noopener noreferrer nofollow"' in cleaned
    from sourcing.catalog.offer_content import clean_description

    assert clean_description(cleaned.strip()) == cleaned.strip()  # idempotent
