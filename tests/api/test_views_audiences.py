"""``/api/attributes``, ``/api/events`` and ``/api/audiences``: the same rules as the UI's pages."""

import pytest

from personalize_admin.audiences.models import Attribute, Audience, Event
from personalize_admin.core.models import AuditEntry
from tests.factories import (
    AttributeFactory,
    AudienceFactory,
    EventFactory,
    country_rule,
    make_experience,
    make_project,
    segmented_variants,
)
from tests.helpers.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def definition(*rules, combination="AND"):
    return {"__type": "RuleCombination", "combinationType": combination, "rules": list(rules)}


def custom_rule(attribute, condition="STRING_EQUALS", options=None):
    return {
        "__type": "Rule",
        "attribute": {"__type": "CustomAttributeReference", "ref": attribute.uid},
        "attributeMatchCondition": condition,
        "attributeMatchOptions": options or {"__type": "StringMatchOptions", "value": "gold"},
        "invertCondition": False,
    }


class HeaderClient:
    """``get(url)`` with the token and project header, for ``assert_constant_queries``."""

    def __init__(self, api):
        self.api = api
        api.get("/api/projects")  # the token's first use of the day is recorded once

    def get(self, url):
        return self.api.get(url)


# ---------- attributes ----------


def test_create_attribute_answers_it_in_camelcase(owner_api, project):
    response = owner_api.post(
        "/api/attributes",
        {"name": "Plan", "key": "plan", "description": "Billing plan", "type": "STRING"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    attribute = Attribute.objects.get(project=project)
    assert body == {
        "uid": attribute.uid,
        "name": "Plan",
        "key": "plan",
        "description": "Billing plan",
        "type": "STRING",
        "revision": 1,
        "createdAt": body["createdAt"],
        "updatedAt": body["updatedAt"],
        "createdBy": "olivia",
        "updatedBy": "olivia",
    }
    assert AuditEntry.objects.filter(action="attribute.create").count() == 1


def test_attribute_type_defaults_to_string(member_api, project):
    response = member_api.post("/api/attributes", {"name": "Plan", "key": "plan"})
    assert response.status_code == 201
    assert response.json()["type"] == "STRING"


def test_list_attributes_is_the_projects_only_by_name(owner_api, project, owner):
    AttributeFactory(project=project, name="Zeta", key="zeta")
    AttributeFactory(project=project, name="alpha", key="alpha")
    AttributeFactory(project=make_project(owner=owner), name="Elsewhere", key="elsewhere")
    response = owner_api.get("/api/attributes")
    assert [a["name"] for a in response.json()] == ["alpha", "Zeta"]


def test_list_attributes_query_count_is_constant(owner_api, project):
    def add(n):
        for _ in range(n):
            AttributeFactory(project=project)

    assert_constant_queries(HeaderClient(owner_api), "/api/attributes", add, sizes=(1, 12))


def test_duplicate_attribute_key_is_409_with_the_field(owner_api, project):
    AttributeFactory(project=project, key="plan")
    response = owner_api.post("/api/attributes", {"name": "Other", "key": "PLAN"})
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "personalize.ATTRIBUTES.DUPLICATE_KEY"
    assert list(body["errors"]) == ["key"]
    assert Attribute.objects.filter(project=project).count() == 1


def test_put_attribute_changes_it_and_a_stale_revision_changes_nothing(owner_api, project):
    attribute = AttributeFactory(project=project, name="Plan", key="plan")
    url = f"/api/attributes/{attribute.uid}"
    response = owner_api.put(url, {"name": "Tier", "key": "tier", "revision": 1})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["revision"]) == ("Tier", 2)
    stale = owner_api.put(url, {"name": "Late", "key": "late", "revision": 1})
    assert stale.status_code == 409
    assert stale.json()["error"] == "personalize.ATTRIBUTES.STALE_REVISION"
    attribute.refresh_from_db()
    assert (attribute.name, attribute.key) == ("Tier", "tier")


def test_put_attribute_without_type_keeps_it(owner_api, project):
    attribute = AttributeFactory(project=project, type="NUMBER")
    response = owner_api.put(
        f"/api/attributes/{attribute.uid}", {"name": "Age", "key": attribute.key}
    )
    assert response.json()["type"] == "NUMBER"


def test_attribute_type_change_refused_while_rules_need_the_old_type(owner_api, project):
    attribute = AttributeFactory(project=project, type="STRING")
    AudienceFactory(
        project=project,
        definition=definition(
            custom_rule(
                attribute, "CONTAINS_SUBSTRING", {"__type": "StringMatchOptions", "value": "x"}
            )
        ),
    )
    response = owner_api.put(
        f"/api/attributes/{attribute.uid}",
        {"name": attribute.name, "key": attribute.key, "type": "NUMBER"},
    )
    assert response.status_code == 409
    assert response.json()["error"] == "personalize.ATTRIBUTES.TYPE_IN_USE"
    attribute.refresh_from_db()
    assert attribute.type == "STRING"


def test_delete_attribute_used_by_an_audience_is_409(owner_api, project):
    attribute = AttributeFactory(project=project)
    AudienceFactory(project=project, definition=definition(custom_rule(attribute)))
    response = owner_api.delete(f"/api/attributes/{attribute.uid}")
    assert response.status_code == 409
    assert response.json()["error"] == "personalize.ATTRIBUTES.IN_USE"
    assert Attribute.objects.filter(pk=attribute.pk).exists()


def test_delete_attribute(member_api, project):
    attribute = AttributeFactory(project=project)
    assert member_api.delete(f"/api/attributes/{attribute.uid}").status_code == 204
    assert not Attribute.objects.filter(pk=attribute.pk).exists()


# ---------- events ----------


def test_event_crud(member_api, project):
    created = member_api.post("/api/events", {"key": "signup", "description": "Signed up"})
    assert created.status_code == 201
    uid = created.json()["uid"]
    assert member_api.get(f"/api/events/{uid}").json()["key"] == "signup"
    changed = member_api.put(f"/api/events/{uid}", {"key": "sign_up", "revision": 1})
    assert changed.status_code == 200
    assert (changed.json()["key"], changed.json()["description"]) == ("sign_up", "")
    assert [e["key"] for e in member_api.get("/api/events").json()] == ["sign_up"]
    assert member_api.delete(f"/api/events/{uid}").status_code == 204
    assert member_api.get("/api/events").json() == []
    assert member_api.get(f"/api/events/{uid}").status_code == 404


def test_delete_event_measured_by_a_draft_is_409(owner_api, project, owner):
    event = EventFactory(project=project)
    make_experience(
        project=project,
        actor=owner,
        type="AB_TEST",
        variants=[{"name": "A"}, {"name": "B"}],
        metrics=[{"__type": "Primary", "event": event.uid}],
    )
    response = owner_api.delete(f"/api/events/{event.uid}")
    assert response.status_code == 409
    assert response.json()["error"] == "personalize.EVENTS.IN_USE"
    event.refresh_from_db()
    assert event.deleted_at is None


# ---------- audiences ----------


def test_create_audience_stores_the_definition_normalized(owner_api, project):
    response = owner_api.post(
        "/api/audiences",
        {"name": "US visitors", "description": "", "definition": definition(country_rule("US"))},
    )
    assert response.status_code == 201, response.content
    audience = Audience.objects.get(project=project)
    assert response.json()["uid"] == audience.uid
    assert response.json()["definition"] == audience.definition
    assert audience.definition["rules"][0]["attributeMatchOptions"]["value"] == "US"


def test_invalid_rules_answer_422_with_the_validators_paths(owner_api, project):
    broken = country_rule("US")
    broken["attributeMatchOptions"] = {"__type": "NumberMatchOptions", "value": "US"}
    response = owner_api.post(
        "/api/audiences", {"name": "Broken", "definition": definition(broken)}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "personalize.AUDIENCES.INVALID_DEFINITION"
    assert any(
        path.startswith("definition.rules[0].attributeMatchOptions") for path in body["errors"]
    )
    assert not Audience.objects.exists()


def test_rule_on_another_projects_attribute_is_refused(owner_api, project, owner):
    foreign = AttributeFactory(project=make_project(owner=owner))
    response = owner_api.post(
        "/api/audiences", {"name": "Foreign", "definition": definition(custom_rule(foreign))}
    )
    assert response.status_code == 422
    assert any(
        path.startswith("definition.rules[0].attribute") for path in response.json()["errors"]
    )
    assert not Audience.objects.exists()


def test_put_audience_with_stale_revision_changes_nothing(owner_api, project):
    audience = AudienceFactory(project=project, name="US")
    url = f"/api/audiences/{audience.uid}"
    body = {"name": "Canada", "definition": definition(country_rule("CA")), "revision": 1}
    assert owner_api.put(url, body).status_code == 200
    stale = owner_api.put(url, {**body, "name": "Mexico"})
    assert stale.status_code == 409
    assert stale.json()["error"] == "personalize.AUDIENCES.STALE_REVISION"
    audience.refresh_from_db()
    assert audience.name == "Canada"
    assert audience.definition["rules"][0]["attributeMatchOptions"]["value"] == "CA"


def test_delete_audience_in_use_is_409_listing_the_experiences(owner_api, project, owner):
    audience = AudienceFactory(project=project)
    make_experience(
        project=project,
        actor=owner,
        name="Homepage hero",
        variants=segmented_variants([audience]),
        activate=True,
    )
    response = owner_api.delete(f"/api/audiences/{audience.uid}")
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "personalize.AUDIENCES.IN_USE"
    assert "Homepage hero" in body["message"]
    audience.refresh_from_db()
    assert audience.deleted_at is None


def test_deleted_audience_is_gone_from_the_api(owner_api, project):
    audience = AudienceFactory(project=project)
    assert owner_api.delete(f"/api/audiences/{audience.uid}").status_code == 204
    assert owner_api.get(f"/api/audiences/{audience.uid}").status_code == 404
    assert owner_api.get("/api/audiences").json() == []


def test_list_audiences_query_count_is_constant(owner_api, project):
    def add(n):
        for _ in range(n):
            AudienceFactory(project=project)

    assert_constant_queries(HeaderClient(owner_api), "/api/audiences", add, sizes=(1, 12))


# ---------- another project's objects, bad input ----------


@pytest.mark.parametrize("kind", ["attributes", "events", "audiences"])
def test_another_projects_object_is_404_for_every_method(owner_api, owner, kind):
    other = make_project(owner=owner, name="Other")
    factory = {"attributes": AttributeFactory, "events": EventFactory, "audiences": AudienceFactory}
    foreign = factory[kind](project=other)
    url = f"/api/{kind}/{foreign.uid}"
    assert owner_api.get(url).status_code == 404
    assert owner_api.put(url, {"name": "X", "key": "x", "definition": {}}).status_code == 404
    assert owner_api.delete(url).status_code == 404
    assert type(foreign).objects.filter(pk=foreign.pk, project=other).exists()


BAD_BODIES = {
    "attributes": [
        {"name": 12, "key": "plan"},
        {"name": "Plan", "key": "not a key"},
        {"name": "x" * 10_000, "key": "plan"},
        {"name": "Plan", "key": "plan", "type": "COLOR"},
        {"name": "Plan\x00", "key": "plan"},
        {"name": "   ", "key": "plan"},
        ["not", "an", "object"],
    ],
    "events": [
        {"key": 5},
        {"key": "a" * 5000},
        {"key": "plan", "description": ["x"]},
        {},
    ],
    "audiences": [
        {"name": "US", "definition": "rules"},
        {"name": "US", "definition": []},
        {"name": "US", "definition": {"__type": "Rule"}},
        {"name": "US", "definition": definition({"__type": "Rule"})},
        {"name": "US" * 1000, "definition": definition(country_rule())},
        {"name": None, "definition": definition(country_rule())},
    ],
}


@pytest.mark.parametrize(
    ("kind", "body"),
    [(kind, body) for kind, bodies in BAD_BODIES.items() for body in bodies],
)
def test_bad_bodies_answer_4xx_and_change_nothing(owner_api, project, kind, body):
    model = {"attributes": Attribute, "events": Event, "audiences": Audience}[kind]
    response = owner_api.post(f"/api/{kind}", body)
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"error", "message", "errors"}
    assert not model.objects.exists()


@pytest.mark.parametrize("kind", ["attributes", "events", "audiences"])
def test_non_json_bodies_are_refused(owner_api, project, kind):
    not_json = owner_api.post(f"/api/{kind}", raw=b"{name: ", content_type="application/json")
    assert not_json.status_code == 400
    assert not_json.json()["error"] == "personalize.MALFORMED_REQUEST"
    form = owner_api.post(f"/api/{kind}", raw="name=x", content_type="text/plain")
    assert form.status_code == 415


def test_put_with_bad_body_changes_nothing(owner_api, project):
    audience = AudienceFactory(project=project, name="Kept")
    response = owner_api.put(
        f"/api/audiences/{audience.uid}", {"name": "New", "definition": {"rules": 5}}
    )
    assert response.status_code == 422
    audience.refresh_from_db()
    assert (audience.name, audience.revision) == ("Kept", 1)


def test_null_characters_in_rule_values_are_refused(owner_api, project):
    """PostgreSQL cannot store them in JSON: the validator refuses them with a path."""
    rule = country_rule("US\x00")
    response = owner_api.post("/api/audiences", {"name": "US", "definition": definition(rule)})
    assert response.status_code == 422
    assert "definition.rules[0].attributeMatchOptions.value" in response.json()["errors"]
    assert not Audience.objects.exists()
