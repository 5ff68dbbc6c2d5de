"""With DEBUG off the public development SECRET_KEY is refused: by the deployment
checks (manage.py check --deploy) and by the WSGI/ASGI entry points (gunicorn runs
no checks). manage.py itself keeps working with no environment set."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

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


def test_deploy_check_refuses_the_development_key(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = INSECURE_DEV_SECRET_KEY
    with pytest.raises(SystemCheckError, match="personalize.E001"):
        call_command("check", deploy=True, tags=["security"])


def test_manage_py_works_with_no_environment_set():
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=root,
        env={"PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
