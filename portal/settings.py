"""The portal's only settings module, driven by the environment (see .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# Development defaults are public on purpose: they only ever protect a local demo.
_DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production-8f3b"
_DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktZmVybmV0LWtleS0tLW5vdC1zZWNyZXQ="


_HOW_TO_GENERATE = {
    "DJANGO_SECRET_KEY": 'python -c "import secrets; print(secrets.token_urlsafe(50))"',
    "FIELD_ENCRYPTION_KEYS": 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"',
}


def _production_value(name, dev_default):
    """Read a variable that production must set; development falls back to a public default."""
    value = env(name, default=None)
    if not value:
        if not DEBUG:
            raise ImproperlyConfigured(
                f"{name} must be set when DJANGO_DEBUG=false. Generate one with: {_HOW_TO_GENERATE[name]} "
                f"(see .env.example and README, 'Production')."
            )
        return dev_default
    if not DEBUG and dev_default in (part.strip() for part in value.split(",")):
        # The development value is in this repository for anyone to read: sessions signed with it can
        # be forged, and secrets encrypted with it are as good as plain text.
        raise ImproperlyConfigured(
            f"{name} is the published development value; it must not be used when DJANGO_DEBUG=false. "
            f"Generate a new one with: {_HOW_TO_GENERATE[name]}"
        )
    return value


def _fernet_keys(value: str) -> list[str]:
    """Split and check FIELD_ENCRYPTION_KEYS: a key Fernet can't read would fail every secret later."""
    from cryptography.fernet import Fernet

    keys = [k.strip() for k in value.split(",") if k.strip()]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except ValueError:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {position} of {len(keys)} is not a Fernet key (32 url-safe "
                f"base64-encoded bytes). Generate one with: {_HOW_TO_GENERATE['FIELD_ENCRYPTION_KEYS']}"
            ) from None
    return keys


SECRET_KEY = _production_value("DJANGO_SECRET_KEY", _DEV_SECRET_KEY)
# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation: prepend a new key,
# then run `manage.py rotate_encryption_keys`).
FIELD_ENCRYPTION_KEYS = _fernet_keys(_production_value("FIELD_ENCRYPTION_KEYS", _DEV_ENCRYPTION_KEY))

SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [],
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

# The sandbox gateway (a stand-in for gw.open.1688.com) is an app only when enabled: off, it adds
# no tables, admin pages or URLs. On by default only in development.
SANDBOX_ENABLED = env.bool("SANDBOX_ENABLED", default=DEBUG)

INSTALLED_APPS = [
    "portal",  # system checks for production settings (portal/checks.py)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",  # django-csp: the Content-Security-Policy header and its per-request nonce
    "axes",  # failed-login lockout; before sourcing, whose admin module wraps axes' admin pages
    "sourcing",
    *(["sandbox"] if SANDBOX_ENABLED else []),
    # The team API at /api/v1/ (sourcing/api, docs/api.md): Django REST framework, its OpenAPI 3 schema from
    # drf-spectacular, and Swagger UI's files from the sidecar (served from here: no CDN).
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "sourcing.core.request_cache.RequestCacheMiddleware",  # first: one cache per request, dropped at its end
    "django.middleware.security.SecurityMiddleware",
    # Early, so its header is written after every page below it rendered (the friendly 404/405 and lockout
    # pages use the nonce too): Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # before the session is read: NUL dropped from queries and cookies, a 400 for NUL in a path or a form
    "sourcing.middleware.UnreadableInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sourcing.middleware.FriendlyNotAllowedMiddleware",
    "sourcing.middleware.FriendlyNotFoundMiddleware",
    "sourcing.middleware.PrivateCacheMiddleware",  # Cache-Control: private on team pages, no-store on exports
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

# A nonce-based Content-Security-Policy (django-csp 4): scripts only from this site's files or carrying the
# request's nonce ({{ request.csp_nonce }}); no inline handlers (static/js/portal.js binds them). Pictures and
# videos come from 1688's CDN (or the sandbox's), so img-src and media-src allow any http(s) source. Styles keep
# 'unsafe-inline' for the progress bars' style="width: …" and htmx's indicator styles. No form-action: the
# OAuth connect answers a form post with a redirect to 1688's consent page, which Chrome would refuse.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "https:", "http:"],
        "media-src": [SELF, "https:", "http:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    },
}

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

# The portal's domains, one package each under sourcing/ (docs/architecture.md).
DOMAINS = (
    "accounts",
    "connections",
    "catalog",
    "inquiries",
    "lists",
    "alerts",
    "orders",
    "webhooks",
    "messages",
    "api",
)
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The site's own templates (base, error pages), then each domain's (sourcing/<domain>/templates/).
        "DIRS": [BASE_DIR / "templates", *(BASE_DIR / "sourcing" / domain / "templates" for domain in DOMAINS)],
        "APP_DIRS": True,
        "OPTIONS": {
            # Template tags live in their domains; `{% load portal %}` and friends keep their names.
            "libraries": {
                "portal": "sourcing.connections.templatetags.portal",
                "catalog": "sourcing.catalog.templatetags.catalog",
                "offer": "sourcing.catalog.templatetags.offer",
                "lists": "sourcing.lists.templatetags.lists",
                "cards": "sourcing.lists.templatetags.cards",
                "rows": "sourcing.lists.templatetags.rows",
                "contact": "sourcing.alerts.templatetags.contact",
                "buying": "sourcing.orders.templatetags.buying",
                "message_feed": "sourcing.messages.templatetags.message_feed",
            },
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sourcing.context_processors.navigation",
            ],
        },
    },
]

# --- Database: SQLite file by default, PostgreSQL through DATABASE_URL. ---
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for locks instead of failing, and take the
    # write lock at BEGIN so two writers never deadlock on a lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file (not :memory:) so that a real worker process can share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
else:
    # No JIT compiling: it spent ~100 ms compiling for page queries that run in a few (the planner's cost guesses on
    # a million products cross its threshold), and a web app's queries are short (docs/catalog.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# Connections are kept open between requests (opening one cost 14-17 ms a request: bench/search_mix.py, 8 clients
# at 100,000 products went from 20.0 to 27.8 requests/s), and checked before reuse so a restarted server is no 500.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "sourcing.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# axes' check comes first: a locked-out login never reaches the password check.
AUTHENTICATION_BACKENDS = [
    "sourcing.accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SIGNUP_ENABLED = env.bool("SIGNUP_ENABLED", default=True)

# --- Brute force: wrong passwords at login (django-axes) and at Reveal (sourcing/core/throttle.py). ---
# After AUTH_FAILURE_LIMIT failures for one account (AUTH_ADDRESS_FAILURE_LIMIT from one address), that
# account (address) waits AUTH_LOCKOUT_MINUTES (each try during an account's wait starts it again).
AUTH_FAILURE_LIMIT = env.int("AUTH_FAILURE_LIMIT", default=5)
AUTH_LOCKOUT_MINUTES = env.int("AUTH_LOCKOUT_MINUTES", default=15)
# Reverse proxies in front of the portal that append to X-Forwarded-For (0: trust REMOTE_ADDR only).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_FAILURE_LIMIT = AUTH_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=AUTH_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]  # per account; per address: sourcing/accounts/backends.py, at its own limit
# Wrong passwords from one network address (any accounts) before that address waits too: higher than
# the per-account limit, so that colleagues behind one office address don't lock each other out.
AUTH_ADDRESS_FAILURE_LIMIT = env.int("AUTH_ADDRESS_FAILURE_LIMIT", default=20)
# axes warns that it does not count per address; sourcing/accounts/backends.py does, at AUTH_ADDRESS_FAILURE_LIMIT
# (tests/security/test_bruteforce.py::test_one_address_trying_many_accounts_is_locked).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "sourcing.accounts.backends.lockout_response"
AXES_CLIENT_IP_CALLABLE = "sourcing.core.http.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not recorded (nothing would ever purge them)
AXES_VERBOSE = False  # no banner on every manage.py command; failures and lockouts are still logged
INVITATION_DAYS = env.int("INVITATION_DAYS", default=14)

LANGUAGE_CODE = "en"
# English and Simplified Chinese (issue 10). LocaleMiddleware picks the django_language cookie set by the
# language switch, then the browser's Accept-Language; without either, English.
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates go through format names (DATETIME_FORMAT, …): English keeps 2026-11-28 18:05 (portal/formats/en),
# Chinese gets Django's 2026年11月28日 18:05. Numbers keep their own filters (¥1,234.50 reads the same in both).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# The test suite runs in parallel processes (pytest-xdist: gw0, gw1, …). Each gets Redis databases of its
# own (db + 2 × n: the broker's and the cache's) and its own broker folder, so one process's Celery worker
# never takes another's tasks and a cache flush in one test never reaches another's.
_TEST_WORKER = env("PYTEST_XDIST_WORKER", default="gw0")
_TEST_PROCESS = int(_TEST_WORKER.removeprefix("gw") or 0)
if os.environ.get("PORTAL_TEST_URLS_MOVED"):  # a child (worker, command) of a test process: already moved
    _TEST_PROCESS = 0


def _own_redis_db(url: str) -> str:
    if not _TEST_PROCESS or not url.startswith(("redis://", "rediss://")):
        return url
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{int(parts.path.strip('/') or 0) + 2 * _TEST_PROCESS}"))


# --- Cache and the shared rate limiter: Redis through REDIS_URL, else process-local. ---
REDIS_URL = _own_redis_db(env("REDIS_URL", default=""))
if _TEST_PROCESS:
    # Celery reads CELERY_BROKER_URL from the environment before these settings; children inherit both.
    for _name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if os.environ.get(_name):
            os.environ[_name] = _own_redis_db(os.environ[_name])
    os.environ["PORTAL_TEST_URLS_MOVED"] = "1"
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        # What pages can do without (portal/cache.py): a missing Redis means a full render, not an error page.
        "pages": {
            "BACKEND": "portal.cache.PageCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pages",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
else:
    # Without Redis nothing is shared between the web and worker processes, so nothing page-level is cached:
    # a worker's new data must show on the next page view.
    CACHES = {
        # Room for what a worker keeps for days (a picture's fingerprint per address, counts): Django's default of
        # 300 entries culled the same-item worker's fingerprints between one product and the next.
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 50_000}},
        "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }

# --- Email: EMAIL_URL like smtp+tls://user:pass@host:587. Production refuses to start without it. ---
# Without it (development, the demo) each mail is a file in var/mail/: reset and invitation
# links are bearer secrets, so they are never printed where logs go. The console backend (consolemail://) would
# write them into the web and worker logs, so production refuses it too.
_email_url = env("EMAIL_URL", default="")  # lower case: not a setting, the debug page would show its password
if not DEBUG and not _email_url:
    raise ImproperlyConfigured(
        "EMAIL_URL must be set when DJANGO_DEBUG=false, e.g. smtp+tls://user:pass@smtp.example.com:587: "
        "password-reset and invitation mails need a way out (see .env.example and README, 'Production')."
    )
if not DEBUG and _email_url.startswith("consolemail:"):
    raise ImproperlyConfigured(
        "EMAIL_URL=consolemail:// is refused when DJANGO_DEBUG=false: it writes password-reset and invitation "
        "links into the logs. Set an SMTP server, e.g. smtp+tls://user:pass@smtp.example.com:587."
    )
vars().update(env.email_url("EMAIL_URL", default=f"filemail:///{VAR_DIR / 'mail'}"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Sourcing Portal <noreply@localhost>")
# Password reset: mails asked per e-mail address (and sent per account) in PASSWORD_RESET_MINUTES, and requests
# per network address (any e-mail addresses); beyond that the form answers "try again in N minutes".
PASSWORD_RESET_LIMIT = env.int("PASSWORD_RESET_LIMIT", default=3)
PASSWORD_RESET_ADDRESS_LIMIT = env.int("PASSWORD_RESET_ADDRESS_LIMIT", default=20)
PASSWORD_RESET_MINUTES = env.int("PASSWORD_RESET_MINUTES", default=60)

# --- Celery: a folder broker with nothing installed; Redis or RabbitMQ via CELERY_BROKER_URL. ---
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://localhost/")  # a host: kombu warns without one
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = Path(env("CELERY_BROKER_FOLDER", default=str(VAR_DIR / "broker")))
    if _TEST_WORKER != "gw0":  # children keep their test process's folder (the name is inherited)
        _broker_dir = _broker_dir / _TEST_WORKER
    if not _broker_dir.is_absolute():
        _broker_dir = BASE_DIR / _broker_dir
    for _sub in ("queue", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
# Redis hands a task that was delivered but never acknowledged (its worker died) to another worker after
# this many seconds. Keep it above CELERY_TASK_TIME_LIMIT and the longest retry countdown (60 s), or a task
# still running or waiting is handed out twice (harmless, tasks are idempotent, but wasted).
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
        # Look for such tasks every few seconds (one small sorted-set read), not every 100 s as kombu does.
        "unacked_restore_interval": max(1, min(10, CELERY_BROKER_VISIBILITY_TIMEOUT // 10)),
        "unacked_restore_throttle": 1,
    }
# A task is acknowledged when it ends, not when it starts: a worker killed mid-task (or a child process lost)
# gives it back to the queue, and another worker runs it again (tasks are safe to run twice).
# Two queues (design.md §1): "interactive" for what a person is waiting for (a search, a product opened, a photo
# search, a check, a chat link) and "background" for bulk work (refresh cycles, detail fills, alerts, digests,
# purges). Run workers for each (bin/demo does; README, Scaling out), so no backlog of one delays the other.
CELERY_TASK_DEFAULT_QUEUE = "interactive"
BACKGROUND_TASKS = (
    "catalog_product_refresh", "catalog_refresh_due", "catalog_unknown_details", "demo_lists_fill",
    "demo_market_moves", "alerts_evaluate", "alerts_digest_due", "alerts_digest_send", "notification_email",
    "invitations_purge_expired", "calllog_purge", "tokens_maintain", "token_postpone", "password_reset_purge",
    "catalog_jobs_dispatch", "quotes_requote_due", "quote_requote", "placements_sweep", "orders_sync_due",
    "order_sync_background",
)  # fmt: skip
BACKGROUND_TASKS += (
    "message_apply",
    "messages_follow_sync",
    "messages_catchup_due",
    "messages_catchup",
    "messages_purge",
)  # issue 23
CELERY_TASK_ROUTES = {f"sourcing.tasks.{name}": {"queue": "background"} for name in BACKGROUND_TASKS}
# Both declared, so a worker started without -Q serves both (a one-worker setup) and a purge empties both.
CELERY_TASK_QUEUES = (Queue("interactive"), Queue("background"))
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Workers outlive a broker restart: they reconnect on their own, however long it takes.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task running when the broker connection drops finishes its work (the broker hands it out again later, and
# the second run finds nothing to do) rather than being cancelled half-way.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Keep Django's LOGGING (and its secret-masking filter) in worker processes too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "invitations-purge-expired": {"task": "sourcing.tasks.invitations_purge_expired", "schedule": 3600.0},
    "password-reset-purge": {"task": "sourcing.tasks.password_reset_purge", "schedule": 3600.0},
    "tokens-maintain": {"task": "sourcing.tasks.tokens_maintain", "schedule": 600.0},
    "calllog-purge": {"task": "sourcing.tasks.calllog_purge", "schedule": 6 * 3600.0},
    "catalog-refresh-due": {"task": "sourcing.tasks.catalog_refresh_due", "schedule": 0.0},  # set below
}

# --- 1688 Open Platform ---
# A site-wide default credential (optional); users normally register their own apps.
ALIBABA_APP_KEY = env("ALIBABA_APP_KEY", default="")
ALIBABA_APP_SECRET = env("ALIBABA_APP_SECRET", default="")
# Gateway base: https://gw.open.1688.com/openapi live; the sandbox under SITE_URL by default.
ALIBABA_API_URL = env("ALIBABA_API_URL", default=f"{SITE_URL}/sandbox/openapi").rstrip("/")
ALIBABA_AUTHORIZE_URL = env("ALIBABA_AUTHORIZE_URL", default=f"{SITE_URL}/sandbox/oauth/authorize")
# Where credentials set to "Live 1688" go (a proxy in front of 1688 may replace them).
ALIBABA_LIVE_API_URL = env("ALIBABA_LIVE_API_URL", default="https://gw.open.1688.com/openapi").rstrip("/")
ALIBABA_LIVE_AUTHORIZE_URL = env("ALIBABA_LIVE_AUTHORIZE_URL", default="https://auth.1688.com/oauth/authorize")
# How long before expiry beat refreshes an access token, and how often it looks.
ALIBABA_REFRESH_MARGIN = env.int("ALIBABA_REFRESH_MARGIN", default=3600)
ALIBABA_QUOTA_WARNING = env.float("ALIBABA_QUOTA_WARNING", default=0.8)
# How long a call may wait for the per-app rate limiter before giving up (seconds).
ALIBABA_RATE_WAIT = env.float("ALIBABA_RATE_WAIT", default=0.25)
# Share of an app's calls-per-second limit the portal paces itself at (below 1: no call lands in a
# one-second window that already holds the limit).
ALIBABA_RATE_HEADROOM = min(1.0, max(0.1, env.float("ALIBABA_RATE_HEADROOM", default=0.95)))
CALL_LOG_RETENTION_DAYS = env.int("CALL_LOG_RETENTION_DAYS", default=30)
ALIBABA_CONNECT_TIMEOUT = env.float("ALIBABA_CONNECT_TIMEOUT", default=5.0)
ALIBABA_READ_TIMEOUT = env.float("ALIBABA_READ_TIMEOUT", default=20.0)
# What a new credential's limits default to, per gateway. 1688 publishes no numbers (docs/1688-protocol.md §7):
# live defaults are what a live-tested client keeps to (4 calls a second) and a conservative daily quota; the
# sandbox's are what its apps allow unless set otherwise (sandbox_app --qps / --daily-quota).
ALIBABA_LIVE_DAILY_QUOTA = env.int("ALIBABA_LIVE_DAILY_QUOTA", default=1000)
ALIBABA_LIVE_QPS = env.int("ALIBABA_LIVE_QPS", default=4)
ALIBABA_SANDBOX_DAILY_QUOTA = env.int("ALIBABA_SANDBOX_DAILY_QUOTA", default=10000)
ALIBABA_SANDBOX_QPS = env.int("ALIBABA_SANDBOX_QPS", default=10)
# How an option's price meets the quantity tiers on an offer with quoteType 2 (UNCONFIRMED live, see
# docs/1688-answers.md): "scale" takes each tier's share off the option's own price; "tier" uses the tier's price.
SKU_TIER_RULE = env.str("SKU_TIER_RULE", default="scale")  # anything but "tier" reads as "scale"
# Background refresh never takes more than this share of a credential's daily quota per API.
ALIBABA_BACKGROUND_QUOTA_SHARE = min(1.0, max(0.0, env.float("ALIBABA_BACKGROUND_QUOTA_SHARE", default=0.70)))
# Calls a day (all APIs, 1688 day) one team may make with an app it doesn't own: the site default or a credential a
# teammate shared with it; on the site default each person has the same budget across all their teams. 0: no budget.
TEAM_DAILY_BUDGET = max(0, env.int("TEAM_DAILY_BUDGET", default=200))

# --- Catalog (docs/catalog.md) ---
CATALOG_SEARCH_FRESH_MINUTES = env.int("CATALOG_SEARCH_FRESH_MINUTES", default=6 * 60)
# A search or category page's ranking (which products, in order) and its counts are cached this long; the cards are
# read fresh on every view. 0 ranks on every view (catalog.selectors.products._page).
CATALOG_RESULTS_CACHE_SECONDS = env.int("CATALOG_RESULTS_CACHE_SECONDS", default=60)
# A search page first looks for its offers among this many rows of the catalog in the page's order (an index walk
# whose cost does not depend on how common the words are), and only then in the rest (docs/catalog.md).
SEARCH_WINDOW = max(100, env.int("SEARCH_WINDOW", default=5000))
CATALOG_SEARCH_PAGES = env.int("CATALOG_SEARCH_PAGES", default=2)
CATALOG_SEARCH_PAGE_SIZE = env.int("CATALOG_SEARCH_PAGE_SIZE", default=50)
CATALOG_DETAIL_FRESH_MINUTES = env.int("CATALOG_DETAIL_FRESH_MINUTES", default=6 * 60)
CATALOG_REFETCH_SECONDS = env.int("CATALOG_REFETCH_SECONDS", default=300)
# Forced refreshes ("Refresh from 1688") one user may ask for per rolling hour (a burst of this many, then one
# every 60/N minutes), counted where the rate limiter counts (Redis, else the database).
FORCED_REFRESH_PER_HOUR = env.int("FORCED_REFRESH_PER_HOUR", default=30)
CATALOG_IMAGE_MAX_BYTES = env.int("CATALOG_IMAGE_MAX_BYTES", default=3_000_000)
# Largest picture by width × height, read from its header before any decoding (sourcing/core/image_limits.py).
CATALOG_IMAGE_MAX_PIXELS = env.int("CATALOG_IMAGE_MAX_PIXELS", default=40_000_000)
CATALOG_JOB_STALE_SECONDS = env.int("CATALOG_JOB_STALE_SECONDS", default=600)
# Jobs of one team handed to workers at once; the rest wait in line, so one team's backlog never fills the
# queue in front of another team's search (sourcing/catalog/services/jobs.py job_dispatch).
TEAM_JOBS_IN_FLIGHT = max(1, env.int("TEAM_JOBS_IN_FLIGHT", default=4))
CATALOG_WANTED_DAYS = env.int("CATALOG_WANTED_DAYS", default=14)
CATALOG_REFRESH_WANTED_HOURS = env.int("CATALOG_REFRESH_WANTED_HOURS", default=6)
CATALOG_REFRESH_EVERY = env.int("CATALOG_REFRESH_EVERY", default=900)
CATALOG_REFRESH_CLAIM_SECONDS = env.int("CATALOG_REFRESH_CLAIM_SECONDS", default=3600)
CATALOG_REFRESH_BATCH = env.int("CATALOG_REFRESH_BATCH", default=200)
CELERY_BEAT_SCHEDULE["catalog-refresh-due"]["schedule"] = float(CATALOG_REFRESH_EVERY)
# Hands on jobs left waiting when a worker died holding their team's earlier ones.
CELERY_BEAT_SCHEDULE["catalog-jobs-dispatch"] = {"task": "sourcing.tasks.catalog_jobs_dispatch", "schedule": 60.0}

# --- Caps (one user, team or list cannot grow without bound) ---
TEAMS_PER_USER_MAX = env.int("TEAMS_PER_USER_MAX", default=20)
LISTS_PER_TEAM_MAX = env.int("LISTS_PER_TEAM_MAX", default=200)  # archived lists count too
LIST_ITEMS_MAX = env.int("LIST_ITEMS_MAX", default=500)
LIST_PAGE_SIZE = env.int("LIST_PAGE_SIZE", default=100)  # items on one page of a list (compare and export take all)
# Links in (docs/lists.md): offers one paste or file may add to a list, and the largest file read
LIST_IMPORT_MAX_ROWS = env.int("LIST_IMPORT_MAX_ROWS", default=1000)
LIST_IMPORT_MAX_BYTES = env.int("LIST_IMPORT_MAX_BYTES", default=2_000_000)
# Offers one search may name by links (more are listed as not looked at)
CATALOG_LINKS_MAX = env.int("CATALOG_LINKS_MAX", default=50)
# Same item from other suppliers (docs/catalog.md "Same item"): a product's candidates are gathered from 1688 at
# most once per SAME_ITEM_REFRESH_HOURS; at most SAME_ITEM_DETAILS candidates per product get a detail fetched.
SAME_ITEM_REFRESH_HOURS = env.int("SAME_ITEM_REFRESH_HOURS", default=7 * 24)
SAME_ITEM_DETAILS = env.int("SAME_ITEM_DETAILS", default=12)

# --- Alerts (docs/inquiries-alerts.md) ---
# Daily digests go out on the first beat after this hour (local time), once a day per user.
ALERTS_DIGEST_HOUR = min(23, max(0, env.int("ALERTS_DIGEST_HOUR", default=8)))
CELERY_BEAT_SCHEDULE["alerts-digest-due"] = {"task": "sourcing.tasks.alerts_digest_due", "schedule": 900.0}

# --- Buying (docs/buying.md) ---
SHIP_ADDRESSES_MAX = env.int("SHIP_ADDRESSES_MAX", default=50)  # ship-to addresses one team may keep
# Forwarders' rate cards one team may keep (landed cost); category duty rates: ten times as many.
RATE_CARDS_MAX = env.int("RATE_CARDS_MAX", default=50)
# A quoted unit price that moves by more than this (per cent) from the item's last quote raises an alert; each
# list may set its own.
QUOTE_DRIFT_PERCENT = env.float("QUOTE_DRIFT_PERCENT", default=5.0)
# Largest photo of a received sample, in bytes (JPEG/PNG/WebP, kept in the database); most photos per sample.
# Supplier scorecards (docs/buying.md): the team's figures count the last SCORECARD_DAYS, price variation the last
# SCORECARD_PRICE_DAYS; a figure resting on fewer observations says "not enough data". The suppliers page shows
# at most SCORECARD_MAX_SUPPLIERS of the team's suppliers.
SCORECARD_DAYS = env.int("SCORECARD_DAYS", default=180)
SCORECARD_PRICE_DAYS = env.int("SCORECARD_PRICE_DAYS", default=90)
SCORECARD_MIN_OBSERVATIONS = env.int("SCORECARD_MIN_OBSERVATIONS", default=3)
SCORECARD_MAX_SUPPLIERS = env.int("SCORECARD_MAX_SUPPLIERS", default=300)
SAMPLE_PHOTO_MAX_BYTES = env.int("SAMPLE_PHOTO_MAX_BYTES", default=5_000_000)
SAMPLE_PHOTOS_MAX = env.int("SAMPLE_PHOTOS_MAX", default=12)
# How often beat looks for "ordering" lists not yet re-quoted this 1688 day (each is re-quoted once a day).
QUOTE_REQUOTE_EVERY = env.int("QUOTE_REQUOTE_EVERY", default=3600)
CELERY_BEAT_SCHEDULE["quotes-requote-due"] = {"task": "sourcing.tasks.quotes_requote_due",
                                              "schedule": float(QUOTE_REQUOTE_EVERY)}  # fmt: skip
# Purchase orders (docs/buying.md, "Purchase orders"). A worker placing an order holds it this long; the sweep
# (every PLACEMENT_SWEEP_EVERY seconds) queues again those whose holder died. Keep the lease above
# ALIBABA_READ_TIMEOUT plus a rate wait, so a live attempt is never taken over.
PLACEMENT_LEASE_SECONDS = max(5, env.int("PLACEMENT_LEASE_SECONDS", default=120))
PLACEMENT_SWEEP_EVERY = max(5, env.int("PLACEMENT_SWEEP_EVERY", default=60))
# After an attempt whose answer never came, the order is looked up by its outOrderId no sooner than this: a
# request 1688 is still working on must have landed (or died) first, or the lookup misses it and a second order
# is made. Keep it above the longest time 1688 may take to answer (the sandbox's timeout fault: timeout_delay).
PLACEMENT_DOUBT_SECONDS = max(0, env.int("PLACEMENT_DOUBT_SECONDS", default=60))
CELERY_BEAT_SCHEDULE["placements-sweep"] = {"task": "sourcing.tasks.placements_sweep",
                                            "schedule": float(PLACEMENT_SWEEP_EVERY)}  # fmt: skip
# Placed, paid and shipped orders have their 1688 status, payment link and trace read every ORDER_SYNC_EVERY
# seconds by beat, and when their page is open at most once per ORDER_SYNC_FRESH_SECONDS.
ORDER_SYNC_EVERY = max(60, env.int("ORDER_SYNC_EVERY", default=1800))
ORDER_SYNC_FRESH_SECONDS = max(1, env.int("ORDER_SYNC_FRESH_SECONDS", default=30))
CELERY_BEAT_SCHEDULE["orders-sync-due"] = {"task": "sourcing.tasks.orders_sync_due",
                                           "schedule": float(min(ORDER_SYNC_EVERY, 900))}  # fmt: skip

# --- Webhooks out (docs/webhooks.md) ---
# Seconds between a failed attempt and the next (each give or take a fifth); after the last the delivery failed.
WEBHOOK_RETRY_SECONDS = [max(0, int(s)) for s in env.list("WEBHOOK_RETRY_SECONDS",
                                                          default=["10", "60", "300", "1800", "7200", "21600"])]  # fmt: skip
WEBHOOK_TIMEOUT_SECONDS = max(1, env.int("WEBHOOK_TIMEOUT_SECONDS", default=10))  # to connect, and to answer
WEBHOOK_RESPONSE_MAX_BYTES = max(0, env.int("WEBHOOK_RESPONSE_MAX_BYTES", default=4096))  # read of an answer
# Endpoints on private, loopback and link-local addresses (a receiver on this machine): for development only.
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=DEBUG)
WEBHOOK_SWEEP_SECONDS = max(1, env.int("WEBHOOK_SWEEP_SECONDS", default=15))  # how often beat queues due retries
WEBHOOK_DISABLE_AFTER_DAYS = env.int("WEBHOOK_DISABLE_AFTER_DAYS", default=5)  # every attempt failing: disabled
WEBHOOK_ROLL_GRACE_HOURS = max(0, env.int("WEBHOOK_ROLL_GRACE_HOURS", default=24))  # old secret signs beside new
WEBHOOK_ENDPOINTS_MAX = env.int("WEBHOOK_ENDPOINTS_MAX", default=20)  # per team
CELERY_BEAT_SCHEDULE["webhooks-deliver-due"] = {"task": "sourcing.tasks.webhooks_deliver_due",
                                                "schedule": float(WEBHOOK_SWEEP_SECONDS)}  # fmt: skip
BACKGROUND_TASKS += ("webhook_deliver", "webhooks_deliver_due")
CELERY_TASK_ROUTES = {f"sourcing.tasks.{name}": {"queue": "background"} for name in BACKGROUND_TASKS}

# --- Sandbox gateway (a stand-in for gw.open.1688.com) ---
# SANDBOX_ENABLED is read above, next to INSTALLED_APPS.
SANDBOX_TIMESTAMP_TOLERANCE = env.int("SANDBOX_TIMESTAMP_TOLERANCE", default=15 * 60)
SANDBOX_CODE_LIFETIME = env.int("SANDBOX_CODE_LIFETIME", default=120)
SANDBOX_ACCESS_TOKEN_LIFETIME = env.int("SANDBOX_ACCESS_TOKEN_LIFETIME", default=10 * 3600)
SANDBOX_REFRESH_TOKEN_LIFETIME = env.int("SANDBOX_REFRESH_TOKEN_LIFETIME", default=180 * 86400)
SANDBOX_POSTPONE_WINDOW = env.int("SANDBOX_POSTPONE_WINDOW", default=30 * 86400)
SANDBOX_DRIFT_SECONDS = env.int("SANDBOX_DRIFT_SECONDS", default=3600)
# Sandbox orders (docs/1688-answers.md, "Buying"): a paid order ships after SANDBOX_SHIP_DELAY_SECONDS, its
# trace gains a step every SANDBOX_TRACE_STEP_SECONDS, and a delivered order completes after
# SANDBOX_AUTO_CONFIRM_SECONDS; 1688 refuses to cancel an order younger than 10 seconds.
SANDBOX_SHIP_DELAY_SECONDS = env.int("SANDBOX_SHIP_DELAY_SECONDS", default=120)
SANDBOX_TRACE_STEP_SECONDS = env.int("SANDBOX_TRACE_STEP_SECONDS", default=600)
SANDBOX_AUTO_CONFIRM_SECONDS = env.int("SANDBOX_AUTO_CONFIRM_SECONDS", default=86400)
SANDBOX_CANCEL_MIN_AGE_SECONDS = env.int("SANDBOX_CANCEL_MIN_AGE_SECONDS", default=10)
# A repeated outOrderId gets the first order back (True). False makes a second order, the pessimistic reading of
# live 1688 (docs/1688-answers.md): the bench and the reliability suite then prove the portal's own lookup.
SANDBOX_DEDUPE_OUT_ORDER_ID = env.bool("SANDBOX_DEDUPE_OUT_ORDER_ID", default=True)
# "sparse" answers like live 1688 (fields missing, null, numbers as strings; docs/sparse-answers.md); "full" sends all.
SANDBOX_ANSWER_PROFILE = env.str("SANDBOX_ANSWER_PROFILE", default="sparse")
if SANDBOX_ANSWER_PROFILE not in ("sparse", "full"):
    raise ImproperlyConfigured('SANDBOX_ANSWER_PROFILE must be "sparse" or "full"')
# The sandbox's message service (docs/1688-messages.md): a callback has SANDBOX_MESSAGE_TIMEOUT_SECONDS to answer 200;
# a failed delivery is retried after each of SANDBOX_MESSAGE_RETRY_SECONDS in turn, then given up (the message stays
# in the message list). New messages go out at once on a thread after commit (or inline with SANDBOX_MESSAGE_INLINE);
# retries and the drift tick run every SANDBOX_MESSAGE_PUMP_SECONDS from beat, or from `manage.py sandbox_deliver`.
SANDBOX_MESSAGE_TIMEOUT_SECONDS = env.float("SANDBOX_MESSAGE_TIMEOUT_SECONDS", default=1.0)
SANDBOX_MESSAGE_RETRY_SECONDS = [float(s) for s in env.list("SANDBOX_MESSAGE_RETRY_SECONDS",
                                                          default=["10", "30", "120", "600", "1800"])]  # fmt: skip
SANDBOX_MESSAGE_INLINE = env.bool("SANDBOX_MESSAGE_INLINE", default=False)
SANDBOX_MESSAGE_CONCURRENCY = env.int("SANDBOX_MESSAGE_CONCURRENCY", default=4)
SANDBOX_MESSAGE_PUMP_SECONDS = env.float("SANDBOX_MESSAGE_PUMP_SECONDS", default=5.0)
if SANDBOX_ENABLED and SANDBOX_MESSAGE_PUMP_SECONDS > 0:
    CELERY_BEAT_SCHEDULE["sandbox-messages"] = {"task": "sandbox.tasks.messages_pump",
                                                "schedule": SANDBOX_MESSAGE_PUMP_SECONDS}  # fmt: skip
    CELERY_TASK_ROUTES["sandbox.tasks.messages_pump"] = {"queue": "background"}

# --- The team API (sourcing/api, docs/api.md) ---
# Requests a minute per API token (counted in the cache: Redis with REDIS_URL); past it 429 with Retry-After.
API_RATE_PER_MINUTE = max(1, env.int("API_RATE_PER_MINUTE", default=120))
API_TOKENS_PER_TEAM_MAX = env.int("API_TOKENS_PER_TEAM_MAX", default=50)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["sourcing.api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["sourcing.api.auth.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["sourcing.api.auth.TokenRate"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["sourcing.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sourcing.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sourcing Portal API",
    "DESCRIPTION": "A team's products, suppliers, searches, lists, quotes, orders and alerts. "
    "Send `Authorization: Bearer pt_…` with a token from [your team's page](/teams/) → API tokens: here, press "
    "**Authorize**, paste it, then open an endpoint and press **Try it out**.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TAGS": [
        {"name": "catalog", "description": "Products, suppliers and search over the portal's kept catalog"},
        {"name": "lists", "description": "The team's lists and their items"},
        {"name": "buying", "description": "Verified quotes and purchase orders"},
        {"name": "alerts", "description": "Price, stock and delisting alerts"},
    ],
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}},
    "ENUM_NAME_OVERRIDES": {
        "ItemStatusEnum": "sourcing.lists.models.ListItem.Status",
        "FetchStatusEnum": ["fresh", "due", "pending", "unavailable"],
    },
}

# --- Logging: secrets are masked by a filter on every handler. ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_secrets": {"()": "sourcing.logging.MaskSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_secrets"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's own default handlers for "django" (an unmasked console in DEBUG, mail_admins) are dropped: its
        # records ("Not Found: /invite/<token>/") reach the root's masking handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # Request lines ("GET /auth/1688/callback?code=...") go through the masking handler too.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Production hardening (DJANGO_DEBUG=false); `manage.py check --deploy` is clean. ---
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG=false.")

# --- 1688 messages in (issue 23; docs/1688-messages.md, README "1688 messages") ---
# A pushed message larger than this (bytes) is refused; one born longer ago than MESSAGES_MAX_AGE_HOURS changes nothing.
MESSAGES_MAX_BYTES = env.int("MESSAGES_MAX_BYTES", default=65536)
MESSAGES_MAX_AGE_HOURS = env.int("MESSAGES_MAX_AGE_HOURS", default=72)
# Products that messages cover (followed by a credential whose messages are healthy) are polled this often instead of
# every CATALOG_REFRESH_WANTED_HOURS: only what no message tells (sales, the supplier's scores) needs it.
MESSAGES_FALLBACK_HOURS = env.int("MESSAGES_FALLBACK_HOURS", default=72)
# How often beat reads each credential's message list (push.query.messageList) for what the callback missed, and how
# long after the last good read (or message) a feed still counts as healthy.
MESSAGES_CATCHUP_EVERY = max(60, env.int("MESSAGES_CATCHUP_EVERY", default=3600))
MESSAGES_HEALTHY_SECONDS = env.int("MESSAGES_HEALTHY_SECONDS", default=3 * MESSAGES_CATCHUP_EVERY)
# Following: how often beat follows the watched offers (and unfollows the rest), and how many calls a run makes.
MESSAGES_FOLLOW_EVERY = max(60, env.int("MESSAGES_FOLLOW_EVERY", default=900))
MESSAGES_FOLLOW_BATCH = env.int("MESSAGES_FOLLOW_BATCH", default=100)
# The topic(s) of "the 1688 account withdrew the app's authorisation" (comma-separated; group and payload UNCONFIRMED).
MESSAGES_AUTH_CANCEL_TOPICS = tuple(
    t.strip() for t in env.str("MESSAGES_AUTH_CANCEL_TOPICS", default="AUTHORIZATION_CANCEL").split(",") if t.strip()
)
CELERY_BEAT_SCHEDULE["messages-follow-sync"] = {"task": "sourcing.tasks.messages_follow_sync",
                                                "schedule": float(MESSAGES_FOLLOW_EVERY)}  # fmt: skip
CELERY_BEAT_SCHEDULE["messages-purge"] = {"task": "sourcing.tasks.messages_purge", "schedule": 6 * 3600.0}
CELERY_BEAT_SCHEDULE["messages-catchup-due"] = {"task": "sourcing.tasks.messages_catchup_due",
                                                "schedule": float(MESSAGES_CATCHUP_EVERY)}  # fmt: skip
