"""Every API route and method answers anonymous callers, non-members, Members and
Owners as declared; adding a route or a method without a case fails here."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.urls import reverse

from personalize_admin.projects.models import Membership
from tests.api.conftest import token_for
from tests.factories import UserFactory, make_project
from tests.helpers.api import ApiClient
from tests.helpers.permissions import LOGIN, ROLES, Context, iter_named_urls

METHODS = ("get", "post", "put", "patch", "delete")
PROJECT = lambda ctx: {"uid": ctx.project.uid}  # noqa: E731
NO_KWARGS = lambda ctx: {}  # noqa: E731


def live_experience(ctx):
    """URL kwargs for a live experience of the matrix project."""
    from tests.factories import make_experience

    made = make_experience(project=ctx.project, actor=ctx.owner, activate=True)
    return {"uid": made.uid}


def member_of(ctx, user):
    membership = Membership.objects.get(project=ctx.project, user=user)
    return {"uid": ctx.project.uid, "userId": membership.user_id}


@dataclass
class ApiCase:
    name: str
    method: str = "GET"
    kwargs: Callable[[Context], dict] = PROJECT
    body: Callable[[Context], dict] | None = None
    session: bool = False  # a page for browsers: signed in with a session, not a token
    anonymous: object = 401
    outsider: object = 404
    member: object = 200
    owner: object = 200

    @property
    def id(self):
        return f"{self.name}[{self.method}]"


CASES = [
    ApiCase("api:projects", kwargs=NO_KWARGS, outsider=200),
    # Creating projects needs projects.add_project; test_views_projects covers those who have it.
    ApiCase(
        "api:projects",
        "POST",
        kwargs=NO_KWARGS,
        body=lambda ctx: {"name": "New"},
        outsider=403,
        member=403,
        owner=403,
    ),
    ApiCase("api:project"),
    ApiCase("api:project", "PUT", body=lambda ctx: {"name": "Renamed"}, member=403),
    ApiCase("api:project", "DELETE", member=403, owner=204),
    ApiCase("api:members", member=403),
    ApiCase(
        "api:members",
        "POST",
        body=lambda ctx: {"user": ctx.extra["newcomer"].username, "role": "MEMBER"},
        member=403,
        owner=201,
    ),
    ApiCase(
        "api:member",
        "PUT",
        kwargs=lambda ctx: member_of(ctx, ctx.member),
        body=lambda ctx: {"role": "OWNER"},
        member=403,
    ),
    ApiCase(
        "api:member", "DELETE", kwargs=lambda ctx: member_of(ctx, ctx.member), member=403, owner=204
    ),
    ApiCase("api:analytics-summary", kwargs=live_experience),
    ApiCase("api:analytics-time-series", kwargs=live_experience),
    ApiCase("api:openapi", kwargs=NO_KWARGS, outsider=200),
    ApiCase("api:docs", kwargs=NO_KWARGS, session=True, anonymous=LOGIN, outsider=200),
    # Unknown paths answer 404 to everyone, before any authentication.
    ApiCase(
        "api:not-found",
        kwargs=lambda ctx: {"path": "nothing/here"},
        anonymous=404,
        outsider=404,
        member=404,
        owner=404,
    ),
]


def api_routes():
    """``{(url name, METHOD)}`` for every route in the ``api`` namespace."""
    routes = set()
    for namespace, name, pattern in iter_named_urls():
        if namespace != "api":
            continue
        view_class = getattr(pattern.callback, "view_class", None)
        methods = [
            m for m in METHODS if view_class is None and m == "get" or hasattr(view_class, m)
        ]
        routes.update((f"api:{name}", method.upper()) for method in methods)
    return routes


def test_every_api_route_and_method_has_a_case():
    declared = {(case.name, case.method) for case in CASES}
    routes = api_routes()
    missing = sorted(routes - declared)
    assert not missing, f"API routes without a permission case: {missing}"
    unknown = sorted(declared - routes)
    assert not unknown, f"Cases for API routes that do not exist: {unknown}"


@pytest.fixture
def matrix(db):
    owner = UserFactory(username="perm-owner")
    member = UserFactory(username="perm-member")
    outsider = UserFactory(username="perm-outsider")
    project = make_project(owner=owner, members=[member], name="Permission Matrix")
    # The outsider owns another project, so "non-member" means "member elsewhere".
    make_project(owner=outsider, name="Outsider's Project")
    return Context(
        project=project,
        owner=owner,
        member=member,
        outsider=outsider,
        extra={"newcomer": UserFactory(username="perm-newcomer")},
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_api_route_answers_role_as_declared(client, matrix, case, role):
    url = reverse(case.name, kwargs=case.kwargs(matrix))
    token = None
    if role != "anonymous" and case.session:
        client.force_login(getattr(matrix, role))
    elif role != "anonymous":
        token = token_for(getattr(matrix, role))
    api = ApiClient(client, token=token, project=matrix.project)
    response = api.request(case.method, url, case.body(matrix) if case.body else None)
    expected = getattr(case, role)
    if expected == LOGIN:
        assert response.status_code == 302, f"{role} {case.method} {url}: {response.status_code}"
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    else:
        assert response.status_code == expected, (
            f"{role} {case.method} {url}: expected {expected}, "
            f"got {response.status_code}: {response.content[:200]!r}"
        )
