"""The Edge API under ``/edge``, as ``@contentstack/personalize-edge-sdk`` speaks it.

Public by design: no login, no CSRF (no cookie grants anything here), CORS
for any origin (see ``CORS_*`` in the settings). Every answer is JSON; every
refusal is ``{"error": "<code>", "message": "…"}`` with a 4xx and changes
nothing; an unreachable database answers 503. Every answer carries the
visitor's ``X-CS-Personalize-User-Uid``, generated when the client has none.
"""

import json
import logging
from functools import wraps

from django.core.exceptions import SuspiciousOperation
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from personalize_admin.core import unavailable
from personalize_admin.core.htmx import render_page_or_partial
from personalize_admin.projects.access import ProjectScopedMixin

from . import preview, protocol, services
from .decisions import decide, manifest_json
from .errors import EdgeError
from .snapshot import ConfigurationChanging

logger = logging.getLogger(__name__)


def _json(body, status=200, user_uid=None):
    text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
    response = HttpResponse(text, content_type="application/json", status=status)
    response["Cache-Control"] = "no-store"
    if user_uid is not None:
        response[protocol.USER_UID_HEADER] = user_uid
    return response


def _call(view, request):
    """Run ``view``; a read skips the connection health check and retries instead.

    Django checks a kept database connection with a ``SELECT 1`` round trip before
    each request's first query (``DB_CONN_HEALTH_CHECKS``). For the Edge API's reads
    that round trip costs about as much as the manifest's own query, so a GET skips
    it and finds a dead connection (after a database restart) by its own query:
    it then closes that connection and runs once more on a fresh one. Writes keep
    the check, since retrying a write after an error could apply it twice.
    """
    if request.method not in ("GET", "HEAD"):
        return view(request)
    reused = connection.connection is not None and not connection.in_atomic_block
    if reused:
        connection.health_check_done = True
    try:
        return view(request)
    except unavailable.UNAVAILABLE_ERRORS:
        if not reused or connection.in_atomic_block:
            raise
        connection.close()
        return view(request)


def edge_endpoint(*methods):
    """Method check, JSON errors and the 503 for an unreachable database."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request):
            if request.method not in methods:
                response = _json(
                    {
                        "error": "personalize.EDGE.METHOD_NOT_ALLOWED",
                        "message": f"Use {' or '.join(methods)} on this endpoint.",
                    },
                    status=405,
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return _call(view, request)
            except EdgeError as error:
                return _json(error.as_body(), status=error.status)
            except SuspiciousOperation as error:
                # Django's own refusals (too many query fields, …): JSON like every other.
                return _json(
                    {
                        "error": "personalize.EDGE.INVALID_REQUEST",
                        "message": f"The request was refused: {error}.",
                    },
                    status=400,
                )
            except (*unavailable.UNAVAILABLE_ERRORS, ConfigurationChanging) as error:
                # Only connectivity (and a configuration that kept changing while
                # it was read): a programming error stays a logged 500.
                logger.warning("The Edge API could not serve %s: %s", request.path, error)
                return unavailable.edge_response()

        return wrapper

    return decorator


@edge_endpoint("GET")
def ping(request):
    """A view that does nothing: the benchmark's baseline and a liveness probe."""
    return _json({"status": "ok"})


@edge_endpoint("GET")
def manifest(request):
    project_uid = protocol.project_uid(request)
    user_uid, _new = protocol.user_uid(request)
    live = protocol.live_attributes(request)
    tags = protocol.tags(request)
    snapshot, stored = services.manifest_context(project_uid, user_uid)
    presets = protocol.request_presets(request, snapshot.presets_used, timezone.now())
    custom = {**stored, **live} if live else stored
    decisions = decide(snapshot, presets, custom, user_uid, tags)
    return _json(manifest_json(decisions), user_uid=user_uid)


@edge_endpoint("PATCH")
def user_attributes(request):
    project_uid = protocol.project_uid(request)
    user_uid, _new = protocol.user_uid(request)
    values = protocol.json_body(request)
    project_id = services.project_id(project_uid)
    attributes = services.set_attributes(project_id=project_id, user_uid=user_uid, values=values)
    # Only the count: whoever knows a user uid must not be able to read its attributes.
    return _json({"userUid": user_uid, "attributeCount": len(attributes)}, user_uid=user_uid)


@edge_endpoint("POST")
def merge_user_attributes(request):
    project_uid = protocol.project_uid(request)
    body = protocol.json_body(request)
    if not isinstance(body, dict):
        raise EdgeError(
            400,
            "personalize.EDGE.INVALID_BODY",
            'Send {"sourceUserUid": "…", "targetUserUid": "…"}.',
        )
    uids = {}
    for name in ("sourceUserUid", "targetUserUid"):
        value = body.get(name)
        uid = protocol.clean_user_uid(value, what=name) if isinstance(value, str) else None
        if uid is None:
            raise EdgeError(
                400, "personalize.EDGE.INVALID_BODY", f"Send the {name} as a non-empty string."
            )
        uids[name] = uid
    project_id = services.project_id(project_uid)
    attributes = services.merge_visitors(
        project_id=project_id,
        source_user_uid=uids["sourceUserUid"],
        target_user_uid=uids["targetUserUid"],
    )
    return _json(
        {"userUid": uids["targetUserUid"], "attributeCount": len(attributes)},
        user_uid=uids["targetUserUid"],
    )


@edge_endpoint("POST")
def events(request):
    project_uid = protocol.project_uid(request)
    user_uid, _new = protocol.user_uid(request)
    payload = protocol.json_body(request)
    snapshot = services.project_snapshot(project_uid)
    recorded = services.ingest_events(snapshot=snapshot, user_uid=user_uid, payload=payload)
    return _json({"recorded": len(recorded)}, user_uid=user_uid)


# ---------- Preview as visitor (a project page) ----------


class PreviewView(ProjectScopedMixin, TemplateView):
    """Preview as visitor: the manifest a described visitor would get, and why.

    A GET form, so a preview is a link one can share; with htmx only the
    result is swapped in.
    """

    template_name = "edge/preview.html"
    extra_context = {"nav": "preview"}

    def get(self, request, *args, **kwargs):
        data = request.GET
        context = self.get_context_data(
            inputs=preview.attribute_inputs(self.project, data),
            data=data,
            user_agents=preview.SAMPLE_USER_AGENTS,
            result=preview.run(self.project, data) if "user_uid" in data else None,
        )
        return render_page_or_partial(request, self.template_name, "preview-result", context)
