"""The house rules hold and would catch a break: import contracts, one package per domain, tables kept."""

import shutil
import subprocess
import sys
from pathlib import Path

from django.apps import apps

from tests.conftest import BASE_DIR

LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}
    return subprocess.run([str(LINT), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=120)


def _copy(tmp_path: Path) -> Path:
    for name in ("sourcing", "sandbox", "portal"):
        shutil.copytree(BASE_DIR / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "templates"))
    shutil.copy(BASE_DIR / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_import_contracts_hold():
    result = _lint(BASE_DIR)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_a_circle_added_on_purpose_fails_the_contracts(tmp_path):
    # given a copy of the code where the catalog imports the alerts above it (a circle: alerts import the catalog)
    root = _copy(tmp_path)
    models = root / "sourcing" / "catalog" / "models.py"
    models.write_text(models.read_text() + "\nfrom sourcing.alerts import services as _alerts  # noqa\n")
    # when the contracts are checked, then they fail and name the broken rule and the import
    result = _lint(root)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "sourcing.catalog is not allowed to import sourcing.alerts" in " ".join(result.stdout.split())


def test_a_selector_that_imports_a_service_fails_the_contracts(tmp_path):
    root = _copy(tmp_path)
    selectors = root / "sourcing" / "lists" / "selectors.py"
    selectors.write_text(selectors.read_text() + "\nfrom sourcing.lists import services as _services  # noqa\n")
    result = _lint(root)
    assert result.returncode != 0
    assert "Selectors read: they never import services BROKEN" in " ".join(result.stdout.split())


def test_every_model_lives_in_its_domain_and_keeps_its_table():
    # Tables are named as before the move (app "sourcing"): a database made before it migrates with nothing lost.
    domains = {"accounts", "connections", "catalog", "inquiries", "lists", "alerts", "orders", "core", "webhooks"}
    domains |= {"api"}
    domains |= {"messages"}
    for model in apps.get_app_config("sourcing").get_models():
        assert model._meta.db_table == f"sourcing_{model.__name__.lower()}", model
        assert model.__module__.split(".")[1] in domains, model.__module__


def test_no_module_is_over_about_500_lines():
    long = {
        str(path.relative_to(BASE_DIR)): n
        for path in (BASE_DIR / "sourcing").rglob("*.py")
        if "migrations" not in path.parts and (n := len(path.read_text().splitlines())) > 550
    }
    assert not long, long
