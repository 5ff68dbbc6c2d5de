"""The OpenAPI document is valid and lists every error each operation can answer."""

import json

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate

from tests.helpers.api import openapi_document

pytestmark = pytest.mark.django_db

ERROR_REF = "#/components/schemas/Error"


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method.upper(), operation


def test_schema_generation_has_no_warnings_and_validates(tmp_path):
    """drf-spectacular's own check: any warning (an undocumented field, an unknown type) fails."""
    target = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert yaml.safe_load(target.read_text())["openapi"].startswith("3.")


def test_served_document_is_valid_openapi_3(owner_client):
    response = owner_client.get("/api/openapi")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document = json.loads(response.content)
    validate(document)
    assert document["openapi"].startswith("3.")
    assert document["paths"], "the document lists no paths"


def test_served_document_as_yaml(owner_client):
    response = owner_client.get("/api/openapi?format=yaml")
    assert response.status_code == 200
    assert yaml.safe_load(response.content)["info"]["title"] == "Personalize Admin Management API"


def test_document_describes_both_token_headers_and_sessions():
    schemes = openapi_document()["components"]["securitySchemes"]
    assert schemes["authtoken"] == {
        **schemes["authtoken"],
        "type": "apiKey",
        "in": "header",
        "name": "authtoken",
    }
    assert schemes["tokenAuth"]["name"] == "Authorization"
    assert schemes["cookieAuth"]["in"] == "cookie"
    for path, method, operation in operations(openapi_document()):
        assert {"authtoken": []} in operation["security"], f"{method} {path}"


def test_every_operation_lists_its_error_responses():
    document = openapi_document()
    for path, method, operation in operations(document):
        responses = operation["responses"]
        expected = {"401", "429", "503"}
        if "requestBody" in operation:
            expected |= {"400", "413", "415", "422"}
        if "{" in path:
            expected.add("404")
        if method != "GET":
            expected.add("403")
        missing = expected - set(responses)
        assert not missing, f"{method} {path} does not document {sorted(missing)}"
        for status, response in responses.items():
            if status >= "400":
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": ERROR_REF}, f"{method} {path} {status}"
                assert response["description"], f"{method} {path} {status} has no description"
        assert "Retry-After" in responses["429"]["headers"]
        assert "Retry-After" in responses["503"]["headers"]
        assert operation.get("summary"), f"{method} {path} has no summary"


def test_every_documented_path_is_served_under_api():
    assert all(path.startswith("/api/") for path in openapi_document()["paths"])


def test_uid_path_parameters_document_their_pattern():
    parameters = openapi_document()["paths"]["/api/projects/{uid}"]["get"]["parameters"]
    uid = next(p for p in parameters if p["name"] == "uid")
    assert uid["schema"]["pattern"] == "^[0-9a-f]{24}$"


def test_delete_project_is_documented_as_permanent():
    operation = openapi_document()["paths"]["/api/projects/{uid}"]["delete"]
    assert "permanently" in operation["summary"] and "cannot be undone" in operation["description"]
    assert "requestBody" not in operation


@pytest.fixture
def probe_document():
    return SchemaGenerator(urlconf="tests.api.urls").get_schema(request=None, public=True)


def test_header_scoped_operations_document_the_project_header(probe_document):
    operation = probe_document["paths"]["/api/probe/scoped"]["get"]
    header = next(p for p in operation["parameters"] if p["in"] == "header")
    assert (header["name"], header["required"]) == ("x-project-uid", True)
    assert {"400", "401", "404", "429"} <= set(operation["responses"])
    # Any member may read, so a GET there cannot be refused for a role.
    assert "403" not in operation["responses"]


def test_role_limited_reads_document_403(probe_document):
    assert "403" in probe_document["paths"]["/api/probe/owner-read"]["get"]["responses"]


def test_views_without_project_scope_do_not_document_the_header():
    parameters = openapi_document()["paths"]["/api/projects"]["get"].get("parameters", [])
    assert all(p["name"] != "x-project-uid" for p in parameters)


SPEC_OPERATIONS = {
    "/api/attributes": {"get", "post"},
    "/api/attributes/{uid}": {"get", "put", "delete"},
    "/api/events": {"get", "post"},
    "/api/events/{uid}": {"get", "put", "delete"},
    "/api/audiences": {"get", "post"},
    "/api/audiences/{uid}": {"get", "put", "delete"},
    "/api/experiences": {"get", "post"},
    "/api/experiences/{uid}": {"get", "put", "delete"},
    "/api/experiences/{uid}/versions": {"get", "post"},
    "/api/experiences/{uid}/versions/{versionUid}": {"get", "put", "patch", "delete"},
    "/api/experiences-priority": {"get", "put"},
}


def test_every_content_endpoint_of_the_spec_is_documented():
    paths = openapi_document()["paths"]
    for path, methods in SPEC_OPERATIONS.items():
        documented = {
            m for m in paths.get(path, {}) if m in {"get", "post", "put", "patch", "delete"}
        }
        assert documented == methods, path


def test_domain_conflicts_are_documented_with_their_codes():
    paths = openapi_document()["paths"]
    expectations = [
        ("/api/audiences/{uid}", "delete", "409", "personalize.AUDIENCES.IN_USE"),
        (
            "/api/experiences/{uid}/versions",
            "post",
            "409",
            "CANNOT_CREATE_VERSION_AS_DRAFT_ALREADY_EXISTS",
        ),
        (
            "/api/experiences/{uid}/versions/{versionUid}",
            "put",
            "409",
            "CANNOT_UPDATE_LOCKED_VERSION",
        ),
        (
            "/api/experiences/{uid}/versions/{versionUid}",
            "patch",
            "409",
            "personalize.EXPERIENCES.VERSIONS.STALE_REVISION",
        ),
        ("/api/experiences-priority", "put", "422", "personalize.EXPERIENCES.INVALID_ORDER"),
    ]
    for path, method, status, code in expectations:
        assert code in paths[path][method]["responses"][status]["description"], (path, method)


def test_version_variants_are_documented_for_both_experience_types():
    schemas = openapi_document()["components"]["schemas"]
    variant = schemas["Variant"]["properties"]
    assert {"__type", "shortUid", "name", "audiences", "trafficDistribution"} <= set(variant)
    request = schemas["VersionUpdateRequest"]["properties"]
    assert request["targeting"]["nullable"] is True
    assert request["targeting"]["properties"]["audiences"]["items"]["pattern"] == "^[0-9a-f]{24}$"
