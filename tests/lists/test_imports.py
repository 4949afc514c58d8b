"""Links in, on a list: pasted links and CSV/Excel files against the sandbox over real HTTP (the worker runs
inline), a result per row, roles, and hostile files."""

import io

import pytest
from openpyxl import Workbook

from sandbox.models import SandboxOffer
from sourcing.catalog.models import Product
from sourcing.lists import services as list_services
from sourcing.lists.models import ListImport, ListImportRow, ListItem
from tests.catalog.pages.conftest import page_text

pytestmark = pytest.mark.django_db(transaction=True)
Result = ListImportRow.Result


@pytest.fixture
def shop(connected, catalog):
    """alice's credential, connected to the live server's sandbox, over a 240-offer catalog (client logged in)."""
    return connected


@pytest.fixture
def basket(alice):
    return list_services.list_create(actor=alice, team=alice.current_team, name="进货单 imports")


def offers(n: int, *, with_options: bool = False) -> list[SandboxOffer]:
    found = SandboxOffer.objects.order_by("offer_id")
    if with_options:
        found = [o for o in found if o.sku_axes]
    return list(found[:n])


def option_label(offer: SandboxOffer) -> str:
    """The label of the offer's first SKU the way a buyer types it ("白色+L")."""
    return "+".join(axis[2][0][0] for axis in offer.sku_axes)


def results(list_import) -> list[tuple[str, str]]:
    return [(r.result, r.detail) for r in ListImportRow.objects.filter(list_import=list_import).order_by("number")]


def _file(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def upload(client, basket, name: str, data: bytes):
    return client.post(f"/lists/{basket.pk}/import/", {"file": _file(name, data)})


def test_add_by_links_fetches_unknown_offers_and_says_what_became_of_each(client, shop, alice, basket):
    a, b = offers(2)
    text = (
        f"【1688】{a.subject} https://detail.1688.com/offer/{a.offer_id}.html?spm=a26352.13672862.0.0，"
        f"https://www.superbuy.com/en/page/buy?from=search-input{'&spm=' + 'a' * 400}&url=https%3A%2F%2Fdetail.1688.com%2Foffer%2F{b.offer_id}.html\n"  # a long link: its id comes last
        "https://item.taobao.com/item.htm?id=691541677564\n"
        "123456789\n"
        f"m.1688.com/offer/{a.offer_id}.html"
    )
    response = client.post(f"/lists/{basket.pk}/import/", {"links": text})
    started = ListImport.objects.get()
    assert response["Location"] == f"/lists/{basket.pk}/imports/{started.pk}/"
    assert started.state == ListImport.State.DONE and started.done == started.total == 4
    rows = results(started)
    assert [r for r, _d in rows] == [Result.ADDED, Result.ADDED, Result.FETCH_FAILED, Result.NOT_OFFER]
    assert "no offer 123456789" in rows[2][1] and "Taobao" in rows[3][1]
    assert set(basket.items.values_list("product__offer_id", flat=True)) == {a.offer_id, b.offer_id}
    assert Product.objects.get(offer_id=b.offer_id).detail_fetched_at is not None
    page = page_text(client.get(response["Location"]))
    assert "Import finished" in page and "2 added" in page and "Not a 1688 offer" in page
    # the same paste again: everything is already there, nothing is fetched twice
    client.post(f"/lists/{basket.pk}/import/", {"links": text})
    again = ListImport.objects.order_by("-pk").first()
    assert [r for r, _d in results(again)][:2] == [Result.ALREADY, Result.ALREADY]
    # the list page links the imports and offers both forms
    listing = client.get(f"/lists/{basket.pk}/").content.decode()
    assert (
        f"/lists/{basket.pk}/imports/{again.pk}/" in listing and 'name="links"' in listing and 'name="file"' in listing
    )


CSV_ROWS = '链接,数量,规格,备注\n{a},500,{option},主推款\n{b},"1,000个",没有这个规格,\n{c},abc,,\n{a},10,,again\n'


def csv_text(with_options) -> str:
    a, b, c = with_options
    return CSV_ROWS.format(a=f"https://detail.1688.com/offer/{a.offer_id}.html", option=option_label(a),
                           b=f"https://cnfans.com/product/?ref={'x' * 400}&shop_type=1688&id={b.offer_id}", c=c.offer_id)  # fmt: skip


def check_csv_import(basket, with_options):
    a, _b, _c = with_options
    started = ListImport.objects.get()
    assert started.kind == ListImport.Kind.CSV
    rows = results(started)
    assert [r for r, _d in rows] == [Result.ADDED, Result.NO_OPTION, Result.REFUSED, Result.ALREADY]
    assert "没有这个规格" in rows[1][1] and "its options are" in rows[1][1]
    assert "“abc” is not a whole number" in rows[2][1]
    item = ListItem.objects.get(product_list=basket, product__offer_id=a.offer_id)
    assert item.target_quantity == 500 and item.note == "主推款" and item.sku is not None
    assert item.sku.label.replace(" / ", "+") == option_label(a)


def test_a_utf8_csv_with_chinese_headers(client, shop, alice, basket):
    with_options = offers(3, with_options=True)
    response = upload(client, basket, "清单.csv", ("\ufeff" + csv_text(with_options)).encode("utf-8"))
    assert response.status_code == 302
    check_csv_import(basket, with_options)


def test_a_gbk_csv_saved_by_excel_in_china(client, shop, alice, basket):
    with_options = offers(3, with_options=True)
    data = csv_text(with_options).replace("\n", "\r\n").encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert upload(client, basket, "清单.csv", data).status_code == 302
    check_csv_import(basket, with_options)


def test_an_xlsx_with_english_headers_numbers_and_a_formula_in_a_note(client, shop, alice, basket):
    a, b = offers(2)
    book = Workbook()
    sheet = book.active
    sheet.append(["Offer ID", "Qty", "Option", "Notes"])
    sheet.append([a.offer_id, 300, None, "plain"])
    sheet.append([f"https://detail.1688.com/offer/{b.offer_id}.html", 20.0, None, None])
    sheet.cell(row=3, column=4, value='=HYPERLINK("http://evil.example","click")').data_type = "s"
    out = io.BytesIO()
    book.save(out)
    assert upload(client, basket, "offers.xlsx", out.getvalue()).status_code == 302
    started = ListImport.objects.get()
    assert started.kind == ListImport.Kind.XLSX and [r for r, _d in results(started)] == [Result.ADDED] * 2
    assert ListItem.objects.get(product__offer_id=a.offer_id).target_quantity == 300
    formula = ListItem.objects.get(product__offer_id=b.offer_id)
    assert formula.target_quantity == 20 and formula.note.startswith("=HYPERLINK")  # kept as text, never run
    # the list's CSV export writes it so no spreadsheet runs it
    exported = client.get(f"/lists/{basket.pk}/export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in exported and ",=HYPERLINK" not in exported and '"=HYPERLINK' not in exported


def test_quota_spent_says_so_per_row(client, shop, alice, basket):
    shop.daily_quota = 1  # the permission probe after connecting took it
    shop.save()
    (a,) = offers(1)
    client.post(f"/lists/{basket.pk}/import/", {"links": f"https://detail.1688.com/offer/{a.offer_id}.html"})
    (result, detail), = results(ListImport.objects.get())  # fmt: skip
    assert result == Result.FETCH_FAILED and "quota" in detail.lower()
    assert not basket.items.exists()


# --- roles and teams ---
def test_viewers_get_403_and_other_teams_404(client, alice, dave, carol, basket):
    client.force_login(dave)
    assert client.post(f"/lists/{basket.pk}/import/", {"links": "610494659403"}).status_code == 403
    assert client.post(f"/lists/{basket.pk}/import/", {"file": _file("a.csv", b"610494659403\n")}).status_code == 403
    assert not ListImport.objects.exists()
    started = ListImport.objects.create(product_list=basket, kind=ListImport.Kind.LINKS, created_by=alice)
    assert client.get(f"/lists/{basket.pk}/imports/{started.pk}/").status_code == 200  # viewers read results
    client.force_login(carol)
    assert client.post(f"/lists/{basket.pk}/import/", {"links": "610494659403"}).status_code == 404
    assert client.get(f"/lists/{basket.pk}/imports/{started.pk}/").status_code == 404
    # an import named under another list of the same team is not found either
    client.force_login(alice)
    other = list_services.list_create(actor=alice, team=alice.current_team, name="other")
    assert client.get(f"/lists/{other.pk}/imports/{started.pk}/").status_code == 404


# --- hostile input: words, a 400, nothing stored ---
def _xlsx_bomb() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * 60_000_000 + b">")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("picture.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64, "not a CSV or Excel file"),
        ("big.csv", b"610494659403\n" * 800_000, "larger than 2 MB"),
        ("many.csv", b"610494659403\n" * 100_000, "more than 1,000 rows"),
        ("empty.csv", b"", "The file is empty"),
        ("blank.csv", b"\r\n \r\n", "The file is empty"),
        ("only-header.csv", "链接,数量\n".encode(), "no rows of offers"),
        ("no-link-column.csv", "数量,备注\n5,x\n".encode(), "no column of links"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "old Excel file (.xls)"),
        ("broken.xlsx", b"PK\x03\x04" + b"garbage" * 100, "Excel file could not be read"),
        ("renamed.xlsx", b"610494659403\n", "Excel file could not be read"),
        ("bomb.xlsx", _xlsx_bomb(), "unpacks to far more"),
        ("latin.csv", b"\xff\xff\x81\x30 not text \x80\xff", "neither UTF-8 nor GBK"),
    ],
)
def test_hostile_files_are_refused_in_words(client, alice, basket, name, data, words):
    client.force_login(alice)
    response = client.post(f"/lists/{basket.pk}/import/", {"file": _file(name, data)})
    assert response.status_code == 400 and words in page_text(response)
    assert not ListImport.objects.exists() and not ListImportRow.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "保温杯 大容量"])
def test_a_paste_without_links_says_what_to_paste(client, alice, basket, text):
    client.force_login(alice)
    response = client.post(f"/lists/{basket.pk}/import/", {"links": text})
    assert response.status_code == 400 and "Paste 1688 offer links" in page_text(response)
    assert not ListImport.objects.exists()


def test_an_archived_list_takes_no_import(client, alice, basket):
    client.force_login(alice)
    list_services.list_archive(actor=alice, product_list=basket, archived=True)
    response = client.post(f"/lists/{basket.pk}/import/", {"links": "610494659403"})
    assert response.status_code == 400 and "archived" in page_text(response)


def test_a_hostile_csv_row_gets_its_own_result(client, alice, basket, settings):
    """Rows that aren't offers, odd quantities and huge cells: every row has a result, the import ends."""
    client.force_login(alice)
    data = "\n".join([
        "link,quantity,option,note",
        "https://item.taobao.com/item.htm?id=691541677564,5,,",
        "=cmd|' /C calc'!A0,1,,",
        "hello,NaN,,",
        '"' + "x" * 50_000 + '",-5,,',
        ",,,only a note",
    ]).encode()  # fmt: skip
    assert client.post(f"/lists/{basket.pk}/import/", {"file": _file("rows.csv", data)}).status_code == 302
    started = ListImport.objects.get()
    assert started.state == ListImport.State.DONE and started.done == started.total == 5
    assert {r for r, _d in results(started)} == {Result.NOT_OFFER}
    assert client.get(f"/lists/{basket.pk}/imports/{started.pk}/").status_code == 200


@pytest.fixture
def eager_retries():
    """Inline tasks retry inline only when their errors are not propagated (Celery's eager apply)."""
    from portal.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def test_when_1688_keeps_failing_every_waiting_row_still_gets_its_result(client, alice, basket, monkeypatch,
                                                                         eager_retries):  # fmt: skip
    """Transient errors retry the rows still waiting; out of retries, each fails in words and the import ends."""
    from sourcing.alibaba import errors
    from sourcing.lists import imports

    calls = []

    def flaky(*, user, offer_id):
        calls.append(offer_id)
        raise errors.TransientError("gateway timeout", code="isp.timeout")

    monkeypatch.setattr(imports, "product_fetch_now", flaky)
    client.force_login(alice)
    response = client.post(
        f"/lists/{basket.pk}/import/", {"links": "610494659403 610494659404 https://item.taobao.com/item.htm?id=1"}
    )
    assert response.status_code == 302
    started = ListImport.objects.get()
    assert started.state == ListImport.State.DONE and started.done == started.total == 3
    rows = results(started)
    assert [r for r, _d in rows] == [Result.FETCH_FAILED, Result.FETCH_FAILED, Result.NOT_OFFER]
    assert "1688 did not answer properly (isp.timeout)" in rows[0][1]
    assert len(calls) == 6  # the first row, tried by the run and each of its five retries


def test_a_paste_past_the_row_cap_is_refused_in_words(client, alice, basket, settings):
    settings.LIST_IMPORT_MAX_ROWS = 3
    client.force_login(alice)
    text = " ".join(str(610494659400 + i) for i in range(4))
    response = client.post(f"/lists/{basket.pk}/import/", {"links": text})
    assert response.status_code == 400 and "more than 3 links" in page_text(response)
    assert not ListImport.objects.exists()
    huge = "\n".join(f"https://detail.1688.com/offer/{600000000000 + i}.html" for i in range(20_000))
    response = client.post(f"/lists/{basket.pk}/import/", {"links": huge})
    assert response.status_code == 400 and not ListImport.objects.exists()


def test_a_long_import_runs_in_slices_that_queue_the_rest(client, shop, alice, basket, monkeypatch):
    # given slices so short that each task run gives one row its result (a 1,000-row import would run in 20 s ones)
    from sourcing.lists import imports

    runs = []
    real_claim = imports._claim
    monkeypatch.setattr(imports, "IMPORT_SLICE_SECONDS", 0)
    monkeypatch.setattr(imports, "_claim", lambda import_id: runs.append(import_id) or real_claim(import_id))
    a, b, c = offers(3)
    text = "\n".join(f"https://detail.1688.com/offer/{o.offer_id}.html" for o in (a, b, c))
    # when alice pastes three links
    client.force_login(alice)
    client.post(f"/lists/{basket.pk}/import/", {"links": text})
    # then three task runs (one queued by the other) gave every row its result and finished the import
    started = ListImport.objects.get()
    assert len(runs) == 3
    assert started.state == ListImport.State.DONE and started.done == started.total == 3
    assert [r for r, _d in results(started)] == [Result.ADDED] * 3
