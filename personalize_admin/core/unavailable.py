"""Clean 503s while the database cannot be reached.

When PostgreSQL restarts, fails over or refuses connections, Django raises
``OperationalError`` (connection refused, server closed the connection,
administrator shutdown, statement timeout) or ``InterfaceError`` (a connection
that is already closed). Those are conditions a client can retry, so every part
of the app answers them with a 503 and ``Retry-After`` in its own shape:

- ``/edge/…``: the Edge API's ``{"error": "personalize.EDGE.UNAVAILABLE", …}``;
- ``/api/…``: the Management API's envelope with ``personalize.SERVICE_UNAVAILABLE``;
- everything else: a plain HTML page (``503.html``, rendered without the
  request, so without touching the session or the database).

Only connectivity errors are translated: ``ProgrammingError``,
``IntegrityError``, ``DataError`` and every other exception still surface as
the errors they are (a 500, logged with its traceback).

``DatabaseUnavailableMiddleware`` handles what views raise; ``server_error``
(``handler500``) calls ``response_for`` too, for what other middleware raises
(e.g. the session middleware loading a session).
"""

import json
import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger("personalize_admin.unavailable")

UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5

EDGE_CODE = "personalize.EDGE.UNAVAILABLE"
EDGE_MESSAGE = "Personalization is unavailable for a moment; try again."
API_CODE = "personalize.SERVICE_UNAVAILABLE"
API_MESSAGE = "The service is unavailable for a moment (its database cannot be reached); try again."


def is_database_unavailable(exc):
    """Whether ``exc`` means "the database cannot be reached right now"."""
    return isinstance(exc, UNAVAILABLE_ERRORS)


def _unavailable(response):
    response["Cache-Control"] = "no-store"
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Its cause is logged once, as a warning, by whoever builds it; this keeps Django's
    # request logger from logging the same outage again as an error.
    response._has_been_logged = True
    return response


def edge_response():
    response = HttpResponse(
        json.dumps({"error": EDGE_CODE, "message": EDGE_MESSAGE}, separators=(",", ":")),
        content_type="application/json",
        status=503,
    )
    return _unavailable(response)


def api_response():
    response = JsonResponse({"error": API_CODE, "message": API_MESSAGE, "errors": {}}, status=503)
    return _unavailable(response)


def page_response():
    response = HttpResponse(render_to_string("503.html"), status=503)
    return _unavailable(response)


def response_for(request, exc):
    """The 503 for ``request`` when ``exc`` is a database connectivity error, else ``None``."""
    if not is_database_unavailable(exc):
        return None
    path = getattr(request, "path_info", "") or ""
    logger.warning("Database unavailable while serving %s: %s", path, exc)
    if path.startswith("/edge/"):
        return edge_response()
    if path.startswith("/api/"):
        return api_response()
    return page_response()


class DatabaseUnavailableMiddleware:
    """Turn a view's database connectivity error into a clean 503 (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return response_for(request, exception)
