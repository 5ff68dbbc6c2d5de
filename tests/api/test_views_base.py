"""``ApiView`` and ``ProjectScopedApiView``, through probe endpoints (tests/api/urls.py)."""

import pytest

from tests.factories import make_project

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]


def get(client, path, token=None, project_uid=None, **headers):
    if token:
        headers["authtoken"] = token
    if project_uid is not None:
        headers["x-project-uid"] = project_uid
    return client.get(path, headers=headers)


def test_scoped_view_resolves_project_from_header(client, member_token, project):
    response = get(client, "/api/probe/scoped", member_token, project.uid)
    assert response.status_code == 200
    assert response.json() == {"project": project.uid, "role": "MEMBER"}


def test_scoped_view_strips_spaces_around_the_uid(client, owner_token, project):
    response = get(client, "/api/probe/scoped", owner_token, f"  {project.uid} ")
    assert response.json()["project"] == project.uid


@pytest.mark.parametrize("value", [None, "", "   "], ids=["missing", "empty", "blank"])
def test_scoped_view_without_project_header_answers_400(client, owner_token, value):
    response = get(client, "/api/probe/scoped", owner_token, value)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "personalize.PROJECT_UID_REQUIRED"
    assert "x-project-uid" in body["message"]


@pytest.mark.parametrize("value", ["not-a-uid", "0" * 24, "A" * 24, "🙂", "' OR 1=1 --"])
def test_scoped_view_with_unknown_or_malformed_project_answers_404(
    client, owner_token, project, value
):
    response = get(client, "/api/probe/scoped", owner_token, value)
    assert response.status_code == 404
    assert response.json()["error"] == "personalize.NOT_FOUND"


def test_scoped_view_for_non_member_answers_404_like_a_missing_project(
    client, outsider_token, project
):
    theirs = get(client, "/api/probe/scoped", outsider_token, project.uid)
    missing = get(client, "/api/probe/scoped", outsider_token, "f" * 24)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


def test_scoped_view_for_superuser_acts_as_owner(client, project):
    from tests.api.conftest import token_for
    from tests.factories import UserFactory

    admin = UserFactory(is_superuser=True)
    response = get(client, "/api/probe/scoped", token_for(admin), project.uid)
    assert response.json()["role"] == "OWNER"


def test_scoped_view_write_needs_edit_content_by_default(client, member_token, project):
    response = client.post(
        "/api/probe/scoped",
        {"__name": "x"},
        content_type="application/json",
        headers={"authtoken": member_token, "x-project-uid": project.uid},
    )
    assert response.status_code == 201


def test_scoped_view_method_permission_refuses_member_with_403(
    client, member_token, owner_token, project
):
    assert get(client, "/api/probe/owner-read", member_token, project.uid).status_code == 403
    assert get(client, "/api/probe/owner-read", owner_token, project.uid).status_code == 200


def test_scoped_view_checks_authentication_before_the_project(client, project):
    response = get(client, "/api/probe/scoped", None, project.uid)
    assert response.status_code == 401


def test_get_object_or_404_keeps_objects_of_other_projects_hidden(
    client, owner, owner_token, project, outsider
):
    other = make_project(owner=outsider)
    assert get(client, f"/api/probe/lookup/{owner.pk}", owner_token, project.uid).json() == {
        "role": "OWNER"
    }
    # The outsider is a member of another project, not of this one.
    response = get(client, f"/api/probe/lookup/{outsider.pk}", owner_token, project.uid)
    assert response.status_code == 404
    assert response.json()["message"] == "No such membership."
    assert other.memberships.filter(user=outsider).exists()


def test_get_object_or_404_refuses_ids_beyond_the_database_range(client, owner_token, project):
    response = get(client, f"/api/probe/lookup/{10**20}", owner_token, project.uid)
    assert response.status_code == 404


def test_parse_answers_camelcase_and_renamed_fields_as_snake_case(client, owner_token, project):
    body = {
        "__name": "Probe",
        "variants": [{"name": "A", "audiences": ["abc"], "audienceCombinationType": "OR"}],
    }
    response = client.post(
        "/api/probe/scoped",
        body,
        content_type="application/json",
        headers={"authtoken": owner_token, "x-project-uid": project.uid},
    )
    assert response.status_code == 201
    assert response.json()["received"] == {
        "display_name": "Probe",
        "variants": [{"name": "A", "audiences": ["abc"], "audience_combination_type": "OR"}],
    }
