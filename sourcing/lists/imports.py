"""Links in: offers pasted as links, or a CSV or Excel file of links with quantities, options and notes, added to a
list by a worker with a result per row (docs/lists.md "Links in").

The start reads the paste or the file at once (so a file it can't read is refused in words and nothing is
stored), then stores the import with every row before a worker touches it; the worker gives each row its result
and commits it, so an import that stops half-way still says what became of every row. Fetching an offer the
portal lacks follows the product page's rules (the user's credential, role and quota: sourcing.catalog)."""

import csv
import io
import re
import time
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sourcing.accounts.models import User
from sourcing.alibaba import errors
from sourcing.catalog.links import offer_in_cell, offers_in_text
from sourcing.catalog.models import Product, Sku
from sourcing.catalog.services.offers import product_fetch_now
from sourcing.core.enqueue import enqueue
from sourcing.lists.models import ListImport, ListImportRow, ProductList
from sourcing.lists.services import ListError, ListLimitReached, _require_edit, item_add

Result = ListImportRow.Result
XLSX_MAGIC, OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
# Header words, English or Chinese, for each column (compared without case, spaces, "_", "-" or ":").
HEADERS = {
    "link": {"link", "links", "url", "offer", "offerid", "offerlink", "id", "1688", "1688link", "链接", "商品链接",
             "网址", "商品网址", "1688链接", "商品id", "货号", "offer链接"},
    "quantity": {"quantity", "qty", "quantities", "amount", "pcs", "数量", "采购数量", "目标数量", "件数"},
    "option": {"option", "options", "spec", "specid", "sku", "skuid", "variant", "规格", "规格id", "款式", "颜色规格",
               "sku规格", "属性"},
    "note": {"note", "notes", "comment", "remark", "remarks", "备注", "说明", "留言"},
}  # fmt: skip
_QUANTITY = re.compile(r"^(\d{1,9})(?:\.0+)?\s*(?:个|件|只|套|双|pcs?|pieces?)?$", re.IGNORECASE)


class ImportRefused(ListError):
    """The paste or file can't be imported as it is; the message says why and what to do."""


@dataclass
class RowIn:
    """One row as read: the cells by column."""

    number: int
    link: str = ""
    offer_id: int | None = None  # known already (a paste was parsed whole)
    quantity: str = ""
    option: str = ""
    note: str = ""


# --- reading ---
def _cell(value) -> str:
    """A cell as text: whole numbers without ".0" (Excel stores ids and quantities as numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e19:
        return str(int(value))
    return str(value).replace("\x00", "").strip()


def _header_key(text: str) -> str:
    return re.sub(r"[\s_\-:：()（）]+", "", str(text or "")).casefold()


def _columns(header: list[str]) -> dict[str, int] | None:
    """Which column holds what, when the first row is a header; None when it is data."""
    found = {}
    for index, name in enumerate(header):
        key = _header_key(name)
        for column, names in HEADERS.items():
            if key in names and column not in found:
                found[column] = index
    if not found:
        return None
    if "link" not in found:
        raise ImportRefused(_("The file has a header row but no column of links. Name it “link” or “链接” (the "
                              "other columns: quantity/数量, option/规格, note/备注)."))  # fmt: skip
    return found


def rows_from_table(table, *, max_rows: int) -> list[RowIn]:
    """Rows of a sheet (an iterable of cell lists): a header row is optional; without one the columns are link,
    quantity, option, note. Empty rows are skipped; more than `max_rows` is refused."""
    rows, columns, first = [], None, True
    for raw in table:
        cells = [_cell(v) for v in raw]
        if not any(cells):
            continue
        if first:
            first = False
            columns = _columns(cells)
            if columns is not None:
                continue
        columns = columns or {"link": 0, "quantity": 1, "option": 2, "note": 3}
        if len(rows) >= max_rows:
            raise ImportRefused(ngettext(
                "The file has more than %(n)s row of offers, the most one import takes. Split it into smaller files.",
                "The file has more than %(n)s rows of offers, the most one import takes. Split it into smaller files.",
                max_rows) % {"n": f"{max_rows:,}"})  # fmt: skip

        def at(name, cells=cells, columns=columns):
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        rows.append(RowIn(number=len(rows) + 1, link=at("link")[:2000], quantity=at("quantity")[:40],
                          option=at("option")[:200], note=at("note")[:2000]))  # fmt: skip
    if not rows:
        raise ImportRefused(_("The file has no rows of offers. Put one 1688 link or offer id on each row."))
    return rows


def _decode(data: bytes) -> str:
    """CSV text: UTF-8 (with or without a BOM), else GBK/GB18030 as Excel in China saves it, else refused."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused(_("The file is not text the portal can read (neither UTF-8 nor GBK). Save it from Excel as "
                          "“CSV UTF-8”, or as an .xlsx workbook."))  # fmt: skip


def read_csv(data: bytes, *, max_rows: int) -> list[RowIn]:
    text = _decode(data)
    if "\x00" in text:
        raise ImportRefused(_("That is not a CSV file. Upload a .csv or .xlsx file."))
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|，") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(100_000)
    try:
        return rows_from_table(csv.reader(io.StringIO(text, newline=""), dialect), max_rows=max_rows)
    except csv.Error as error:
        raise ImportRefused(_("The CSV file is damaged (%(why)s). Save it again from your spreadsheet.")
                            % {"why": str(error)[:100]}) from None  # fmt: skip


def read_xlsx(data: bytes, *, max_rows: int) -> list[RowIn]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # a zip bomb is refused before openpyxl unpacks it
            if sum(info.file_size for info in archive.infolist()) > settings.LIST_IMPORT_MAX_BYTES * 20:
                raise ImportRefused(_("The workbook unpacks to far more than its size. Save the sheet as CSV and "
                                      "upload that."))  # fmt: skip
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportRefused:
        raise
    except Exception:  # noqa: BLE001 - any damage inside the file is the same answer to the user
        raise ImportRefused(_("The Excel file could not be read. Save it again as .xlsx (Excel workbook), or as "
                              "CSV.")) from None  # fmt: skip
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise ImportRefused(_("The workbook has no sheet."))
        return rows_from_table(sheet.iter_rows(values_only=True), max_rows=max_rows)
    finally:
        book.close()


def read_file(name: str, data: bytes) -> tuple[str, list[RowIn]]:
    """(kind, rows) of an uploaded file, or ImportRefused in words: by its content, whatever its name says."""
    max_rows = settings.LIST_IMPORT_MAX_ROWS
    if not data.strip():
        raise ImportRefused(_("The file is empty."))
    if data.startswith(XLSX_MAGIC):
        return ListImport.Kind.XLSX, read_xlsx(data, max_rows=max_rows)
    if data.startswith(OLE_MAGIC):
        raise ImportRefused(_("That is an old Excel file (.xls). Save it as .xlsx (Excel workbook) or as CSV and "
                              "upload that."))  # fmt: skip
    lower = name.lower()
    if lower.endswith((".xlsx", ".xlsm")):
        raise ImportRefused(_("The Excel file could not be read. Save it again as .xlsx (Excel workbook), or as "
                              "CSV."))  # fmt: skip
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused(_("That is not a CSV or Excel file. Upload a .csv or .xlsx file."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # "Unicode text" from Excel: UTF-16 with tabs
        try:
            return ListImport.Kind.CSV, read_csv(data.decode("utf-16").encode(), max_rows=max_rows)
        except UnicodeDecodeError:
            raise ImportRefused(_("That is not a CSV or Excel file. Upload a .csv or .xlsx file.")) from None
    return ListImport.Kind.CSV, read_csv(data, max_rows=max_rows)


# --- starting ---
def _store(*, actor: User, product_list: ProductList, kind: str, filename: str, rows: list[RowIn],
           refused: list[tuple[str, str]] = ()) -> ListImport:  # fmt: skip
    """The import and its rows in one transaction, then the worker (on commit). `refused`: (text, why) of pasted
    pieces that are not offers, stored as rows with their result already."""
    with transaction.atomic():
        started = ListImport.objects.create(product_list=product_list, kind=kind, filename=filename[:200],
                                            created_by=actor, total=len(rows) + len(refused))  # fmt: skip
        objects = [ListImportRow(list_import=started, number=row.number, reference=row.link[:2000], offer_id=row.offer_id, quantity=row.quantity,
                                 option=row.option, note=row.note) for row in rows]  # fmt: skip
        objects += [ListImportRow(list_import=started, number=len(rows) + i + 1, reference=text[:300],
                                  result=Result.NOT_OFFER, detail=why[:500]) for i, (text, why) in enumerate(refused)]  # fmt: skip
        ListImportRow.objects.bulk_create(objects)
        if refused:
            ListImport.objects.filter(pk=started.pk).update(done=len(refused))
        enqueue("list_import_run", started.pk)
    return started


def import_allowed(actor: User, product_list: ProductList) -> None:
    """Refuse (ListForbidden, ImportRefused) when this person may not add to this list now."""
    _require_edit(actor, product_list.team_id)
    if product_list.archived_at:
        raise ImportRefused(_("This list is archived: bring it back before adding to it."))


def import_links_start(*, actor: User, product_list: ProductList, text: str) -> ListImport:
    """Add the offers of a paste to the list (buyers and up): one row per offer, and one per link that is none."""
    import_allowed(actor, product_list)
    limit = settings.LIST_IMPORT_MAX_ROWS
    parsed = offers_in_text(text, limit=limit + 1)
    refused = [(p.text, p.words) for p in parsed.links]
    if not parsed.offer_ids and not refused:
        raise ImportRefused(_("Paste 1688 offer links or offer ids, one or many (a line, a comma or a space "
                              "between them)."))  # fmt: skip
    if parsed.cut or len(parsed.offer_ids) + len(refused) > limit:
        raise ImportRefused(ngettext("That is more than %(n)s link, the most one import takes.",
                                     "That is more than %(n)s links, the most one import takes.", limit)
                            % {"n": f"{limit:,}"})  # fmt: skip
    rows = [RowIn(number=i + 1, link=parsed.sources[n], offer_id=n) for i, n in enumerate(parsed.offer_ids)]
    return _store(actor=actor, product_list=product_list, kind=ListImport.Kind.LINKS, filename="", rows=rows,
                  refused=refused)  # fmt: skip


def import_file_start(*, actor: User, product_list: ProductList, name: str, data: bytes) -> ListImport:
    """Add the rows of a CSV or Excel file to the list (buyers and up); a file it can't read is refused in words
    and nothing is stored."""
    import_allowed(actor, product_list)
    if len(data) > settings.LIST_IMPORT_MAX_BYTES:
        raise ImportRefused(_("The file is larger than %(mb)s MB. Split it, or keep only the link, quantity, option "
                              "and note columns.") % {"mb": _megabytes(settings.LIST_IMPORT_MAX_BYTES)})  # fmt: skip
    kind, rows = read_file(name, data)
    return _store(actor=actor, product_list=product_list, kind=kind, filename=name, rows=rows)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}".removesuffix(".0")


# --- the worker ---
def _quantity(text: str) -> int | None:
    """A row's quantity: "500", "1,000", "500个", "1000.0"; None when empty; ValueError when it is none of these."""
    text = text.replace(",", "").replace("，", "").strip()
    if not text:
        return None
    match = _QUANTITY.match(text)
    if not match or not 1 <= int(match.group(1)) <= 10_000_000:
        raise ValueError(text)
    return int(match.group(1))


def _squash(text: str) -> str:
    return re.sub(r"[\s/+;；,，|:：\-_]+", "", str(text or "")).casefold()


def _option(product: Product, option: str) -> Sku | None:
    """The SKU a row names: its spec id, its SKU id, or its label ("白色 / L", "白色+L", "White / L")."""
    skus = list(Sku.objects.filter(product=product))
    wanted = option.strip()
    for sku in skus:
        if wanted in (sku.spec_id, sku.sku_id):
            return sku
    key = _squash(wanted)
    for sku in skus:
        english = "".join(str(a.get("value_en") or "") for a in sku.attributes)
        if key in (_squash(sku.label), _squash(english)):
            return sku
    return None


def _options_words(product: Product) -> str:
    labels = [s.label for s in Sku.objects.filter(product=product)[:9] if s.label]
    if not labels:
        return _("this offer has no options.")
    shown = "; ".join(labels[:8]) + ("; …" if len(labels) > 8 else "")
    return _("its options are: %(options)s") % {"options": shown}


def _finish_row(row: ListImportRow, result: str, detail: str = "", item=None) -> None:
    with transaction.atomic():
        landed = ListImportRow.objects.filter(pk=row.pk, result=Result.PENDING).update(
            result=result, detail=str(detail)[:500], item=item, offer_id=row.offer_id
        )
        if landed:
            ListImport.objects.filter(pk=row.list_import_id).update(done=F("done") + 1)


def _row_run(list_import: ListImport, row: ListImportRow, actor: User) -> None:
    """Give one row its result (a transient 1688 error propagates: the row stays waiting for the retry)."""
    number, piece = (row.offer_id, None) if row.offer_id else offer_in_cell(row.reference)
    if number is None:
        return _finish_row(row, Result.NOT_OFFER, piece.words if piece else _("no link or offer id in this row."))
    row.offer_id = number
    try:
        quantity = _quantity(row.quantity)
    except ValueError:
        return _finish_row(row, Result.REFUSED, _("the quantity “%(q)s” is not a whole number of pieces from 1 to "
                                                  "10,000,000.") % {"q": row.quantity[:40]})  # fmt: skip
    product_list = list_import.product_list
    existing = product_list.items.filter(product__offer_id=number).first()
    if existing is not None:
        return _finish_row(row, Result.ALREADY, _("already on the list."), item=existing)
    fetched = product_fetch_now(user=actor, offer_id=number)
    if fetched.product is None:
        return _finish_row(row, Result.FETCH_FAILED, fetched.message)
    product, sku = fetched.product, None
    if row.option:
        sku = _option(product, row.option)
        if sku is None:
            return _finish_row(row, Result.NO_OPTION, _("no option “%(o)s”: %(which)s")
                               % {"o": row.option[:60], "which": _options_words(product)})  # fmt: skip
    try:
        item, created = item_add(actor=actor, product_list=product_list, product=product, sku=sku,
                                 target_quantity=quantity, note=row.note)  # fmt: skip
    except ListLimitReached as error:
        return _finish_row(row, Result.REFUSED, str(error))
    except ListError as error:
        return _finish_row(row, Result.REFUSED, str(error))
    if created:
        return _finish_row(row, Result.ADDED, "", item=item)
    return _finish_row(row, Result.ALREADY, _("already on the list."), item=item)


# One task run gives rows their results for this long at most, then queues the rest as a new task: a 1,000-row
# import (each row may be a 1688 fetch) never reaches the task time limit, and other teams' work waiting on the
# interactive queue runs in between its slices.
IMPORT_SLICE_SECONDS = 20


def import_run(*, import_id: int) -> ListImport | None:
    """Worker: give waiting rows their results, committing each, for IMPORT_SLICE_SECONDS, then queue the rest; a
    transient 1688 error leaves the rest waiting and propagates (the task retries them)."""
    list_import = _claim(import_id)
    if list_import is None:
        return None
    actor = list_import.created_by
    rows = list(list_import.rows.filter(result=Result.PENDING).order_by("number", "pk"))
    until = time.monotonic() + IMPORT_SLICE_SECONDS
    for n, row in enumerate(rows):
        if n and time.monotonic() >= until:  # at least one row a run, so an import always moves on
            ListImport.objects.filter(pk=list_import.pk, state=ListImport.State.RUNNING).update(
                state=ListImport.State.QUEUED)  # fmt: skip
            enqueue("list_import_run", list_import.pk)
            return list_import
        if actor is None:
            _finish_row(row, Result.REFUSED, _("The person who started this import has left the portal."))
            continue
        _row_run(list_import, row, actor)
    return import_finish(list_import)


def _claim(import_id: int) -> ListImport | None:
    """Take a waiting import (conditional UPDATE); None when it is finished or a live worker has it."""
    now = timezone.now()
    stale = now - timezone.timedelta(seconds=settings.CATALOG_JOB_STALE_SECONDS)
    waiting = ListImport.objects.filter(pk=import_id, state=ListImport.State.QUEUED)
    dead = ListImport.objects.filter(pk=import_id, state=ListImport.State.RUNNING, started_at__lt=stale)
    if not (waiting.update(state=ListImport.State.RUNNING, started_at=now)
            or dead.update(state=ListImport.State.RUNNING, started_at=now)):  # fmt: skip
        return None
    return ListImport.objects.select_related("product_list__team", "created_by").get(pk=import_id)


def import_finish(list_import: ListImport) -> ListImport:
    rows = ListImportRow.objects.filter(list_import=list_import)
    added = rows.filter(result=Result.ADDED).count()
    already = rows.filter(result=Result.ALREADY).count()
    other = rows.exclude(result__in=[Result.ADDED, Result.ALREADY, Result.PENDING]).count()
    message = "; ".join([
        ngettext("%(n)s added", "%(n)s added", added) % {"n": added},
        ngettext("%(n)s already on the list", "%(n)s already on the list", already) % {"n": already},
        ngettext("%(n)s not added", "%(n)s not added", other) % {"n": other},
    ])  # fmt: skip
    ListImport.objects.filter(pk=list_import.pk).update(state=ListImport.State.DONE, finished_at=timezone.now(),
                                                        message=message[:500], done=rows.count())  # fmt: skip
    list_import.refresh_from_db()
    return list_import


def import_requeue(*, import_id: int, error: errors.AlibabaError) -> None:
    """A transient 1688 error: the import waits for the task's retry and says why."""
    ListImport.objects.filter(pk=import_id, state=ListImport.State.RUNNING).update(
        state=ListImport.State.QUEUED,
        message=_("1688 did not answer properly (%(code)s); trying again shortly.")
        % {"code": error.code or type(error).__name__},
    )


def import_give_up(*, import_id: int, error: errors.AlibabaError) -> None:
    """Out of retries: every row still waiting fails in words, and the import ends with its results."""
    list_import = ListImport.objects.filter(pk=import_id).first()
    if list_import is None or not list_import.is_running:
        return
    why = _("1688 did not answer properly (%(code)s). Import these rows again in a few minutes.") % {
        "code": error.code or type(error).__name__
    }
    for row in list_import.rows.filter(result=Result.PENDING):
        _finish_row(row, Result.FETCH_FAILED, why)
    import_finish(list_import)
