"""Calling the Management API in tests, checking every answer against the OpenAPI document.

``ApiClient`` wraps Django's test client: it sends JSON, the token and the
``x-project-uid`` header, and asserts that each response's status is one the
document lists for that operation and that its body matches the documented
schema. So every API test is also a test of the document.
"""

import json
import re
from functools import cache

from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator
from openapi_schema_validator import OAS30Validator

CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


@cache
def openapi_document():
    return SchemaGenerator().get_schema(request=None, public=True)


def inline_refs(node, document):
    """The schema ``node`` with every ``$ref`` replaced by what it points to."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return inline_refs(target, document)
        return {key: inline_refs(value, document) for key, value in node.items()}
    if isinstance(node, list):
        return [inline_refs(item, document) for item in node]
    return node


def documented_operation(method, path):
    """``(path template, operation)`` for a request, or ``(template, None)`` when the
    path exists but not with this method, or ``(None, None)`` for no documented path."""
    try:
        match = resolve(path.split("?")[0])
    except Resolver404:
        return None, None
    template = "/" + CONVERTER.sub(r"{\1}", match.route)
    item = openapi_document()["paths"].get(template)
    if item is None:
        return None, None
    return template, item.get(method.lower())


def assert_conforms(method, path, response):
    """The response is documented for its operation and matches the documented body."""
    template, operation = documented_operation(method, path)
    is_json = response.get("Content-Type", "").startswith("application/json")
    body = response.json() if is_json and response.content else None
    if response.status_code >= 400 and path.startswith("/api/"):
        assert is_json and set(body) == {"error", "message", "errors"}, response.content[:300]
    if template is None:
        return  # the document itself, its docs page, the catch-all
    if operation is None:
        assert response.status_code == 405, f"{method} {template} is not documented"
        assert set(body) == {"error", "message", "errors"}, body
        return
    documented = operation["responses"]
    status = str(response.status_code)
    assert status in documented, (
        f"{method} {template} answered {status}, "
        f"which the document does not list ({sorted(documented)}): "
        f"{response.content[:300]!r}"
    )
    content = documented[status].get("content")
    if content is None:
        assert not response.content, f"{method} {template} {status} should have no body"
        return
    schema = inline_refs(content["application/json"]["schema"], openapi_document())
    OAS30Validator(schema).validate(body)


class ApiClient:
    def __init__(self, client, token=None, project=None):
        self.client = client
        self.token = token
        self.project = project

    def as_(self, token=None, project=None):
        """The same client with another token and project."""
        return ApiClient(self.client, token=token, project=project or self.project)

    def request(
        self, method, path, body=None, *, headers=None, raw=None, content_type="application/json"
    ):
        sent = {}
        if self.token:
            sent["authtoken"] = self.token
        if self.project is not None:
            sent["x-project-uid"] = getattr(self.project, "uid", self.project)
        sent.update(headers or {})
        kwargs = {"headers": sent}
        if raw is not None:
            kwargs.update(data=raw, content_type=content_type)
        elif body is not None:
            kwargs.update(data=json.dumps(body), content_type=content_type)
        response = getattr(self.client, method.lower())(path, **kwargs)
        assert_conforms(method, path, response)
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request("PUT", path, body, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self.request("PATCH", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)
