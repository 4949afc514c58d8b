"""The whole offer: its description as safe HTML, its video links, and the pictures of its gallery.

A 1688 description is the seller's HTML: mostly detail images (`<img src="https://cbu01.alicdn.com/…">`),
sometimes with protocol-relative (`//…`) links, tables, inline styles and whatever else the seller's editor
let through. It is untrusted: `clean_description` runs it through nh3 (the Ammonia sanitiser) when it is
written (catalog_upsert) and again when a page shows it. The rules are in docs/offer-content.md.
"""

import re

import nh3

from sourcing.alibaba.api import absolute_http

# Layout and text a description needs; everything else is dropped (its text kept). h1/h2 are left out so
# the seller's headings never outrank the page's own.
TAGS = {
    "p", "br", "div", "span", "center", "b", "strong", "i", "em", "u", "s", "small", "sub", "sup", "font",
    "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th", "img", "a", "figure", "figcaption",
}  # fmt: skip
# Dropped with everything inside them: active content and what only makes sense with it.
DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript", "template",
    "svg", "math", "video", "audio", "canvas", "form", "textarea", "select", "button", "title", "head",
}  # fmt: skip
# No style, class or id anywhere (so no `style="background:url(…)"`, no CSS from the seller), no event handlers.
ATTRIBUTES = {
    "img": {"src", "alt", "width", "height"},
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
LINK_REL = "noopener noreferrer nofollow"
SET_ATTRIBUTES = {
    "img": {"loading": "lazy", "decoding": "async", "referrerpolicy": "no-referrer"},
    "a": {"target": "_blank"},
}
MAX_INPUT = 300_000  # characters: a description past this is cut before cleaning (the parser mends the cut)
MAX_URL = 1000

_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_START_TAG = re.compile(r"<(img|a)(\s[^>]*)?>")
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')  # nh3 writes every value double-quoted, `"` escaped inside
_TAG = re.compile(r"<[^>]*>")


def media_url(value) -> str:
    """An absolute http(s) URL for a picture, video or link, or "" when it is not one.

    Protocol-relative `//host/path` becomes https; `http://` on 1688's CDN (alicdn.com) is upgraded to https,
    which it serves, so a page on https never mixes content.
    """
    text = str(value or "").strip()
    if not text or len(text) > MAX_URL or any(c in text for c in "\x00\r\n\t <>\"'`\\"):
        return ""
    found = absolute_http(text)
    if found is None:
        return ""
    text, host, parts = found
    if parts.scheme.lower() == "http" and (host == "alicdn.com" or host.endswith(".alicdn.com")):
        return "https" + text[4:]
    return text


def _attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("src", "href"):
        return media_url(value) or None
    if attribute in ("width", "height"):  # pixels only: "750", not "100%;background:url(…)"
        return value if value.isascii() and value.isdigit() and len(value) <= 5 else None
    if attribute in ("colspan", "rowspan"):
        return value if value.isascii() and value.isdigit() and len(value) <= 3 else None
    return value[:300]


_cleaner = nh3.Cleaner(
    tags=TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes=ATTRIBUTES,
    attribute_filter=_attribute,
    link_rel=LINK_REL,
    url_schemes={"http", "https"},
    url_relative=lambda url: media_url(url) or None,  # `//host/…` becomes https; any other relative URL goes
    strip_comments=True,
)


def clean_description(html) -> str:
    """The description as HTML that is safe to show, or "" when nothing worth showing is left.

    Idempotent: cleaning clean HTML gives it back unchanged, so the page cleans again what the database holds.
    """
    text = str(html or "")[:MAX_INPUT]
    if not text.strip():
        return ""
    cleaned = _START_TAG.sub(_set_attributes, _IMG_WITHOUT_SRC.sub("", _cleaner.clean(text))).strip()
    if "<img" not in cleaned and not _TAG.sub("", cleaned).replace("&nbsp;", "").strip():
        return ""  # empty paragraphs, or nothing but what was removed
    return cleaned


def _set_attributes(match) -> str:
    """An <img> or <a> with SET_ATTRIBUTES added and every attribute in one order, so the same description always
    cleans to the same text (the detail's content hash must not change from one process to the next)."""
    tag = match.group(1)
    attributes = dict(_ATTRIBUTE.findall(match.group(2) or ""))
    attributes.update(SET_ATTRIBUTES[tag])
    order = sorted(attributes, key=lambda name: (name not in ("src", "href"), name))  # the address first
    return f"<{tag}" + "".join(f' {name}="{attributes[name]}"' for name in order) + ">"


def description_images(html: str) -> list[str]:
    """The picture URLs of a cleaned description, in order (the detail images)."""
    return re.findall(r'<img[^>]*\ssrc="([^"]+)"', html or "")


def product_gallery(product, skus) -> list[dict]:
    """Every picture of the offer for the gallery: its main pictures, then one per option that has its own.

    Each item: {"url", "kind": "main" | "option", "value", "value_en", "name", "name_en"}; the option
    fields say which option a picture shows. A URL already shown is not repeated.
    """
    items, seen = [], set()

    def add(url, **fields):
        url = media_url(url)
        if url and url not in seen and len(items) < 60:
            seen.add(url)
            items.append({"url": url, "value": "", "value_en": "", "name": "", "name_en": "", **fields})

    for url in [product.image_url, *(product.images or [])]:  # the main picture first, then the rest
        if isinstance(url, str):
            add(url, kind="main")
    for sku in skus:
        for attribute in sku.attributes or []:
            if isinstance(attribute, dict) and attribute.get("image_url"):
                add(attribute["image_url"], kind="option", value=str(attribute.get("value") or ""),
                    value_en=str(attribute.get("value_en") or ""), name=str(attribute.get("name") or ""),
                    name_en=str(attribute.get("name_en") or ""))  # fmt: skip
        if sku.image_url:
            add(sku.image_url, kind="option", value=sku.label)
    return items
