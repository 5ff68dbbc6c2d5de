import re

import pytest

pytestmark = pytest.mark.django_db


def test_docs_page_for_anonymous_redirects_to_sign_in(client):
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")


def test_docs_page_uses_only_local_assets_and_no_inline_script(owner_client):
    response = owner_client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in source for source in sources)
    assert all(source.startswith("/") for source in sources), sources
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert 'data-schema-url="/api/openapi"' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_docs_assets_are_served_locally(owner_client, client):
    html = owner_client.get("/api/docs").content.decode()
    for asset in re.findall(r'"(/static/drf_spectacular_sidecar/[^"]+)"', html) + [
        "/static/js/api-docs.js"
    ]:
        response = client.get(asset)
        assert response.status_code == 200, asset
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 1000, asset


def test_openapi_document_needs_authentication(client):
    response = client.get("/api/openapi")
    assert response.status_code == 401
    assert response.json()["error"] == "personalize.UNAUTHORIZED"


def test_openapi_document_with_token(client, owner_token):
    response = client.get("/api/openapi", headers={"authtoken": owner_token})
    assert response.status_code == 200
    assert b'"/api/projects"' in response.content
