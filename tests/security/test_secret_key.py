"""With DEBUG off the public development SECRET_KEY is refused: by the system
checks (manage.py) and by the WSGI/ASGI entry points (gunicorn runs no checks)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from personalize_admin.core import checks
from personalize_admin.settings import INSECURE_DEV_SECRET_KEY


def test_development_key_with_debug_off_is_a_system_check_error(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = INSECURE_DEV_SECRET_KEY
    errors = checks.check_secret_key(None)
    assert [error.id for error in errors] == ["personalize.E001"]
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        checks.refuse_insecure_secret_key()


def test_development_key_is_fine_for_development(settings):
    settings.DEBUG = True
    settings.SECRET_KEY = INSECURE_DEV_SECRET_KEY
    assert checks.check_secret_key(None) == []
    checks.refuse_insecure_secret_key()


def test_a_real_key_passes(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "a-real-deployment-key-" + "x" * 40
    assert checks.check_secret_key(None) == []
    checks.refuse_insecure_secret_key()
