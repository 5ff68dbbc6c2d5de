import pytest

from personalize_admin.api import services
from personalize_admin.api.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="ops", is_staff=True, is_superuser=True))
    return client


def test_admin_lists_tokens_without_their_hashes(admin_client, owner):
    token, key = services.create_token(user=owner, name="Deploy script")
    changelist = admin_client.get("/admin/api/apitoken/")
    assert changelist.status_code == 200
    assert b"Deploy script" in changelist.content
    detail = admin_client.get(f"/admin/api/apitoken/{token.pk}/change/")
    assert detail.status_code == 200
    assert token.key_hash.encode() not in detail.content and key.encode() not in detail.content


def test_admin_revoke_action_revokes_selected_tokens(admin_client, owner):
    token, _key = services.create_token(user=owner, name="Deploy script")
    response = admin_client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert "Revoked 1 token." in [str(m) for m in response.context["messages"]]
    assert not ApiToken.objects.get(pk=token.pk).is_active


def test_admin_cannot_add_tokens_without_showing_a_key(admin_client):
    assert admin_client.get("/admin/api/apitoken/add/").status_code == 403
