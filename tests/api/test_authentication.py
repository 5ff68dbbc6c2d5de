import pytest
from django.test import Client

from personalize_admin.api import services
from personalize_admin.api.models import ApiToken
from personalize_admin.projects.models import Project

pytestmark = pytest.mark.django_db


def names(response):
    return [project["name"] for project in response.json()]


def test_authtoken_header_authenticates(client, owner_token, project):
    response = client.get("/api/projects", headers={"authtoken": owner_token})
    assert response.status_code == 200
    assert names(response) == [project.name]


def test_authorization_token_header_authenticates(client, owner_token, project):
    response = client.get("/api/projects", headers={"Authorization": f"Token {owner_token}"})
    assert response.status_code == 200
    assert names(response) == [project.name]


def test_token_acts_as_its_user_only(client, member, project, outsider):
    other_key = services.create_token(user=outsider, name="Mine")[1]
    response = client.get("/api/projects", headers={"authtoken": other_key})
    assert names(response) == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"authtoken": "pa_not-a-real-token"},
        {"authtoken": "   "},
        {"Authorization": "Token pa_not-a-real-token"},
        {"Authorization": "Token"},
        {"Authorization": "Token one two"},
    ],
    ids=[
        "none",
        "unknown-authtoken",
        "blank-authtoken",
        "unknown-authorization",
        "no-key",
        "two-keys",
    ],
)
def test_missing_or_bad_credentials_answer_401_envelope(client, project, headers):
    response = client.get("/api/projects", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    body = response.json()
    assert body["error"] == "personalize.UNAUTHORIZED"
    assert body["message"] and body["errors"] == {}


def test_revoked_token_answers_401(client, owner, project):
    token, key = services.create_token(user=owner, name="CI")
    assert client.get("/api/projects", headers={"authtoken": key}).status_code == 200
    services.revoke_token(token=token, actor=owner)
    response = client.get("/api/projects", headers={"authtoken": key})
    assert response.status_code == 401
    assert "revoked" in response.json()["message"]


def test_token_of_inactive_user_answers_401(client, owner, owner_token, project):
    owner.is_active = False
    owner.save()
    response = client.get("/api/projects", headers={"authtoken": owner_token})
    assert response.status_code == 401
    assert "disabled" in response.json()["message"]


def test_using_a_token_records_last_used(client, owner, owner_token, project):
    assert ApiToken.objects.get(user=owner).last_used_at is None
    client.get("/api/projects", headers={"authtoken": owner_token})
    assert ApiToken.objects.get(user=owner).last_used_at is not None


def test_session_authenticates_reads(owner_client, project):
    response = owner_client.get("/api/projects")
    assert response.status_code == 200
    assert names(response) == [project.name]


def test_session_write_without_csrf_token_is_refused(owner, project):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    url = f"/api/projects/{project.uid}"
    response = browser.put(url, {"name": "Hijacked"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    project.refresh_from_db()
    assert project.name == "Acme Website"


def test_session_write_with_csrf_token_succeeds(owner, project):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    browser.get("/account/api-tokens/")  # sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    response = browser.put(
        f"/api/projects/{project.uid}",
        {"name": "Renamed"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200
    assert Project.objects.get(pk=project.pk).name == "Renamed"


def test_token_write_needs_no_csrf_token(owner_token, project):
    browser = Client(enforce_csrf_checks=True)
    response = browser.put(
        f"/api/projects/{project.uid}",
        {"name": "Scripted"},
        content_type="application/json",
        headers={"authtoken": owner_token},
    )
    assert response.status_code == 200
    assert Project.objects.get(pk=project.pk).name == "Scripted"
