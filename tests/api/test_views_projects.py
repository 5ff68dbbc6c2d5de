"""``/api/projects`` and ``/api/projects/{uid}`` with their members: the same rules as Settings."""

import re

import pytest
from django.contrib.auth.models import Permission

from personalize_admin.core.models import AuditEntry
from personalize_admin.projects.models import Membership, Project, Role
from tests.api.conftest import token_for
from tests.factories import UserFactory, make_project
from tests.helpers.api import ApiClient
from tests.helpers.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


@pytest.fixture
def creator_api(client):
    creator = UserFactory(username="creator")
    creator.user_permissions.add(Permission.objects.get(codename="add_project"))
    return ApiClient(client, token=token_for(creator))


# ---------- /api/projects ----------


def test_list_projects_shows_only_the_callers_projects(member_api, project, outsider):
    make_project(owner=outsider, name="Not yours")
    response = member_api.get("/api/projects")
    assert response.status_code == 200
    assert [p["uid"] for p in response.json()] == [project.uid]


def test_list_projects_for_superuser_shows_all(client, project, outsider):
    make_project(owner=outsider, name="Another")
    admin_api = ApiClient(client, token=token_for(UserFactory(is_superuser=True)))
    assert sorted(p["name"] for p in admin_api.get("/api/projects").json()) == [
        "Acme Website",
        "Another",
    ]


def test_project_json_is_camelcase_with_utc_timestamps(owner_api, project):
    body = owner_api.get("/api/projects").json()[0]
    assert body == {
        "uid": project.uid,
        "name": "Acme Website",
        "description": "Main site",
        "revision": 1,
        "createdAt": body["createdAt"],
        "updatedAt": body["updatedAt"],
        "createdBy": "olivia",
        "updatedBy": "olivia",
    }
    assert ISO_UTC.match(body["createdAt"]) and ISO_UTC.match(body["updatedAt"])


def test_list_projects_query_count_is_constant(owner, owner_client):
    def add_projects(n):
        for _ in range(n):
            make_project(owner=owner, members=[UserFactory()])

    assert_constant_queries(owner_client, "/api/projects", add_projects, sizes=(1, 15))


def test_list_members_query_count_is_constant(owner, owner_client, project):
    def add_members(n):
        for _ in range(n):
            user = UserFactory()
            Membership.objects.create(project=project, user=user, role=Role.MEMBER)

    assert_constant_queries(
        owner_client, f"/api/projects/{project.uid}/members", add_members, sizes=(1, 15)
    )


def test_create_project_with_permission_makes_caller_owner(creator_api):
    response = creator_api.post("/api/projects", {"name": "Shop", "description": "Online shop"})
    assert response.status_code == 201
    project = Project.objects.get(uid=response.json()["uid"])
    assert (project.name, project.description) == ("Shop", "Online shop")
    assert Membership.objects.get(project=project).role == Role.OWNER
    assert response.json()["createdBy"] == "creator"
    assert AuditEntry.objects.filter(project=project, action="project.create").exists()


def test_create_project_without_permission_answers_403_and_creates_nothing(owner_api):
    response = owner_api.post("/api/projects", {"name": "Shop"})
    assert response.status_code == 403
    assert response.json()["message"] == "You may not create projects. Ask an administrator."
    assert not Project.objects.filter(name="Shop").exists()


def test_create_project_duplicate_name_answers_409_with_spec_code(creator_api, project):
    response = creator_api.post("/api/projects", {"name": "acme website"})
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "personalize.PROJECTS.DUPLICATE_NAME"
    assert list(body["errors"]) == ["name"]
    assert Project.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({}, "personalize.VALIDATION_FAILED", "name"),
        ({"name": ""}, "personalize.VALIDATION_FAILED", "name"),
        ({"name": "   "}, "personalize.VALIDATION_FAILED", "name"),
        ({"name": "n" * 101}, "personalize.VALIDATION_FAILED", "name"),
        ({"name": "Ok", "description": "d" * 2001}, "personalize.VALIDATION_FAILED", "description"),
        ({"name": 12}, "personalize.VALIDATION_FAILED", "name"),
        ({"name": None}, "personalize.VALIDATION_FAILED", "name"),
        ({"name": ["a"]}, "personalize.VALIDATION_FAILED", "name"),
    ],
)
def test_create_project_invalid_body_answers_422_naming_the_field(creator_api, body, code, field):
    response = creator_api.post("/api/projects", body)
    assert response.status_code == 422
    assert response.json()["error"] == code
    assert field in response.json()["errors"]
    assert not Project.objects.exists()


# ---------- /api/projects/{uid} ----------


def test_get_project_as_member(member_api, project):
    response = member_api.get(f"/api/projects/{project.uid}")
    assert response.status_code == 200
    assert response.json()["name"] == "Acme Website"


def test_get_unknown_project_answers_404(owner_api):
    assert owner_api.get(f"/api/projects/{'a' * 24}").status_code == 404
    assert owner_api.get("/api/projects/not-a-uid").status_code == 404


def test_put_project_renames_and_bumps_revision(owner_api, project):
    response = owner_api.put(
        f"/api/projects/{project.uid}", {"name": "Acme Shop", "description": "New"}
    )
    assert response.status_code == 200
    assert response.json()["revision"] == 2
    project.refresh_from_db()
    assert (project.name, project.description, project.revision) == ("Acme Shop", "New", 2)


def test_put_project_replaces_the_whole_object(owner_api, project):
    """PUT is a full replacement: an omitted description is cleared."""
    owner_api.put(f"/api/projects/{project.uid}", {"name": "Acme Website"})
    project.refresh_from_db()
    assert project.description == ""


def test_put_project_with_current_revision_succeeds(owner_api, project):
    response = owner_api.put(
        f"/api/projects/{project.uid}", {"name": "A", "revision": project.revision}
    )
    assert response.status_code == 200


def test_put_project_with_stale_revision_answers_409_and_changes_nothing(owner_api, project):
    stale = project.revision
    owner_api.put(f"/api/projects/{project.uid}", {"name": "First", "revision": stale})
    response = owner_api.put(f"/api/projects/{project.uid}", {"name": "Second", "revision": stale})
    assert response.status_code == 409
    assert response.json()["error"] == "personalize.PROJECTS.STALE_REVISION"
    project.refresh_from_db()
    assert project.name == "First"


def test_put_project_duplicate_name_answers_409(owner, owner_api, project):
    make_project(owner=owner, name="Taken")
    response = owner_api.put(f"/api/projects/{project.uid}", {"name": "TAKEN"})
    assert response.status_code == 409
    assert response.json()["error"] == "personalize.PROJECTS.DUPLICATE_NAME"


def test_put_project_as_member_answers_403_and_changes_nothing(member_api, project):
    response = member_api.put(f"/api/projects/{project.uid}", {"name": "Mine now"})
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name == "Acme Website"


def test_delete_project_as_owner_deletes_it_for_good(owner_api, project):
    response = owner_api.delete(f"/api/projects/{project.uid}")
    assert response.status_code == 204
    assert not response.content
    assert not Project.objects.filter(pk=project.pk).exists()
    assert owner_api.get(f"/api/projects/{project.uid}").status_code == 404


def test_delete_project_as_member_answers_403(member_api, project):
    assert member_api.delete(f"/api/projects/{project.uid}").status_code == 403
    assert Project.objects.filter(pk=project.pk).exists()


# ---------- /api/projects/{uid}/members ----------


def test_list_members_as_owner(owner_api, project, owner, member):
    response = owner_api.get(f"/api/projects/{project.uid}/members")
    assert response.status_code == 200
    assert {(m["username"], m["role"], m["userId"]) for m in response.json()} == {
        ("olivia", "OWNER", owner.pk),
        ("marcus", "MEMBER", member.pk),
    }


def test_list_members_as_member_answers_403_as_in_settings(member_api, project):
    assert member_api.get(f"/api/projects/{project.uid}/members").status_code == 403


def test_add_member_by_email(owner_api, project, outsider):
    response = owner_api.post(
        f"/api/projects/{project.uid}/members", {"user": outsider.email, "role": "OWNER"}
    )
    assert response.status_code == 201
    assert response.json()["username"] == "nadia" and response.json()["role"] == "OWNER"
    assert Membership.objects.get(project=project, user=outsider).role == Role.OWNER


def test_added_member_can_use_the_project_at_once(
    client, owner_api, project, outsider, outsider_token
):
    outsider_api = ApiClient(client, token=outsider_token)
    assert outsider_api.get(f"/api/projects/{project.uid}").status_code == 404
    owner_api.post(f"/api/projects/{project.uid}/members", {"user": "nadia", "role": "MEMBER"})
    assert outsider_api.get(f"/api/projects/{project.uid}").status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (
            {"user": "ghost", "role": "MEMBER"},
            422,
            "personalize.PROJECTS.MEMBERS.USER_NOT_FOUND",
            "user",
        ),
        (
            {"user": "marcus", "role": "MEMBER"},
            409,
            "personalize.PROJECTS.MEMBERS.ALREADY_MEMBER",
            "user",
        ),
        ({"user": "nadia", "role": "ADMIN"}, 422, "personalize.VALIDATION_FAILED", "role"),
        ({"user": "nadia"}, 422, "personalize.VALIDATION_FAILED", "role"),
    ],
)
def test_add_member_refused_answers_error_and_adds_nobody(
    owner_api, project, outsider, body, status, code, field
):
    response = owner_api.post(f"/api/projects/{project.uid}/members", body)
    assert response.status_code == status
    assert response.json()["error"] == code
    assert field in response.json()["errors"]
    assert project.memberships.count() == 2


def test_change_member_role(owner_api, project, member):
    response = owner_api.put(f"/api/projects/{project.uid}/members/{member.pk}", {"role": "OWNER"})
    assert response.status_code == 200
    assert response.json()["role"] == "OWNER"
    assert Membership.objects.get(project=project, user=member).role == Role.OWNER


def test_demoting_last_owner_answers_409_and_changes_nothing(owner_api, project, owner):
    response = owner_api.put(f"/api/projects/{project.uid}/members/{owner.pk}", {"role": "MEMBER"})
    assert response.status_code == 409
    assert response.json()["error"] == "personalize.PROJECTS.MEMBERS.LAST_OWNER"
    assert Membership.objects.get(project=project, user=owner).role == Role.OWNER


def test_remove_member_revokes_their_access(client, owner_api, member_token, project, member):
    response = owner_api.delete(f"/api/projects/{project.uid}/members/{member.pk}")
    assert response.status_code == 204
    assert not Membership.objects.filter(project=project, user=member).exists()
    assert (
        ApiClient(client, token=member_token).get(f"/api/projects/{project.uid}").status_code == 404
    )


def test_removing_last_owner_answers_409(owner_api, project, owner):
    response = owner_api.delete(f"/api/projects/{project.uid}/members/{owner.pk}")
    assert response.status_code == 409
    assert Membership.objects.filter(project=project, user=owner).exists()


@pytest.mark.parametrize("user_id", [0, 999999, 10**12])
def test_member_path_for_unknown_user_answers_404(owner_api, project, user_id):
    assert (
        owner_api.put(
            f"/api/projects/{project.uid}/members/{user_id}", {"role": "OWNER"}
        ).status_code
        == 404
    )


def test_member_path_for_a_user_of_another_project_answers_404(owner_api, project, outsider):
    make_project(owner=outsider)
    assert owner_api.delete(f"/api/projects/{project.uid}/members/{outsider.pk}").status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "  "}, "Please enter a project name."),
        ({"name": "n" * 101}, "A project name has at most 100 characters."),
    ],
)
def test_create_project_invalid_name_gets_the_services_message(creator_api, body, message):
    response = creator_api.post("/api/projects", body)
    assert response.json()["errors"]["name"] == [message]
