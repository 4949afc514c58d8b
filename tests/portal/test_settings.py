"""Production settings refuse to start without their secrets, and pass check --deploy."""

import os
import subprocess
import sys

from cryptography.fernet import Fernet

from tests.conftest import BASE_DIR

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-1234567890",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "DJANGO_ALLOWED_HOSTS": "portal.example.com",
    "SITE_URL": "https://portal.example.com",
    "EMAIL_URL": "smtp+tls://portal:mail-password@smtp.example.com:587",
}


def _manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_without_secret_key_names_the_variable():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=false" in result.stderr


def test_production_without_encryption_keys_names_the_variable():
    env = {k: v for k, v in PRODUCTION.items() if k != "FIELD_ENCRYPTION_KEYS"}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set" in result.stderr


def test_check_deploy_is_clean_with_production_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_sandbox_is_off_by_default_in_production():
    code = "import django; django.setup(); from django.conf import settings; print(settings.SANDBOX_ENABLED)"
    env = (
        {k: v for k, v in os.environ.items() if k not in PRODUCTION}
        | PRODUCTION
        | {"DJANGO_SETTINGS_MODULE": "portal.settings"}
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


# --- The sandbox is an installed app only when enabled (issue 7, item 10) ---

SANDBOX_PROBE = """
from django.apps import apps
from django.contrib import admin
from django.urls import Resolver404, resolve
print("installed", apps.is_installed("sandbox"))
print("admin", sorted({m._meta.app_label for m in admin.site._registry} & {"sandbox"}))
for url in ("/sandbox/", "/sandbox/console/", "/sandbox/openapi/param2/1/system/currentTime/1"):
    try:
        print("url", url, resolve(url).url_name)
    except Resolver404:
        print("url", url, "none")
"""


def _tables(db_path) -> set[str]:
    import sqlite3

    with sqlite3.connect(db_path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_sandbox_off_in_production_has_no_app_admin_or_url():
    result = _manage("shell", "-c", SANDBOX_PROBE, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "installed False" in result.stdout
    assert "admin []" in result.stdout
    assert "url /sandbox/ none" in result.stdout
    assert "url /sandbox/console/ none" in result.stdout
    assert "url /sandbox/openapi/param2/1/system/currentTime/1 none" in result.stdout


def test_sandbox_enabled_by_its_variable_is_installed_with_admin_and_urls():
    result = _manage("shell", "-c", SANDBOX_PROBE, **PRODUCTION, SANDBOX_ENABLED="true")
    assert result.returncode == 0, result.stderr
    assert "installed True" in result.stdout
    assert "admin ['sandbox']" in result.stdout
    assert "url /sandbox/ index" in result.stdout
    assert "url /sandbox/openapi/param2/1/system/currentTime/1 gateway" in result.stdout


def test_production_migrations_make_no_sandbox_tables(tmp_path):
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}"}
    check = _manage("makemigrations", "--check", "--dry-run", **PRODUCTION, **database)
    assert check.returncode == 0, check.stderr + check.stdout
    migrate = _manage("migrate", "--no-input", **PRODUCTION, **database)
    assert migrate.returncode == 0, migrate.stderr
    tables = _tables(tmp_path / "production.sqlite3")
    assert "sourcing_user" in tables
    assert not {t for t in tables if t.startswith("sandbox_")}


def test_sandbox_migrations_run_forward_and_back(tmp_path):
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}", "SANDBOX_ENABLED": "true"}
    assert _manage("migrate", "--no-input", **database).returncode == 0
    assert "sandbox_sandboxapp" in _tables(tmp_path / "dev.sqlite3")
    back = _manage("migrate", "sandbox", "zero", "--no-input", **database)
    assert back.returncode == 0, back.stderr
    assert not {t for t in _tables(tmp_path / "dev.sqlite3") if t.startswith("sandbox_")}
    again = _manage("migrate", "--no-input", **database)
    assert again.returncode == 0, again.stderr
    assert "sandbox_sandboxapp" in _tables(tmp_path / "dev.sqlite3")


# --- Issue 7, item 9: published development keys are refused, risky settings are warned about. ---

DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production-8f3b"
DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktZmVybmV0LWtleS0tLW5vdC1zZWNyZXQ="
PRODUCTION_ENV = PRODUCTION | {
    "DJANGO_SECRET_KEY": os.urandom(25).hex(),  # 50 random characters
    "SANDBOX_ENABLED": "false",
}


def _check_deploy(**overrides):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **(PRODUCTION_ENV | overrides))
    return result.returncode, result.stdout + result.stderr


def test_check_deploy_is_clean_with_a_production_environment():
    returncode, output = _check_deploy()
    assert returncode == 0, output
    assert "System check identified no issues" in output


def test_published_development_secret_key_is_refused():
    returncode, output = _check_deploy(DJANGO_SECRET_KEY=DEV_SECRET_KEY)
    assert returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is the published development value" in output
    assert "secrets.token_urlsafe(50)" in output  # says how to make a good one


def test_published_development_encryption_key_is_refused_even_as_an_old_key():
    for keys in (DEV_ENCRYPTION_KEY, f"{Fernet.generate_key().decode()},{DEV_ENCRYPTION_KEY}"):
        returncode, output = _check_deploy(FIELD_ENCRYPTION_KEYS=keys)
        assert returncode != 0, keys
        assert "ImproperlyConfigured: FIELD_ENCRYPTION_KEYS is the published development value" in output
        assert "Fernet.generate_key()" in output


def test_unreadable_encryption_key_is_refused():
    for keys, position in (
        ("not-a-fernet-key", "key 1 of 1"),
        (f"{Fernet.generate_key().decode()}, abc=", "key 2 of 2"),
    ):
        returncode, output = _check_deploy(FIELD_ENCRYPTION_KEYS=keys)
        assert returncode != 0, keys
        assert f"ImproperlyConfigured: FIELD_ENCRYPTION_KEYS: {position} is not a Fernet key" in output


def test_plain_http_site_url_is_a_deploy_warning():
    returncode, output = _check_deploy(SITE_URL="http://portal.example.com")
    assert returncode != 0
    assert "(portal.W001) SITE_URL is 'http://portal.example.com', not https" in output


def test_sandbox_in_production_is_a_deploy_warning():
    returncode, output = _check_deploy(SANDBOX_ENABLED="true")
    assert returncode != 0
    assert "(portal.W002) The sandbox gateway is enabled" in output


# --- Issue 18, item 6: mail links never go to a log. ---


def test_production_without_a_mail_setting_refuses_to_start():
    env = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_URL"}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: EMAIL_URL must be set when DJANGO_DEBUG=false" in result.stderr


def test_production_refuses_the_console_mail_backend():
    result = _manage("check", **(PRODUCTION | {"EMAIL_URL": "consolemail://"}))
    assert result.returncode != 0
    assert "EMAIL_URL=consolemail:// is refused when DJANGO_DEBUG=false: it writes password-reset" in result.stderr


def test_development_mail_goes_to_files_in_var_mail_not_the_console():
    probe = "from django.conf import settings; print(settings.EMAIL_BACKEND); print(settings.EMAIL_FILE_PATH)"
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", probe],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.mail.backends.filebased.EmailBackend", str(BASE_DIR / "var" / "mail")]
