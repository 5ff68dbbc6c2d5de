"""The error envelope, for every kind of error the API can answer."""

import json

import pytest
from django.test import Client
from rest_framework.exceptions import ErrorDetail

from personalize_admin.api.exceptions import camelize_path, flatten_errors, to_camel

ENVELOPE_KEYS = {"error", "message", "errors"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("name", "name"),
        ("audience_combination_type", "audienceCombinationType"),
        ("attributeMatchOptions", "attributeMatchOptions"),
        ("__type", "__type"),
        ("", ""),
    ],
)
def test_to_camel(name, expected):
    assert to_camel(name) == expected


def test_camelize_path_keeps_indexes_and_renames_each_segment():
    assert (
        camelize_path("variants[1].audience_combination_type")
        == "variants[1].audienceCombinationType"
    )
    assert camelize_path("definition.rules[0].rules[2].attribute_match_options") == (
        "definition.rules[0].rules[2].attributeMatchOptions"
    )


def test_flatten_errors_names_nested_paths():
    detail = {
        "name": [ErrorDetail("This field is required.")],
        "variants": [
            {},
            {
                "audiences": {0: [ErrorDetail("Too long.")]},
                "non_field_errors": [ErrorDetail("Bad variant.")],
            },
        ],
        "non_field_errors": [ErrorDetail("Whole body is wrong.")],
    }
    assert flatten_errors(detail) == {
        "name": ["This field is required."],
        "variants[1].audiences[0]": ["Too long."],
        "variants[1]": ["Bad variant."],
        "": ["Whole body is wrong."],
    }


@pytest.fixture
def headers(owner_token, project):
    return {"authtoken": owner_token, "x-project-uid": project.uid}


@pytest.mark.django_db
@pytest.mark.urls("tests.api.urls")
def test_serializer_errors_answer_422_with_camelcase_field_paths(client, headers):
    body = {
        "variants": [
            {"name": "A", "audiences": ["ok"], "audienceCombinationType": "AND"},
            {"name": "B", "audiences": ["too-long"], "audienceCombinationType": "XOR"},
        ]
    }
    response = client.post(
        "/api/probe/scoped", body, content_type="application/json", headers=headers
    )
    assert response.status_code == 422
    payload = response.json()
    assert payload["error"] == "personalize.VALIDATION_FAILED"
    assert set(payload["errors"]) == {
        "__name",
        "variants[1].audiences[0]",
        "variants[1].audienceCombinationType",
    }
    assert payload["message"].startswith("__name: ")


@pytest.mark.django_db
@pytest.mark.urls("tests.api.urls")
@pytest.mark.parametrize("body", ["[]", '"text"', "null", "42"])
def test_body_that_is_not_an_object_answers_422(client, headers, body):
    response = client.post(
        "/api/probe/scoped", body, content_type="application/json", headers=headers
    )
    assert response.status_code == 422
    assert set(response.json()) == ENVELOPE_KEYS


@pytest.mark.django_db
@pytest.mark.urls("tests.api.urls")
def test_domain_error_keeps_its_code_and_status_and_camelcases_paths(client, owner_token):
    response = client.post(
        "/api/probe/domain-error",
        {},
        content_type="application/json",
        headers={"authtoken": owner_token},
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": "personalize.EXPERIENCES.VERSIONS.VARIANT_NEEDS_AUDIENCE",
        "message": "Variant 2 needs an audience.",
        "errors": {
            "variants[1].audiences": ["Add at least one audience."],
            "definition.rules[0].attributeMatchOptions": ["Enter a value."],
        },
    }


@pytest.mark.django_db
@pytest.mark.urls("tests.api.urls")
def test_unexpected_error_answers_500_envelope_and_is_logged(owner_token, caplog):
    # Like Django's own 500 handling, the error is also signalled (for error reporting tools);
    # the test client would re-raise it by default.
    client = Client(raise_request_exception=False)
    response = client.get("/api/probe/exploding", headers={"authtoken": owner_token})
    assert response.status_code == 500
    assert response.json()["error"] == "personalize.SERVER_ERROR"
    assert "boom" not in response.content.decode()
    assert any("boom" in str(record.exc_info[1]) for record in caplog.records if record.exc_info)


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["{", '{"name": }', "{'name': 'x'}", '{"name": NaN}', b"\xff\xfe"])
def test_malformed_json_answers_400(client, owner_token, project, raw):
    response = client.put(
        f"/api/projects/{project.uid}",
        raw,
        content_type="application/json",
        headers={"authtoken": owner_token},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "personalize.MALFORMED_REQUEST"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain", "application/xml"]
)
def test_body_that_is_not_json_answers_415(client, owner_token, project, content_type):
    response = client.put(
        f"/api/projects/{project.uid}",
        "name=x",
        content_type=content_type,
        headers={"authtoken": owner_token},
    )
    assert response.status_code == 415
    assert response.json()["error"] == "personalize.UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.django_db
def test_body_larger_than_the_limit_answers_413_and_changes_nothing(
    client, owner_token, project, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "Big", "description": "x" * 2000})
    response = client.put(
        f"/api/projects/{project.uid}",
        body,
        content_type="application/json",
        headers={"authtoken": owner_token},
    )
    assert response.status_code == 413
    assert response.json()["error"] == "personalize.PAYLOAD_TOO_LARGE"
    project.refresh_from_db()
    assert project.name == "Acme Website"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["patch", "options", "trace"])
def test_unsupported_method_answers_405_with_allow(client, owner_token, project, method):
    response = getattr(client, method)(
        f"/api/projects/{project.uid}", headers={"authtoken": owner_token}
    )
    assert response.status_code == 405
    assert response.json()["error"] == "personalize.METHOD_NOT_ALLOWED"
    assert "PUT" in response["Allow"] and "PATCH" not in response["Allow"]


@pytest.mark.django_db
def test_accept_header_never_causes_406(client, owner_token):
    response = client.get(
        "/api/projects", headers={"authtoken": owner_token, "Accept": "application/xml"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "hint"),
    [
        ("/api/nothing", "/api/docs"),
        ("/api/projects/", "try /api/projects."),
        ("/api/", "/api/docs"),
        ("/api/projects/x/members/%0A", "/api/docs"),
    ],
)
def test_unknown_path_under_api_answers_404_envelope(client, path, hint):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == "personalize.NOT_FOUND"
    assert hint in body["message"]
