"""Refuse to serve with the development SECRET_KEY when DEBUG is off.

The key signs sessions, CSRF tokens and password-reset links; the development
key is public (it is in the source), so anyone could forge a session with it.
"""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

INSECURE_KEY_MESSAGE = (
    "SECRET_KEY is not set, so the public development key would sign sessions. "
    "Set SECRET_KEY to a long random value (python -c 'import secrets; "
    "print(secrets.token_urlsafe(50))'), or DEBUG=1 for development."
)


def uses_insecure_secret_key():
    from personalize_admin.settings import INSECURE_DEV_SECRET_KEY

    return not settings.DEBUG and settings.SECRET_KEY == INSECURE_DEV_SECRET_KEY


# A deployment check (manage.py check --deploy), so manage.py still works with no
# environment set; the WSGI/ASGI entry points refuse the key outright.
@register("security", deploy=True)
def check_secret_key(app_configs, **kwargs):
    if uses_insecure_secret_key():
        return [Error(INSECURE_KEY_MESSAGE, id="personalize.E001")]
    return []


def refuse_insecure_secret_key():
    """For the WSGI/ASGI entry points, which run no system checks."""
    if uses_insecure_secret_key():
        raise ImproperlyConfigured(INSECURE_KEY_MESSAGE)
