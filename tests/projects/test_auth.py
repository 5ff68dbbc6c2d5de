import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_sign_in(client, project):
    response = client.get(reverse("experiences:list", args=[project.uid]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_sign_in_with_good_password_lands_on_projects(client, member):
    response = client.post(reverse("login"), {"username": member.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:list")


def test_sign_in_with_bad_password_says_so(client, member):
    response = client.post(reverse("login"), {"username": member.username, "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_sign_out_is_post_only_and_ends_session(client, member):
    client.force_login(member)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("projects:list")).status_code == 302
