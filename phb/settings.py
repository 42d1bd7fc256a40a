"""Settings, all read from the environment (django-environ); defaults give the embedded set-up."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

from phb.secret_key import DEVELOPMENT_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# A built-in key with DEBUG on only; with DEBUG off the server refuses to start without one of its
# own (phb/secret_key.py), while commands that sign nothing still run.
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "phb.devserver",  # runserver with room for a burst of requests; before whitenoise's, which it wraps
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "guardian",
    "simple_history",
    "axes",
    "django_htmx",
    "django_celery_beat",
    "csp",
    "health_check",
    "phb",
    "referrals",
    "support_plans",
    "approvals",
    "payments",
    "providers",
    "reviews",
    "imports",
    "reporting",
    "holders",
]
# The benchmark's tooling (bench/: `manage.py generate_dataset` and the framework-floor view) is no
# part of the product: installed only when BENCH is on (scripts/bench.sh and the test settings set it).
BENCH = env.bool("BENCH", default=False)
if BENCH:
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "phb.bad_input.BadInputMiddleware",
    "phb.middleware.SlidingSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "phb.middleware.NoStoreMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "phb.urls"
WSGI_APPLICATION = "phb.wsgi.application"

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
                "phb.context_processors.organisation",
            ],
        },
    },
]

# --- Database: SQLite file by default, PostgreSQL (psycopg 3, Django's pool) when DATABASE_URL says so.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # JIT compilation costs more than it saves on this app's queries (0.8 s to compile the national
    # return's statements against 0.1 s to run them), so it is off unless asked for.
    if not env.bool("DATABASE_JIT", default=False):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    if env.bool("DATABASE_POOL", default=True):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=1),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            "timeout": 10,
        }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default as a real embedded database, so that two people saving at once wait
    # for each other instead of one getting "database is locked": a write-ahead log (readers never
    # block the writer), every transaction taking the write lock when it begins (IMMEDIATE, so a
    # reader never has to upgrade to a writer mid-transaction, which SQLite answers with an error
    # rather than a wait), and up to 20 s of waiting for that lock. The row locks of the services
    # (select_for_update) are no-ops on SQLite; one writer at a time gives the same guarantee.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery: Redis when REDIS_URL is set, otherwise in-process and eager.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://localhost/"  # never used: tasks run eagerly, in-process
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The scheduled jobs (django-celery-beat copies them into its tables, where staff may adjust them).
# Each job is idempotent: it records what it sent, so a second run sends nothing twice.
CELERY_BEAT_SCHEDULE = {
    "review-reminders": {
        "task": "reviews.tasks.send_review_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "stale-approval-nudges": {
        "task": "approvals.tasks.nudge_stale_approvals",
        "schedule": crontab(hour=8, minute=0),
    },
    "unfunded-approvals": {
        "task": "payments.tasks.flag_unfunded_approvals",
        "schedule": crontab(hour=8, minute=30),
    },
    "quarterly-returns": {
        "task": "reporting.tasks.build_quarterly_returns",
        "schedule": crontab(hour=3, minute=0),
    },
    # The live figures (reporting/live.py): deltas folded every minute; recounted and compared nightly.
    "live-figures-fold": {
        "task": "reporting.tasks.fold_live_figures",
        "schedule": 60.0,
        "options": {"expires": 120},
    },
    "live-figures-check": {
        "task": "reporting.tasks.check_live_figures",
        "schedule": crontab(hour=2, minute=30),
    },
    # Read by /health/jobs/ (phb/health.py): proof that beat sends and a worker runs.
    "heartbeat": {
        "task": "phb.tasks.heartbeat",
        "schedule": 60.0,
        "options": {"expires": 120},
    },
}

# --- Auth: sign-in throttling per username (django-axes), object permissions (django-guardian).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# A username is locked out from the address that failed (never everywhere: nobody can lock out a
# colleague on purpose from elsewhere), and an address failing across many usernames is slowed
# (password spraying). The second limit is higher: NHS sites share a few NAT addresses.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=30)
AXES_HANDLER = "phb.signin.SignInHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Behind a load balancer or reverse proxy, the client's address is the last one it adds to
# X-Forwarded-For: set AXES_PROXY_COUNT to the number of proxies in front of the app.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Session timeout: 30 minutes of inactivity, as on shared NHS workstations.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
# Renewed by activity (phb.middleware.SlidingSessionMiddleware, at most once a minute).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- HTTPS-only settings, each switched on by its own variable (on in docker-compose).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Content-Security-Policy (django-csp): scripts and styles only from this site's static files, no
# inline code, no eval (htmx is configured without it); the NHS.UK fonts come from assets.nhs.uk.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "https://assets.nhs.uk"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Internationalisation
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

# --- Static files: whitenoise; NHS.UK frontend, htmx and axe-core come from npm (node_modules).
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The production image has no node_modules: its build stage collected these into STATIC_ROOT (Dockerfile).
if NODE_MODULES.exists():
    STATICFILES_DIRS += [
        ("nhsuk", NODE_MODULES / "nhsuk-frontend" / "dist" / "nhsuk"),
        ("htmx", NODE_MODULES / "htmx.org" / "dist"),
    ]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"

# --- E-mail
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="phb-no-reply@nhs.net")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies only: a file upload (a payment's receipt) names multipart itself, so the schema
    # offers generated clients one encoding per operation. The project's JSON parser refuses deep
    # JSON and NUL characters too (phb/bad_input.py).
    "DEFAULT_PARSER_CLASSES": ["phb.bad_input.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "phb.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "phb.schema.AutoSchema",
    "EXCEPTION_HANDLER": "phb.exceptions.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATE_FORMAT": "%Y-%m-%d",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
# API tokens (django-rest-knox): kept only as digests, expiring, one per device, revoked one at a time
# with DELETE /api/v1/auth/token/. The header stays `Authorization: Token <token>`.
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=10)
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": None,
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PHB case management API",
    "DESCRIPTION": "Personal health budgets from referral to closed account. Money is a string with two decimals.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "phb.schema.add_error_responses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One named enum per code list, whichever serializer uses it.
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "phb.constants.Role",
        "CohortEnum": "phb.constants.Cohort",
        "GenderEnum": "phb.constants.Gender",
        "EthnicityEnum": "phb.constants.Ethnicity",
        "RepresentativeKindEnum": "phb.constants.RepresentativeKind",
        "ReferralSourceEnum": "referrals.constants.ReferralSource",
        "ReferralStatusEnum": "referrals.constants.ReferralStatus",
        "ConversationModeEnum": "referrals.constants.ConversationMode",
        "ParticipantEnum": "referrals.constants.Participant",
        "PlanStatusEnum": "support_plans.constants.PlanStatus",
        "ManagementEnum": "support_plans.constants.Management",
        "PaymentMethodEnum": "support_plans.constants.PaymentMethod",
        "FrequencyEnum": "support_plans.constants.Frequency",
        "AgreedByEnum": "support_plans.constants.AgreedBy",
        "CloseReasonEnum": "support_plans.constants.CloseReason",
        "BasisEnum": "approvals.constants.Basis",
        "AllocationBasisEnum": "support_plans.allocation.BASIS_CHOICES",
        "ApprovalStatusEnum": "approvals.constants.RequestStatus",
        "DecisionEnum": "approvals.constants.DecisionKind",
        "EntryKindEnum": "payments.constants.EntryKind",
        "InstalmentStatusEnum": "payments.constants.InstalmentStatus",
        "ReviewKindEnum": "reviews.constants.ReviewKind",
        "ReviewStatusEnum": "reviews.constants.ReviewStatus",
        "ReviewDecisionEnum": "reviews.constants.ReviewDecision",
        "InstrumentEnum": "reviews.constants.Instrument",
        "AttainmentEnum": "reviews.constants.Attainment",
    },
}

# One handler, on the root logger. Django's own default configuration also gives the "django"
# logger a console handler under DEBUG; emptied here, or each of its lines would print twice
# (once there, once again on root). "django.server" (runserver's request lines) keeps its own.
# LOG_LEVEL governs everything, "django" included (INFO under DEBUG unless set).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO" if DEBUG else "WARNING")},
    "loggers": {"django": {"handlers": [], "level": "NOTSET", "propagate": True}},
}

# --- Product settings
PHB = {
    # Approved plans with no funds released after this many days are flagged.
    "UNFUNDED_AFTER_DAYS": env.int("PHB_UNFUNDED_AFTER_DAYS", default=14),
    # Dashboards and returns cached until the organisation's data next changes (reporting/cache.py).
    # Needs a cache shared by every process (Redis): a per-process cache would not hear of a change
    # made in another gunicorn worker.
    "REPORT_CACHE": env.bool("PHB_REPORT_CACHE", default=bool(REDIS_URL)),
}

# --- Accounts: invitations for people who already have an account expire after this many days.
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)

# --- Sign-in through OpenID Connect (phb/oidc.py, mozilla-django-oidc), each provider only where its
# variables are set: NHS CIS2 Authentication for staff (OIDC_CIS2_*), NHS login for the public
# (OIDC_NHS_LOGIN_*). Local passwords remain, the embedded default.


def _oidc_provider(prefix: str) -> dict | None:
    client_id = env.str(f"{prefix}_CLIENT_ID", default="")
    if not client_id:
        return None
    return {
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": env.str(f"{prefix}_CLIENT_SECRET", default=""),
        "OIDC_OP_AUTHORIZATION_ENDPOINT": env.str(f"{prefix}_AUTHORIZATION_ENDPOINT"),
        "OIDC_OP_TOKEN_ENDPOINT": env.str(f"{prefix}_TOKEN_ENDPOINT"),
        "OIDC_OP_USER_ENDPOINT": env.str(f"{prefix}_USERINFO_ENDPOINT"),
        "OIDC_OP_JWKS_ENDPOINT": env.str(f"{prefix}_JWKS_ENDPOINT"),
        "OIDC_RP_SIGN_ALGO": env.str(f"{prefix}_SIGN_ALGO", default="RS256"),
        "OIDC_RP_SCOPES": env.str(f"{prefix}_SCOPES", default="openid profile email"),
    }


OIDC_PROVIDERS = {
    code: block
    for code, block in (
        ("cis2", _oidc_provider("OIDC_CIS2")),
        ("nhs_login", _oidc_provider("OIDC_NHS_LOGIN")),
    )
    if block is not None
}
OIDC_BACKENDS = {"cis2": "phb.oidc.CIS2Backend", "nhs_login": "phb.oidc.NHSLoginBackend"}
AUTHENTICATION_BACKENDS += [OIDC_BACKENDS[code] for code in OIDC_PROVIDERS]
OIDC_CREATE_USER = False  # accounts are made by an org admin or by accepting an invitation
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc-callback"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"  # mozilla-django-oidc takes a path, not a URL name
