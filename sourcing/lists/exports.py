"""A team list as a spreadsheet: CSV through sourcing/core/exports.py, and Excel (.xlsx) with openpyxl.

One row per item: the offer, the chosen SKU, the quantity and the unit price and total at that
quantity (tiers and minimum order applied), the tiers, the supplier, status, note, the 1688 link
and the picture's address; and, when the team shows a second currency and the admins keep a rate,
the price in that currency with the rate and its date.

Excel gets typed cells (numbers sum, dates are dates), hyperlinks to 1688 and a frozen header.
Text is always written as text: a note that starts with "=" stays a note, never a formula (openpyxl
would otherwise store it as one), and characters XML can't hold are dropped rather than failing.
"""

import io
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sourcing.catalog.selectors.trust import trust_for
from sourcing.core.exports import csv_response
from sourcing.inquiries.selectors import answers_for_items, quotes_for_items
from sourcing.lists.models import ListItem, ProductList
from sourcing.lists.selectors import Converter, item_quote, item_stock, items_read_more

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Column:
    title: str
    kind: str = "text"  # text | int | money | rate | date | link
    width: int = 14


def _tiers_text(product) -> str:
    rows = []
    for tier in product.price_tiers or []:
        if isinstance(tier, dict) and tier.get("price") not in (None, ""):
            rows.append(f"≥{tier.get('min_quantity') or 1}: ¥{tier.get('price')}")
    return "; ".join(rows)


def _supplier(product) -> tuple[str, str]:
    supplier = product.supplier
    name = (supplier.company_name if supplier else "") or product.company_name or ""
    place = " ".join(p for p in [(supplier.province if supplier else "") or product.province,
                                 supplier.city if supplier else ""] if p)  # fmt: skip
    return name, place


def _known(value):
    """A value 1688 has not given yet is written as words: an empty cell would read as 0 in a sum."""
    return _("not known yet") if value is None or value == "" else value


def _pieces_per_unit(unit):
    """1 for a unit that is one piece, the pack's size where 1688 gives it, else words (never a blank)."""
    if unit.is_piece:
        return 1
    return unit.per_pack or _("not known yet")


def _verified(item) -> list:
    """1688's quoted unit price, quantity, whether it would take the order (and why not) and when: blanks unquoted."""
    vq = getattr(item, "verified_quote", None)
    if vq is None:
        return [None, None, _("not quoted yet"), None]
    takes = _("yes") if vq.orderable else _("no: %(why)s") % {"why": vq.reason_text or _("refused by 1688")}
    return [vq.unit_price, vq.quantity, takes, timezone.localtime(vq.quoted_at).replace(tzinfo=None)]


def _landed(item, converter: Converter) -> list:
    """Landed unit cost and its parts (set by the orders domain's item reader); unknown in words, never 0."""
    landed = getattr(item, "landed", None)
    if landed is None:
        return [_("not known yet")] + [None] * 7 + [_("rejected") if item.status == ListItem.Status.REJECTED else ""]
    if not landed.known:
        why = "; ".join(str(w) for w in landed.unknown) or _("not known yet")
        parts = [landed.goods, landed.domestic, landed.international, landed.parcel_fee, None, None]
        return [_("not known yet"), None, *parts, why]
    note = "; ".join(str(n) for n in landed.notes)
    return [landed.unit, landed.total, landed.goods, landed.domestic, landed.international, landed.parcel_fee,
            landed.duty, landed.vat, note]  # fmt: skip


# The supplier's scorecard (the orders domain's item reader sets `.scorecard`): each figure, then its observations.
SCORECARD = (
    ("reply_rate", gettext_lazy("Reply rate %")),
    ("reply_hours", gettext_lazy("Median reply time (h)")),
    ("price_variation", gettext_lazy("Price variation %")),
    ("stock_accuracy", gettext_lazy("Stock accuracy %")),
    ("price_drift", gettext_lazy("Quote-to-order drift %")),
    ("on_time", gettext_lazy("Shipped on time %")),
    ("shortage", gettext_lazy("Short %")),
    ("damage", gettext_lazy("Damaged %")),
)


def _scorecard(item) -> list:
    """Each figure of the team's scorecard of the supplier and how many observations it rests on; words, never 0,
    when there are too few."""
    card = getattr(item, "scorecard", None)
    out = []
    for key, _heading in SCORECARD:
        figure = card.figures[key] if card else None
        if figure is None or not figure.observations:
            out += [_("no observations"), 0]
        else:
            out += [figure.value if figure.enough else _("not enough data"), figure.observations]
    return out


def _answer(item) -> list:
    """The team's latest answers from a request to many suppliers about the item (answers_for_items): MOQ, price at
    quantity, lead time, sample price and time, when; "not answered" in words where the supplier hasn't said."""
    answer = getattr(item, "supplier_answer", None)
    if answer is None:
        return [_("no request answered")] + [None] * 6
    said = [answer.quoted_moq, answer.quoted_price, answer.quoted_quantity or answer.quantity, answer.quoted_lead_days,
            answer.sample_price, answer.sample_days]  # fmt: skip
    when = timezone.localtime(answer.replied_at).replace(tzinfo=None) if answer.replied_at else None
    return [_("not answered") if v is None else v for v in said] + [when]


def columns(converter: Converter) -> list[Column]:
    cols = [
        Column(_("#"), "int", 5),
        Column(_("Offer ID"), "text", 14),
        Column(_("Title"), "text", 44),
        Column(_("English title"), "text", 30),
        Column(_("SKU"), "text", 18),
        Column(_("Status"), "text", 12),
        Column(_("Target quantity"), "int", 10),
        Column(_("Priced quantity"), "int", 10),
        Column(_("Unit"), "text", 12),
        Column(_("Pieces per unit"), "int", 9),
        Column(_("Unit price at quantity (CNY)"), "money", 12),
        Column(_("Total at quantity (CNY)"), "money", 13),
        Column(_("Price note"), "text", 26),
        Column(_("Supplier's quote (CNY)"), "money", 12),
        Column(_("Quoted for quantity"), "int", 10),
        Column(_("Quoted option"), "text", 14),
        Column(_("Quoted on"), "date", 17),
        Column(_("Request answer: MOQ"), "int", 9),
        Column(_("Request answer: price at quantity (CNY)"), "money", 12),
        Column(_("Request answer: for quantity"), "int", 10),
        Column(_("Request answer: lead time (days)"), "int", 9),
        Column(_("Request answer: sample price (CNY)"), "money", 11),
        Column(_("Request answer: sample time (days)"), "int", 9),
        Column(_("Request answered on"), "date", 17),
        Column(_("1688 quoted unit price (CNY)"), "money", 12),
        Column(_("1688 quoted quantity"), "int", 10),
        Column(_("1688 would take the order"), "text", 16),
        Column(_("1688 quoted at"), "date", 17),
        Column(_("Landed unit cost (CNY)"), "money", 12),
        Column(_("Landed total (CNY)"), "money", 13),
        Column(_("Landed: goods (CNY)"), "money", 12),
        Column(_("Landed: freight in China (CNY)"), "money", 12),
        Column(_("Landed: international freight (CNY)"), "money", 12),
        Column(_("Landed: parcel fee (CNY)"), "money", 10),
        Column(_("Landed: duty (CNY)"), "money", 10),
        Column(_("Landed: VAT (CNY)"), "money", 10),
        Column(_("Landed cost note"), "text", 30),
        Column(_("Tiers (CNY)"), "text", 30),
        Column(_("MOQ"), "int", 8),
        Column(_("Target price (CNY)"), "money", 11),
        Column(_("Stock"), "int", 10),
        Column(_("Supplier"), "text", 30),
        Column(_("Supplier location"), "text", 14),
        Column(_("Years on 1688"), "int", 8),
        Column(_("Badges"), "text", 20),
        Column(_("Verified factory"), "text", 9),
        Column(_("Service score (of 5)"), "money", 8),
        Column(_("Repurchase rate %"), "money", 9),
        Column(_("Offer rating (of 5)"), "money", 8),
        *(
            c
            for _key, heading in SCORECARD
            for c in (
                Column(heading, "money", 9),
                Column(_("%(figure)s: observations") % {"figure": heading}, "int", 8),
            )
        ),
        Column(_("Note"), "text", 40),
        Column(_("Added by"), "text", 10),
        Column(_("1688 link"), "link", 40),
        Column(_("Image URL"), "text", 40),
        Column(_("Fetched at"), "date", 17),
    ]
    if converter.currency != "CNY":
        code = converter.currency
        cols += [
            Column(_("Unit price (%(c)s)") % {"c": code}, "money", 12),
            Column(_("Total (%(c)s)") % {"c": code}, "money", 13),
            Column(_("Landed unit cost (%(c)s)") % {"c": code}, "money", 12),
            Column(_("Rate (%(c)s per ¥1)") % {"c": code}, "rate", 12),
            Column(_("Rate date"), "text", 14),
        ]
    return cols


def rows(items: list[ListItem], converter: Converter) -> list[list]:
    out = []
    for number, item in enumerate(items, start=1):
        product = item.product
        quote = item_quote(item)
        offer = getattr(item, "supplier_quote", None)
        trust = trust_for(product)
        supplier, place = _supplier(product)
        row = [
            number,
            str(product.offer_id),
            product.title,
            product.title_en if product.title_en != product.title else "",
            item.sku.label if item.sku_id and item.sku else item.sku_label,
            item.get_status_display(),
            item.target_quantity,
            quote.quantity,
            _known(str(quote.unit)),
            _pieces_per_unit(quote.unit),
            quote.unit_price,
            quote.total,
            quote.message,
            offer.quoted_price if offer else None,
            (offer.quoted_quantity or offer.quantity) if offer else None,
            offer.sku_label if offer else "",
            timezone.localtime(offer.replied_at).replace(tzinfo=None) if offer and offer.replied_at else None,
            *_answer(item),
            *_verified(item),
            *_landed(item, converter),
            _tiers_text(product),
            _known(product.moq),
            item.target_price,
            _known(item_stock(item)),
            _known(supplier),
            place,
            _known(trust.years),
            _known(" ".join(trust.badges)),
            _known(None if trust.is_factory is None else (_("yes") if trust.is_factory else _("no"))),
            _known(trust.service_score),
            _known(trust.repurchase_rate),
            _known(trust.trade_score),
            *_scorecard(item),
            item.note,
            item.added_by.username if item.added_by else "",
            product.detail_url or f"https://detail.1688.com/offer/{product.offer_id}.html",
            product.image_url,
            timezone.localtime(product.fetched_at).replace(tzinfo=None) if product.fetched_at else None,
        ]
        if converter.currency != "CNY":
            if converter.rate:
                landed = getattr(item, "landed", None)
                row += [converter(quote.unit_price), converter(quote.total), getattr(landed, "unit_converted", None),
                        converter.rate.rate, converter.rate.date.isoformat()]  # fmt: skip
            else:
                row += [None, None, None, None,
                        _("no %(c)s rate kept by the admins: CNY only") % {"c": converter.currency}]  # fmt: skip
        out.append(row)
    return out


def _items(product_list: ProductList) -> list[ListItem]:
    items = list(product_list.items.select_related("product__supplier", "sku", "added_by").order_by("position", "pk"))
    quotes_for_items(product_list.team_id, items)
    answers_for_items(product_list.team_id, items)
    items_read_more(product_list.team_id, items)
    return items


def _filename(product_list: ProductList, ext: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", product_list.name).strip() or "list"
    return f"{name[:80]} {timezone.localdate():%Y-%m-%d}.{ext}"


def list_csv(product_list: ProductList, converter: Converter) -> HttpResponse:
    cols = columns(converter)
    data = rows(_items(product_list), converter)
    dates = [i for i, c in enumerate(cols) if c.kind == "date"]
    for row in data:  # CSV has no date type: write the local time as text
        for index in dates:
            row[index] = row[index].strftime("%Y-%m-%d %H:%M") if isinstance(row[index], datetime) else ""
    return csv_response(_filename(product_list, "csv"), [c.title for c in cols], data)


def _text(value) -> str:
    return ILLEGAL_XML.sub("", str(value))


def list_xlsx(product_list: ProductList, converter: Converter, *, user=None) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    cols = columns(converter)
    data = rows(_items(product_list), converter)
    book = Workbook()
    sheet = book.active
    sheet.title = " ".join(re.sub(r"[\[\]:*?/\\]", " ", product_list.name).split())[:31].strip() or "List"
    bold, header_fill = Font(bold=True), PatternFill("solid", fgColor="FFF0E5")
    for c, col in enumerate(cols, start=1):
        cell = sheet.cell(row=1, column=c, value=_text(col.title))
        cell.font, cell.fill = bold, header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(c)].width = col.width
    formats = {"money": "#,##0.00", "int": "#,##0", "rate": "0.0000####", "date": "yyyy-mm-dd hh:mm"}
    for r, row in enumerate(data, start=2):
        for c, (col, value) in enumerate(zip(cols, row, strict=True), start=1):
            cell = sheet.cell(row=r, column=c)
            if value is None or value == "":
                continue
            if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
                cell.value = value
                cell.number_format = formats.get(col.kind, "General")
            elif isinstance(value, datetime):
                cell.value = value
                cell.number_format = formats["date"]
            else:
                cell.value = _text(value)
                cell.data_type = "s"  # text stays text: "=…" is a note, not a formula
                if col.kind == "link" and str(value).startswith(("https://", "http://")):
                    cell.hyperlink = str(value)
                    cell.style = "Hyperlink"
    sheet.freeze_panes = "C2"  # the header and the offer id stay in view
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(1, len(data) + 1)}"
    about = book.create_sheet(_("About"))
    lines = [
        (_("List"), product_list.name),
        (_("Team"), product_list.team.name),
        (_("Exported"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        (_("Exported by"), user.username if user else ""),
        (_("Items"), len(data)),
        (
            _("Prices"),
            _(
                "At each item's target quantity (the minimum order when none is set), quantity tiers "
                "applied; CNY as last fetched from 1688."
            ),
        ),  # fmt: skip
    ]
    if converter.rate:
        lines.append((_("Exchange rate"), f"¥1 = {converter.rate.rate.normalize()} {converter.currency} "
                                          f"({_('rate of')} {converter.rate.date.isoformat()})"))  # fmt: skip
    elif converter.missing:
        lines.append(
            (_("Exchange rate"), _("No %(c)s rate is kept yet: prices in CNY only.") % {"c": converter.currency})
        )
    for r, (label, value) in enumerate(lines, start=1):
        about.cell(row=r, column=1, value=_text(label)).font = bold
        cell = about.cell(row=r, column=2, value=value if isinstance(value, int) else _text(value))
        if isinstance(value, str):
            cell.data_type = "s"
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 16, 80
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True,
                                                                 filename=_filename(product_list, "xlsx"))  # fmt: skip
    return response
