"""CSRF: every state-changing request of the web UI and of the API's browser
sessions needs the token; without it the answer is 403 and nothing changes.

The walk is generic: it takes every unsafe case of the permission matrix
(``tests/<app>/permission_cases.py``), and fails when a view that accepts an
unsafe method has no case for it or is exempt from CSRF without a reason.
"""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.api.conftest import token_for
from tests.api.test_permissions import CASES as API_CASES
from tests.factories import PASSWORD, UserFactory, make_project
from tests.helpers.api import ApiClient
from tests.helpers.permissions import EXEMPT_NAMESPACES, Context, iter_named_urls, load_cases
from tests.helpers.snapshot import assert_unchanged, database_state

UNSAFE = ("post", "put", "patch", "delete")
UI_CASES = [
    case
    for case in load_cases()
    if case.method in UNSAFE and case.name.split(":")[0] not in ("edge", "api")
]
API_UNSAFE_CASES = [case for case in API_CASES if case.method.lower() in UNSAFE]

# Views that take unsafe requests without a CSRF token, with the reason.
CSRF_EXEMPT_NAMESPACES = {
    "edge": "the public Edge API: no cookies or sessions grant anything there, the SDK calls "
    "it cross-origin without credentials (tests/edge/permission_cases.py)",
    "api": "Django REST framework enforces CSRF itself for session-authenticated callers "
    "(tested below); token callers need none",
}


def _unsafe_methods(view_class):
    allowed = getattr(view_class, "http_method_names", UNSAFE)
    return [m for m in UNSAFE if m in allowed and hasattr(view_class, m)]


def test_no_ui_view_is_exempt_from_csrf():
    """A view added with ``@csrf_exempt`` outside the Edge API and the API fails here."""
    exempt = []
    for namespace, name, pattern in iter_named_urls():
        if namespace and namespace.split(":")[0] in CSRF_EXEMPT_NAMESPACES:
            continue
        if getattr(pattern.callback, "csrf_exempt", False):
            exempt.append(f"{namespace}:{name}" if namespace else name)
    assert not exempt, f"Views exempt from CSRF checks: {exempt}"


def test_every_unsafe_method_of_every_ui_view_has_a_case():
    """A view that takes POST (PUT, PATCH, DELETE) needs a case that sends it, so the
    walk below covers routes added later."""
    declared = {(case.name, case.method) for case in UI_CASES}
    missing = []
    for namespace, name, pattern in iter_named_urls():
        top = namespace.split(":")[0] if namespace else None
        if top in EXEMPT_NAMESPACES or top in CSRF_EXEMPT_NAMESPACES or name in ("login", "logout"):
            continue
        full_name = f"{namespace}:{name}" if namespace else name
        view_class = getattr(pattern.callback, "view_class", None)
        for method in _unsafe_methods(view_class) if view_class else ():
            if (full_name, method) not in declared:
                missing.append(f"{full_name} {method.upper()}")
    assert not missing, f"Unsafe methods without a case in any permission_cases.py: {missing}"


@pytest.fixture
def people(db):
    owner = UserFactory(username="csrf-owner")
    member = UserFactory(username="csrf-member")
    outsider = UserFactory(username="csrf-outsider")
    project = make_project(owner=owner, members=[member], name="CSRF")
    make_project(owner=outsider, name="Elsewhere")
    return Context(
        project=project,
        owner=owner,
        member=member,
        outsider=outsider,
        extra={"newcomer": UserFactory(username="csrf-newcomer")},
    )


def _csrf_token(browser):
    """The CSRF token a page gives the signed-in browser."""
    response = browser.get(reverse("tokens:list"))
    assert response.status_code == 200
    return browser.cookies["csrftoken"].value


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize("case", UI_CASES, ids=[case.id for case in UI_CASES])
def test_ui_unsafe_request_without_csrf_token_is_refused_and_changes_nothing(people, case, htmx):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.owner)
    url = reverse(case.name, kwargs=case.kwargs(people)) + case.query
    data = case.data(people) if case.data else {}
    headers = {"HX-Request": "true"} if htmx or case.htmx else {}
    before = database_state()

    refused = getattr(browser, case.method)(url, data=data, headers=headers)

    assert refused.status_code == 403, f"{case.id} without a token: {refused.status_code}"
    assert_unchanged(before, database_state(), f"{case.id} without a CSRF token")

    # The same request with the token is accepted, so the refusal was the token's doing.
    token = _csrf_token(browser)
    accepted = getattr(browser, case.method)(
        url, data=data, headers={**headers, "X-CSRFToken": token}
    )
    # htmx gets redirects as HX-Redirect (200) instead of a 30x.
    redirected = htmx and accepted.status_code == 200 and "HX-Redirect" in accepted
    assert accepted.status_code in case.expected("owner") or redirected, (
        f"{case.id} with a token: {accepted.status_code}"
    )


UI_PAGES = {
    case.name: case
    for case in load_cases()
    if case.method == "get" and not case.query and case.name.split(":")[0] not in ("edge", "api")
}


@pytest.mark.parametrize("name", sorted(UI_PAGES))
def test_ui_methods_a_view_does_not_take_answer_405(people, name):
    """With a valid token, PUT/PATCH/DELETE on a page that only takes GET and POST is
    refused with 405, never dispatched to a method of the same name (a 500)."""
    case = UI_PAGES[name]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.owner)
    url = reverse(case.name, kwargs=case.kwargs(people))
    token = _csrf_token(browser)
    declared = {case.method for case in UI_CASES if case.name == name}
    before = database_state()
    for method in ("put", "patch", "delete"):
        if method in declared:
            continue
        response = getattr(browser, method)(url, headers={"X-CSRFToken": token})
        # Pages the owner may not use at all (projects:create) refuse before the method check.
        allowed = {405, 403} if 403 in case.expected("owner") else {405}
        assert response.status_code in allowed, f"{method.upper()} {url}: {response.status_code}"
    assert_unchanged(before, database_state(), f"PUT/PATCH/DELETE {url}")


@pytest.mark.django_db
def test_sign_in_without_csrf_token_is_refused():
    UserFactory(username="csrf-login")
    browser = Client(enforce_csrf_checks=True)
    refused = browser.post(reverse("login"), {"username": "csrf-login", "password": PASSWORD})
    assert refused.status_code == 403
    assert "_auth_user_id" not in browser.session


@pytest.mark.django_db
def test_sign_out_without_csrf_token_is_refused(owner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    assert browser.post(reverse("logout")).status_code == 403
    assert browser.session.get("_auth_user_id") == str(owner.pk)
    token = _csrf_token(browser)
    assert browser.post(reverse("logout"), headers={"X-CSRFToken": token}).status_code == 302
    assert "_auth_user_id" not in browser.session


@pytest.fixture
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("case", API_UNSAFE_CASES, ids=[case.id for case in API_UNSAFE_CASES])
def test_api_session_write_without_csrf_token_is_refused(people, case, _fresh_throttles):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.owner)
    url = reverse(case.name, kwargs=case.kwargs(people))
    body = case.body(people) if case.body else None
    api = ApiClient(browser, project=people.project)
    before = database_state()

    refused = api.request(case.method, url, body)

    if case.name == "api:not-found":
        assert refused.status_code == 404  # answers every method alike, before authentication
        return
    assert refused.status_code == 403, f"{case.id}: {refused.status_code}"
    assert "CSRF" in refused.json()["message"]
    assert_unchanged(before, database_state(), f"{case.id} without a CSRF token")

    token = _csrf_token(browser)
    accepted = ApiClient(browser, project=people.project).request(
        case.method, url, body, headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == case.owner, f"{case.id} with a token: {accepted.status_code}"


@pytest.mark.parametrize("case", API_UNSAFE_CASES, ids=[case.id for case in API_UNSAFE_CASES])
def test_api_token_write_needs_no_csrf_token(people, case, _fresh_throttles):
    browser = Client(enforce_csrf_checks=True)
    url = reverse(case.name, kwargs=case.kwargs(people))
    body = case.body(people) if case.body else None
    api = ApiClient(browser, token=token_for(people.owner), project=people.project)
    response = api.request(case.method, url, body)
    assert response.status_code == case.owner, f"{case.id}: {response.status_code}"
