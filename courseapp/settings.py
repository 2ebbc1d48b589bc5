"""Settings for the fellowship platform.

Everything comes from the environment. With DEBUG on and nothing else set, the app runs on an
embedded default: SQLite, Celery tasks run eagerly, emails printed to the console. With DEBUG off
(production, and the test suite), the variables in REQUIRED_IN_PRODUCTION must be set.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    """A yes/no variable. Anything but the usual spellings stops the start: a typo such as
    `HTTPS=ture` must not quietly turn a protection off."""
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a yes/no value (use 1 or 0).")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)

REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "SITE_URL")
if not DEBUG:
    missing = [name for name in REQUIRED_IN_PRODUCTION if not env(name)]
    if missing:
        raise ImproperlyConfigured(
            f"Missing required environment variable(s) with DEBUG off: {', '.join(missing)}. "
            "Set them, or set DEBUG=1 to run on the embedded development defaults."
        )

SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
# Django's deploy check only warns about a weak key (security.W009, the same rule); the key signs
# sessions, password resets and unsubscribe links, so in production a weak one stops the start.
EXAMPLE_SECRET_KEY = "change-me-to-a-long-random-string"  # the value in .env.example
if not DEBUG and (SECRET_KEY == EXAMPLE_SECRET_KEY or SECRET_KEY.startswith("django-insecure-")):
    raise ImproperlyConfigured(
        "SECRET_KEY is a published example value. Set your own: "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        f"SECRET_KEY is too weak ({len(SECRET_KEY)} characters, {len(set(SECRET_KEY))} different):"
        " use at least 50 random characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", SITE_URL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "simple_history",
    "django_celery_beat",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.github",
    "accounts",
    "courseapp",
    "quizzes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "courseapp.platform.private.PrivateWhenPersonalMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "courseapp.platform.security.StaffMFAMiddleware",
    "courseapp.platform.security.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "courseapp.urls"
WSGI_APPLICATION = "courseapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # What django-template-partials sets up by itself (its loader around Django's
            # cached filesystem and app-directories loaders), with the indentation of HTML
            # templates dropped as they are read (courseapp/platform/template_loaders.py).
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "courseapp.platform.template_loaders.FilesystemLoader",
                                "courseapp.platform.template_loaders.AppDirectoriesLoader",
                            ],
                        )
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "courseapp.context_processors.site",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://...) in production and tests; SQLite for the embedded default.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=envbool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default under concurrent use: readers never wait for a writer (WAL), a writer
    # waits for another instead of failing at once (timeout, seconds), and a transaction takes
    # the write lock when it begins (IMMEDIATE): a transaction that read first and then tried to
    # write could not wait for the lock and failed with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": envint("SQLITE_TIMEOUT", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER"):
    # The test suite runs in parallel processes (pytest-xdist, worker "gw0", "gw1", ...): each
    # takes its own Redis database, so one test's cache.clear() cannot empty another's cache or
    # queue. The Celery workers a test starts inherit the variable and follow.
    _worker = int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw"))
    REDIS_URL = f"{REDIS_URL.rsplit('/', 1)[0]}/{_worker + 1}"
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis's cache with reads missing and writes dropped while Redis is unreachable.
            "BACKEND": "courseapp.platform.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            # A hung Redis must not hang pages: give up on a connection or reply after a second.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "fellowship"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"

# django-allauth: email is the login; sign-up is by invitation unless OPEN_SIGNUP is on.
OPEN_SIGNUP = envbool("OPEN_SIGNUP", False)
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Fellowship] "
# Reset links and sign-in codes go only to an address verified for the account or its own address.
ACCOUNT_FORMS = {
    "reset_password": "accounts.forms.ResetPasswordForm",
    "request_login_code": "accounts.forms.RequestLoginCodeForm",
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# allauth's defaults, spelled out so they are visible and tested.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "request_login_code": "20/m/ip,3/m/key",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "signup": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Staff must have an authenticator before any staff power: the admin, every cohort, the reports and
# exports (has_staff_powers and StaffMFAMiddleware in courseapp/platform/security.py).
REQUIRE_STAFF_MFA = envbool("REQUIRE_STAFF_MFA", not DEBUG)
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", "Fellowship")
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_PROVIDERS = {}
for _provider in ("google", "github"):
    _client_id = env(f"{_provider.upper()}_CLIENT_ID")
    _secret = env(f"{_provider.upper()}_CLIENT_SECRET")
    if _client_id and _secret:
        SOCIALACCOUNT_PROVIDERS[_provider] = {
            "APPS": [{"client_id": _client_id, "secret": _secret, "key": ""}],
        }

# Email: console in development, SMTP otherwise.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Fellowship <noreply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: the broker named by CELERY_BROKER_URL (`make run` uses `filesystem://`), else Redis when
# REDIS_URL is set; with neither, tasks run eagerly in-process. Celery itself reads
# CELERY_BROKER_URL from the environment before any setting, so it wins here too.
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = envbool(
    "CELERY_TASK_ALWAYS_EAGER", not (env("CELERY_BROKER_URL") or REDIS_URL)
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport: each message is a file, which the worker moves to
    # `processed` when it takes it. Kept under one folder of the project (gitignored); kombu
    # does not create these folders, and every process that queues a task needs them.
    _broker_folder = Path(env("CELERY_FILESYSTEM_FOLDER") or BASE_DIR / ".celery")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_folder / "messages"),
        "data_folder_out": str(_broker_folder / "messages"),
        "control_folder": str(_broker_folder / "control"),
        "store_processed": True,
        "processed_folder": str(_broker_folder / "processed"),
    }
    for _name in ("messages", "control", "processed"):
        (_broker_folder / _name).mkdir(parents=True, exist_ok=True)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "celery")
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# django-celery-beat copies these into the database on start; edit them in the admin afterwards.
CELERY_BEAT_SCHEDULE = {
    # Every minute: each worker records that it is alive (reported by /healthz).
    "worker-heartbeat": {"task": "courseapp.platform.tasks.worker_heartbeat", "schedule": 60.0},
    # Every 15 minutes: find the reminders that are due and queue one email per person.
    "reminders-sweep": {
        "task": "courseapp.reminders.tasks.reminders_sweep_task",
        "schedule": 900.0,
    },
    # Every 15 minutes: send the invitation emails whose task was lost (broker down).
    "invitations-send-unsent": {
        "task": "courseapp.cohorts.tasks.invitations_send_unsent",
        "schedule": 900.0,
    },
    # Once a day: check every reading's link and record which are broken or missing.
    "links-check": {"task": "courseapp.links.tasks.links_check_task", "schedule": 86400.0},
}

# Link health (courseapp/links): seconds to wait for a server, requests at once in all and on
# one host, and how many broken-link reports a fellow may make in an hour.
LINK_CHECK_TIMEOUT = envint("LINK_CHECK_TIMEOUT", 10)
LINK_CHECK_WORKERS = envint("LINK_CHECK_WORKERS", 8)
LINK_CHECK_PER_HOST = envint("LINK_CHECK_PER_HOST", 2)
# The check refuses links whose host is on a private or local network (the deployment's own
# services, the cloud metadata address) unless listed here: comma-separated CIDRs, e.g.
# "10.20.0.0/16" for readings on an intranet. Empty by default.
LINK_CHECK_ALLOWED_NETWORKS = envlist("LINK_CHECK_ALLOWED_NETWORKS")
for _cidr in LINK_CHECK_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_cidr, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"LINK_CHECK_ALLOWED_NETWORKS: {_error}") from None
LINK_REPORTS_PER_HOUR = envint("LINK_REPORTS_PER_HOUR", 10)

# Reminders (courseapp/reminders): sent only between these local hours of the recipient.
REMINDER_WINDOW_START = envint("REMINDER_WINDOW_START", 9)
REMINDER_WINDOW_END = envint("REMINDER_WINDOW_END", 18)
REMINDER_INACTIVE_DAYS = envint("REMINDER_INACTIVE_DAYS", 7)
REMINDER_DIGEST_LEAD_HOURS = envint("REMINDER_DIGEST_LEAD_HOURS", 24)
# How long after a session its quiz reminder may still go out.
REMINDER_QUIZ_DAYS = envint("REMINDER_QUIZ_DAYS", 3)
REMINDER_BATCH_SIZE = envint("REMINDER_BATCH_SIZE", 1000)
# A claim older than this is taken to be from a dead worker; above the longest retry backoff.
REMINDER_CLAIM_LEASE_SECONDS = envint("REMINDER_CLAIM_LEASE_SECONDS", 1800)
REMINDER_MAX_RETRIES = envint("REMINDER_MAX_RETRIES", 5)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
# The interface is in English only: no translation machinery per request (Django's advice when
# not translating). Dates and numbers still follow en-gb's formats, which do not depend on it.
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT") or BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if envbool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# HTTPS hardening: on by default in production; HTTPS=0 for plain-HTTP test servers.
HTTPS = envbool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY", HTTPS) else None
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
# Sessions live in the database and are read through the cache (courseapp.platform.sessions);
# a cached copy lasts at most this long.
SESSION_ENGINE = "courseapp.platform.sessions"
SESSION_CACHE_SECONDS = envint("SESSION_CACHE_SECONDS", 300)
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = []

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Facilitator dashboard: when a fellow is flagged at risk (courseapp/facilitate/selectors.py).
AT_RISK_CORE_HOURS_BEFORE_SESSION = envint("AT_RISK_CORE_HOURS_BEFORE_SESSION", 48)
AT_RISK_INACTIVE_DAYS = envint("AT_RISK_INACTIVE_DAYS", 7)
AT_RISK_LOW_MASTERY = float(env("AT_RISK_LOW_MASTERY", "0.5"))

# How long before a session its Join button turns prominent (courseapp/week/selectors.py).
JOIN_WINDOW_MINUTES = envint("JOIN_WINDOW_MINUTES", 15)
