"""Reading what the SDK sends: headers, query, JSON bodies, within limits.

Every reader raises ``EdgeError`` (a 4xx with a code) for input it refuses,
before anything is changed. Limits come from ``settings.PERSONALIZE_EDGE``
(see ``limits()``).

Header values reach Django as ISO-8859-1 text (WSGI); the SDK sends UTF-8
(``JSON.stringify`` of live attributes, page URLs), so values are re-decoded
as UTF-8 when they are valid UTF-8.
"""

import json
import math
import re
import uuid
from functools import cache, lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from personalize_admin.audiences.rules import presets_from_headers
from personalize_admin.audiences.rules.presets import device_and_os, geo_headers, query_parameters
from personalize_admin.core.text import is_storable

from .errors import EdgeError, bad_request, project_not_found
from .models import MAX_USER_UID_LENGTH

DEFAULT_LIMITS = {
    "max_body_bytes": 64 * 1024,
    "max_events_per_request": 100,
    "max_header_bytes": 8 * 1024,
    "max_attributes_per_request": 100,
    "max_attributes_per_visitor": 200,
    "max_attribute_value_length": 1000,
    "max_tags": 10,
    "attribution_days": 30,
}

USER_UID_HEADER = "X-CS-Personalize-User-Uid"
USER_UID_COOKIE = "cs-personalize-user-uid"
# What a JavaScript client sends when it has no user uid yet.
UNKNOWN_USER_UIDS = frozenset({"", "null", "undefined"})
KEY_RE = re.compile(r"[A-Za-z0-9_]{1,100}")
PROJECT_UID_RE = re.compile(r"[0-9a-f]{24}")
TAG_RE = re.compile(r"[A-Za-z0-9_:-]{1,50}")
# Control characters (C0, DEL, C1) and lone surrogates never belong in an identifier.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

_limits = None


def limits():
    """``DEFAULT_LIMITS`` with ``settings.PERSONALIZE_EDGE`` over them (read once)."""
    global _limits
    if _limits is None:
        _limits = {**DEFAULT_LIMITS, **getattr(settings, "PERSONALIZE_EDGE", {})}
    return _limits


@receiver(setting_changed)
def _forget_limits(*, setting, **kwargs):
    global _limits
    if setting == "PERSONALIZE_EDGE":
        _limits = None
    elif setting == "PERSONALIZE_GEO_HEADERS":
        _geo_meta_keys.cache_clear()


@cache
def _meta_key(name):
    return "HTTP_" + name.upper().replace("-", "_")


def _utf8(value):
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def header(request, name, *, max_bytes=None):
    """The header's value (``None`` when absent), refused when longer than the limit."""
    value = request.META.get(_meta_key(name))
    if value is None:
        return None
    limit = max_bytes or limits()["max_header_bytes"]
    if len(value) > limit:
        raise EdgeError(
            431,
            "personalize.EDGE.HEADER_TOO_LARGE",
            f"The {name} header is longer than {limit} bytes.",
        )
    return _utf8(value) if not value.isascii() else value


def project_uid(request):
    value = (header(request, "X-Project-Uid") or "").strip()
    if not PROJECT_UID_RE.fullmatch(value):
        raise project_not_found(value)
    return value


def clean_user_uid(value, *, what="user uid"):
    """A user uid as sent, or ``None`` when the client does not know one."""
    if value is None:
        return None
    value = value.strip()
    if value in UNKNOWN_USER_UIDS:
        return None
    if len(value) > MAX_USER_UID_LENGTH:
        raise bad_request(
            "INVALID_USER_UID", f"A {what} has at most {MAX_USER_UID_LENGTH} characters."
        )
    if CONTROL_RE.search(value):
        raise bad_request("INVALID_USER_UID", f"A {what} may not contain control characters.")
    return value


def new_user_uid():
    return str(uuid.uuid4())


def user_uid(request):
    """``(uid, is_new)``: the header's, else the cookie's, else a new one."""
    uid = clean_user_uid(header(request, USER_UID_HEADER))
    if uid is None:
        cookie = request.COOKIES.get(USER_UID_COOKIE)
        uid = clean_user_uid(cookie) if cookie is not None else None
    if uid is None:
        return new_user_uid(), True
    return uid, False


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def parse_json(text, *, what):
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise bad_request(
            "INVALID_BODY" if what == "body" else "INVALID_LIVE_ATTRIBUTES",
            f"The {what} is not valid JSON.",
        ) from None


def clean_attributes(values, *, code, where):
    """Custom attribute values: an object of key → string, number, boolean or null."""
    config = limits()
    if not isinstance(values, dict):
        raise bad_request(code, f"Send the {where} as a JSON object of attribute key → value.")
    if len(values) > config["max_attributes_per_request"]:
        raise bad_request(
            code, f"Send at most {config['max_attributes_per_request']} attributes at once."
        )
    max_length = config["max_attribute_value_length"]
    for key, value in values.items():
        if not KEY_RE.fullmatch(key):
            raise bad_request(
                code,
                f"“{key[:100]}” is not an attribute key: use 1–100 letters, digits and underscores.",
            )
        if value is None or isinstance(value, bool | int):
            continue
        if isinstance(value, float):
            if not math.isfinite(value):
                raise bad_request(code, f"The value of “{key}” is not a finite number.")
            continue
        if isinstance(value, str):
            if len(value) > max_length:
                raise bad_request(
                    code, f"The value of “{key}” is longer than {max_length} characters."
                )
            if not is_storable(value):
                raise bad_request(
                    code,
                    f"The value of “{key}” contains a NUL character or a lone surrogate (\\u0000, \\ud800–\\udfff).",
                )
            continue
        raise bad_request(
            code, f"The value of “{key}” must be a string, a number, true, false or null."
        )
    return values


def live_attributes(request):
    raw = header(request, "X-Live-Attributes")
    if raw is None or not raw.strip():
        return {}
    values = parse_json(raw, what="X-Live-Attributes header")
    return clean_attributes(
        values, code="INVALID_LIVE_ATTRIBUTES", where="X-Live-Attributes header"
    )


def tags(request):
    """The ``tags[]`` filter as a set of lowercase names, or ``None`` for all experiences."""
    if not request.META.get("QUERY_STRING"):
        return None
    values = request.GET.getlist("tags[]") + request.GET.getlist("tags")
    if not values:
        return None
    limit = limits()["max_tags"]
    if len(values) > limit:
        raise bad_request("TOO_MANY_TAGS", f"Filter by at most {limit} tags.")
    for value in values:
        if not TAG_RE.fullmatch(value):
            raise bad_request(
                "INVALID_TAG",
                f"“{value[:50]}” is not a tag: use 1–50 letters, digits, -, _ and :.",
            )
    return frozenset(value.lower() for value in values)


def json_body(request):
    """The request body parsed as JSON, whatever its Content-Type (the SDK sends text/plain)."""
    limit = limits()["max_body_bytes"]
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise EdgeError(
            413, "personalize.EDGE.BODY_TOO_LARGE", f"The body is larger than {limit} bytes."
        )
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise EdgeError(
            413, "personalize.EDGE.BODY_TOO_LARGE", f"The body is larger than {limit} bytes."
        )
    if not raw.strip():
        raise bad_request("INVALID_BODY", "The body is empty; send JSON.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request("INVALID_BODY", "The body is not UTF-8 text.") from None
    return parse_json(text, what="body")


@cache
def _geo_meta_keys(presets_used):
    """``{ref: ((meta key, header name), …)}`` for the geo presets in use."""
    return {
        ref: tuple((_meta_key(name), name) for name in names)
        for ref, names in geo_headers().items()
        if ref in presets_used
    }


# Parsing a User-Agent or a page URL is the same work for the same text, and
# sites send few distinct User-Agents and landing pages: remember the latest.
_device_and_os = lru_cache(maxsize=2048)(device_and_os)
_query_parameters = lru_cache(maxsize=2048)(query_parameters)


def request_presets(request, presets_used, now):
    """Preset values of the request, computed only for the presets the audiences read.

    The same values as ``presets_from_headers(request.headers, now=now)``: the
    User-Agent and page URL go through the same parsers (memoized), the rest
    through ``presets_from_headers`` itself.
    """
    headers = {}
    referrer = header(request, "Referer") if "REFERRER" in presets_used else None
    if referrer:
        headers["Referer"] = referrer
    geo = _geo_meta_keys(presets_used)
    for keys in geo.values():
        for meta_key, name in keys:
            value = request.META.get(meta_key)
            if value:
                headers[name] = _utf8(value[:200])
    # A ref with no header names reads none (an empty mapping would mean the defaults).
    presets = presets_from_headers(
        headers,
        now=now,
        geo={ref: [name for _, name in keys] for ref, keys in geo.items()} or {"COUNTRY": ()},
    )
    if "DEVICE_TYPE" in presets_used or "OPERATING_SYSTEM" in presets_used:
        user_agent = header(request, "User-Agent")
        if user_agent:
            presets["DEVICE_TYPE"], presets["OPERATING_SYSTEM"] = _device_and_os(user_agent)
    if "QUERY_PARAMETERS" in presets_used:
        page_url = header(request, "X-Page-Url")
        if page_url:
            presets["QUERY_PARAMETERS"] = _query_parameters(page_url)
    return presets
