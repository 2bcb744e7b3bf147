"""Settings for the AI Access Registry: one module, driven by environment variables.

Every knob a deployment may turn is read from the environment (``DJANGO_*``, ``DATABASE_URL``,
``DATABASE_REPLICA_URLS``, ``CACHE_URL``); the defaults are safe for the embedded SQLite setup that ``make serve``
runs. Every variable is read through ``config.env``; docs/deploy.md lists them all.
"""

import os
import re
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from corsheaders.defaults import default_headers as cors_default_headers
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from config.env import api_rate, env_bool, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("DJANGO_VAR_DIR", BASE_DIR / "var")


def cache_config(url: str) -> dict:
    """The cache of rendered API answers that ``CACHE_URL`` names: Redis (``redis://``, ``rediss://``), shared by
    every app server; otherwise this process's memory (empty, ``locmem://``) or none at all (``dummy://``)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "registry"}
    if url == "" or scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "registry"}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL must start with redis://, rediss://, locmem:// or dummy://; got {url.partition(':')[0]!r}"
    )


def throttle_cache_config(url: str, path: Path) -> dict:
    """Where the API's rate limit counts, for the same ``CACHE_URL``: by default (empty) the SQLite file ``path``,
    which every worker of this machine shares, so that the limit holds per machine whatever the number of
    workers; otherwise the cache that ``cache_config`` names (Redis: one limit across every app server;
    ``locmem://``: each worker counts alone; ``dummy://``: no limit at all)."""
    if url == "":
        return {"BACKEND": "config.cache.SQLiteCache", "LOCATION": str(path), "OPTIONS": {"MAX_ENTRIES": 100_000}}
    return cache_config(url)


def admin_path(raw: str) -> str:
    """The admin's URL prefix, e.g. ``curators/``: one or more path segments, never under the API."""
    value = raw.strip().strip("/") + "/"
    if not re.fullmatch(r"[-a-zA-Z0-9_]+(/[-a-zA-Z0-9_]+)*/", value) or value.startswith(("api/", "static/")):
        raise ImproperlyConfigured(
            f"DJANGO_ADMIN_PATH must be a path such as admin/ or curators/ (letters, digits, -, _), not under api/ "
            f"or static/; got {raw!r}"
        )
    return value


def load_or_create_secret_key() -> str:
    """Use DJANGO_SECRET_KEY, or a random key generated once and kept in var/ (never in the repo)."""
    key = env_str("DJANGO_SECRET_KEY", "")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    # Written whole to a file of its own with owner-only permissions (the key signs sessions and password-reset
    # tokens), then linked into place, which fails if it exists: of several processes starting at once on a fresh
    # var/ (gunicorn's workers), the first one's key is everybody's, and nobody reads a half-written one.
    fd, written = tempfile.mkstemp(dir=VAR_DIR, prefix=".secret_key-")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        try:
            os.link(written, key_file)
        except FileExistsError:
            return key_file.read_text().strip()
    finally:
        os.unlink(written)
    return key


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = load_or_create_secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    # Counts failed admin logins and locks a username out from an address that keeps guessing.
    "axes",
    "corsheaders",
    "datasets",
    "api",
]

LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "plain").lower()
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be plain or json; got {LOG_FORMAT!r}")

MIDDLEWARE = [
    # First, so that the time it logs covers every other middleware.
    *(["config.logging.RequestLogMiddleware"] if LOG_FORMAT == "json" else []),
    "django.middleware.security.SecurityMiddleware",
    # Early, so that every answer carries the policy, those the middleware below gives on its own included.
    "config.http.CSPMiddleware",
    # Before anything that may answer on its own (a 414, a static file), so that those answers carry CORS too.
    "corsheaders.middleware.CorsMiddleware",
    "config.http.RequestLimitsMiddleware",
    "config.routers.ReplicaReadsMiddleware",
    # After the replica is picked (its one query reads it) and before everything a kept API answer does not need.
    "api.conditional.PublicReadMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, with its redirect to the URL with a trailing slash in JSON under /api/.
    "config.http.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change (the admin's logged-in user) in the records' history.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its refusal page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

DB_CONN_MAX_AGE = env_int("DJANGO_DB_CONN_MAX_AGE", 60)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'registry.sqlite3'}"),
        conn_max_age=DB_CONN_MAX_AGE,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database lives under var/, which a fresh clone does not have yet.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Kept open between requests like PostgreSQL's (an idle connection holds no lock): a new SQLite connection
    # reads the whole schema (every table, index and search trigger) on its first query, about 1 ms, which was
    # most of the cost of a 304.

    # Several workers write to one file (curators saving in the admin) while others read it (the API). By default
    # a transaction begins DEFERRED: one that has read and then writes cannot wait for another writer (SQLite
    # answers "database is locked" at once, a 500), so every transaction here takes the write lock when it begins
    # and waits up to `timeout` seconds for it. WAL lets readers go on while a write is under way; `synchronous`
    # NORMAL is safe with WAL (a power cut may lose the last commits, never corrupt the file). An in-memory
    # database (the test suite's) keeps its own journal mode: the PRAGMA is a no-op there. Options given in a
    # DATABASE_URL's query string win. Each connection keeps the pages it read in a cache of DJANGO_SQLITE_CACHE_MB
    # (SQLite's default is 2 MB): a search at `large` (bench/) reads a thousand rows' pages, which 2 MB cannot hold
    # from one request to the next; each was read again from the file, a system call a page (6.4 ms, 1.9 with 8 MB).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        f"PRAGMA cache_size=-{env_int('DJANGO_SQLITE_CACHE_MB', 8, minimum=1) * 1024}",
        **DATABASES["default"].get("OPTIONS", {}),
    }

# Read replicas of the primary (`default`): API reads go to one of them, the admin and every write to the primary
# (config/routers.py). In tests a replica is the primary itself (MIRROR): the suite needs no second server.
DATABASE_REPLICAS = []
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    DATABASES[f"replica_{number}"] = {
        **dj_database_url.parse(url, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_REPLICAS.append(f"replica_{number}")
DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]

cache_url = env_str("CACHE_URL", "")  # lower case: not a setting (it may hold a password)
# Rate-limit counts in "throttle" (api/throttling.py): shared by the workers of a machine at least, so that the limit
# does not grow with their number. At most 100,000 addresses are counted at once (about 1 KB each); past that, the
# counts closest to expiring are dropped. Rendered answers (api/conditional.py) in "default": in each process's
# memory unless CACHE_URL says Redis. They are large (up to 1 MB) and few (300 at most, the least used dropped
# first); a worker that builds an answer another has built costs one page's queries once per change of the data.
CACHES = {
    "default": cache_config(cache_url),
    "throttle": throttle_cache_config(cache_url, VAR_DIR / "cache" / "rate-limits.sqlite3"),
}
# How long a rendered API answer stays in that cache (api/conditional.py); 0 turns the cache off. Answers are
# keyed by the data's state, so a change never serves a stale one: this only bounds the memory they take.
API_CACHE_SECONDS = env_int("DJANGO_API_CACHE_SECONDS", 600)
# How long a list's count of matches stays in that cache (api/pagination.py), keyed by the question and the data's
# state, so never stale either; 0 counts every time. Apart from the answers: with those off, a count is still kept.
API_COUNT_CACHE_SECONDS = env_int("DJANGO_API_COUNT_CACHE_SECONDS", 600)
# The curators' desk lists a published record as due for a check when its facts were last checked longer ago.
RECHECK_AFTER_DAYS = env_int("DJANGO_RECHECK_AFTER_DAYS", 180, minimum=1)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes checks every login first: a locked-out username and address is refused before its password is.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After this many wrong passwords for one username from one address, that pair is locked out for the cool-off
# time, even with the right password. Keyed on the pair, so that a guesser cannot lock a curator out from
# everywhere; kept in the database, so that every app server sees the same count.
AXES_FAILURE_LIMIT = env_int("DJANGO_AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The same client address as the API's rate limit (X-Forwarded-For only behind DJANGO_NUM_PROXIES proxies).
AXES_CLIENT_IP_CALLABLE = "config.http.client_ip"
# Failed logins and lockouts are logged either way; this only drops a banner from every manage.py command's output.
AXES_VERBOSE = False

# Where the curators' admin lives: moving it off the well-known /admin/ keeps most password guessers away.
ADMIN_PATH = admin_path(env_str("DJANGO_ADMIN_PATH", "admin/"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Where `make serve` writes the current dataset release (export_dataset), served by /api/v1/dataset/.
RELEASE_DIR = env_path("DJANGO_RELEASE_DIR", VAR_DIR / "release")

STATIC_URL = "static/"
STATIC_ROOT = env_path("DJANGO_STATIC_ROOT", VAR_DIR / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security headers that hold everywhere; the TLS-only ones are switched on by the deployment.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=60)
# An admin session also ends when the browser closes, whichever comes first.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets this header itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy on every page: scripts only from this server (the docs, the browsable API and the
# admin load theirs from our static files; Swagger UI's set-up script is a file of its own, not inline), no
# plugins, no framing. Styles may be inline: Swagger UI, ReDoc, select2 and the admin set style attributes.
# Images and fonts may be data: URIs (the docs' icons), and ReDoc runs its search in a blob: worker.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "worker-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Request limits. Django's defaults, stated: at most 1000 parameters in a query string or form (more is a 400) and
# 2.5 MB of form body (the API reads no body at all: its writes answer 405 unread). A query string longer than
# MAX_QUERY_STRING_LENGTH bytes is a 414 (config/http.py) whatever the HTTP server in front lets through.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
MAX_QUERY_STRING_LENGTH = 4096

# CORS: the read-only, anonymous API may be read from pages of any origin; the admin and the landing page may not
# (they send no CORS headers, so a browser keeps other origins' scripts from reading them). No credentials: the
# API uses none. Browsers may send the conditional headers and read the validators and Retry-After.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = [*cors_default_headers, "if-modified-since", "if-none-match"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]

REST_FRAMEWORK = {
    # JSON for clients (curl, generated clients); the browsable API for browsers, which ask for text/html.
    "DEFAULT_RENDERER_CLASSES": [
        "api.renderers.JSONRenderer",
        "api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # Anonymous and read-only: the viewsets expose GET only, so writes answer 405.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    # django-filter, parsing each request's parameters once (see api.filters.FilterBackend).
    "DEFAULT_FILTER_BACKENDS": ["api.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.LimitOffsetPagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.RegistryAutoSchema",
    # An unknown ?format= is a 400 naming the parameter (DRF's own answer is a 404).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.ContentNegotiation",
    # Figures (memory, bandwidth, TFLOPS) are JSON numbers, as the schema says, not strings.
    "COERCE_DECIMAL_TO_STRING": False,
    # Anonymous rate limit per client address, counted in CACHES["throttle"] (CACHE_URL): a 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": api_rate("DJANGO_API_ANON_RATE", "120/minute")},
    # The client address is REMOTE_ADDR, unless this many proxies in front append it to X-Forwarded-For: a header
    # that a client can send itself, so it is only read when the deployment says proxies set it.
    "NUM_PROXIES": env_int("DJANGO_NUM_PROXIES", 0),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "AI Access Registry API",
    "DESCRIPTION": (
        "Vetted, sourced records of frontier AI model releases, who was granted (or refused) access to them, "
        "the export controls on AI chips, and the organizations, chips and sources these refer to. "
        "Read-only and anonymous; only published records are served, and every record cites its sources.\n\n"
        "Lists are paginated with `limit` (1 to 500, default 50) and `offset`. Filters follow one convention: "
        "a slug parameter takes the slug of a published record (one that names none is a 400, not an empty list), an "
        "enum parameter one of the enum's values; repeating a parameter means OR, different parameters AND; "
        "`<field>_after` / `<field>_before` and `<field>_min` / `<field>_max` are inclusive ranges. A parameter "
        "that does not parse is answered with a 400 whose body names it and says what was expected; an empty "
        "value counts as not given where the parameter says `allowEmptyValue`.\n\n"
        "The data is published under CC BY 4.0."
    ),
    "VERSION": "1.5.0",
    "LICENSE": {"name": "Data: CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No request to the public validator at swagger.io: the docs use nothing beyond this server.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.postprocess_parameter_enums",
        "api.schema.postprocess_uri_too_long",
        "api.schema.postprocess_conditional_get",
        "api.schema.postprocess_too_many_requests",
        "api.schema.postprocess_selectable_fields",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AccessTypeEnum": "datasets.choices.AccessTypeChoices",
        "ArchitectureEnum": "datasets.choices.ArchitectureChoices",
        "ChangeTypeEnum": "datasets.models.changes.ChangeTypeChoices",
        "ChipKindEnum": "datasets.choices.ChipKindChoices",
        "ClaimStatusEnum": "datasets.choices.ClaimStatusChoices",
        "ConfidenceEnum": "datasets.choices.ConfidenceChoices",
        "CountryEnum": "datasets.choices.CountryChoices",
        "DatePrecisionEnum": "datasets.choices.DatePrecisionChoices",
        "EndReasonEnum": "datasets.choices.EndReasonChoices",
        "InstrumentEnum": "datasets.choices.InstrumentChoices",
        "OrganizationKindEnum": "datasets.choices.OrganizationKindChoices",
        "OutcomeEnum": "datasets.choices.OutcomeChoices",
        "ResourceEnum": "datasets.choices.ResourceChoices",
        "ReviewStatusEnum": "datasets.choices.ReviewStatusChoices",
        "SourceKindEnum": "datasets.choices.SourceKindChoices",
        "WeightsEnum": "datasets.choices.WeightsChoices",
    },
}

# Plain text by default; with DJANGO_LOG_FORMAT=json every record is one JSON object per line, and every request
# adds one (method, path, status, duration; config/logging.py), for a log collector to parse.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", **({"formatter": "json"} if LOG_FORMAT == "json" else {})}
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
