"""One error envelope for everything the API answers:
``{"error": "<code>", "message": "<sentence>", "errors": {"<field path>": ["…"]}}``.

Domain errors keep their own code and status; framework and Django errors get
the codes below. Field paths use the JSON's names (camelCase), with ``.`` for
nesting and ``[n]`` for list items: ``variants[1].audiences``.
"""

import logging
import re

from django.core import signals
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from personalize_admin.core import unavailable
from personalize_admin.core.errors import DomainError

logger = logging.getLogger("personalize_admin.api")

VALIDATION_FAILED = "personalize.VALIDATION_FAILED"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


CODES = {
    exceptions.ParseError: "personalize.MALFORMED_REQUEST",
    exceptions.NotAuthenticated: "personalize.UNAUTHORIZED",
    exceptions.AuthenticationFailed: "personalize.UNAUTHORIZED",
    exceptions.PermissionDenied: "personalize.FORBIDDEN",
    exceptions.NotFound: "personalize.NOT_FOUND",
    exceptions.MethodNotAllowed: "personalize.METHOD_NOT_ALLOWED",
    exceptions.NotAcceptable: "personalize.NOT_ACCEPTABLE",
    exceptions.UnsupportedMediaType: "personalize.UNSUPPORTED_MEDIA_TYPE",
    exceptions.Throttled: "personalize.TOO_MANY_REQUESTS",
    RequestTooLarge: "personalize.PAYLOAD_TOO_LARGE",
}
MESSAGES = {
    exceptions.NotAuthenticated: (
        "Authentication required: send your API token in the authtoken header "
        "(or Authorization: Token <token>)."
    ),
}


def to_camel(name):
    """``audience_combination_type`` → ``audienceCombinationType``; names that
    start with an underscore (``__type``) and camelCase names stay as they are."""
    if name.startswith("_") or "_" not in name:
        return name
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


_SEGMENT = re.compile(r"^([^\[]*)(.*)$")


def camelize_path(path):
    """``variants[1].audience_combination_type`` → ``variants[1].audienceCombinationType``."""
    segments = []
    for segment in str(path).split("."):
        name, indexes = _SEGMENT.match(segment).groups()
        segments.append(to_camel(name) + indexes)
    return ".".join(segments)


def _join(prefix, key):
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    if key == api_settings.NON_FIELD_ERRORS_KEY:
        return prefix
    return f"{prefix}.{key}" if prefix else str(key)


def flatten_errors(detail, prefix=""):
    """Turn DRF's nested error detail into ``{field path: [messages]}``."""
    flat = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, str) and key.isdigit():
                key = int(key)
            for path, messages in flatten_errors(value, _join(prefix, key)).items():
                flat.setdefault(path, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            if detail:
                flat.setdefault(prefix, []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item:
                    for path, messages in flatten_errors(item, _join(prefix, index)).items():
                        flat.setdefault(path, []).extend(messages)
    else:
        flat.setdefault(prefix, []).append(str(detail))
    return flat


def envelope(code, message, errors=None):
    return {"error": code, "message": message, "errors": errors or {}}


def error_response(status_code, code, message, errors=None, headers=None):
    """The envelope as a plain Django response, for answers outside DRF views."""
    response = JsonResponse(envelope(code, message, errors), status=status_code)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _validation_envelope(flat):
    errors = {path: messages for path, messages in flat.items() if path}
    general = flat.get("", [])
    if general:
        message = general[0]
    else:
        path, messages = next(iter(errors.items()))
        message = f"{path}: {messages[0]}"
    return envelope(VALIDATION_FAILED, message, errors)


def describe(exc):
    """``(status, body, headers)`` for ``exc``, or ``None`` when it is not a client error."""
    headers = {}
    if unavailable.is_database_unavailable(exc):
        headers["Retry-After"] = str(unavailable.RETRY_AFTER_SECONDS)
        return (
            status.HTTP_503_SERVICE_UNAVAILABLE,
            envelope(unavailable.API_CODE, unavailable.API_MESSAGE),
            headers,
        )
    if isinstance(exc, DomainError):
        errors = {
            camelize_path(path): list(messages) for path, messages in exc.field_errors.items()
        }
        return exc.status, envelope(exc.code, exc.message, errors), headers
    if isinstance(exc, exceptions.ValidationError):
        flat = flatten_errors(exc.detail) or {"": ["The request is invalid."]}
        return status.HTTP_422_UNPROCESSABLE_ENTITY, _validation_envelope(flat), headers
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        return (
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            _validation_envelope(flatten_errors(detail)),
            headers,
        )
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if not isinstance(exc, exceptions.APIException):
        return None
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
    code = next(
        (code for cls, code in CODES.items() if isinstance(exc, cls)),
        f"personalize.{str(exc.default_code).upper()}",
    )
    message = MESSAGES.get(type(exc)) or _sentence(exc.detail)
    return exc.status_code, envelope(code, message), headers


def _sentence(detail):
    if isinstance(detail, (list, dict)):
        flat = flatten_errors(detail)
        return next(iter(flat.values()))[0] if flat else ""
    text = str(detail)
    return text if text.endswith((".", "?", "!")) else f"{text}."


def exception_handler(exc, context):
    """DRF's ``EXCEPTION_HANDLER``: every error in the envelope, never a bare 500."""
    described = describe(exc)
    if described is None:
        request = context.get("request")
        logger.exception("Unhandled error in %s", getattr(request, "path", "the API"), exc_info=exc)
        signals.got_request_exception.send(
            sender=None, request=getattr(request, "_request", request)
        )
        described = (
            status.HTTP_500_INTERNAL_SERVER_ERROR,
            envelope(
                "personalize.SERVER_ERROR", "Something went wrong on our side. Please try again."
            ),
            {},
        )
    status_code, body, headers = described
    set_rollback()
    return Response(body, status=status_code, headers=headers)
