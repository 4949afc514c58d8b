"""Template helpers for the catalog pages: ¥ amounts, counts, "3 h ago", bilingual names, the price chart."""

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from sourcing.catalog.pricing import unit_of
from sourcing.connections.templatetags.portal import stamp

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


@register.filter
def yuan(value):
    """¥1,234.50; an em dash when there is no price."""
    number = _decimal(value)
    if number is None:
        return "—"
    return f"¥{number.quantize(Decimal('0.01')):,}"


@register.filter
def price_range(product, style=""):
    """A product's price range: ¥12.50 – ¥15.00 (short: ¥12.50–15.00), or one amount when both ends agree."""
    low, high = _decimal(getattr(product, "price_min", None)), _decimal(getattr(product, "price_max", None))
    if low is None and high is None:
        return _("price not known yet")
    if low is None or high is None or low == high:
        return yuan(low if low is not None else high)
    if style == "short":
        return f"{yuan(low)}–{yuan(high)[1:]}"
    return f"{yuan(low)} – {yuan(high)}"


@register.filter
def trust(obj):
    """The merged supplier trust (selectors_trust.Trust) of a product, or of a supplier."""
    from sourcing.catalog.models import Supplier
    from sourcing.catalog.selectors.trust import supplier_trust, trust_for

    return supplier_trust(obj) if isinstance(obj, Supplier) else trust_for(obj)


@register.filter
def seller_name(product):
    """The supplier's company name, or the one a search answer gave before the supplier was known."""
    supplier = getattr(product, "supplier", None)
    return (supplier.company_name if supplier else "") or getattr(product, "company_name", "") or ""


@register.filter
def seller_place(product):
    """Where the supplier is: the product's province (search answers) or the supplier's."""
    supplier = getattr(product, "supplier", None)
    return getattr(product, "province", "") or (supplier.province if supplier else "") or ""


@register.filter
def count(value):
    """1,234 (thousands separated); an em dash for unknown."""
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "—"


@register.filter
def percent(value):
    """46.7 % from a Decimal percentage; an em dash for unknown."""
    number = _decimal(value)
    if number is None:
        return "—"
    text = f"{number.quantize(Decimal('0.1'))}".rstrip("0").rstrip(".")
    return f"{text} %"


@register.filter
def ago(value, now=None):
    """How long ago, in a few characters: "just now", "12 min ago", "3 h ago", "5 d ago"."""
    if not isinstance(value, datetime):
        return _("never")
    now = now if isinstance(now, datetime) else timezone.now()
    seconds = (now - value).total_seconds()
    if seconds < 60:
        return _("just now")
    minutes = int(seconds // 60)
    if minutes < 60:
        return _("%(n)s min ago") % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return _("%(n)s h ago") % {"n": hours}
    days = hours // 24
    if days < 60:
        return _("%(n)s d ago") % {"n": days}
    return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "SHORT_DATE_FORMAT")


@register.filter
def is_stale(value, hours=24):
    """True when the stamp is missing or older than `hours`."""
    if not isinstance(value, datetime):
        return True
    return timezone.now() - value > timedelta(hours=int(hours))


@register.simple_tag
def bilingual(zh, en, tag="span"):
    """中文 with the English beside it (the English only when it says something else)."""
    zh, en = (zh or "").strip(), (en or "").strip()
    if zh and en and zh.lower() != en.lower():
        return format_html('<{0} lang="zh">{1}</{0}> <span class="en" lang="en">{2}</span>', tag, zh, en)
    return format_html('<{0} lang="{1}">{2}</{0}>', tag, "zh" if zh else "en", zh or en)


@register.filter
def attr_pairs(attributes):
    """[{"name", "value", "name_en", "value_en"}] as tuples a template can loop over; junk rows dropped."""
    rows = []
    for item in attributes or []:
        if isinstance(item, dict) and (item.get("name") or item.get("name_en")):
            rows.append(
                (
                    str(item.get("name") or ""),
                    str(item.get("name_en") or ""),
                    str(item.get("value") or ""),
                    str(item.get("value_en") or ""),
                )
            )
    return rows


@register.filter
def tiers(quote):
    """The quote's quantity tiers for its option as (min_quantity, price, max_quantity or None, % off the first
    tier), ascending; [] when the option's own price applies whatever the quantity."""
    rows = [(start, price) for start, price in getattr(quote, "tiers", ()) if price is not None]
    first = rows[0][1] if rows else None
    return [
        (
            start,
            price,
            rows[i + 1][0] - 1 if i + 1 < len(rows) else None,
            int((first - price) * 100 / first) if first and price < first else 0,
        )
        for i, (start, price) in enumerate(rows)
    ]


@register.simple_tag
def next_tier(quote):
    """The next cheaper tier above the quoted quantity, to tell the buyer what ordering more would save."""
    if quote is None or quote.unit_price is None:
        return None
    for start, price, _end, _off in tiers(quote):
        if start > quote.quantity and price < quote.unit_price:
            return {
                "quantity": start,
                "price": price,
                "more": start - quote.quantity,
                "saving": quote.unit_price - price,
            }
    return None


@register.filter
def yuan_fine(value):
    """A per-piece amount to the fen's hundredth where it matters: ¥0.1234, ¥2.50."""
    number = _decimal(value)
    if number is None:
        return "—"
    fine = number.quantize(Decimal("0.0001"))
    return (
        f"¥{fine.normalize():,f}" if fine != fine.quantize(Decimal("0.01")) else f"¥{fine.quantize(Decimal('0.01')):,}"
    )


@register.filter
def search_url(search):
    """Where a team search leads: the keyword search with its filters, or the photo search's results."""
    if search.kind == "image":
        return reverse("image_results", args=[search.pk])
    filters = search.filters if isinstance(search.filters, dict) else {}
    params = {"q": search.query, **{k: filters.get(k) for k in ("category", "price_min", "price_max")}}
    return f"{reverse('search')}?{urlencode({k: v for k, v in params.items() if v not in (None, '')})}"


# --- the price history chart: server-rendered SVG, no script ---
W, H = 480, 200
RIGHT, TOP, BOTTOM = 16, 14, 30  # the left margin fits the longest ¥ label


def _n(value: float) -> str:
    """A coordinate with one decimal (format_html turns its arguments into strings first)."""
    return f"{value:.1f}"


def _label_date(value: datetime, span_days: float) -> str:
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    if span_days < 2:
        return formats.date_format(local, "MONTH_DAY_FORMAT") + " " + formats.time_format(local, "H:i")
    return formats.date_format(local, "SHORT_DATE_FORMAT" if span_days > 300 else "MONTH_DAY_FORMAT")


@register.simple_tag
def price_chart(points, now=None):
    """A step chart of the lowest (and highest) price over time, with ¥ and date axes.

    `points` are PriceHistory rows oldest first. A price holds until the next change, so the line
    steps and runs on to now; one point (or a flat history) draws a flat line in the middle.
    """
    rows = [p for p in points or [] if _decimal(p.price_min) is not None or _decimal(p.price_max) is not None]
    if not rows:
        return format_html('<p class="muted">{}</p>', _("No price history yet: it starts with the next change."))
    now = now if isinstance(now, datetime) else timezone.now()
    start, end = rows[0].at, max(now, rows[-1].at)
    if end <= start:
        end = start + timedelta(hours=1)
    lows = [_decimal(p.price_min) if _decimal(p.price_min) is not None else _decimal(p.price_max) for p in rows]
    highs = [
        _decimal(p.price_max) if _decimal(p.price_max) is not None else low for p, low in zip(rows, lows, strict=True)
    ]
    bottom, top = min(lows), max(highs)
    if top == bottom:  # a flat line sits in the middle of a ±10 % band
        pad = max(top * Decimal("0.1"), Decimal("1"))
        bottom, top = max(Decimal("0"), bottom - pad), top + pad
    span = float(top - bottom)
    seconds = (end - start).total_seconds()
    ticks = [bottom, (bottom + top) / 2, top]
    left = 18 + round(10.5 * max(len(yuan(t)) for t in ticks))
    plot_w, plot_h = W - left - RIGHT, H - TOP - BOTTOM

    def x(at):
        return left + plot_w * ((at - start).total_seconds() / seconds)

    def y(price):
        return TOP + plot_h * (1 - float(price - bottom) / span)

    def steps(values):
        path = [f"M{x(rows[0].at):.1f},{y(values[0]):.1f}"]
        path += [f"H{x(row.at):.1f}V{y(value):.1f}" for row, value in zip(rows[1:], values[1:], strict=True)]
        path.append(f"H{x(end):.1f}")
        return "".join(path)

    low_path = steps(lows)
    high_path = steps(highs) if highs != lows else ""
    span_days = seconds / 86400
    grid = format_html_join(
        "",
        '<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" class="grid"/>'
        '<text x="{3}" y="{4}" class="ylabel" text-anchor="end">{5}</text>',
        ((left, W - RIGHT, _n(y(t)), left - 6, _n(y(t) + 4), yuan(t)) for t in ticks),
    )
    x_labels = [(left, "start", _label_date(start, span_days)), (W - RIGHT, "end", _("now"))]
    if span_days >= 2:
        middle = start + (end - start) / 2
        x_labels.insert(1, (left + plot_w / 2, "middle", _label_date(middle, span_days)))
    xaxis = format_html_join(
        "",
        '<text x="{0}" y="{1}" class="xlabel" text-anchor="{2}">{3}</text>',
        ((_n(a), H - 8, b, c) for a, b, c in x_labels),
    )
    dots = format_html_join(
        "",
        '<circle cx="{0}" cy="{1}" r="3.5" class="dot"><title>{2}: {3}{4}</title></circle>',
        (
            (
                _n(x(row.at)),
                _n(y(low)),
                stamp(row.at),
                yuan(low) if high == low else f"{yuan(low)} – {yuan(high)}",
                "" if row.stock is None else " · " + _("stock %(n)s") % {"n": f"{row.stock:,}"},
            )
            for row, low, high in zip(rows, lows, highs, strict=True)
        ),
    )
    label = _("Price history from %(start)s to now: lowest %(low)s, highest %(high)s, %(n)s change(s).") % {
        "start": _label_date(start, 999),
        "low": yuan(min(lows)),
        "high": yuan(max(highs)),
        "n": len(rows),
    }
    high_line = format_html('<path d="{}" class="line high"/>', high_path) if high_path else ""
    svg = format_html(
        '<svg class="price-chart" viewBox="0 0 {w} {h}" role="img" aria-label="{label}" '
        'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        "<title>{label}</title>{grid}"
        '<line x1="{left}" x2="{left}" y1="{top}" y2="{base}" class="axis"/>'
        '<line x1="{left}" x2="{right}" y1="{base}" y2="{base}" class="axis"/>'
        '{high}<path d="{low}" class="line"/>{dots}{xaxis}</svg>',
        w=W,
        h=H,
        label=label,
        grid=grid,
        left=left,
        right=W - RIGHT,
        top=TOP,
        base=H - BOTTOM,
        high=high_line,
        low=low_path,
        dots=dots,
        xaxis=xaxis,
    )
    return mark_safe(svg)  # noqa: S308 - every value above went through format_html


@register.simple_tag
def price_headline(headline):
    """The product page's big price: one amount, or the range low – high."""
    if headline.basis == "unknown":
        return format_html('<span class="muted">{}</span>', _("Price not known yet"))
    if headline.high is None or headline.high == headline.low:
        return yuan(headline.low)
    return f"{yuan(headline.low)} – {yuan(headline.high)}"


@register.simple_tag
def price_basis(headline):
    """What the big price's range is of: the options, the quantity tiers, or both."""
    if headline.basis == "options_tiers" and headline.lowest is not None:
        return _("Range across the options at the first tier; down to %(price)s from %(n)s.") % {
            "price": yuan(headline.lowest), "n": count(headline.lowest_at)}  # fmt: skip
    if headline.basis == "tiers":
        return _("%(high)s at the minimum order, %(low)s from %(n)s.") % {
            "high": yuan(headline.high), "low": yuan(headline.low), "n": count(headline.lowest_at)}  # fmt: skip
    return {
        "options": _("Range across the options."),
        "options_tiers": _("Range across the options."),
        "range": _("A range as 1688 gave it: options or quantity tiers."),
    }.get(headline.basis, "")


@register.filter
def unit_words(product):
    """The offer's unit for after a price ("/ 箱 (carton) of 24 pcs"), or a plain "unit not stated"."""
    unit = unit_of(product)
    return str(unit) if unit.known else _("unit not stated")


@register.filter
def unit_short(product):
    """The unit as one word after a quantity: 个, 箱, or "units" when 1688 did not say (reads no attributes, so
    cached cards can use it)."""
    return getattr(product, "unit", "") or getattr(product, "unit_en", "") or _("units")
