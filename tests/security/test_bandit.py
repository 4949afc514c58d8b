"""Bandit finds no high-severity problem in the portal's code (portal/, sourcing/, sandbox/)."""

import json
import subprocess
import sys

from tests.conftest import BASE_DIR


def test_bandit_reports_no_high_severity_finding():
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "--quiet", "--recursive", "--severity-level", "high", "--format", "json",
         "portal", "sourcing", "sandbox"],  # fmt: skip
        cwd=BASE_DIR, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    report = json.loads(result.stdout)
    findings = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}" for r in report["results"]]
    assert findings == []
    assert report["errors"] == []
    assert report["metrics"]["_totals"]["loc"] > 10_000  # it really read the code
