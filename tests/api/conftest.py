import sys

import pytest
from django.core.cache import cache

from personalize_admin.api import services
from tests.helpers.api import ApiClient


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """Throttle counters live in the cache; each test starts with a full budget."""
    cache.clear()
    yield
    cache.clear()


def token_for(user, name="Tests"):
    return services.create_token(user=user, name=name)[1]


@pytest.fixture
def owner_token(owner):
    return token_for(owner)


@pytest.fixture
def member_token(member):
    return token_for(member)


@pytest.fixture
def outsider_token(outsider):
    return token_for(outsider)


@pytest.fixture
def api(client):
    """An anonymous API client; ``api.as_(token, project)`` for a caller."""
    return ApiClient(client)


@pytest.fixture
def owner_api(client, owner_token, project):
    return ApiClient(client, token=owner_token, project=project)


@pytest.fixture
def member_api(client, member_token, project):
    return ApiClient(client, token=member_token, project=project)


@pytest.fixture
def outsider_api(client, outsider_token, project):
    return ApiClient(client, token=outsider_token, project=project)


def pytest_terminal_summary(terminalreporter):
    fuzz = sys.modules.get("tests.api.test_fuzz")
    if fuzz is not None and fuzz.CALLS:
        terminalreporter.write_sep("-", "Schemathesis")
        terminalreporter.write_line(fuzz.summary())
