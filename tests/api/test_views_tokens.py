"""The "API tokens" page: list, create (key shown once), revoke."""

import html

import pytest
from django.urls import reverse

from personalize_admin.api import services
from personalize_admin.api.models import ApiToken
from tests.helpers.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

LIST = "/account/api-tokens/"


def test_token_page_lists_only_the_users_active_tokens(owner_client, owner, member):
    services.create_token(user=owner, name="Deploy script")
    revoked, _ = services.create_token(user=owner, name="Old laptop")
    services.revoke_token(token=revoked, actor=owner)
    services.create_token(user=member, name="Someone else's")
    response = owner_client.get(LIST)
    assert response.status_code == 200
    assert [t.name for t in response.context["tokens"]] == ["Deploy script"]
    content = response.content.decode()
    assert (
        "Deploy script" in content and "Old laptop" not in content and "Someone else" not in content
    )
    assert "Never" in content


def test_token_page_empty_state(owner_client):
    assert "No API tokens yet" in owner_client.get(LIST).content.decode()


def test_token_page_query_count_is_constant(owner_client, owner):
    def add_tokens(n):
        for _ in range(n):
            services.create_token(user=owner, name=f"Token {ApiToken.objects.count()}")

    assert_constant_queries(owner_client, LIST, add_tokens, sizes=(1, 15))


def test_create_token_shows_the_key_once_and_it_works(owner_client, owner, client, project):
    response = owner_client.post(reverse("tokens:create"), {"name": "CI"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    key = response.context["new_key"]
    content = html.unescape(response.content.decode())
    assert key in content and 'aria-label="Copy token"' in content
    assert 'Token "CI" created.' in content  # the toast, out of band
    assert "<html" not in content  # only the panel is swapped
    # The key works, and the page never shows it again.
    assert client.get("/api/projects", headers={"authtoken": key}).status_code == 200
    assert key not in owner_client.get(LIST).content.decode()


def test_create_token_without_htmx_renders_the_page_with_the_key(owner_client):
    response = owner_client.post(reverse("tokens:create"), {"name": "CI"})
    assert response.status_code == 201
    assert "<html" in response.content.decode()
    assert response.context["new_key"] in response.content.decode()


@pytest.mark.parametrize(
    ("name", "message"), [("", "Please enter a token name."), ("CI", "already have a token")]
)
def test_create_token_bad_name_shows_error_and_creates_nothing(owner_client, owner, name, message):
    services.create_token(user=owner, name="CI")
    response = owner_client.post(reverse("tokens:create"), {"name": name}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert ApiToken.objects.count() == 1
    assert "new_key" not in response.context


def test_revoke_token_refuses_it_at_once(owner_client, owner, client, project):
    token, key = services.create_token(user=owner, name="CI")
    response = owner_client.post(reverse("tokens:revoke", args=[token.uid]), follow=True)
    assert 'Token "CI" revoked.' in [
        str(m).split(" Requests")[0] for m in response.context["messages"]
    ]
    assert client.get("/api/projects", headers={"authtoken": key}).status_code == 401


def test_revoke_token_via_htmx_redirects_client(owner_client, owner):
    token, _key = services.create_token(user=owner, name="CI")
    response = owner_client.post(reverse("tokens:revoke", args=[token.uid]), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == LIST


def test_revoke_someone_elses_token_answers_404_and_keeps_it(member_client, owner):
    token, _key = services.create_token(user=owner, name="CI")
    response = member_client.post(reverse("tokens:revoke", args=[token.uid]))
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).is_active


def test_user_menu_links_to_api_tokens_and_docs(owner_client):
    content = owner_client.get(reverse("projects:list")).content.decode()
    assert f'href="{LIST}">API tokens</a>' in content
    assert 'href="/api/docs">API documentation</a>' in content
