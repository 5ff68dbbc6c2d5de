"""Every API route and method answers anonymous callers, non-members, Members and
Owners as declared; adding a route or a method without a case fails here."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.urls import reverse

from personalize_admin.experiences import services as experience_services
from personalize_admin.projects.models import Membership
from tests.api.conftest import token_for
from tests.factories import (
    AttributeFactory,
    AudienceFactory,
    EventFactory,
    UserFactory,
    make_experience,
    make_project,
    segmented_variants,
)
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


def made(factory):
    """URL kwargs for a fresh object of the matrix project."""

    def kwargs(ctx):
        return {"uid": factory(project=ctx.project).uid}

    return kwargs


def experience_in(state):
    """URL kwargs for an experience of the matrix project: ``draft`` (never activated),
    ``active``, ``paused`` or ``pending`` (active with a draft)."""

    def kwargs(ctx):
        made = make_experience(project=ctx.project, actor=ctx.owner, activate=state != "draft")
        if state == "paused":
            experience_services.pause_version(version=made.versions.get(), actor=ctx.owner)
        if state == "pending":
            experience_services.create_draft(experience=made, actor=ctx.owner)
        ctx.extra["experience"] = made
        return {"uid": made.uid}

    return kwargs


def version_of(state, which):
    """URL kwargs for the ``draft`` or ``live`` version of an experience in ``state``."""

    def kwargs(ctx):
        uid = experience_in(state)(ctx)["uid"]
        experience = ctx.extra["experience"]
        version = experience.draft if which == "draft" else experience.live_version
        return {"uid": uid, "versionUid": version.uid}

    return kwargs


def audience_body(ctx):
    return {"name": "Visitors from Canada", "definition": AudienceFactory.build().definition}


def draft_body(ctx):
    return {"variants": segmented_variants([AudienceFactory(project=ctx.project)])}


def full_order(ctx):
    uids = [make_experience(project=ctx.project, actor=ctx.owner).uid for _ in range(2)]
    return {"priorityOrder": list(reversed(uids))}


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
    # Project content: Members may do everything Owners may, as in the UI.
    ApiCase("api:attributes", kwargs=NO_KWARGS),
    ApiCase(
        "api:attributes",
        "POST",
        kwargs=NO_KWARGS,
        body=lambda ctx: {"name": "Plan", "key": "plan"},
        member=201,
        owner=201,
    ),
    ApiCase("api:attribute", kwargs=made(AttributeFactory)),
    ApiCase(
        "api:attribute",
        "PUT",
        kwargs=made(AttributeFactory),
        body=lambda ctx: {"name": "Plan", "key": "plan", "type": "STRING"},
    ),
    ApiCase("api:attribute", "DELETE", kwargs=made(AttributeFactory), member=204, owner=204),
    ApiCase("api:events", kwargs=NO_KWARGS),
    ApiCase(
        "api:events",
        "POST",
        kwargs=NO_KWARGS,
        body=lambda ctx: {"key": "signup"},
        member=201,
        owner=201,
    ),
    ApiCase("api:event", kwargs=made(EventFactory)),
    ApiCase("api:event", "PUT", kwargs=made(EventFactory), body=lambda ctx: {"key": "signup"}),
    ApiCase("api:event", "DELETE", kwargs=made(EventFactory), member=204, owner=204),
    ApiCase("api:audiences", kwargs=NO_KWARGS),
    ApiCase("api:audiences", "POST", kwargs=NO_KWARGS, body=audience_body, member=201, owner=201),
    ApiCase("api:audience", kwargs=made(AudienceFactory)),
    ApiCase("api:audience", "PUT", kwargs=made(AudienceFactory), body=audience_body),
    ApiCase("api:audience", "DELETE", kwargs=made(AudienceFactory), member=204, owner=204),
    ApiCase("api:experiences", kwargs=NO_KWARGS),
    ApiCase(
        "api:experiences",
        "POST",
        kwargs=NO_KWARGS,
        body=lambda ctx: {"name": "Homepage hero", "__type": "AB_TEST"},
        member=201,
        owner=201,
    ),
    ApiCase("api:experience", kwargs=experience_in("active")),
    ApiCase(
        "api:experience",
        "PUT",
        kwargs=experience_in("active"),
        body=lambda ctx: {"name": "Renamed", "tags": ["spring"]},
    ),
    ApiCase("api:experience", "DELETE", kwargs=experience_in("active"), member=204, owner=204),
    ApiCase("api:versions", kwargs=experience_in("pending")),
    ApiCase(
        "api:versions",
        "POST",
        kwargs=experience_in("active"),
        body=lambda ctx: {"status": "DRAFT"},
        member=201,
        owner=201,
    ),
    ApiCase("api:version", kwargs=version_of("pending", "live")),
    ApiCase("api:version", "PUT", kwargs=version_of("draft", "draft"), body=draft_body),
    ApiCase(
        "api:version",
        "PATCH",
        kwargs=version_of("active", "live"),
        body=lambda ctx: {"status": "PAUSED"},
    ),
    ApiCase("api:version", "DELETE", kwargs=version_of("pending", "draft"), member=204, owner=204),
    ApiCase("api:experiences-priority", kwargs=NO_KWARGS),
    ApiCase("api:experiences-priority", "PUT", kwargs=NO_KWARGS, body=full_order),
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
