"""Test settings: the production settings with fast hashing and plain HTTP."""

import os

# Playwright's sync API runs an event loop in the test thread; Django's
# async-safety check would refuse ORM calls made from the test body.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from personalize_admin.settings import *  # noqa: E402,F403
from personalize_admin.settings import STORAGES  # noqa: E402

DEBUG = False
SECRET_KEY = "tests-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the shared in-memory database: SQLite's shared cache locks whole
    # tables, so a reader would fail while a writer's transaction is open, which
    # never happens with the WAL file database the app runs on.
    import tempfile
    from pathlib import Path

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"personalize-admin-tests-{os.getpid()}.sqlite3")
    }
