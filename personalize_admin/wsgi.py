"""WSGI entry point: ``gunicorn personalize_admin.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "personalize_admin.settings")

application = get_wsgi_application()
