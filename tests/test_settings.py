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
