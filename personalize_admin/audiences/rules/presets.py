"""Preset attribute values from a request's headers.

``presets_from_headers(headers, *, now)`` returns ``{ref: value}`` for the
presets the request tells: ``DEVICE_TYPE`` and ``OPERATING_SYSTEM`` from the
User-Agent (parsed with ua-parser), ``QUERY_PARAMETERS`` from ``X-Page-Url``
(a dict of parameter → value, a list of values when one repeats),
``REFERRER`` from ``Referer``, ``COUNTRY``/``REGION``/``CITY`` from the geo
headers a CDN or proxy sets, and ``DATE_AND_TIME`` (``now``, in UTC). A preset
the request does not tell is left out, so rules on it see a missing value.

Which geo headers count is configurable with ``settings.PERSONALIZE_GEO_HEADERS``
(``{"COUNTRY": [...], "REGION": [...], "CITY": [...]}``, first header present
wins); the default knows Cloudflare, CloudFront, Vercel, App Engine, Fastly
and a plain ``X-Country``/``X-Region``/``X-City`` set by your own proxy.
"""

from collections.abc import Mapping
from datetime import UTC
from urllib.parse import parse_qsl, unquote, urlsplit

import ua_parser
from django.conf import settings
from django.utils.datastructures import CaseInsensitiveMapping

DEFAULT_GEO_HEADERS = {
    "COUNTRY": [
        "CF-IPCountry",
        "CloudFront-Viewer-Country",
        "X-Vercel-IP-Country",
        "X-AppEngine-Country",
        "Fastly-Geo-Country",
        "X-Country",
        "X-Country-Code",
    ],
    "REGION": [
        "CF-Region-Code",
        "CloudFront-Viewer-Country-Region",
        "X-Vercel-IP-Country-Region",
        "X-AppEngine-Region",
        "Fastly-Geo-Region",
        "X-Region",
    ],
    "CITY": [
        "CF-IPCity",
        "CloudFront-Viewer-City",
        "X-Vercel-IP-City",
        "X-AppEngine-City",
        "Fastly-Geo-City",
        "X-City",
    ],
}

MAX_USER_AGENT = 1024
MAX_URL = 4096
MAX_QUERY_PARAMETERS = 100
MAX_GEO_VALUE = 100
# Cloudflare's "unknown" and "Tor" pseudo-countries, and App Engine's "unknown".
UNKNOWN_COUNTRIES = {"XX", "T1", "ZZ"}

_TABLET_DEVICES = (
    "ipad",
    "kindle",
    "playbook",
    "galaxy tab",
    "xoom",
    "nexus 7",
    "nexus 9",
    "nexus 10",
    "tablet",
)
_MOBILE_OS = {
    "ios",
    "android",
    "windows phone",
    "blackberry os",
    "blackberry tablet os",
    "symbian os",
    "firefox os",
    "kaios",
    "tizen",
    "harmonyos",
    "sailfish",
}


def geo_headers():
    return getattr(settings, "PERSONALIZE_GEO_HEADERS", DEFAULT_GEO_HEADERS)


def _lookup(headers):
    """A case-insensitive ``get`` for Django's ``request.headers`` or a plain dict."""
    if isinstance(headers, CaseInsensitiveMapping):
        return headers.get
    lowered = {
        str(name).lower(): value
        for name, value in (headers.items() if isinstance(headers, Mapping) else headers)
    }
    return lambda name, default=None: lowered.get(name.lower(), default)


def device_and_os(user_agent):
    """``(DEVICE_TYPE, OPERATING_SYSTEM)`` for a User-Agent string."""
    user_agent = user_agent[:MAX_USER_AGENT]
    result = ua_parser.parse(user_agent)
    os_family = (result.os.family if result.os else "Other") or "Other"
    device_family = ((result.device.family if result.device else "") or "").lower()
    return _device_type(user_agent, os_family, device_family), _operating_system(os_family)


def _device_type(user_agent, os_family, device_family):
    text = user_agent.lower()
    os_name = os_family.lower()
    if any(name in device_family for name in _TABLET_DEVICES) or "tablet" in text:
        return "Tablet"
    # Android tablets leave "Mobile" out of their User-Agent; phones put it in.
    if os_name == "android" and "mobile" not in text:
        return "Tablet"
    if device_family in ("iphone", "ipod") or os_name in _MOBILE_OS or "mobi" in text:
        return "Mobile"
    return "Desktop"


def _operating_system(os_family):
    name = os_family.lower()
    if name in ("mac os x", "macos", "mac os"):
        return "MacOS"
    if name.startswith("windows") and "phone" not in name:
        return "Windows"
    if name == "android":
        return "Android"
    if name in ("ios", "ipados"):
        return "iOS"
    if name in ("chrome os", "chromeos"):
        return "ChromeOS"
    if name in (
        "linux",
        "ubuntu",
        "debian",
        "fedora",
        "red hat",
        "suse",
        "opensuse",
        "arch linux",
        "gentoo",
        "mint",
        "linux mint",
        "kubuntu",
        "xubuntu",
        "centos",
        "mandriva",
        "slackware",
    ):
        return "Linux"
    return "Other"


def query_parameters(page_url):
    """The page URL's query parameters: ``{name: value}``, a list when a name repeats."""
    query = urlsplit(page_url[:MAX_URL]).query
    pairs = query.split("&", MAX_QUERY_PARAMETERS)[:MAX_QUERY_PARAMETERS]
    parameters = {}
    for name, value in parse_qsl("&".join(pairs), keep_blank_values=True):
        if name in parameters:
            previous = parameters[name]
            parameters[name] = (
                [*previous, value] if isinstance(previous, list) else [previous, value]
            )
        else:
            parameters[name] = value
    return parameters


def _geo_value(get, names, ref):
    for name in names:
        raw = get(name)
        if raw is None:
            continue
        value = unquote(str(raw)).strip()[:MAX_GEO_VALUE]
        if not value:
            continue
        if ref == "COUNTRY":
            value = value.upper()
            if value in UNKNOWN_COUNTRIES:
                return None
        return value
    return None


def presets_from_headers(headers, *, now, geo=None):
    """Preset values for a request with ``headers`` made at ``now`` (an aware datetime)."""
    get = _lookup(headers)
    presets = {"DATE_AND_TIME": now.astimezone(UTC)}
    user_agent = get("User-Agent")
    if user_agent:
        presets["DEVICE_TYPE"], presets["OPERATING_SYSTEM"] = device_and_os(str(user_agent))
    page_url = get("X-Page-Url")
    if page_url:
        presets["QUERY_PARAMETERS"] = query_parameters(str(page_url))
    referrer = get("Referer")
    if referrer:
        presets["REFERRER"] = str(referrer)[:MAX_URL]
    for ref, names in (geo or geo_headers()).items():
        value = _geo_value(get, names, ref)
        if value is not None:
            presets[ref] = value
    return presets
