"""The manifest skips Django's per-request connection health check (a ``SELECT 1``
round trip) and instead retries once on a fresh connection when the kept one has
died; writes keep the check and are never retried."""

import pytest
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def health_checks(monkeypatch):
    """Health checks on, and a record of every check made."""
    checks = []
    connection.ensure_connection()
    enabled = getattr(connection, "health_check_enabled", False)
    connection.health_check_enabled = True
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or True)
    yield checks
    connection.health_check_enabled = enabled


@pytest.fixture
def dies_once(monkeypatch):
    """The next query fails as on a connection the database restarted under."""
    real = CursorWrapper.execute
    failures = []

    def execute(self, sql, params=None):
        if not failures:
            failures.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return real(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", execute)
    return failures


def kept_connection():
    connection.ensure_connection()
    connection.health_check_done = False  # as at the start of every request


def test_manifest_skips_the_health_check_round_trip(client, project, health_checks):
    kept_connection()
    response = client.get("/edge/manifest", headers={"X-Project-Uid": project.uid})
    assert response.status_code == 200
    assert health_checks == []


def test_events_keep_the_health_check(client, project, health_checks):
    kept_connection()
    response = client.post(
        "/edge/events",
        data="[]",
        content_type="text/plain",
        headers={"X-Project-Uid": project.uid},
    )
    assert response.status_code < 500
    assert health_checks == [1]


def test_manifest_retries_once_on_a_dead_kept_connection(client, project, dies_once):
    kept_connection()
    response = client.get("/edge/manifest", headers={"X-Project-Uid": project.uid})
    assert response.status_code == 200, response.content
    assert len(dies_once) == 1


def test_a_write_on_a_dead_connection_is_a_503_not_a_retry(client, project, dies_once):
    kept_connection()
    response = client.patch(
        "/edge/user-attributes",
        data='{"plan": "pro"}',
        content_type="text/plain",
        headers={"X-Project-Uid": project.uid, "X-CS-Personalize-User-Uid": "visitor-1"},
    )
    assert response.status_code == 503
    assert response.json()["error"] == "personalize.EDGE.UNAVAILABLE"
