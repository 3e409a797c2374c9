"""One settings module for every environment, configured by environment variables.

A bad value fails at start-up with a message naming the variable, rather than
surfacing later as odd behaviour in a council's deployment.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from ehc.env import env_bool, env_int, env_list, env_positive_int, env_str
from ehc.logconfig import logging_config
from ehc.sentry import init as sentry_init

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-development-key-only" if DEBUG else None, required=not DEBUG)
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters in production")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name the site's host name(s) in production")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "ehc.admin_site.EhcAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's own widget templates, for FORM_RENDERER below.
    "django.forms",
    "crispy_forms",
    "crispy_forms_gds",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "simple_history",
    "ehc",
    "assessments",
    "advice",
    "escalation",
    "reviews",
    "reports",
    "administration",
    "home",
    # The JSON API for councils' and the NHS's other systems (docs/decisions/0029-json-api.md).
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "bench",
]

MIDDLEWARE = [
    # First: every log line of the request, and every task it enqueues, carries its id.
    "ehc.requestid.RequestIdMiddleware",
    "ehc.request_limits.ProxyClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "ehc.middleware.NoStoreMiddleware",
    # Before anything reads the body (sessions, CSRF); after the middleware that adds the headers.
    "ehc.request_limits.RequestBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Inside the sessions: a session that wrote reads the primary for a while (ehc.replica).
    "ehc.replica.ReadYourWritesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before SessionLimitsMiddleware, which tells a timed-out user why they were signed out.
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ehc.middleware.SessionLimitsMiddleware",
    "ehc.middleware.RequireVerifiedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so that a page not found is answered after sign-in and two-factor checks, as in production.
    "ehc.middleware.NotFoundPageMiddleware",
]

ROOT_URLCONF = "ehc.urls"
WSGI_APPLICATION = "ehc.wsgi.application"

# Widgets render through the project's templates, so templates/django/forms/widgets/attrs.html can
# leave out the maxlength that would cut what a person types (tests/ehc/test_text_limits.py).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ehc.context_processors.navigation",
            ],
        },
    },
]

# PostgreSQL is the only database. `make run` / `make test` set DATABASE_URL to the
# embedded server when none is given.
DATABASE_URL = env_str("DATABASE_URL", required=True)
if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("DATABASE_URL must be a PostgreSQL URL (postgresql://...)")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A streaming replica for the reports' and dashboards' reads; only views that opt in read it
# (ehc.replica, decision 0040). Tests mirror it to the primary's test database.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    if not DATABASE_REPLICA_URL.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a PostgreSQL URL (postgresql://...)")
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    DATABASES["replica"].update(CONN_HEALTH_CHECKS=True, TEST={"MIRROR": "default"})
    DATABASE_ROUTERS = ["ehc.replica.ReplicaRouter"]
DATABASE_REPLICA_MAX_LAG = env_positive_int("DATABASE_REPLICA_MAX_LAG", 30)
DATABASE_REPLICA_STICKY = env_positive_int("DATABASE_REPLICA_STICKY", 60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", required=True)
if not REDIS_URL.startswith(("redis://", "rediss://", "redis+socket://")):
    raise ImproperlyConfigured("REDIS_URL must be a redis://, rediss:// or redis+socket:// URL")


def _redis_py_url(url):
    """Celery's (kombu's) redis+socket:///path is redis-py's unix:///path."""
    return "unix://" + url.removeprefix("redis+socket://") if url.startswith("redis+socket://") else url


# Only sessions use the cache (see SESSION_ENGINE). Short timeouts: a Redis that has gone away
# must cost a page a second at most before the session is read from the database instead.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _redis_py_url(REDIS_URL),
        "KEY_PREFIX": "ehc",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

AUTH_USER_MODEL = "ehc.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "ehc.auth.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# guardian: anonymous users never hold object permissions here.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# django-otp
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "EHC health advice")
# Demo and test deployments may relax MFA; production never does (see ehc.checks).
MFA_REQUIRED = env_bool("MFA_REQUIRED", True)

# django-axes, on its database handler: the account (the username) is locked after
# AXES_FAILURE_LIMIT failed sign-ins, from whichever addresses they came. Locking on
# username + IP would let guessing spread over many addresses go on; locking on IP alone
# would lock out a whole NHS trust behind one NAT address. Administrators unlock in the
# admin (Access attempts: delete) or with `manage.py axes_reset_username NAME`.
AXES_FAILURE_LIMIT = env_positive_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_positive_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_HTTP_RESPONSE_CODE = 429
# axes.W006 asks for 'ip_address' in the lockout parameters, against rotating user agents or
# cookies; those do not matter when the username alone locks, and an IP lock would lock out
# every user behind a shared NHS address (docs/security.md). The deploy-check test asserts
# that this is the only check silenced.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Throttles beside django-axes (ehc.throttle, docs/security.md "Login throttling"). After the free
# failures in a window each further one doubles the wait before the next try (2 s, 4 s, ...), up to
# SIGN_IN_MAX_DELAY_SECONDS. Per address the allowance is large: a trust's staff share NAT addresses.
SIGN_IN_USERNAME_FREE = env_positive_int("SIGN_IN_USERNAME_FREE", 2)
SIGN_IN_USERNAME_WINDOW_SECONDS = 15 * 60
SIGN_IN_IP_FREE = env_positive_int("SIGN_IN_IP_FREE", 30)
SIGN_IN_IP_WINDOW_SECONDS = 60 * 60
SIGN_IN_MAX_DELAY_SECONDS = env_positive_int("SIGN_IN_MAX_DELAY_SECONDS", 300)
PASSWORD_RESET_PER_ADDRESS = env_positive_int("PASSWORD_RESET_PER_ADDRESS", 3)
PASSWORD_RESET_PER_IP = env_positive_int("PASSWORD_RESET_PER_IP", 20)
# A trust's staff may all start their sign-in from one NAT address at nine o'clock.
SSO_START_PER_ADDRESS = env_positive_int("SSO_START_PER_ADDRESS", 10)
SSO_START_PER_IP = env_positive_int("SSO_START_PER_IP", 1000)
THROTTLE_KEY_PREFIX = env_str("THROTTLE_KEY_PREFIX", "v1")
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False

# Sessions: idle and absolute limits (ehc.middleware.SessionLimitsMiddleware).
SESSION_IDLE_TIMEOUT_SECONDS = env_positive_int("SESSION_IDLE_TIMEOUT_MINUTES", 30) * 60
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env_positive_int("SESSION_ABSOLUTE_TIMEOUT_HOURS", 12) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
# Sessions are kept in PostgreSQL and read through the Redis cache: a page costs no session
# query, and a cache that is lost or down falls back to the database (Django's cached_db).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
# Closing the browser ends the session on a shared computer; the 12-hour limit still applies.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d/m/Y"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "ehc" / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private"))},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded advice is private: never served under MEDIA_URL, only through views that check access.
MEDIA_URL = None
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 5
ADVICE_UPLOAD_MAX_BYTES = env_int("ADVICE_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Declared request bodies over these are refused with 413 before anything reads them
# (ehc.request_limits): the upload pages may carry the largest document plus the form.
REQUEST_BODY_MAX_BYTES = env_positive_int("REQUEST_BODY_MAX_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE + 512 * 1024)
UPLOAD_URL_NAMES = {"advice:item_return", "advice:item_amend", "api:advice-item-return"}
# How many reverse proxies that append to X-Forwarded-For stand in front of gunicorn (1 in
# docker-compose.yml). 0: the header is ignored and REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Virus scanning of uploaded advice (advice.scanning): clamd over TCP (CLAMD_HOST, CLAMD_PORT) or a
# unix socket (CLAMD_SOCKET). Unset: documents are stored as "not scanned" and served at once.
CLAMD_HOST = env_str("CLAMD_HOST", "")
CLAMD_PORT = env_positive_int("CLAMD_PORT", 3310)
CLAMD_SOCKET = env_str("CLAMD_SOCKET", "")
CLAMD_TIMEOUT_SECONDS = env_positive_int("CLAMD_TIMEOUT_SECONDS", 60)
SCAN_SWEEP_INTERVAL_SECONDS = env_positive_int("SCAN_SWEEP_INTERVAL_SECONDS", 60)

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set one of EMAIL_USE_TLS and EMAIL_USE_SSL, not both")
# Production refuses plain SMTP (ehc.checks.smtp_uses_tls); this lets the compose stack's local
# mail catcher (Mailpit) be used without TLS. Never set it for a real relay.
EMAIL_ALLOW_PLAINTEXT_FOR_MAIL_CATCHER = env_bool("EMAIL_ALLOW_PLAINTEXT_FOR_MAIL_CATCHER", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ehc-health-advice@council.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# SMTP (above) unless EMAIL_SENDER=notify: then GOV.UK Notify sends every email, the outbox's and
# Django's own (password reset), through one generic template (ehc.notify, decision 0026).
EMAIL_SENDER = env_str("EMAIL_SENDER", "smtp")
if EMAIL_SENDER not in ("smtp", "notify"):
    raise ImproperlyConfigured(f"EMAIL_SENDER must be smtp or notify, not {EMAIL_SENDER!r}")
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY", "")
NOTIFY_TEMPLATE_ID = env_str("NOTIFY_TEMPLATE_ID", "")
NOTIFY_REPLY_TO_ID = env_str("NOTIFY_REPLY_TO_ID", "")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT_SECONDS = env_positive_int("NOTIFY_TIMEOUT_SECONDS", 30)
# The bearer token Notify sends with its delivery-status callbacks; unset, callbacks are refused.
NOTIFY_CALLBACK_TOKEN = env_str("NOTIFY_CALLBACK_TOKEN", "")
NOTIFY_STATUS_INTERVAL_SECONDS = env_positive_int("NOTIFY_STATUS_INTERVAL_SECONDS", 300)
if EMAIL_SENDER == "notify":
    EMAIL_BACKEND = "ehc.notify.NotifyEmailBackend"

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Decision 0027: the worker retries Redis for ever; a task running at a connection loss finishes
# (cancelling it could cut an email between the relay's 250 and its commit); socket timeouts and
# health checks notice a Redis gone without closing the connection. No task is ever scheduled
# further ahead than the visibility timeout; deadlines live in the database.
CELERY_BROKER_CONNECTION_RETRY = CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_timeout": 10, "socket_connect_timeout": 5}
CELERY_BROKER_TRANSPORT_OPTIONS |= {"socket_keepalive": True, "health_check_interval": 10}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
SWEEP_INTERVAL_SECONDS = env_int("SWEEP_INTERVAL_SECONDS", 120)
# How soon an email left unsent (a worker killed mid-send, the broker down) is retried.
OUTBOX_INTERVAL_SECONDS = env_int("OUTBOX_INTERVAL_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    "sweep": {"task": "escalation.tasks.sweep_task", "schedule": SWEEP_INTERVAL_SECONDS},
    "outbox": {"task": "ehc.tasks.outbox_send_due_task", "schedule": OUTBOX_INTERVAL_SECONDS},
    "advice-scans": {"task": "advice.tasks.advice_scans_due_task", "schedule": SCAN_SWEEP_INTERVAL_SECONDS},
    # Notify's delivery statuses (does nothing when email goes by SMTP).
    "notify-delivery": {"task": "ehc.tasks.delivery_fetch_due_task", "schedule": NOTIFY_STATUS_INTERVAL_SECONDS},
    # Daily: a review for every issued plan without one (imported caseloads); safe to run twice.
    "reviews-schedule-missing": {"task": "reviews.tasks.reviews_schedule_missing_task", "schedule": 24 * 60 * 60},
}

# Readiness (ehc.health): a worker heartbeats every 30 s; beat publishes every OUTBOX_INTERVAL_SECONDS.
HEALTH_WORKER_MAX_AGE_SECONDS = env_int("HEALTH_WORKER_MAX_AGE_SECONDS", 90)
HEALTH_BEAT_MAX_AGE_SECONDS = env_int("HEALTH_BEAT_MAX_AGE_SECONDS", max(300, 3 * OUTBOX_INTERVAL_SECONDS))
HEALTH_OUTBOX_MAX_AGE_SECONDS = env_int("HEALTH_OUTBOX_MAX_AGE_SECONDS", 900)

# One JSON object per line with the request id (ehc.logconfig); LOG_FORMAT=plain for a terminal.
# Celery keeps this configuration rather than installing its own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
LOGGING = logging_config(level=env_str("LOG_LEVEL", "INFO"), log_format=env_str("LOG_FORMAT", "json"))

CSRF_FAILURE_VIEW = "ehc.views.csrf_failure"
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))

# Errors go to Sentry only when a DSN is given; what each event keeps is in ehc/sentry.py.
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    sentry_init(SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT", "production"), release=env_str("SENTRY_RELEASE"))

# The JSON API under /api/v1/: DRF and drf-spectacular's settings (ehc/api_settings.py).
from .api_settings import REST_FRAMEWORK, SPECTACULAR_SETTINGS  # noqa: E402,F401
