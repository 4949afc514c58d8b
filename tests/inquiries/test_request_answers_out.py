"""Request answers leave the portal in the list's exports (latest answered MOQ, price at quantity, lead time,
sample price and time) and compare marks the best answer: the lowest price answered at quantity (issue 22)."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from sourcing.inquiries.models import SupplierRequest
from tests.inquiries.test_requests import reply, send

pytestmark = pytest.mark.django_db

HEADS = ["Request answer: MOQ", "Request answer: price at quantity (CNY)", "Request answer: for quantity",
         "Request answer: lead time (days)", "Request answer: sample price (CNY)",
         "Request answer: sample time (days)"]  # fmt: skip


@pytest.fixture
def answered(client, bob, kitchen):
    items = list(kitchen.items.order_by("pk"))
    client.force_login(bob)
    send(client, kitchen, items)
    flask, glass, _mug = SupplierRequest.objects.get().inquiries.order_by("pk")
    reply(client, flask, quoted_price="10.80", quoted_moq="300", quoted_lead_days="15", sample_price="50",
          sample_days="7")  # fmt: skip
    reply(client, glass, quoted_price="9.20", quoted_lead_days="20")
    return items


def test_the_csv_and_xlsx_exports_carry_the_latest_answers(client, kitchen, answered):
    rows = list(csv.DictReader(io.StringIO(client.get(f"/lists/{kitchen.pk}/export.csv").content.decode("utf-8-sig"))))
    assert [[r[h] for h in HEADS] for r in rows] == [
        ["300", "10.80", "500", "15", "50.00", "7"],
        ["not answered", "9.20", "500", "20", "not answered", "not answered"],
        ["no request answered", "", "", "", "", ""],
    ]
    assert rows[0]["Request answered on"] and not rows[2]["Request answered on"]
    sheet = load_workbook(io.BytesIO(client.get(f"/lists/{kitchen.pk}/export.xlsx").content)).active
    heads = [c.value for c in sheet[1]]
    first = {h: sheet.cell(row=2, column=heads.index(h) + 1).value for h in HEADS}
    assert first["Request answer: MOQ"] == 300 and float(first["Request answer: price at quantity (CNY)"]) == 10.8


def test_compare_marks_the_lowest_price_answered_at_quantity(client, kitchen, answered):
    page = client.get(f"/lists/{kitchen.pk}/compare/", {"item": [i.pk for i in answered]}).content.decode()
    row = re.search(r'<tr class="answers-row">.*?</tr>', page, re.S).group(0)
    assert "best: the lowest price answered at quantity" in row
    cells = re.findall(r"<td( class=\"best\"[^>]*)?>(.*?)</td>", row, re.S)
    marked = [body for best, body in cells if best]
    assert (
        len(marked) == 1 and "<strong>¥9.20</strong> × 500" in marked[0] and "lead time 20 days" in marked[0]
    )  # not ¥10.80
