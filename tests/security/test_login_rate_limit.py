"""Sign-in rate limiting (django-axes): wrong passwords lock the username out from
that address; a success resets the count; operators see lockouts in the admin."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def sign_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_wrong_passwords_lock_the_username_out_with_a_message(client, limit):
    user = UserFactory(username="target")
    for _ in range(limit - 1):
        assert sign_in(client, user.username, "wrong").status_code == 200
    locked = sign_in(client, user.username, "wrong")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Too many sign-in attempts" in text
    assert "15 minutes" in text
    # Even the right password is refused while locked out, and no session starts.
    again = sign_in(client, user.username, PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_page_escapes_the_username(client, limit):
    for _ in range(limit):
        response = sign_in(client, "<script>alert(1)</script>", "wrong")
    assert response.status_code == 429
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


def test_success_resets_the_count(client, limit):
    user = UserFactory(username="forgetful")
    for _ in range(limit - 1):
        sign_in(client, user.username, "wrong")
    assert sign_in(client, user.username, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(limit - 1):
        assert sign_in(client, user.username, "wrong").status_code == 200
    assert sign_in(client, user.username, PASSWORD).status_code == 302


def test_lockout_is_per_address(client, limit):
    user = UserFactory(username="shared")
    for _ in range(limit):
        sign_in(client, user.username, "wrong")
    assert sign_in(client, user.username, PASSWORD).status_code == 429
    elsewhere = Client(REMOTE_ADDR="203.0.113.7")
    assert sign_in(elsewhere, user.username, PASSWORD).status_code == 302


def test_forwarded_for_cannot_dodge_the_lockout(client, limit):
    user = UserFactory(username="spoofer")
    statuses = [
        sign_in(client, user.username, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(limit + 1)
    ]
    assert statuses[-1] == 429


def test_behind_a_proxy_the_forwarded_address_counts(client, limit, settings):
    settings.PROXY_COUNT = 1
    user = UserFactory(username="proxied")
    for _ in range(limit):
        sign_in(client, user.username, "wrong", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert (
        sign_in(client, user.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code
        == 429
    )
    other = sign_in(client, user.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other.status_code == 302


def test_admin_sign_in_is_limited_too(client, limit):
    UserFactory(username="admin-target", is_staff=True)
    for _ in range(limit):
        response = client.post(
            reverse("admin:login"), {"username": "admin-target", "password": "wrong"}
        )
    assert response.status_code == 429


def test_operators_see_and_clear_lockouts_in_the_admin(client, limit):
    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    for _ in range(limit):
        sign_in(Client(), "victim", "wrong")
    attempt = AccessAttempt.objects.get(username="victim")
    assert attempt.failures_since_start == limit
    client.force_login(operator)
    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert b"victim" in listing.content
    response = client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert sign_in(Client(), "victim", "wrong").status_code == 200
