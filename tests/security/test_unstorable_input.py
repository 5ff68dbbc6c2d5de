"""NUL characters and lone surrogates, which PostgreSQL cannot store (or even
compare), are refused with a message wherever they can come in, never a 500."""

import json

import pytest
from django.urls import reverse

from personalize_admin.audiences import services as audience_services
from personalize_admin.core.errors import DomainError
from personalize_admin.edge.models import Visitor
from personalize_admin.experiences import services as experience_services
from tests.edge.conftest import EdgeClient
from tests.factories import UserFactory, ab_variants, make_experience, make_project
from tests.helpers.permissions import Context, load_cases
from tests.helpers.snapshot import assert_unchanged, database_state

UI_CASES = [
    case
    for case in load_cases()
    if case.name.split(":")[0] not in ("edge", "api") and (case.method == "get" or case.data)
]


@pytest.fixture
def people(db):
    owner = UserFactory(username="nul-owner")
    member = UserFactory(username="nul-member")
    outsider = UserFactory(username="nul-outsider")
    project = make_project(owner=owner, members=[member], name="NUL")
    return Context(project=project, owner=owner, member=member, outsider=outsider)


@pytest.mark.parametrize("case", UI_CASES, ids=[case.id for case in UI_CASES])
def test_ui_refuses_nul_characters_with_400_and_changes_nothing(client, people, case):
    client.force_login(people.owner)
    url = reverse(case.name, kwargs=case.kwargs(people))
    headers = {"HX-Request": "true"} if case.htmx else {}
    if case.method == "get":
        url += (case.query + "&" if case.query else "?") + "q=a%00b"
        data = {}
    else:
        data = {key: f"{value}\x00" for key, value in case.data(people).items()}
    before = database_state()
    response = getattr(client, case.method)(url, data=data, headers=headers)
    if case.expected("owner") == (403,):
        assert response.status_code in (400, 403)  # refused either way
    else:
        assert response.status_code == 400, f"{case.id}: {response.status_code}"
        assert b"NUL character" in response.content
    assert_unchanged(before, database_state(), f"{case.id} with a NUL character")


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["a\x00b", "\ud800"])
def test_edge_refuses_unstorable_attribute_values(client, project, value):
    edge = EdgeClient(client, project)
    edge.patch_attributes({"plan": "free"}, user_uid="v1")
    response = edge.patch_attributes(json.dumps({"plan": value}), user_uid="v1")
    assert response.status_code == 400
    assert response.json()["error"] == "personalize.EDGE.INVALID_BODY"
    assert Visitor.objects.get(project=project, user_uid="v1").attributes == {"plan": "free"}
    live = edge.manifest(user_uid="v1", live={"plan": value})
    assert live.status_code == 400
    assert live.json()["error"] == "personalize.EDGE.INVALID_LIVE_ATTRIBUTES"


@pytest.mark.django_db
def test_edge_refuses_a_lone_surrogate_in_a_user_uid(client, project):
    edge = EdgeClient(client, project)
    response = edge.merge(
        json.dumps({"sourceUserUid": "\udc00", "targetUserUid": "v1"}), user_uid="v1"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "personalize.EDGE.INVALID_USER_UID"


@pytest.mark.django_db
def test_audience_rule_value_with_nul_is_a_field_error(owner, project):
    definition = {
        "__type": "RuleCombination",
        "combinationType": "AND",
        "rules": [
            {
                "__type": "Rule",
                "attribute": {"__type": "PresetAttributeReference", "ref": "COUNTRY"},
                "attributeMatchCondition": "STRING_EQUALS",
                "attributeMatchOptions": {"__type": "StringMatchOptions", "value": "U\x00S"},
                "invertCondition": False,
            }
        ],
    }
    with pytest.raises(DomainError) as refused:
        audience_services.create_audience(
            project=project, name="Nul", definition=definition, actor=owner
        )
    assert "rules[0].attributeMatchOptions.value" in str(refused.value.field_errors)


@pytest.mark.django_db
def test_variant_name_and_uids_with_nul_are_field_errors(owner, project):
    experience = make_experience(project=project, actor=owner, type="AB_TEST")
    variants = ab_variants("Con\x00trol", "Treatment")
    before = database_state()
    with pytest.raises(DomainError) as refused:
        experience_services.save_draft(
            version=experience.versions.get(),
            data={
                "variants": variants,
                "targeting": {"audiences": ["a\x00"], "audienceCombinationType": "OR"},
                "metrics": [{"__type": "Primary", "event": "e\x00"}],
            },
            actor=owner,
        )
    fields = refused.value.field_errors
    assert "variants[0].name" in fields
    assert any(path.startswith("targeting") for path in fields)
    assert any(path.startswith("metrics") for path in fields)
    assert_unchanged(before, database_state(), "a version with NUL characters")
