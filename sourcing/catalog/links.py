"""1688 offer references in pasted text: offer pages, phone and QR links, offerId parameters, plain ids and the
links of buying-agent sites that carry a 1688 offer id (docs/catalog.md "Links in"). Pure functions: no database,
no network (a short link that only its site can resolve is reported, never followed)."""

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from django.utils.translation import gettext_lazy as _

from sourcing.catalog.keys import offer_number

MAX_PIECES = 500  # a paste or a cell past this many links is cut (the callers cap what they act on)
MAX_TEXT_CHARS = 200_000

# A link: with a scheme, or a bare host with a dot and a letter TLD ("detail.1688.com/offer/1.html"). It ends at
# whitespace, a comma, Chinese punctuation or brackets, so "【1688】标题https://…，" gives the link alone.
_LINK = re.compile(
    r"(?:https?://|(?<![\w.@-])(?=(?:[a-z0-9-]+\.)+[a-z]{2,}(?:[/?#:]|$|[^\w.-])))"
    r"[^\s,，。；、！？“”‘’【】《》「」（）<>\"'|\\^`{}]+",
    re.IGNORECASE,
)
_GLUED = re.compile(r"(?<=[^\s=%/:?&#])(?=https?://)", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s,;，。；、|【】「」《》（）()\[\]]+")
_OFFER_PATH = re.compile(r"/offer/(\d+)\.html?", re.IGNORECASE)
_OFFER_PARAM = re.compile(r"(?:^|[?&#;])(?:offerId|offer_id|offerid)=(\d+)", re.IGNORECASE)
# Agents' own paths that name the marketplace and the id (sources in tests/catalog/links_examples.json).
_AGENT_PATHS = [
    re.compile(r"/item-1688-(\d+)(?:\.html?)?", re.IGNORECASE),  # cssbuy
    re.compile(r"/products/agent/1688/(\d+)\.html?", re.IGNORECASE),  # basetao
    re.compile(r"/(?:m/)?product/0/(\d+)", re.IGNORECASE),  # hoobuy: 0 is 1688
    re.compile(r"/product/(?:1688|ali_?1688|alibaba)/(\d+)", re.IGNORECASE),  # oopbuy-style /product/<market>/<id>
]
# Query parameters that name the marketplace beside an `id`: shop_type=1688 (cnfans, mulebuy, lovegobuy), channel=1688
# (oopbuy), source=AL (acbuy), platform=1688 / ALIBABA (superbuy-style).
_MARKET_PARAMS = ("shop_type", "shoptype", "channel", "source", "platform", "mallType", "type")
_MARKET_1688 = {"1688", "ali_1688", "ali1688", "alibaba", "al", "0"}
_ID_PARAMS = ("id", "itemId", "itemID", "goodsId", "productId", "offerId")
_NESTED_PARAMS = ("url", "productLink", "productUrl", "link", "key", "target", "goodsUrl", "itemUrl", "u")
OTHER_SITES = {
    "taobao.com": "Taobao", "tmall.com": "Tmall", "tmall.hk": "Tmall", "aliexpress.com": "AliExpress",
    "aliexpress.us": "AliExpress", "aliexpress.ru": "AliExpress", "weidian.com": "Weidian", "jd.com": "JD.com",
    "pinduoduo.com": "Pinduoduo", "yangkeduo.com": "Pinduoduo", "alibaba.com": "Alibaba.com", "amazon.com": "Amazon",
    "tb.cn": "Taobao",
}  # fmt: skip


class Why:
    """Why a piece of the text is not a 1688 offer (stored codes; `words()` says it in the reader's language)."""

    OTHER_SITE = "other_site"  # a Taobao, Tmall, AliExpress … link
    NOT_AN_OFFER_PAGE = "not_offer_page"  # a 1688 shop, search or home page
    SHORT_LINK = "short_link"  # qr.1688.com/s/…, dj.1688.com ad redirects: only 1688 knows where they go
    NO_OFFER = "no_offer"  # a link elsewhere with no 1688 offer id in it
    BAD_NUMBER = "bad_number"  # a number that can't be an offer id
    TEXT = "text"  # words between the links


def why_words(why: str, site: str = "") -> str:
    """The reason in plain words."""
    words = {
        Why.OTHER_SITE: _("not a 1688 offer: a %(site)s link. The portal fetches 1688 offers only."),
        Why.NOT_AN_OFFER_PAGE: _("a 1688 page, but not an offer (a shop, search or home page has no offer id)."),
        Why.SHORT_LINK: _("a 1688 short or ad link: open it in a browser and paste the offer link it leads to."),
        Why.NO_OFFER: _("not a 1688 offer: this link carries no 1688 offer id."),
        Why.BAD_NUMBER: _("not an offer id: 1688 offer ids are whole numbers of 6 to 19 digits."),
        Why.TEXT: _("words, not a link (ignored)."),
    }
    return str(words.get(why, _("not a 1688 offer."))) % {"site": site}


@dataclass(frozen=True)
class Piece:
    """A part of the pasted text that is not a 1688 offer, with why."""

    text: str
    why: str
    site: str = ""

    @property
    def words(self) -> str:
        return why_words(self.why, self.site)


@dataclass
class Parsed:
    """What a paste holds: the offer ids in first-seen order (each once), where each was first seen, and the rest."""

    offer_ids: list[int] = field(default_factory=list)
    sources: dict[int, str] = field(default_factory=dict)
    pieces: list[Piece] = field(default_factory=list)
    repeats: int = 0  # offers named more than once
    cut: bool = False  # the text held more than MAX_PIECES references

    @property
    def links(self) -> list[Piece]:
        """The pieces that are links or numbers (the words between them left out)."""
        return [p for p in self.pieces if p.why != Why.TEXT]


def _host_site(host: str) -> str:
    """The marketplace a host belongs to ("Taobao"), "1688" for 1688's own hosts, "" otherwise."""
    host = host.lower().rstrip(".")
    if host == "1688.com" or host.endswith(".1688.com"):
        return "1688"
    for domain, name in OTHER_SITES.items():
        if host == domain or host.endswith("." + domain):
            return name
    return ""


def _params(text: str) -> list[tuple[str, str]]:
    """Query and fragment parameters ("#/goodsDetail?url=…" keeps its own), values decoded once."""
    parts = urlsplit(text)
    found = parse_qsl(parts.query, keep_blank_values=False)
    fragment = parts.fragment
    if "?" in fragment:
        found += parse_qsl(fragment.split("?", 1)[1], keep_blank_values=False)
    elif "=" in fragment:
        found += parse_qsl(fragment, keep_blank_values=False)
    return found


def _with_scheme(text: str) -> str:
    return text if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE) else "https://" + text


def offer_in_link(link: str, *, depth: int = 0) -> tuple[int | None, Piece | None]:
    """The 1688 offer id a link carries, or why it carries none."""
    text = link.strip()
    url = _with_scheme(text)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return None, Piece(text[:300], Why.NO_OFFER)
    site = _host_site(host)
    if site not in ("", "1688"):
        return None, Piece(text[:300], Why.OTHER_SITE, site)
    params = _params(url)
    if site == "1688":
        match = _OFFER_PATH.search(parts.path) or _OFFER_PARAM.search("?" + parts.query + "#" + parts.fragment)
        number = offer_number(match.group(1)) if match else None
        if number is None:
            number = next((offer_number(v) for k, v in params if k.lower() in ("offerid", "offer_id")), None)
        if number:
            return number, None
        if host.lower().startswith(("qr.", "dj.")) or parts.path.startswith("/s/"):
            return None, Piece(text[:300], Why.SHORT_LINK)
        return None, Piece(text[:300], Why.NOT_AN_OFFER_PAGE)
    # Another site: an agent's link names the 1688 offer in its path, in marketplace+id parameters, or wraps the
    # whole 1688 link in a parameter (sometimes encoded twice).
    for pattern in _AGENT_PATHS:
        match = pattern.search(parts.path)
        if match and offer_number(match.group(1)):
            return offer_number(match.group(1)), None
    values = {k.lower(): v for k, v in params}
    if any(values.get(k.lower(), "").strip().lower() in _MARKET_1688 for k in _MARKET_PARAMS):
        for name in _ID_PARAMS:
            number = offer_number(values.get(name.lower(), ""))
            if number:
                return number, None
    match = _OFFER_PARAM.search("?" + parts.query + "#" + parts.fragment)
    if match and offer_number(match.group(1)):
        return offer_number(match.group(1)), None
    if depth < 3:
        for key, value in params:
            if key.lower() not in {n.lower() for n in _NESTED_PARAMS}:
                continue
            inner = value
            for _round in range(3):  # double-encoded: https%253A%252F%252F…
                if "://" in inner or not re.search(r"%[0-9a-f]{2}", inner, re.IGNORECASE):
                    break
                inner = unquote(inner)
            inner_site = _host_site(urlsplit(_with_scheme(inner)).hostname or "")
            if inner_site:
                number, why = offer_in_link(inner, depth=depth + 1)
                if number:
                    return number, None
                return None, Piece(text[:300], why.why, why.site)
    return None, Piece(text[:300], Why.NO_OFFER)


def offer_in_cell(text: str) -> tuple[int | None, Piece | None]:
    """One reference (a spreadsheet cell, a form field): the offer it names, or why it names none."""
    parsed = offers_in_text(text)
    if parsed.offer_ids:
        return parsed.offer_ids[0], None
    links = parsed.links
    if links:
        return None, links[0]
    cleaned = " ".join(str(text or "").split())
    return None, Piece(cleaned[:300], Why.TEXT if cleaned else Why.NO_OFFER)


def offers_in_text(text: str, *, limit: int = MAX_PIECES) -> Parsed:
    """Every 1688 offer a paste names, in order and each once, and the pieces that are not offers with why; past
    `limit` references the rest is not read (`cut`)."""
    text = str(text or "")[:MAX_TEXT_CHARS].replace("\u3000", " ").replace("\ufeff", "")
    # Links glued together (a search box drops the line breaks of a paste): "….htmlhttps://…" is two links; a
    # link inside a parameter ("url=https://…") stays where it is.
    text = _GLUED.sub(" ", text)
    parsed = Parsed()
    found = 0

    def offer(number: int, source: str) -> None:
        nonlocal found
        found += 1
        if number in parsed.sources:
            parsed.repeats += 1
            return
        parsed.offer_ids.append(number)
        parsed.sources[number] = source[:2000]

    position, words = 0, []

    def flush_words() -> None:
        if words:
            parsed.pieces.append(Piece(" ".join(words)[:300], Why.TEXT))
            words.clear()

    def loose(chunk: str) -> None:
        for token in _SEPARATORS.split(chunk):
            token = token.strip("()[]{}<>\"'“”‘’【】《》「」（）:：")
            if not token:
                continue
            param = _OFFER_PARAM.search("?" + token)
            if param and offer_number(param.group(1)):
                flush_words()
                offer(offer_number(param.group(1)), token)
            elif token.isascii() and token.isdigit() and len(token) >= 6:  # shorter: "1688", a quantity
                flush_words()
                number = offer_number(token)
                if number:
                    offer(number, token)
                else:
                    parsed.pieces.append(Piece(token[:300], Why.BAD_NUMBER))
            else:
                words.append(token)

    for match in _LINK.finditer(text):
        if found + len(parsed.links) >= limit:
            parsed.cut = True
            break
        loose(text[position : match.start()])
        position = match.end()
        link = match.group(0).rstrip(".,;:!?)]}")
        number, why = offer_in_link(link)
        flush_words()
        if number:
            offer(number, link)
        else:
            parsed.pieces.append(why)
    else:
        loose(text[position:])
    flush_words()
    return parsed
