"""Preset values from request headers."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.test import RequestFactory

from personalize_admin.audiences.rules import presets_from_headers
from personalize_admin.audiences.rules.presets import query_parameters

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1"
)
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 "
    "Mobile/15E148 Safari/604.1"
)
ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"
LINUX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
CHROMEBOOK = (
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)


@pytest.mark.parametrize(
    ("user_agent", "device", "system"),
    [
        (IPHONE, "Mobile", "iOS"),
        (IPAD, "Tablet", "iOS"),
        (ANDROID_PHONE, "Mobile", "Android"),
        (ANDROID_TABLET, "Tablet", "Android"),
        (MAC, "Desktop", "MacOS"),
        (WINDOWS, "Desktop", "Windows"),
        (LINUX, "Desktop", "Linux"),
        (CHROMEBOOK, "Desktop", "ChromeOS"),
        ("curl/8.5.0", "Desktop", "Other"),
    ],
)
def test_user_agent_gives_device_type_and_operating_system(user_agent, device, system):
    presets = presets_from_headers({"User-Agent": user_agent}, now=NOW)
    assert (presets["DEVICE_TYPE"], presets["OPERATING_SYSTEM"]) == (device, system)


def test_missing_headers_leave_presets_missing_except_the_time():
    assert presets_from_headers({}, now=NOW) == {"DATE_AND_TIME": NOW}


def test_time_is_given_in_utc():
    local = NOW.astimezone(timezone(timedelta(hours=2)))
    assert presets_from_headers({}, now=local)["DATE_AND_TIME"].utcoffset() == timedelta(0)


def test_page_url_gives_query_parameters_with_repeated_names_as_lists():
    presets = presets_from_headers(
        {"X-Page-Url": "https://shop.example/p?utm_source=mail&tag=a&tag=b&empty="}, now=NOW
    )
    assert presets["QUERY_PARAMETERS"] == {"utm_source": "mail", "tag": ["a", "b"], "empty": ""}


def test_query_parameters_are_bounded():
    url = "https://x.example/?" + "&".join(f"p{i}=v" for i in range(5000))
    assert len(query_parameters(url)) == 100


def test_page_url_without_query_gives_no_parameters():
    assert (
        presets_from_headers({"X-Page-Url": "https://x.example/"}, now=NOW)["QUERY_PARAMETERS"]
        == {}
    )


def test_referer_gives_referrer():
    assert (
        presets_from_headers({"Referer": "https://news.example/a"}, now=NOW)["REFERRER"]
        == "https://news.example/a"
    )


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"CF-IPCountry": "us"}, {"COUNTRY": "US"}),
        ({"CF-IPCountry": "XX"}, {}),
        (
            {
                "CloudFront-Viewer-Country": "DE",
                "CloudFront-Viewer-Country-Region": "BY",
                "CloudFront-Viewer-City": "Munich",
            },
            {"COUNTRY": "DE", "REGION": "BY", "CITY": "Munich"},
        ),
        ({"X-Vercel-IP-City": "San%20Francisco"}, {"CITY": "San Francisco"}),
        ({"X-Country": "FR", "CF-IPCountry": "US"}, {"COUNTRY": "US"}),
        ({"X-Country": "  "}, {}),
    ],
)
def test_geo_headers_give_country_region_and_city(headers, expected):
    presets = presets_from_headers(headers, now=NOW)
    assert {
        ref: presets[ref] for ref in ("COUNTRY", "REGION", "CITY") if ref in presets
    } == expected


def test_geo_headers_are_configurable(settings):
    settings.PERSONALIZE_GEO_HEADERS = {"COUNTRY": ["X-Geo-Country"]}
    assert (
        presets_from_headers({"X-Geo-Country": "ca", "CF-IPCountry": "US"}, now=NOW)["COUNTRY"]
        == "CA"
    )


def test_django_request_headers_work():
    request = RequestFactory().get(
        "/",
        HTTP_USER_AGENT=IPHONE,
        HTTP_CF_IPCOUNTRY="NL",
        HTTP_X_PAGE_URL="https://x.example/?a=1",
    )
    presets = presets_from_headers(request.headers, now=NOW)
    assert (presets["DEVICE_TYPE"], presets["COUNTRY"], presets["QUERY_PARAMETERS"]) == (
        "Mobile",
        "NL",
        {"a": "1"},
    )
