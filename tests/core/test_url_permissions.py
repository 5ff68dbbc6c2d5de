"""Every URL answers anonymous users, non-members, Members and Owners as it should."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory, make_project
from tests.helpers.permissions import LOGIN, ROLES, Context, covered_names_required, load_cases

CASES = load_cases()


def test_every_url_has_a_permission_case():
    """Adding a URL without declaring who may use it fails here."""
    required, unnamed = covered_names_required()
    assert not unnamed, f"URL patterns without a name cannot be checked: {unnamed}"
    covered = {case.name for case in CASES}
    missing = sorted(required - covered)
    assert not missing, (
        "These URLs have no case in any tests/<app>/permission_cases.py: " + ", ".join(missing)
    )
    unknown = sorted(covered - required)
    assert not unknown, f"Cases name URLs that do not exist (or are exempt): {unknown}"


@pytest.fixture
def matrix(db):
    owner = UserFactory(username="perm-owner")
    member = UserFactory(username="perm-member")
    outsider = UserFactory(username="perm-outsider")
    project = make_project(owner=owner, members=[member], name="Permission Matrix")
    # A second project the outsider owns, so "non-member" means "member elsewhere".
    make_project(owner=outsider, name="Outsider's Project")
    return Context(project=project, owner=owner, member=member, outsider=outsider)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_url_answers_role_as_declared(client, matrix, case, role):
    kwargs = case.kwargs(matrix)
    url = reverse(case.name, kwargs=kwargs) + case.query
    if role != "anonymous":
        client.force_login(getattr(matrix, role))
    headers = {"HTTP_HX_REQUEST": "true"} if case.htmx else {}
    data = case.data(matrix) if case.data else {}
    response = getattr(client, case.method)(url, data=data, **headers)
    expected = case.expected(role)
    if expected == LOGIN:
        assert response.status_code == 302, (
            f"{role} {case.method.upper()} {url}: {response.status_code}"
        )
        assert response["Location"].startswith(reverse(settings.LOGIN_URL)), response["Location"]
    else:
        assert response.status_code in expected, (
            f"{role} {case.method.upper()} {url}: expected {expected}, got {response.status_code}"
        )
