"""A database outage answers a clean 503 everywhere; other database errors stay 500s."""

import logging

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError
from django.db.backends.utils import CursorWrapper
from django.test import Client, RequestFactory

from personalize_admin.api import services as api_services
from personalize_admin.core import views as core_views
from personalize_admin.core.unavailable import is_database_unavailable, response_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    """From now on every query fails as it does while PostgreSQL restarts."""

    def switch(error=None):
        error = error or OperationalError("terminating connection due to administrator command")

        def fail(*args, **kwargs):
            raise error

        monkeypatch.setattr(CursorWrapper, "execute", fail)
        monkeypatch.setattr(CursorWrapper, "executemany", fail)

    return switch


@pytest.fixture
def lenient_client():
    """A client that returns the 500 page instead of re-raising the view's exception."""
    return Client(raise_request_exception=False)


def test_edge_manifest_answers_the_edge_503(client, project, database_down):
    database_down()
    response = client.get("/edge/manifest", headers={"X-Project-Uid": project.uid})

    assert response.status_code == 503
    assert response.json()["error"] == "personalize.EDGE.UNAVAILABLE"
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"


def test_edge_events_answers_503_for_a_closed_connection(client, project, database_down):
    database_down(InterfaceError("connection already closed"))
    response = client.post(
        "/edge/events",
        data="[]",
        content_type="application/json",
        headers={"X-Project-Uid": project.uid},
    )

    assert response.status_code == 503
    assert response.json()["error"] == "personalize.EDGE.UNAVAILABLE"


def test_edge_programming_error_is_not_hidden(lenient_client, project, database_down):
    database_down(ProgrammingError("column p.id does not exist"))
    response = lenient_client.get("/edge/manifest", headers={"X-Project-Uid": project.uid})

    assert response.status_code == 500


def test_api_answers_its_envelope_with_503(client, owner, project, database_down):
    token = api_services.create_token(user=owner, name="Outage")[1]
    database_down()
    response = client.get("/api/projects", headers={"authtoken": token})

    assert response.status_code == 503
    assert response.json() == {
        "error": "personalize.SERVICE_UNAVAILABLE",
        "message": response.json()["message"],
        "errors": {},
    }
    assert "database" in response.json()["message"]
    assert response["Retry-After"] == "5"


def test_api_programming_error_stays_a_500(lenient_client, owner, project, database_down):
    token = api_services.create_token(user=owner, name="Bug")[1]
    database_down(ProgrammingError("relation does not exist"))
    response = lenient_client.get("/api/projects", headers={"authtoken": token})

    assert response.status_code == 500
    assert response.json()["error"] == "personalize.SERVER_ERROR"


def test_ui_page_answers_the_html_503(owner_client, project, database_down):
    database_down()
    response = owner_client.get(f"/projects/{project.uid}/experiences/")

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert b"unavailable for a moment" in response.content
    assert response["Retry-After"] == "5"


def test_ui_programming_error_stays_the_500_page(lenient_client, owner, project, database_down):
    lenient_client.force_login(owner)
    database_down(ProgrammingError("relation does not exist"))
    response = lenient_client.get(f"/projects/{project.uid}/experiences/")

    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_handler500_turns_an_outage_outside_views_into_503():
    # Middleware errors reach handler500 while Django handles the exception.
    request = RequestFactory().get("/projects/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = core_views.server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"

    request = RequestFactory().get("/edge/manifest")
    try:
        raise InterfaceError("connection already closed")
    except InterfaceError:
        response = core_views.server_error(request)
    assert response.status_code == 503
    assert b"personalize.EDGE.UNAVAILABLE" in response.content


def test_handler500_keeps_other_errors_500():
    request = RequestFactory().get("/projects/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = core_views.server_error(request)
    assert response.status_code == 500


def test_only_connectivity_errors_count_as_unavailable():
    assert is_database_unavailable(OperationalError("x"))
    assert is_database_unavailable(InterfaceError("x"))
    assert not is_database_unavailable(ProgrammingError("x"))
    assert not is_database_unavailable(RuntimeError("x"))
    assert response_for(RequestFactory().get("/"), ProgrammingError("x")) is None


@pytest.mark.parametrize("path", ["/edge/manifest", "ui"])
def test_an_outage_is_logged_once_as_a_warning_with_its_cause(
    client, owner_client, project, database_down, caplog, path
):
    database_down()
    with caplog.at_level("INFO"):
        if path == "ui":
            response = owner_client.get(f"/projects/{project.uid}/experiences/")
        else:
            response = client.get(path, headers={"X-Project-Uid": project.uid})

    assert response.status_code == 503
    logged = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [(record.name, record.levelname) for record in logged] == [(logged[0].name, "WARNING")]
    assert "administrator command" in logged[0].getMessage()
