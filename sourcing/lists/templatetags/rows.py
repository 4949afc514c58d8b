"""A list page's item rows, status forms, supplier quotes and activity lines, built in Python.

A list of 50 items took ~60 ms of web CPU when each row came from a template with three includes, most of
it the template engine's per-tag work (issue 20). These functions give the same markup in a fraction of the
time. Every value that comes from a user or from 1688 (titles, notes, comments, names, option labels) goes
through `escape`; the words around them are the portal's own translations, used as raw text as the
`{% translate %}` tag uses them. The templates that showed one of these pieces elsewhere call them too
(`_status.html`, `_supplier_quote.html`, `_activity.html`).
"""

from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sourcing.catalog.templatetags.catalog import ago, count, seller_name, seller_place, unit_short, yuan
from sourcing.connections.templatetags.portal import stamp
from sourcing.lists.models import ListActivity, ListItem
from sourcing.lists.templatetags.lists import activity_detail, converted, quote_gap

register = template.Library()

ID_SLOT = 987654321  # stands for the id in a reversed path (no URL prefix holds it), replaced per row


def _link(name: str):
    """A function of an id giving the path of `name`: reversed once, not once per row."""
    head, tail = reverse(name, args=[ID_SLOT]).split(str(ID_SLOT))
    return lambda pk: f"{head}{pk}{tail}"


def csrf_input(csrf_token) -> str:
    """What {% csrf_token %} gives."""
    token = str(csrf_token or "")
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'


class RowPage:
    """What every row of one page shares: the reader's words, the link builders, the CSRF field, who may edit."""

    def __init__(self, *, membership, converter=None, csrf_token="", path="/"):
        self.can_edit = bool(membership and membership.can_edit)
        self.converter = converter
        self.csrf = csrf_input(csrf_token)
        self.path = quote(str(path), safe="/")
        self.item_edit, self.item_status = _link("item_edit"), _link("item_status")
        self.product, self.inquiry = _link("product"), _link("inquiry_detail")
        self.request = _link("request_detail")
        self.quotes, self.landed = _link("list_quotes"), _link("list_landed")
        self.alerts = reverse("alerts")
        self.statuses = [(value, str(label)) for value, label in ListItem.Status.choices]
        self.words = {
            "compare": _("Compare"), "delisted": _("Delisted"), "gone": _("Gone from 1688"), "comment": _("Comment"),
            "edit": _("Edit"), "offer_page": _("Offer page"), "alert": _("Alert"), "from": _("from"),
            "no_price": _("No price from 1688"), "is_from": _("No option chosen: priced from the cheapest option."),
            "no_target_no_moq": _("No target quantity, and the minimum order is not known yet: priced at 1."),
            "no_target": _("No target quantity: priced at the minimum order."), "target": _("target"),
            "met": _("met"), "status": _("Status"), "set": _("Set"), "saved": _("saved"),
        }  # fmt: skip


def status_form(item, page: RowPage, *, saved: bool = False) -> str:
    """The item's status: a select that saves on change (editors), else the status as a label."""
    if not page.can_edit:
        label = dict(page.statuses).get(item.status, item.status)  # get_status_display without its ~80 µs
        return f'<span class="status status-{escape(item.status)}">{escape(label)}</span>'
    url = page.item_status(item.pk)
    options = "".join(
        f'<option value="{value}"{" selected" if value == item.status else ""}>{escape(label)}</option>'
        for value, label in page.statuses
    )
    w = page.words
    return (
        f'<form class="status-form" method="post" action="{url}" hx-post="{url}" hx-trigger="change" '
        f'hx-target="this" hx-swap="outerHTML" data-swap-errors>{page.csrf}\n'
        f'<label class="sr-only" for="status-{item.pk}">{w["status"]}</label>\n'
        f'<select id="status-{item.pk}" name="status" class="status-select status-{escape(item.status)}">{options}'
        f'</select>\n<noscript><button type="submit">{w["set"]}</button></noscript>\n'
        + (f'<span class="saved" role="status">✓ {w["saved"]}</span>\n' if saved else "")
        + "</form>"
    )


def supplier_quote(item, page: RowPage) -> str:
    """The team's latest quote from the supplier for this item (inquiries.selectors.quotes_for_items), or ""."""
    sq = getattr(item, "supplier_quote", None)
    if not sq:
        return ""
    price, when = escape(yuan(sq.quoted_price)), escape(ago(sq.replied_at))
    if sq.quoted_quantity or sq.quantity:
        n, unit = escape(count(sq.quoted_quantity or sq.quantity)), escape(unit_short(item.product))
        words = _("quoted %(price)s at %(n)s %(unit)s, %(when)s") % {"price": price, "n": n, "unit": unit, "when": when}
    else:
        words = _("quoted %(price)s, %(when)s") % {"price": price, "when": when}
    label = f' <span class="muted" lang="zh">· {escape(sq.sku_label)}</span>' if sq.sku_label else ""
    return f'<p class="small supplier-quote"><a href="{page.inquiry(sq.pk)}">{words}</a>{label}</p>'


def answer_parts(answer) -> list[str]:
    """A supplier's logged answers to a request, in short words (escaped), in the order of the questions."""
    parts = []
    if answer.quoted_moq is not None:
        parts.append(_("MOQ %(n)s") % {"n": escape(count(answer.quoted_moq))})
    if answer.quoted_lead_days is not None:
        parts.append(ngettext("lead time %(n)s day", "lead time %(n)s days", answer.quoted_lead_days)
                     % {"n": answer.quoted_lead_days})  # fmt: skip
    if answer.sample_price is not None or answer.sample_days is not None:
        price = escape(yuan(answer.sample_price)) if answer.sample_price is not None else "—"
        days = "" if answer.sample_days is None else " · " + ngettext(
            "%(n)s day", "%(n)s days", answer.sample_days) % {"n": answer.sample_days}  # fmt: skip
        parts.append(_("sample %(price)s") % {"price": price} + days)
    if answer.packing:
        parts.append(_("packing: %(text)s") % {"text": escape(Truncator(answer.packing).chars(60))})
    if answer.customisable is not None:
        parts.append(_("customisable") + " ✓" if answer.customisable else _("not customisable"))
    return parts


def supplier_answer(item, page: RowPage) -> str:
    """The team's latest answers from a request about this item (inquiries.selectors.answers_for_items), or ""."""
    answer = getattr(item, "supplier_answer", None)
    if answer is None:
        return ""
    parts = answer_parts(answer)
    if not parts:
        return ""
    words = _("Answered: %(answers)s") % {"answers": " · ".join(parts)}
    return f'<p class="small supplier-answer"><a href="{page.request(answer.request_id)}">{words}</a></p>'


def verified_quote(item, page: RowPage) -> str:
    """1688's quoted unit price for the item (set by the orders domain's item reader), beside the listed one."""
    vq = getattr(item, "verified_quote", None)
    if vq is None:
        return ""
    when = escape(ago(vq.quoted_at))
    link = page.quotes(item.product_list_id) + f"#quote-{vq.quote_id}"
    if vq.unit_price is not None:
        n = f"{escape(count(vq.quantity))} {escape(unit_short(item.product))}".strip()
        words = _("1688 quote %(price)s × %(n)s, %(when)s") % {"price": f"<strong>{escape(yuan(vq.unit_price))}</strong>",
                                                             "n": n, "when": when}  # fmt: skip
    else:
        words = _("1688 quote: no price, %(when)s") % {"when": when}
    status = ""
    if not vq.orderable:
        status = '<span class="warn block">' + escape(_("1688 would not take it: %(why)s") % {
            "why": vq.reason_text or _("refused by 1688")}) + "</span>"  # fmt: skip
    return f'<p class="small verified-quote"><a href="{link}">{words}</a>{status}</p>'


def sample_mark(item) -> str:
    """The item's newest sample and its state (set by the orders domain's item reader), linking to its page."""
    mark = getattr(item, "sample", None)
    if mark is None:
        return ""
    words = escape(_("Sample: %(state)s") % {"state": mark.label})
    return f'<p class="small sample-mark"><a href="{escape(mark.url)}">{words}</a></p>'


def landed_cost(item, page: RowPage) -> str:
    """The item's landed unit cost (set by the orders domain's item reader) when it is known, linking its breakdown."""
    landed = getattr(item, "landed", None)
    if landed is None or landed.unit is None:
        return ""
    link = page.landed(item.product_list_id) + f"#item-{item.pk}"
    words = _("landed %(price)s per unit") % {"price": f"<strong>{escape(yuan(landed.unit))}</strong>"}
    return f'<p class="small landed-cost"><a href="{link}">{words}</a></p>'


def cheaper_identical(item, page: RowPage) -> str:
    """An identical offer (same-item cluster) that lands cheaper at the item's quantity (set by the orders domain's
    item reader), linking the item page where the swap is."""
    found = getattr(item, "cheaper_identical", None)
    if found is None:
        return ""
    link = page.item_edit(item.pk) + "#same-item-cheaper"
    words = _("cheaper identical offer: %(price)s from %(company)s") % {
        "price": f"<strong>{escape(yuan(found.unit))}</strong>",
        "company": escape(seller_name(found.product)),
    }
    mine = yuan(found.mine)
    basis = {"landed": _("landed; this offer %(mine)s") % {"mine": mine},
             "landed_base": _("landed before freight in China; this offer %(mine)s") % {"mine": mine},
             "listed": _("listed prices, landed cost unknown: %(why)s") % {"why": found.why}}[found.basis]  # fmt: skip
    basis = f' <span class="muted">({escape(basis)})</span>' if basis else ""
    return f'<p class="small cheaper-identical"><a href="{link}">{words}</a>{basis}</p>'  # fmt: skip


def _main(item, product, page: RowPage, edit: str) -> str:
    """The middle of a row: title, option, seller, note, the last comments and the links."""
    w = page.words
    title = escape(product.display_title)
    english = ""
    if product.title_en and product.title_en != product.title:
        english = f'<span class="litem-en" lang="en">{escape(product.title_en)}</span>'
    option = ""
    if item.sku_id or item.sku_label:
        option = f'<span class="badge">{escape((item.sku.label if item.sku_id and item.sku else "") or item.sku_label)}</span> '
    company, place = seller_name(product), seller_place(product)
    flag = ""
    if product.status == "delisted":
        flag = f'<span class="badge badge-err">{w["delisted"]} 已下架</span>'
    elif product.status == "not_found":
        flag = f'<span class="badge badge-err">{w["gone"]}</span>'
    note = f'<p class="litem-note">{escape(Truncator(item.note).chars(240))}</p>' if item.note else ""
    comments = ""
    if getattr(item, "recent_comments", None):
        comments = '<ul class="litem-comments">' + "".join(
            f"<li><b>{escape((c.author.username if c.author else '') or '—')}</b> "
            f'{escape(Truncator(c.text).chars(140))} <span class="muted">{escape(ago(c.created_at))}</span></li>'
            for c in item.recent_comments
        ) + "</ul>"  # fmt: skip
    n = getattr(item, "n_comments", 0)
    talk = ngettext("%(n)s comment", "%(n)s comments", n) % {"n": n} if n else w["comment"]
    alert = f' · <a href="{page.alerts}?item={item.pk}&amp;next={page.path}">{w["alert"]}</a>' if page.can_edit else ""
    added = ""
    if item.added_by_id and item.added_by:
        who, when = escape(item.added_by.username), escape(ago(item.created_at))
        added = '<span class="muted">· ' + _("added by %(who)s %(when)s") % {"who": who, "when": when} + "</span>"
    return (
        f'<div class="litem-main">\n<a class="litem-title" href="{edit}" lang="zh">{title}</a>\n{english}\n'
        f'<p class="litem-sub">{option}<span lang="zh">{escape(company)}</span>{" · " if company and place else ""}'
        f'<span lang="zh">{escape(place)}</span>\n{flag}</p>\n{note}\n{comments}\n'
        f'<p class="litem-links"><a href="{edit}">{talk}{" · " + w["edit"] if page.can_edit else ""}</a>\n'
        f'· <a href="{page.product(product.offer_id)}">{w["offer_page"]}</a>{alert}\n{added}</p>\n</div>'
    )


def _price(item, product, page: RowPage) -> str:
    """The right of a row: unit price × quantity, the total (and in the team's currency), notes, the target."""
    w, q = page.words, item.quote
    parts = []
    if q.unit_price is not None:
        unit = f"{w['from']} " if q.is_from else ""
        parts.append(f'<p class="litem-unit"><strong>{unit}{escape(yuan(q.unit_price))}</strong> × '
                     f"{escape(count(q.quantity))} {escape(unit_short(product))}</p>")  # fmt: skip
        parts.append(f'<p class="litem-total">= <strong>{escape(yuan(q.total))}</strong></p>')
        if page.converter is not None and page.converter.active:
            parts.append(f'<p class="fx">{escape(converted(q.total, page.converter))}</p>')
    else:
        parts.append(f'<p class="muted">{w["no_price"]}</p>')
    if q.is_from:
        parts.append(f'<p class="muted small">{w["is_from"]}</p>')
    parts.append(verified_quote(item, page))
    parts.append(sample_mark(item))
    parts.append(landed_cost(item, page))
    parts.append(cheaper_identical(item, page))
    parts.append(supplier_quote(item, page))
    parts.append(supplier_answer(item, page))
    if q.below_moq:
        words = _("Below the minimum order: you want %(want)s, the supplier sells from %(moq)s.") % {
            "want": escape(count(item.target_quantity)), "moq": escape(count(product.moq))}  # fmt: skip
        parts.append(f'<p class="warn small">{words}</p>')
    elif not item.target_quantity and product.moq is None:
        parts.append(f'<p class="muted small">{w["no_target_no_moq"]}</p>')
    elif not item.target_quantity:
        parts.append(f'<p class="muted small">{w["no_target"]}</p>')
    if item.target_price is not None:
        gap = quote_gap(q, item.target_price)
        state = (" met" if gap["met"] else " over") if gap else ""
        line = f"{w['target']} {escape(yuan(item.target_price))}"
        if gap:
            line += " · " + (f"{w['met']} ✓" if gap["met"] else _("%(p)s %% above") % {"p": gap["percent"]})
        parts.append(f'<p class="small target{state}">{line}</p>')
    return '<div class="litem-price">\n' + "\n".join(p for p in parts if p) + "\n</div>"


def item_row(item, page: RowPage) -> str:
    """One <li> of the list page: pick box, picture, title and links, price, status."""
    product = item.product
    edit = page.item_edit(item.pk)
    compare = _("Compare %(t)s") % {"t": escape(product.display_title)}
    if product.image_url:
        picture = (f'<img src="{escape(product.image_url)}" alt="" loading="lazy" referrerpolicy="no-referrer" '
                   'width="88" height="88">')  # fmt: skip
    else:
        picture = '<span class="noimg">—</span>'
    return (
        f'\n<li class="litem" id="item-{item.pk}">\n'
        f'<label class="litem-pick" title="{page.words["compare"]}"><input type="checkbox" name="item" '
        f'value="{item.pk}" form="compare-form"><span class="sr-only">{compare}</span></label>\n'
        f'<a class="litem-img" href="{edit}" tabindex="-1" aria-hidden="true">{picture}</a>\n'
        f"{_main(item, product, page, edit)}\n{_price(item, product, page)}\n"
        f'<div class="litem-status">{status_form(item, page)}\n</div>\n</li>'
    )


def activity_list(activity, *, item_link=None) -> str:
    """A list's (or an item's) activity lines, newest first: who, what, on which item, when."""
    if not activity:
        return f'<p class="muted">{_("Nothing yet.")}</p>'
    item_link = item_link or _link("item_edit")
    verbs = {value: str(label) for value, label in ListActivity.Verb.choices}  # get_verb_display costs ~80 µs a line
    lines = []
    for a in activity:
        who = escape((a.actor.username if a.actor_id and a.actor else "") or "—")
        what = ""
        if a.detail:
            detail = escape(activity_detail(a))
            linked = a.item_id and a.verb != "removed"
            what = f' <a href="{item_link(a.item_id)}">{detail}</a>' if linked else f" {detail}"
        lines.append(
            f"\n<li><b>{who}</b> {escape(verbs.get(a.verb, a.verb))}{what} "
            f'<time class="muted" datetime="{escape(_iso(a.at))}" title="{escape(stamp(a.at))}">'
            f"{escape(ago(a.at))}</time></li>"
        )
    return '<ol class="activity">' + "".join(lines) + "\n</ol>"


def _iso(value) -> str:
    """What {{ value|date:'c' }} gives: the moment in the reader's zone, ISO 8601."""
    return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()


def _page(context) -> RowPage:
    request = context.get("request")
    return RowPage(membership=context.get("membership"), converter=context.get("converter"),
                   csrf_token=context.get("csrf_token"), path=request.path if request is not None else "/")  # fmt: skip


@register.simple_tag(takes_context=True)
def item_rows(context, items):
    """The list page's <li> rows."""
    page = _page(context)
    return mark_safe("".join(item_row(item, page) for item in items))  # noqa: S308  (every value escaped above)


@register.simple_tag(takes_context=True)
def item_status_form(context, item, saved=False):
    return mark_safe(status_form(item, _page(context), saved=bool(saved)))  # noqa: S308


@register.simple_tag(takes_context=True)
def item_supplier_quote(context, item):
    return mark_safe(supplier_quote(item, _page(context)))  # noqa: S308


@register.simple_tag(takes_context=True)
def item_supplier_answer(context, item):
    return mark_safe(supplier_answer(item, _page(context)))  # noqa: S308


@register.simple_tag
def activity_lines(activity):
    return mark_safe(activity_list(activity))  # noqa: S308
