"""The body of a result card, built in Python: the same markup `_card_body.html` gave, in about a tenth of the time.

A search page shows 24 cards; rendered from a template with its includes and filters they were the largest
part of a cold search's web time (issue 20). Every value from the catalog goes through `escape` (titles and
names come from 1688 and may hold markup); the words around them are the portal's own translations, used as
raw text as the `{% translate %}` tag uses them.
"""

from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sourcing.catalog.selectors.trust import trust_for
from sourcing.catalog.templatetags.catalog import ago, count, price_range, seller_name, seller_place, unit_short
from sourcing.connections.templatetags.portal import stamp

OFFER_SLOT = 987654321  # stands for the offer id in the reversed product path (no URL prefix holds it)


class CardWords:
    """What every card on a page says the same way: the reader's words and the product link, worked out once per
    page (about 30 µs)."""

    def __init__(self):
        path = reverse("product", args=[OFFER_SLOT])
        self.link_head, self.link_tail = path.split(str(OFFER_SLOT))
        self.no_picture = _("No picture")
        self.delisted = _("Delisted")
        self.gone = _("Gone from 1688")
        self.minimum_order = _("Minimum order")
        self.sold_month_title = _("Sold in the last 30 days")
        self.years_title = _("Years on 1688")
        self.under_a_year = _("<1 yr")
        self.rating_title = _("Offer rating on 1688")
        self.one_piece_title = _("Ships single pieces (dropshipping)")
        self.one_piece = _("1 pc OK")
        self.fetched = _("Fetched")
        self.checked = _("checked")
        self.seen = _("seen")


def _badges(product, words: CardWords) -> str:
    """The trust badges of a card: two seller identities, years on 1688, the offer's rating, single pieces."""
    t = trust_for(product)
    if not (t.badges or t.years is not None or t.trade_score is not None or t.one_piece):
        return ""
    parts = [f'<span class="badge badge-trust" lang="zh">{escape(badge)}</span>' for badge in t.badges[:2]]
    if t.years is not None:
        years = words.under_a_year if t.years == 0 else ngettext("%(y)s yr", "%(y)s yrs", t.years) % {"y": t.years}
        parts.append(f'<span class="badge" title="{words.years_title}">{years}</span>')
    if t.trade_score is not None:
        parts.append(f'<span class="badge" title="{words.rating_title}">★ {escape(localize(t.trade_score))}</span>')
    if t.one_piece:
        parts.append(f'<span class="badge" title="{words.one_piece_title}">{words.one_piece}</span>')
    return f'<span class="pcard-badges">{"".join(parts)}</span>'


def card_body(product, words: CardWords) -> str:
    """The inside of a result card's <li>: picture, title, price, order and sales, seller, badges, freshness."""
    if product.image_url:
        picture = (f'<img src="{escape(product.image_url)}" alt="" loading="lazy" decoding="async" '
                   'referrerpolicy="no-referrer" width="220" height="220">')  # fmt: skip
    else:
        picture = f'<span class="noimg">{words.no_picture}</span>'
    picture += "\n"
    if product.status == "delisted":
        picture += f'<span class="pcard-flag">{words.delisted} 已下架</span>'
    elif product.status == "not_found":
        picture += f'<span class="pcard-flag">{words.gone}</span>'
    english = ""
    if product.title_en and product.title_en != product.title:
        english = f'\n<span class="pcard-en" lang="en">{escape(product.title_en)}</span>'
    meta = ""
    if product.moq:
        moq = _("MOQ %(n)s %(unit)s") % {"n": escape(count(product.moq)), "unit": escape(unit_short(product))}
        meta += f'<span title="{words.minimum_order}">{moq}</span>'
    if product.month_sold:
        sold = _("%(n)s sold/mo") % {"n": escape(count(product.month_sold))}
        meta += f'<span title="{words.sold_month_title}">{sold}</span>'
    elif product.sales_count:
        meta += "<span>" + _("%(n)s sold") % {"n": escape(count(product.sales_count))} + "</span>"
    company, place = seller_name(product), seller_place(product)
    seller = (
        (f'<span lang="zh">{escape(company)}</span>' if company else "")
        + (" · " if company and place else "")
        + (f'<span lang="zh">{escape(place)}</span>' if place else "")
    )
    badges = _badges(product, words)
    fetched_at = product.fetched_at
    fresh = words.checked if product.detail_fetched_at else words.seen
    return (
        f'\n<a class="pcard-link" href="{words.link_head}{product.offer_id}{words.link_tail}">\n'
        f'<span class="pcard-img">{picture}</span>\n'
        '<span class="pcard-body">\n'
        f'<span class="pcard-title" lang="zh">{escape(product.display_title)}</span>{english}\n'
        f'<span class="pcard-price">{escape(price_range(product, "short"))}</span>\n'
        f'<span class="pcard-meta">{meta}</span>\n'
        f'<span class="pcard-seller">{seller}</span>\n'
        + (f"{badges}\n" if badges else "")
        + f'<span class="pcard-fresh" title="{words.fetched} {escape(stamp(fetched_at))}">{fresh} '
        f"{escape(ago(fetched_at))}</span>\n"
        "</span>\n</a>\n"
    )
