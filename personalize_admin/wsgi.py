"""WSGI entry point: ``gunicorn personalize_admin.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "personalize_admin.settings")

application = get_wsgi_application()

from personalize_admin.core.checks import refuse_insecure_secret_key  # noqa: E402

refuse_insecure_secret_key()
