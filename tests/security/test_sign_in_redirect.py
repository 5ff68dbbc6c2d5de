"""Signing in never sends the user to another site (no open redirect through ``next``)."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "https:evil.example",
    ],
)
def test_sign_in_ignores_a_next_url_elsewhere(client, target):
    user = UserFactory(username="redirected")
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:list")


def test_sign_in_follows_a_next_url_on_this_site(client, project, member):
    target = reverse("experiences:list", args=[project.uid])
    response = client.post(
        reverse("login"), {"username": member.username, "password": PASSWORD, "next": target}
    )
    assert response["Location"] == target


def test_sign_in_page_escapes_next_in_its_form(client):
    response = client.get(reverse("login") + '?next="><script>alert(1)</script>')
    assert b"<script>alert(1)</script>" not in response.content
