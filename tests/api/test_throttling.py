import pytest

from tests.api.conftest import token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_token": "3/minute", "api_anonymous": "2/minute"},
    }


def test_token_over_its_rate_answers_429_with_retry_after(client, low_rates, owner_token, project):
    headers = {"authtoken": owner_token}
    statuses = [client.get("/api/projects", headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/projects", headers=headers)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["error"] == "personalize.TOO_MANY_REQUESTS"


def test_each_token_has_its_own_budget(client, low_rates, owner, project):
    first, second = token_for(owner, "First"), token_for(owner, "Second")
    for _ in range(3):
        client.get("/api/projects", headers={"authtoken": first})
    assert client.get("/api/projects", headers={"authtoken": first}).status_code == 429
    assert client.get("/api/projects", headers={"authtoken": second}).status_code == 200


def test_session_has_a_budget_per_user(low_rates, owner_client, project):
    statuses = [owner_client.get("/api/projects").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_anonymous_callers_are_throttled_per_address(client, low_rates):
    statuses = [client.get("/api/projects").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    other_address = client.get("/api/projects", REMOTE_ADDR="203.0.113.9")
    assert other_address.status_code == 401


def test_guessing_tokens_is_throttled(client, low_rates):
    statuses = [
        client.get("/api/projects", headers={"authtoken": f"pa_guess{n}"}).status_code
        for n in range(3)
    ]
    assert statuses == [401, 401, 429]


def test_forwarded_for_header_cannot_dodge_the_anonymous_limit(client, low_rates):
    statuses = [
        client.get("/api/projects", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(3)
    ]
    assert statuses[-1] == 429
