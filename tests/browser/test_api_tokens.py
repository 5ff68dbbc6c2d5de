"""API tokens (user menu → API tokens) and the API documentation, clicked through in Chromium."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from personalize_admin.api.models import ApiToken
from tests.factories import make_project
from tests.helpers.browser import screenshot


@pytest.fixture
def clipboard(context):
    context.grant_permissions(["clipboard-read", "clipboard-write"])


def test_create_use_and_revoke_an_api_token(signed_in, owner, clipboard, live_server):
    make_project(owner=owner, name="Acme Website")
    page = signed_in(owner)
    page.goto("/")

    # Reach the page through the user menu.
    page.get_by_role("button", name=re.compile("User menu")).click()
    page.get_by_role("menuitem", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    expect(page.get_by_text("No API tokens yet")).to_be_visible()

    # A name is required.
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text("Please enter a token name.")).to_be_visible()
    expect(page.get_by_label("Name")).to_be_focused()

    # Create one: the key is shown once, with a copy button.
    page.get_by_label("Name").fill("Deploy script")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text('Token "Deploy script" created.')).to_be_visible()
    # Focus moves to the new key's message, so a screen reader reads it first.
    expect(page.get_by_role("status").filter(has_text="Copy your new token")).to_be_focused()
    key = page.get_by_label("New token").inner_text().strip()
    assert key.startswith("pa_")
    page.get_by_role("button", name="Copy token").click()
    expect(page.get_by_text("Copied to clipboard.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == key
    row = page.get_by_role("row", name=re.compile("Deploy script"))
    expect(row).to_contain_text("Never")
    screenshot(page, "api-tokens-created")

    # The key works against the API; the list then shows when it was last used, never the key.
    response = page.request.get(f"{live_server.url}/api/projects", headers={"authtoken": key})
    assert response.status == 200 and response.json()[0]["name"] == "Acme Website"
    page.reload()
    expect(page.get_by_role("row", name=re.compile("Deploy script"))).not_to_contain_text("Never")
    expect(page.get_by_text(key)).to_have_count(0)

    # Revoke it, after confirming.
    page.get_by_role("button", name="Revoke Deploy script").click()
    dialog = page.get_by_role("dialog", name="Revoke token")
    expect(dialog).to_contain_text("stop working at once")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert ApiToken.objects.get(name="Deploy script").is_active
    page.get_by_role("button", name="Revoke Deploy script").click()
    dialog.get_by_role("button", name="Revoke token").click()
    expect(page.get_by_text('Token "Deploy script" revoked.')).to_be_visible()
    expect(page.get_by_text("No API tokens yet")).to_be_visible()
    response = page.request.get(f"{live_server.url}/api/projects", headers={"authtoken": key})
    assert response.status == 401
    screenshot(page, "api-tokens-revoked")


def test_api_docs_render_offline_under_the_csp(signed_in, owner, live_server):
    make_project(owner=owner, name="Acme Website")
    page = signed_in(owner)
    requested_hosts = set()
    page.on("request", lambda request: requested_hosts.add(urlsplit(request.url).netloc))
    page.goto("/")
    page.get_by_role("button", name=re.compile("User menu")).click()
    page.get_by_role("menuitem", name="API documentation").click()
    expect(page.get_by_role("heading", name="Management API", level=1)).to_be_visible()

    # Swagger UI loads the document and lists the operations.
    summary = (
        page.locator(".opblock-summary")
        .filter(has_text="/api/projects/{uid}/members/{userId}")
        .first
    )
    expect(summary).to_be_visible()
    put_project = page.locator(".opblock-put").filter(
        has_text="Change a project's name and description"
    )
    put_project.locator(".opblock-summary").click()
    expect(put_project.locator(".responses-table").get_by_text("429", exact=True)).to_be_visible()
    expect(put_project.get_by_text("Codes: personalize.PROJECTS.DUPLICATE_NAME")).to_be_visible()

    # "Try it out" runs as the signed-in user.
    get_projects = page.locator(".opblock-get").filter(has_text="List projects")
    get_projects.locator(".opblock-summary").click()
    get_projects.get_by_role("button", name="Try it out").click()
    get_projects.get_by_role("button", name="Execute").click()
    expect(get_projects.locator(".live-responses-table")).to_contain_text("Acme Website")
    screenshot(page, "api-docs")

    # Everything came from this server: the page works offline.
    assert requested_hosts == {urlsplit(live_server.url).netloc}
