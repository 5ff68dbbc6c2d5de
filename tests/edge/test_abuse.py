"""The public Edge API against hostile input: oversized headers and bodies, deep
nesting, huge numbers and strings, many keys, JSON bombs, too many query fields
and pathological regular expressions. Every one is a 4xx with a code and
changes nothing; none is a 500. (tests/edge/test_views.py has the ordinary
refusals; this file the adversarial ones.)"""

import json

import pytest

from personalize_admin.edge.models import EdgeEvent, Visitor
from tests.edge.conftest import custom_rule, make_audience, segmented
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

MAX_HEADER = 8 * 1024

HOSTILE_BODIES = {
    "deeply nested arrays": ("[" * 60_000, 400, "INVALID_BODY"),
    "deeply nested objects": ('{"a":' * 10_000 + "1" + "}" * 10_000, 400, "INVALID_BODY"),
    # Beyond Python's 4300-digit limit for int(): refused, not a ValueError deep inside.
    "a 5000-digit integer": ('{"plan": ' + "9" * 5000 + "}", 400, "INVALID_BODY"),
    "an infinite float": ('{"plan": 1e999}', 400, "INVALID_BODY"),
    "NaN": ('{"plan": NaN}', 400, "INVALID_BODY"),
    "many keys": (json.dumps({f"k{i}": 1 for i in range(3000)}), 400, "INVALID_BODY"),
    "a long key": (json.dumps({"k" * 5000: 1}), 400, "INVALID_BODY"),
    "a long string": (json.dumps({"plan": "x" * 20_000}), 400, "INVALID_BODY"),
    # A "bomb": a small document of many tiny repeated objects, past the body limit.
    "a JSON bomb": ("[" + ",".join(["{}"] * 40_000) + "]", 413, "BODY_TOO_LARGE"),
    "an oversized body": (json.dumps({"plan": "x" * 70_000}), 413, "BODY_TOO_LARGE"),
    "invalid UTF-8": (b'{"plan": "\xff\xfe"}', 400, "INVALID_BODY"),
}


def error_of(response):
    assert response["Content-Type"] == "application/json", response.content[:200]
    return response.json()["error"]


@pytest.mark.parametrize("name", list(HOSTILE_BODIES))
def test_hostile_attribute_bodies_are_refused_and_change_nothing(edge, project, name):
    body, status, code = HOSTILE_BODIES[name]
    edge.patch_attributes({"plan": "free"}, user_uid="v1")

    response = edge.patch_attributes(body, user_uid="v1")

    assert response.status_code == status
    assert error_of(response) == f"personalize.EDGE.{code}"
    assert Visitor.objects.get(project=project, user_uid="v1").attributes == {"plan": "free"}


@pytest.mark.parametrize("name", list(HOSTILE_BODIES))
def test_hostile_event_bodies_are_refused_and_record_nothing(edge, project, name):
    body, status, _code = HOSTILE_BODIES[name]
    response = edge.events(body, user_uid="v1")
    assert 400 <= response.status_code < 500
    assert error_of(response).startswith("personalize.EDGE.")
    assert not EdgeEvent.objects.exists()


@pytest.mark.parametrize("name", list(HOSTILE_BODIES))
def test_hostile_merge_bodies_are_refused(edge, project, name):
    body, _status, _code = HOSTILE_BODIES[name]
    response = edge.merge(body, user_uid="v1")
    assert 400 <= response.status_code < 500
    assert error_of(response).startswith("personalize.EDGE.")


def test_a_body_larger_than_its_content_length_is_read_only_to_the_limit(client, project):
    """A client that understates Content-Length cannot make the server read more."""
    response = client.generic(
        "PATCH",
        "/edge/user-attributes",
        data=json.dumps({"plan": "x" * 70_000}),
        content_type="text/plain",
        headers={"X-Project-Uid": project.uid},
        CONTENT_LENGTH="10",
    )
    assert 400 <= response.status_code < 500
    assert not Visitor.objects.exists()


HOSTILE_LIVE_ATTRIBUTES = {
    "deeply nested": ("[" * 4000, 400, "INVALID_LIVE_ATTRIBUTES"),
    "a 5000-digit integer": ('{"plan": ' + "9" * 5000 + "}", 400, "INVALID_LIVE_ATTRIBUTES"),
    "many keys": (
        json.dumps({f"k{i}": 1 for i in range(500)}, separators=(",", ":")),
        400,
        "INVALID_LIVE_ATTRIBUTES",
    ),
    "oversized": ('{"plan":"' + "x" * MAX_HEADER + '"}', 431, "HEADER_TOO_LARGE"),
}


@pytest.mark.parametrize("name", list(HOSTILE_LIVE_ATTRIBUTES))
def test_hostile_live_attributes_header_is_refused(client, project, name):
    value, status, code = HOSTILE_LIVE_ATTRIBUTES[name]
    response = client.get(
        "/edge/manifest", headers={"X-Project-Uid": project.uid, "X-Live-Attributes": value}
    )
    assert response.status_code == status
    assert error_of(response) == f"personalize.EDGE.{code}"


@pytest.mark.parametrize(
    "header", ["X-Page-Url", "Referer", "User-Agent", "X-CS-Personalize-User-Uid"]
)
def test_oversized_headers_are_refused_or_ignored_never_a_500(client, project, owner, plan, header):
    # An audience that reads every preset, so every header above is parsed.
    audience = make_audience(
        project,
        {
            "__type": "Rule",
            "attribute": {"__type": "PresetAttributeReference", "ref": "DEVICE_TYPE"},
            "attributeMatchCondition": "STRING_EQUALS",
            "attributeMatchOptions": {"__type": "StringMatchOptions", "value": "Mobile"},
            "invertCondition": False,
        },
        {
            "__type": "Rule",
            "attribute": {"__type": "PresetAttributeReference", "ref": "REFERRER"},
            "attributeMatchCondition": "STRING_CONTAINS",
            "attributeMatchOptions": {"__type": "StringMatchOptions", "value": "x"},
            "invertCondition": False,
        },
        combination="OR",
    )
    segmented(project, owner, [([audience], "AND")])
    response = client.get(
        "/edge/manifest", headers={"X-Project-Uid": project.uid, header: "x" * 100_000}
    )
    assert response.status_code in (200, 400, 431), response.status_code
    if response.status_code != 200:
        assert error_of(response).startswith("personalize.EDGE.")
    assert not Visitor.objects.exists()


def test_too_many_query_fields_answer_json_with_a_code(edge):
    query = "?" + "&".join(f"tags[]=t{i}" for i in range(2000))
    response = edge.manifest(query=query, user_uid="v1")
    assert response.status_code == 400
    assert error_of(response) == "personalize.EDGE.INVALID_REQUEST"


def test_too_many_form_fields_in_an_events_body_are_refused(client, project):
    EventFactory(project=project, key="signup")
    response = client.post(
        "/edge/events",
        data="&".join(f"a{i}=1" for i in range(3000)),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Project-Uid": project.uid},
    )
    assert 400 <= response.status_code < 500
    assert not EdgeEvent.objects.exists()


def test_pathological_regex_on_a_hostile_value_is_evaluated_in_linear_time(
    edge, project, owner, plan
):
    """Audience patterns run on RE2: ``(a+)+$`` against a long run of ``a`` followed
    by ``!`` (exponential for a backtracking engine) answers like any other request."""

    def regex_rule(pattern):
        rule = custom_rule(plan, "STRING_MATCHES_REGEX")
        rule["attributeMatchOptions"] = {"__type": "RegexMatchOptions", "pattern": pattern}
        return rule

    audience = make_audience(
        project, regex_rule("(a+)+$"), regex_rule("(x+x+)+y"), combination="OR"
    )
    live = segmented(project, owner, [([audience], "AND")])
    hostile = "a" * 999 + "!"

    response = edge.manifest(user_uid="v1", live={"plan": hostile})

    assert response.status_code == 200
    assert response.json()["activeVariants"].get(live.short_uid) is None
    matching = edge.manifest(user_uid="v2", live={"plan": "a" * 1000})
    assert matching.json()["activeVariants"].get(live.short_uid) == "0"
