"""Settings for Personalize Admin, read from the environment.

Every setting an operator may need has an environment variable; the defaults
suit a developer's machine (SQLite, local memory cache). With ``DEBUG`` off
the secure defaults apply: HTTPS redirect, HSTS, secure cookies.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

INSECURE_DEV_SECRET_KEY = "django-insecure-personalize-admin-development-key-change-me"


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    normalized = value.strip().lower()
    if normalized in {"1", "true", "yes", "on"}:
        return True
    if normalized in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from None


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def postgres_options():
    """libpq options so that no request waits long for an unreachable database.

    ``DB_CONNECT_TIMEOUT`` (seconds, default 5) bounds opening a connection;
    TCP keepalives notice a server that vanished without closing the
    connection within about 20 s; ``DB_STATEMENT_TIMEOUT_MS`` (default 0: no
    limit) cancels any statement that runs longer. Each failure raises
    ``OperationalError``, which the app answers with a 503
    (``core.unavailable``).
    """
    options = {
        "connect_timeout": env_int("DB_CONNECT_TIMEOUT", 5),
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 2,
    }
    statement_timeout = env_int("DB_STATEMENT_TIMEOUT_MS", 0)
    if statement_timeout > 0:
        options["options"] = f"-c statement_timeout={statement_timeout}"
    return options


def cache_from_url(url):
    """Translate ``CACHE_URL`` into a ``CACHES["default"]`` entry.

    Supported: ``locmem://``, ``dummy://``, ``redis://host:port/db`` (also
    ``rediss://``), ``db://table_name``.
    """
    parts = urlsplit(url)
    scheme = parts.scheme
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    timeout = int(options.pop("timeout", 300))
    if scheme == "locmem":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": parts.netloc or "personalize-admin",
            "TIMEOUT": timeout,
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme in {"redis", "rediss"}:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url.split("?", 1)[0],
            "TIMEOUT": timeout,
            "KEY_PREFIX": options.pop("prefix", "pa"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    if scheme == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": parts.netloc or "personalize_cache",
            "TIMEOUT": timeout,
        }
    raise ImproperlyConfigured(
        f"CACHE_URL scheme {scheme!r} is not supported; use locmem://, redis://, db:// or dummy://."
    )


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY") or INSECURE_DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "corsheaders",
    "guardian",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "personalize_admin.core",
    "personalize_admin.projects",
    "personalize_admin.audiences",
    "personalize_admin.experiences",
    "personalize_admin.edge",
    "personalize_admin.analytics",
    "personalize_admin.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "personalize_admin.core.middleware.RefuseNulCharactersMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "personalize_admin.core.middleware.HtmxMessagesMiddleware",
    # Near the end, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Innermost, so that a view's database connectivity error becomes a 503 first.
    "personalize_admin.core.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "personalize_admin.urls"

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
                "django.template.context_processors.csp",
            ],
            "builtins": ["personalize_admin.core.templatetags.ui"],
        },
    },
]

WSGI_APPLICATION = "personalize_admin.wsgi.application"
CSRF_FAILURE_VIEW = "personalize_admin.core.views.csrf_failure"

DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE takes the
    # write lock when a transaction starts, so concurrent writers queue instead
    # of failing with "database is locked" halfway through.
    # Connections close after each request unless DB_CONN_MAX_AGE says otherwise:
    # opening one costs about a millisecond, which a single-threaded worker
    # (gunicorn's sync workers) can save by keeping its connection.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 0)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        **postgres_options(),
        **DATABASES["default"].get("OPTIONS", {}),
    }

CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL") or "locmem://")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first: refuses sign-ins from a locked-out username and address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous users have no access

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "projects:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Without collectstatic (tests, a quick local run) whitenoise serves the
# finders' files directly.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security. Secure defaults whenever DEBUG is off; each can be overridden for
# a deployment that terminates TLS elsewhere.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A signed-in session lasts a working day by default (Django's default is two weeks).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
CSRF_COOKIE_SAMESITE = "Lax"
# Pages carry the token (forms, htmx's hx-headers); no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER"], "https")

# Django's built-in Content Security Policy: no inline scripts or styles; every
# script and stylesheet is a vendored or own static file.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "personalize_admin": {"level": os.environ.get("LOG_LEVEL", "INFO"), "propagate": True},
    },
}

# Product limits per project (see the product specification).
PERSONALIZE_LIMITS = {
    "experiences_per_project": env_int("LIMIT_EXPERIENCES_PER_PROJECT", 100),
    "audiences_per_project": env_int("LIMIT_AUDIENCES_PER_PROJECT", 100),
    "attributes_per_project": env_int("LIMIT_ATTRIBUTES_PER_PROJECT", 100),
    "events_per_project": env_int("LIMIT_EVENTS_PER_PROJECT", 100),
    "variants_per_version": env_int("LIMIT_VARIANTS_PER_VERSION", 20),
    "rules_per_audience": env_int("LIMIT_RULES_PER_AUDIENCE", 50),
    "group_depth": env_int("LIMIT_GROUP_DEPTH", 5),
    "string_value_length": env_int("LIMIT_STRING_VALUE_LENGTH", 1000),
}

# Proxies in front of the app that append to X-Forwarded-For. 0 (the default) trusts
# only REMOTE_ADDR, so a client cannot forge its address to dodge a rate limit.
PROXY_COUNT = env_int("PROXY_COUNT", env_int("API_NUM_PROXIES", 0))

# Sign-in rate limiting (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for
# one username from one address, that pair is locked out for LOGIN_LOCKOUT_MINUTES.
# A successful sign-in resets the count. Operators see and clear lockouts in the
# admin (Axes → Access attempts) or with ``manage.py axes_reset``.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "personalize_admin.core.security.locked_out"
AXES_CLIENT_IP_CALLABLE = "personalize_admin.core.security.client_ip"
AXES_HTTP_RESPONSE_CODE = 429

# Management API (Django REST framework) and its OpenAPI document (drf-spectacular).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "personalize_admin.api.authentication.AuthTokenHeaderAuthentication",
        "personalize_admin.api.authentication.TokenAuthentication",
        "personalize_admin.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "personalize_admin.api.throttling.TokenRateThrottle",
        "personalize_admin.api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_token": os.environ.get("API_THROTTLE_RATE") or "1200/minute",
        "api_anonymous": os.environ.get("API_ANONYMOUS_THROTTLE_RATE") or "60/minute",
    },
    # Proxies in front of the app, for the address anonymous callers are throttled by;
    # 0 trusts only REMOTE_ADDR, so X-Forwarded-For cannot be forged to dodge the limit.
    "NUM_PROXIES": PROXY_COUNT,
    "EXCEPTION_HANDLER": "personalize_admin.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "personalize_admin.api.schema.ApiAutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DATETIME_FORMAT": "iso-8601",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Personalize Admin Management API",
    "DESCRIPTION": (
        "Manage projects, members, attributes, events, audiences and experiences from scripts, "
        "with the same rules as the web UI.\n\n"
        "Authenticate with an API token (user menu → API tokens) in the `authtoken` header, or "
        "as `Authorization: Token <token>`. Project content endpoints take the project's uid "
        "in the `x-project-uid` header. JSON is camelCase; timestamps are ISO 8601 in UTC; "
        "lists are bare arrays. Every error answers "
        '`{"error": "<code>", "message": "<sentence>", "errors": {"<field path>": ["…"]}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api",
    "SCHEMA_PATH_PREFIX_TRIM": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "Role": "personalize_admin.projects.models.Role",
        "ExperienceType": "personalize_admin.experiences.models.ExperienceType",
        "VersionStatus": "personalize_admin.experiences.models.VersionStatus",
        "ExperienceStatus": "personalize_admin.api.serializers.experiences.EXPERIENCE_STATUSES",
        "NewVersionStatus": "personalize_admin.api.serializers.experiences.NEW_VERSION_STATUSES",
        "VariantType": "personalize_admin.api.serializers.experiences.VARIANT_TYPES",
        "MetricType": "personalize_admin.api.serializers.experiences.METRIC_TYPES",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Edge API (``/edge``): public, called from any site's browser by the Personalize
# Edge SDK. CORS applies to it alone; the SDK sends no credentials.
CORS_URLS_REGEX = r"^/edge/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "PATCH", "POST", "OPTIONS"]
CORS_ALLOW_HEADERS = [
    "content-type",
    "x-project-uid",
    "x-cs-personalize-user-uid",
    "x-live-attributes",
    "x-page-url",
    "x-user-agent",
    "x-forwarded-for",
    "x-lytics-id-field",
    "x-lytics-id-value",
]
CORS_EXPOSE_HEADERS = ["X-CS-Personalize-User-Uid"]
CORS_PREFLIGHT_MAX_AGE = 86400

# Edge API limits (see personalize_admin/edge/protocol.py for every key).
PERSONALIZE_EDGE = {
    "max_body_bytes": env_int("EDGE_MAX_BODY_BYTES", 64 * 1024),
    "max_events_per_request": env_int("EDGE_MAX_EVENTS_PER_REQUEST", 100),
    "attribution_days": env_int("EDGE_ATTRIBUTION_DAYS", 30),
}

# Raw Edge API events older than this are deleted by ``manage.py purge_events``;
# analytics keep their numbers (they are counted as events arrive).
ANALYTICS_RETENTION_DAYS = env_int("ANALYTICS_RETENTION_DAYS", 183)
