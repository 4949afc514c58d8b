"""The search document and query (design.md §5), built by the app so no server locale is involved.

A document is a list of lexemes: every Chinese character on its own and every overlapping pair
of Chinese characters (手机壳 → 手 机 壳 手机 机壳), plus lower-cased latin words and numbers
(NFKC first, so full-width ＵＳＢ reads as usb; a plural "s" is also indexed without it). A query is
built the same way and all its lexemes must be present: one Chinese character matches itself,
two or more match their pairs, so 杯 finds 保温杯 and 手机壳 does not find 手 … 机 … 壳 apart.

PostgreSQL stores the lexemes as a tsvector literal (title lexemes weight A, the rest B) under a
GIN index; SQLite stores them as space-delimited text and matches with instr().
"""

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sourcing.catalog.keys import search_key

MAX_QUERY_CHARS = 100  # longer queries are cut: nobody types more, and each lexeme costs a lookup
MAX_QUERY_LEXEMES = 16
MAX_DOCUMENT_LEXEMES = 400
MAX_POSITION = 16383  # PostgreSQL's limit for tsvector positions

# CJK ideographs (unified, extension A, compatibility, extensions B+).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_TOKEN = re.compile(rf"[{_HAN}]+|[^\W_{_HAN}]+")
_HAN_RUN = re.compile(rf"[{_HAN}]+")


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).lower()


def _latin(word: str) -> list[str]:
    word = word[:40]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss") and not word.isdigit():
        return [word, word[:-1]]
    return [word]


def lexemes(text: str) -> list[str]:
    """Document lexemes in text order, with repeats: characters and pairs of Chinese runs, latin words."""
    out: list[str] = []
    for run in _TOKEN.findall(_normal(text)):
        if _HAN_RUN.fullmatch(run):
            out.extend(run)
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.extend(_latin(run))
    return out


def query_lexemes(text: str) -> list[str]:
    """What a query must match, without repeats: a lone character, else the pairs; latin words stemmed."""
    seen: list[str] = []
    for run in _TOKEN.findall(_normal(text)[:MAX_QUERY_CHARS]):
        if _HAN_RUN.fullmatch(run):
            terms = [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
        else:
            terms = [_latin(run)[-1]]  # "cups" → "cup": documents index both forms
        for term in terms:
            if term not in seen:
                seen.append(term)
    return seen[:MAX_QUERY_LEXEMES]


def clean_query(text, limit: int = MAX_QUERY_CHARS) -> str:
    """The query as shown and stored: NFKC, control characters dropped (PostgreSQL refuses NUL in text),
    whitespace collapsed, cut to `limit` characters."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return " ".join(text.split())[:limit]


def delimited(words: list[str]) -> str:
    """SQLite's form: " w1 w2 … " so that instr(doc, ' w ') finds whole lexemes."""
    unique = list(dict.fromkeys(words))[:MAX_DOCUMENT_LEXEMES]
    return f" {' '.join(unique)} " if unique else ""


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(title_words: list[str], body_words: list[str]) -> str:
    """A tsvector literal: title lexemes weighted A, the others B, positions in text order."""
    positions: dict[str, list[str]] = {}
    position = 0
    for words, weight in ((title_words, "A"), (body_words, "B")):
        for word in words:
            position = min(position + 1, MAX_POSITION)
            slots = positions.setdefault(word, [])
            if len(slots) < 8:  # ranking needs a few positions, not all of them
                slots.append(f"{position}{weight}")
            if len(positions) >= MAX_DOCUMENT_LEXEMES:
                break
    return " ".join(f"{_quoted(word)}:{','.join(slots)}" for word, slots in positions.items())


def tsquery_literal(terms: list[str], *, weights: str = "") -> str:
    """All terms, as a tsquery literal ('手机' & '机壳'); weights "A" restricts them to title lexemes."""
    suffix = f":{weights}" if weights else ""
    return " & ".join(f"{_quoted(term)}{suffix}" for term in terms)


def document(*, title_parts: list[str], body_parts: list[str], vendor: str | None = None) -> dict[str, str]:
    """The search columns of a product: the tsvector on PostgreSQL, the plain lexeme texts elsewhere.

    Only the columns the database searches are filled, keeping rows narrow (a search reads every matching row).
    """
    from django.db import connection

    title = [w for part in title_parts for w in lexemes(part)]
    body = [w for part in body_parts for w in lexemes(part)]
    if (vendor or connection.vendor) == "postgresql":
        return {"search_title": "", "search_body": "", "search_vector": tsvector_literal(title, body) or None}
    return {"search_title": delimited(title), "search_body": delimited(body), "search_vector": None}


# --- filters: cleaned from whatever a query string holds ---
SORTS = ("relevance", "price", "price_desc", "sales", "newest")
MAX_PRICE = Decimal("1000000")  # yuan: no wholesale offer costs more a piece
MAX_MOQ = 10_000_000
MAX_ID = 2**63 - 1
_PRICE = re.compile(r"\d{1,7}(?:\.\d{1,2})?", re.ASCII)
_WHOLE = re.compile(r"\d{1,19}", re.ASCII)


@dataclass(frozen=True)
class SearchFilters:
    """Search filters after cleaning: every value is usable as it is."""

    category: int | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    max_moq: int | None = None
    province: str = ""
    sort: str = "relevance"
    # Supplier trust (docs/supplier-trust.md): a maybe-unknown filter like province (see MAYBE_UNKNOWN).
    min_years: int | None = None
    factory: bool = False
    unknown: tuple[str, ...] = ()  # filters whose offers of unknown value are shown too

    def remote(self) -> dict:
        """The filters 1688's keyword search takes (the others apply to the local catalog only)."""
        values = {"category": self.category, "price_min": self.price_min, "price_max": self.price_max}
        return {k: str(v) for k, v in values.items() if v is not None}

    def as_params(self) -> dict:
        """Non-default filters as query-string values, for links to the next page or another sort."""
        values = {"category": self.category, "price_min": self.price_min, "price_max": self.price_max,
                  "max_moq": self.max_moq, "province": self.province or None,
                  "sort": self.sort if self.sort != "relevance" else None,
                  "min_years": self.min_years, "factory": 1 if self.factory else None,
                  "unknown": ",".join(self.unknown) or None}  # fmt: skip
        return {k: str(v) for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class SearchRequest:
    """A keyword search as a page asked for it, cleaned once: its text (at most MAX_QUERY_CHARS), the words it looks
    for, its filters, and plain words for what cleaning dropped or changed. The view builds it (`SearchRequest.of`);
    the selector ranks with it, the start functions record it and the job fetches what they recorded: no layer
    below the view cleans the request again."""

    text: str = ""
    terms: tuple[str, ...] = ()
    filters: SearchFilters = SearchFilters()
    problems: tuple[str, ...] = ()
    shortened: bool = False  # the typed text was longer than MAX_QUERY_CHARS

    @classmethod
    def of(cls, query="", filters: "Mapping | SearchFilters | None" = None) -> "SearchRequest":
        """Clean what a page got (request.GET's q and filters), or pass an already clean request through."""
        if isinstance(query, SearchRequest):
            return query
        text = clean_query(query)
        cleaned, problems = clean_filters(filters)
        shortened = len(" ".join(str(query or "").split())) > MAX_QUERY_CHARS
        return cls(text=text, terms=tuple(query_lexemes(text)), filters=cleaned, problems=tuple(problems),
                   shortened=shortened)  # fmt: skip

    def as_params(self) -> dict:
        """The query string of the search's pages (what their links, polls and follow-ups carry)."""
        return {"q": self.text, **self.filters.as_params()}

    @property
    def key(self) -> str:
        """The team search this request is (same normalised text and 1688-side filters): SearchQuery.key."""
        return search_key(kind="keyword", query=self.text, remote=self.filters.remote())


def _text(raw: Mapping, name: str) -> str:
    value = raw.get(name) if hasattr(raw, "get") else None
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return str(value if value is not None else "").strip()[:50]


def clean_filters(raw: "Mapping | SearchFilters | None") -> tuple[SearchFilters, list[str]]:
    """Filters from request.GET-like data, and plain words for each value that was dropped or changed."""
    if isinstance(raw, SearchFilters):
        return raw, []
    raw = raw or {}
    problems: list[str] = []
    values: dict = {}
    text = _text(raw, "category")
    if text:
        if _WHOLE.fullmatch(text) and 0 < int(text) <= MAX_ID:
            values["category"] = int(text)
        else:
            problems.append(_("Ignored the category “%(v)s”: not a category number.") % {"v": text})
    for name, label in (("price_min", _("lowest price")), ("price_max", _("highest price"))):
        text = _text(raw, name).removeprefix("¥").strip()
        if not text:
            continue
        if not _PRICE.fullmatch(text):
            problems.append(_("Ignored the %(label)s “%(v)s”: enter yuan like 12.5.") % {"label": label, "v": text})
        elif Decimal(text) > MAX_PRICE:
            problems.append(_("Ignored the %(label)s “%(v)s”: above ¥1,000,000.") % {"label": label, "v": text})
        else:
            values[name] = Decimal(text).quantize(Decimal("0.01"))
    low, high = values.get("price_min"), values.get("price_max")
    if low is not None and high is not None and low > high:
        values["price_min"], values["price_max"] = high, low
        problems.append(_("The lowest price was above the highest; they were swapped."))
    text = _text(raw, "max_moq")
    if text:
        if _WHOLE.fullmatch(text) and 0 < int(text) <= MAX_MOQ:
            values["max_moq"] = int(text)
        else:
            problems.append(_("Ignored the minimum order “%(v)s”: enter a whole number of pieces.") % {"v": text})
    province = " ".join(_text(raw, "province").split())[:20]
    if province:
        values["province"] = province
    _clean_trust_filters(raw, values, problems)
    asked = [name for name in _text(raw, "unknown").split(",") if name in MAYBE_UNKNOWN]
    if asked:
        values["unknown"] = tuple(name for name in MAYBE_UNKNOWN if name in asked)  # one order: one cache key
    sort = _text(raw, "sort")
    if sort and sort not in SORTS:
        problems.append(_("Unknown sort “%(v)s”: sorted by relevance.") % {"v": sort})
    elif sort:
        values["sort"] = sort
    return SearchFilters(**values), problems


MAX_YEARS = 50
_ON = ("1", "on", "true", "yes")


def _clean_trust_filters(raw: Mapping, values: dict, problems: list[str]) -> None:
    """min_years (a whole number of years on 1688) and factory (a checkbox value)."""
    text = _text(raw, "min_years")
    if text:
        if _WHOLE.fullmatch(text) and 0 < int(text) <= MAX_YEARS:
            values["min_years"] = int(text)
        else:
            problems.append(_("Ignored the years on 1688 “%(v)s”: enter a whole number of years.") % {"v": text})
    if _text(raw, "factory").lower() in _ON:
        values["factory"] = True


# --- filters on fields 1688 may not have given yet ---
@dataclass(frozen=True)
class MaybeUnknown:
    """A filter on a field that may be unknown: offers of unknown value are counted and offered, never dropped
    silently (docs/filters-and-categories.md). A detail fetch can fill the field."""

    name: str  # the SearchFilters field and query-string name
    matches: Callable[[SearchFilters], Q]  # the offers whose known value passes the filter
    unknown: Q  # the offers whose value is not known yet
    reason: str  # why they are hidden, after "N offers hidden: "
    label: str  # the field, in "offers of unknown <label> are shown too"


# Another filter of this kind is one line here (the field, what passes, what is unknown, why).
MAYBE_UNKNOWN: dict[str, MaybeUnknown] = {
    m.name: m
    for m in (
        MaybeUnknown("province", lambda f: Q(province__startswith=f.province), Q(province=""),
                     gettext_lazy("their supplier's province is not known yet"), gettext_lazy("province")),
        MaybeUnknown("max_moq", lambda f: Q(moq__lte=f.max_moq), Q(moq__isnull=True),
                     gettext_lazy("their minimum order is not known yet"), gettext_lazy("minimum order")),
        MaybeUnknown("min_years", lambda f: Q(seller_years__gte=f.min_years), Q(seller_years__isnull=True),
                     gettext_lazy("their supplier's years on 1688 are not known yet"),
                     gettext_lazy("years on 1688")),
        MaybeUnknown("factory", lambda f: Q(seller_factory=True), Q(seller_factory__isnull=True),
                     gettext_lazy("their supplier's factory status is not known yet"),
                     gettext_lazy("factory status")),
    )
}  # fmt: skip


def active_unknowns(filters: SearchFilters) -> list[MaybeUnknown]:
    """The filters of this kind that are set (a value other than None, "" or False)."""
    return [m for m in MAYBE_UNKNOWN.values() if getattr(filters, m.name) not in (None, "", False)]
