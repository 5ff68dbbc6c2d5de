import pytest

from tests.factories import UserFactory, make_project
from tests.helpers.browser import CHROMIUM_ARGS, chromium_path, sign_in

BROWSER_FIXTURES = {"page", "context", "signed_in"}


def pytest_collection_modifyitems(items):
    """Tests that drive Chromium carry the ``browser`` marker (``make test-fast`` skips them)."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def owner(db):
    return UserFactory(username="olivia")


@pytest.fixture
def member(db):
    return UserFactory(username="marcus")


@pytest.fixture
def outsider(db):
    return UserFactory(username="nadia")


@pytest.fixture
def project(owner, member):
    return make_project(owner=owner, members=[member], name="Acme Website", description="Main site")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


# ---------- browser tests (pytest-playwright with Debian's Chromium) ----------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": chromium_path(), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "viewport": {"width": 1360, "height": 900},
        "locale": "en-US",
        "timezone_id": "UTC",
    }


@pytest.fixture
def signed_in(context, live_server):
    """``signed_in(user)`` signs the browser context in as ``user`` and returns a page."""

    def _signed_in(user):
        sign_in(context, live_server.url, user)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    return _signed_in


@pytest.fixture
def page(page):
    page.set_default_timeout(10_000)
    return page


IGNORED_CONSOLE_ERRORS = (
    # Form errors and conflicts answer 422/409 by design; the browser logs them.
    "the server responded with a status of 422",
    "the server responded with a status of 409",
)


@pytest.fixture(autouse=True)
def _fail_on_browser_errors(request):
    """A browser test fails on any JavaScript error or CSP violation in its pages."""
    if "context" not in request.fixturenames:
        yield
        return
    context = request.getfixturevalue("context")
    errors = []

    def on_console(message):
        if message.type == "error" and not any(
            text in message.text for text in IGNORED_CONSOLE_ERRORS
        ):
            errors.append(f"console error: {message.text}")

    def watch(page):
        page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
        page.on("console", on_console)

    for existing in context.pages:
        watch(existing)
    context.on("page", watch)
    yield
    assert not errors, "The browser reported errors:\n" + "\n".join(errors)
