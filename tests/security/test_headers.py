"""Response headers: the Content-Security-Policy on every page, and with DEBUG off
(the production settings, read from the environment) secure cookies, HSTS,
nosniff, referrer policy and framing refused."""

import importlib

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory, make_project
from tests.helpers.permissions import Context, load_cases

GET_CASES = [case for case in load_cases() if case.method == "get"]


def assert_strict_csp(response, what):
    policy = response.get("Content-Security-Policy")
    assert policy, f"{what} ({response.status_code}) has no Content-Security-Policy header"
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    script_src = directives.get("script-src", directives.get("default-src", ""))
    assert "'self'" in script_src, f"{what}: {policy}"
    for unsafe in ("unsafe-inline", "unsafe-eval", "*", "data:", "http:", "https:"):
        assert unsafe not in script_src.split() and f"'{unsafe}'" not in script_src.split(), (
            f"{what}: script-src allows {unsafe}: {policy}"
        )
    assert "unsafe-inline" not in directives.get("style-src", ""), f"{what}: {policy}"
    assert directives.get("frame-ancestors") == "'none'", f"{what}: {policy}"
    assert directives.get("object-src") == "'none'", f"{what}: {policy}"


@pytest.fixture
def people(db):
    owner = UserFactory(username="csp-owner")
    member = UserFactory(username="csp-member")
    outsider = UserFactory(username="csp-outsider")
    project = make_project(owner=owner, members=[member], name="CSP")
    return Context(project=project, owner=owner, member=member, outsider=outsider)


@pytest.mark.parametrize("case", GET_CASES, ids=[case.id for case in GET_CASES])
def test_every_ui_page_sends_a_strict_csp(client, people, case):
    client.force_login(people.owner)
    url = reverse(case.name, kwargs=case.kwargs(people)) + case.query
    headers = {"HX-Request": "true"} if case.htmx else {}
    response = client.get(url, headers=headers)
    assert response.status_code in case.expected("owner")
    assert_strict_csp(response, url)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/signin/", "/admin/login/", "/nothing/here/", "/api/projects", "/api/nothing", "/healthz"],
)
def test_public_pages_and_errors_send_a_strict_csp(client, path):
    assert_strict_csp(client.get(path), path)


@pytest.mark.django_db
def test_admin_and_api_docs_send_a_strict_csp(client):
    admin = UserFactory(username="csp-admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    for path in ("/admin/", "/admin/auth/user/", "/api/docs", "/api/openapi"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict_csp(response, path)


def test_forbidden_page_sends_a_strict_csp(client, people):
    client.force_login(people.member)
    response = client.get(reverse("projects:settings", args=[people.project.uid]))
    assert response.status_code == 403
    assert_strict_csp(response, "403")


def test_csrf_failure_page_sends_a_strict_csp(people):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.owner)
    response = browser.post(reverse("projects:settings", args=[people.project.uid]))
    assert response.status_code == 403
    assert_strict_csp(response, "CSRF failure")


def test_bad_request_page_explains_and_sends_a_strict_csp(client, people):
    client.force_login(people.owner)
    fields = {f"field{i}": "1" for i in range(2000)}  # over DATA_UPLOAD_MAX_NUMBER_FIELDS
    response = client.post(reverse("projects:settings", args=[people.project.uid]), fields)
    assert response.status_code == 400
    assert b"too many fields" in response.content
    assert people.owner.username.encode() in response.content  # the full page, signed in
    assert_strict_csp(response, "400")


@pytest.mark.urls("tests.security.urls")
@pytest.mark.django_db
def test_server_error_page_sends_a_strict_csp(client):
    client.raise_request_exception = False
    response = client.get("/__broken__/")
    assert response.status_code == 500
    assert_strict_csp(response, "500")


@pytest.mark.django_db
def test_unavailable_answer_sends_a_strict_csp(client, monkeypatch):
    def unreachable():
        raise OSError("database down")

    monkeypatch.setattr(connection, "cursor", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert_strict_csp(response, "503")


# ---------------------------------------------------------------------------
# Production settings: DEBUG off, everything else left to its default.

SECURITY_SETTINGS = (
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SECURE_CSP",
)


@pytest.fixture
def production(monkeypatch, settings):
    """The settings module as a deployment without overrides reads it, applied."""
    import personalize_admin.settings as settings_module

    for name in ("DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SECURE_HSTS_SECONDS", raising=False)
    monkeypatch.delenv("SESSION_COOKIE_AGE", raising=False)
    reloaded = importlib.reload(settings_module)
    try:
        for name in SECURITY_SETTINGS:
            setattr(settings, name, getattr(reloaded, name))
        yield reloaded
    finally:
        importlib.reload(settings_module)


def test_production_settings_are_secure(production):
    assert production.DEBUG is False
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SESSION_COOKIE_HTTPONLY and production.CSRF_COOKIE_HTTPONLY
    assert production.SESSION_COOKIE_SAMESITE == production.CSRF_COOKIE_SAMESITE == "Lax"
    assert 3600 <= production.SESSION_COOKIE_AGE <= 7 * 24 * 3600
    assert production.SECURE_SSL_REDIRECT
    assert production.SECURE_HSTS_SECONDS >= 31_536_000


@pytest.mark.django_db
def test_production_redirects_plain_http_to_https(production):
    response = Client().get("/signin/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_production_pages_send_security_headers(production):
    response = Client().get("/signin/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert_strict_csp(response, "/signin/ in production")


@pytest.mark.django_db
def test_production_cookies_are_secure_httponly_and_lax(production):
    user = UserFactory(username="cookie-user")
    browser = Client()
    browser.get("/signin/", secure=True)
    csrf = browser.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = browser.post(
        "/signin/", {"username": user.username, "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert 3600 <= int(session["max-age"]) <= 7 * 24 * 3600
