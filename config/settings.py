"""Settings for the AI Access Registry: one module, driven by environment variables.

Every knob a deployment may turn is read from the environment (``DJANGO_*``, ``DATABASE_URL``); the
defaults are safe for the embedded SQLite setup that ``make serve`` runs. See README.md for the list.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DJANGO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable; refuse anything that is not clearly true or false."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable into a list, ignoring blanks."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def load_or_create_secret_key() -> str:
    """Use DJANGO_SECRET_KEY, or a random key generated once and kept in var/ (never in the repo)."""
    key = os.environ.get("DJANGO_SECRET_KEY", "").strip()
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    # Created with owner-only permissions: the key signs sessions and password-reset tokens.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
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
    "datasets",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change (the admin's logged-in user) in the records' history.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'registry.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database lives under var/, which a fresh clone does not have yet.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # SQLite connections are cheap, and persistent ones do not mix with its file locking.
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# How long a rendered API answer stays in the cache (api/conditional.py); 0 turns the cache off. Answers are
# keyed by the data's state, so a change never serves a stale one: this only bounds the memory they take.
API_CACHE_SECONDS = int(os.environ.get("DJANGO_API_CACHE_SECONDS", "600"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
RELEASE_DIR = Path(os.environ.get("DJANGO_RELEASE_DIR", VAR_DIR / "release"))

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security headers that hold everywhere; the TLS-only ones are switched on by the deployment.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets this header itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    # JSON for clients (curl, generated clients); the browsable API for browsers, which ask for text/html.
    "DEFAULT_RENDERER_CLASSES": [
        "api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # Anonymous and read-only: the viewsets expose GET only, so writes answer 405.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    # django-filter, parsing each request's parameters once (see api.conditional.FilterBackend).
    "DEFAULT_FILTER_BACKENDS": ["api.conditional.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.LimitOffsetPagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.RegistryAutoSchema",
    # An unknown ?format= is a 400 naming the parameter (DRF's own answer is a 404).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.ContentNegotiation",
    # Figures (memory, bandwidth, TFLOPS) are JSON numbers, as the schema says, not strings.
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "AI Access Registry API",
    "DESCRIPTION": (
        "Vetted, sourced records of frontier AI model releases, who was granted (or refused) access to them, "
        "the export controls on AI chips, and the organizations, chips and sources these refer to. "
        "Read-only and anonymous; only published records are served, and every record cites its sources.\n\n"
        "Lists are paginated with `limit` (1 to 500, default 50) and `offset`. Filters follow one convention: "
        "a slug parameter takes the slug of a published record (one that names none matches nothing), an enum "
        "parameter one of the enum's values; repeating a parameter means OR, different parameters AND; "
        "`<field>_after` / `<field>_before` and `<field>_min` / `<field>_max` are inclusive ranges. A parameter "
        "that does not parse is answered with a 400 whose body names it and says what was expected; an empty "
        "value counts as not given where the parameter says `allowEmptyValue`.\n\n"
        "The data is published under CC BY 4.0."
    ),
    "VERSION": "1.0.0",
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
        "ResourceEnum": "datasets.models.changes.ResourceChoices",
        "ReviewStatusEnum": "datasets.choices.ReviewStatusChoices",
        "SourceKindEnum": "datasets.choices.SourceKindChoices",
        "WeightsEnum": "datasets.choices.WeightsChoices",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
