"""No route reaches another project's objects.

Two projects with one Owner: every UI and API route that addresses an object is
called with project A in its URL (or ``x-project-uid``) and project B's object,
whose uid differs from A's look-alike object in one character (and version
numbers are the same in both). Each answers 404 and changes nothing. The walk
takes its routes from the permission matrix, so a route added later is covered
as soon as it has a permission case; a route with no case fails there.
"""

import re

import pytest
from django.apps import apps
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.api.conftest import token_for
from tests.api.test_permissions import CASES as API_CASES
from tests.api.test_permissions import api_routes
from tests.factories import UserFactory, make_project
from tests.helpers.api import ApiClient
from tests.helpers.permissions import Context, iter_named_urls, load_cases
from tests.helpers.snapshot import assert_unchanged, database_state

PROJECT_KWARG = "project_uid"
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def route_kwargs():
    """``{full url name: {kwarg names}}`` for every named URL."""
    found = {}

    def walk(resolver, namespace, prefix):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace
                full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
                walk(pattern, full_ns, route)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found[name] = set(CONVERTER.findall(route))

    walk(get_resolver(), None, "")
    return found


ROUTE_KWARGS = route_kwargs()
UI_CASES = [
    case
    for case in load_cases()
    if case.name.split(":")[0] not in ("edge", "tokens")
    and PROJECT_KWARG in ROUTE_KWARGS[case.name]
]
# Routes that name an object inside the project, and routes that name only the project.
UI_OBJECT_CASES = [case for case in UI_CASES if ROUTE_KWARGS[case.name] - {PROJECT_KWARG}]
UI_PROJECT_CASES = [case for case in UI_CASES if not ROUTE_KWARGS[case.name] - {PROJECT_KWARG}]


def _models_with_uid():
    return [
        model
        for model in apps.get_models()
        if any(field.name == "uid" for field in model._meta.concrete_fields)
    ]


def look_alike(uid):
    """``uid`` with its last character changed."""
    return uid[:-1] + ("0" if uid[-1] != "0" else "1")


def give_uid(old, new):
    """Give the object whose uid is ``old`` the uid ``new`` (whatever its model)."""
    changed = sum(
        model._base_manager.filter(uid=old).update(uid=new) for model in _models_with_uid()
    )
    assert changed == 1, f"{old} names {changed} objects"


@pytest.fixture
def two_projects(db):
    owner = UserFactory(username="cross-owner")
    member_a = UserFactory(username="cross-member-a")
    member_b = UserFactory(username="cross-member-b")
    outsider = UserFactory(username="cross-outsider")
    project_a = make_project(owner=owner, members=[member_a], name="Project A")
    project_b = make_project(owner=owner, members=[member_b], name="Project B")
    a = Context(
        project=project_a,
        owner=owner,
        member=member_a,
        outsider=outsider,
        extra={"newcomer": UserFactory(username="cross-newcomer-a")},
    )
    b = Context(
        project=project_b,
        owner=owner,
        member=member_b,
        outsider=outsider,
        extra={"newcomer": UserFactory(username="cross-newcomer-b")},
    )
    return a, b


def crossed_kwargs(case_kwargs, a, b, *, project_kwarg):
    """URL kwargs naming project A and project B's objects, each B uid made a
    look-alike of A's uid for the same kind of object."""
    kwargs_a = case_kwargs(a)
    kwargs_b = case_kwargs(b)
    crossed = {}
    for key, value in kwargs_b.items():
        if key == project_kwarg:
            crossed[key] = a.project.uid
        elif isinstance(value, str) and key in kwargs_a and kwargs_a[key] != value:
            alike = look_alike(kwargs_a[key])
            give_uid(value, alike)
            crossed[key] = alike
        else:
            crossed[key] = value  # numbers: membership ids differ, version numbers do not
    objects = {k: v for k, v in crossed.items() if k != project_kwarg}
    return crossed, kwargs_a, objects


@pytest.mark.parametrize("case", UI_OBJECT_CASES, ids=[case.id for case in UI_OBJECT_CASES])
def test_ui_route_refuses_the_other_projects_object(client, two_projects, case):
    a, b = two_projects
    crossed, kwargs_a, _objects = crossed_kwargs(case.kwargs, a, b, project_kwarg=PROJECT_KWARG)
    client.force_login(a.owner)
    url = reverse(case.name, kwargs=crossed) + case.query
    data = case.data(b) if case.data else {}
    headers = {"HX-Request": "true"} if case.htmx else {}
    before = database_state()
    response = getattr(client, case.method)(url, data=data, headers=headers)
    assert response.status_code == 404, f"{case.id} {url}: {response.status_code}"
    assert_unchanged(before, database_state(), f"{case.id} {url}")
    # The same URL with A's own objects works, so the 404 is about the project.
    own = reverse(case.name, kwargs=kwargs_a) + case.query
    if case.method == "get":
        assert client.get(own, headers=headers).status_code in case.expected("owner")


@pytest.mark.parametrize("case", UI_PROJECT_CASES, ids=[case.id for case in UI_PROJECT_CASES])
def test_ui_look_alike_project_uid_is_a_strangers(client, db, case):
    caller = UserFactory(username="cross-caller")
    stranger = UserFactory(username="cross-stranger")
    mine = make_project(owner=caller, name="Mine")
    theirs = make_project(owner=stranger, name="Theirs")
    give_uid(theirs.uid, look_alike(mine.uid))
    theirs.refresh_from_db()
    ctx = Context(project=theirs, owner=stranger, member=stranger, outsider=caller)
    client.force_login(caller)
    url = reverse(case.name, kwargs=case.kwargs(ctx)) + case.query
    headers = {"HX-Request": "true"} if case.htmx else {}
    data = case.data(ctx) if case.data else {}
    before = database_state()
    response = getattr(client, case.method)(url, data=data, headers=headers)
    assert response.status_code == 404, f"{case.id} {url}: {response.status_code}"
    assert_unchanged(before, database_state(), f"{case.id} {url}")


# --- The Management API -----------------------------------------------------

# Routes that address no object inside a project, with the reason.
API_NOT_ADDRESSING = {
    "api:projects": "the caller's own projects; creating one",
    "api:openapi": "the API's description",
    "api:docs": "the API's documentation page",
    "api:not-found": "answers 404 to everything",
}


def _api_views():
    return {
        f"api:{name}": getattr(pattern.callback, "view_class", None)
        for namespace, name, pattern in iter_named_urls()
        if namespace == "api"
    }


API_VIEWS = _api_views()


def _project_kwarg(name):
    """The URL kwarg that names the project (``None`` when it comes in ``x-project-uid``)."""
    view = API_VIEWS[name]
    if getattr(view, "project_scope", "header") == "path":
        return getattr(view, "project_url_kwarg", "uid")
    return None


def _object_kwargs(name):
    return ROUTE_KWARGS[name] - {_project_kwarg(name)}


# Routes that name an object inside the project, and routes that name only the
# project (in the URL or in x-project-uid): for those a look-alike uid is a stranger's project.
API_OBJECT_CASES = [
    case for case in API_CASES if case.name not in API_NOT_ADDRESSING and _object_kwargs(case.name)
]
API_PROJECT_CASES = [
    case
    for case in API_CASES
    if case.name not in API_NOT_ADDRESSING and not _object_kwargs(case.name)
]


def test_every_api_route_has_a_cross_project_check():
    names = {name for name, _method in api_routes()}
    walked = {case.name for case in API_OBJECT_CASES + API_PROJECT_CASES}
    unchecked = sorted(names - set(API_NOT_ADDRESSING) - walked)
    assert not unchecked, f"API routes not walked with another project's objects: {unchecked}"


@pytest.fixture
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("case", API_OBJECT_CASES, ids=[case.id for case in API_OBJECT_CASES])
def test_api_route_refuses_the_other_projects_object(client, two_projects, case, _fresh_throttles):
    a, b = two_projects
    project_kwarg = _project_kwarg(case.name)
    crossed, _kwargs_a, _objects = crossed_kwargs(case.kwargs, a, b, project_kwarg=project_kwarg)
    url = reverse(case.name, kwargs=crossed)
    api = ApiClient(client, token=token_for(a.owner), project=a.project)
    body = case.body(b) if case.body else None  # may create B's objects: before the snapshot
    before = database_state()
    response = api.request(case.method, url, body)
    assert response.status_code == 404, f"{case.id} {url}: {response.status_code}"
    assert_unchanged(before, database_state(), f"{case.id} {url}")


@pytest.mark.parametrize("case", API_PROJECT_CASES, ids=[case.id for case in API_PROJECT_CASES])
def test_api_look_alike_project_uid_is_a_strangers(client, case, db, _fresh_throttles):
    caller = UserFactory(username="cross-caller")
    stranger = UserFactory(username="cross-stranger")
    mine = make_project(owner=caller, name="Mine")
    theirs = make_project(owner=stranger, name="Theirs")
    give_uid(theirs.uid, look_alike(mine.uid))
    theirs.refresh_from_db()
    ctx = Context(
        project=theirs,
        owner=stranger,
        member=stranger,
        outsider=caller,
        extra={"newcomer": UserFactory(username="cross-newcomer")},
    )
    url = reverse(case.name, kwargs=case.kwargs(ctx))
    # The stranger's project named in the URL or in x-project-uid.
    api = ApiClient(client, token=token_for(caller), project=theirs)
    body = case.body(ctx) if case.body else None
    before = database_state()
    response = api.request(case.method, url, body)
    assert response.status_code == 404, f"{case.id} {url}: {response.status_code}"
    assert_unchanged(before, database_state(), f"{case.id} {url}")
