"""The Django admin entries for attributes, events and audiences."""

import json

import pytest
from django.urls import reverse

from tests.audiences.rules_helpers import all_of, preset, rule
from tests.factories import AttributeFactory, AudienceFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["attribute", "event", "audience"])
def test_admin_changelist_and_change_form_render(admin_client, project, model):
    factory = {"attribute": AttributeFactory, "event": EventFactory, "audience": AudienceFactory}[
        model
    ]
    obj = factory(project=project)
    changelist = reverse(f"admin:audiences_{model}_changelist")
    assert admin_client.get(changelist, {"q": "acme"}).status_code == 200
    assert (
        admin_client.get(reverse(f"admin:audiences_{model}_change", args=[obj.pk])).status_code
        == 200
    )


def admin_post(admin_client, audience, definition):
    url = reverse("admin:audiences_audience_change", args=[audience.pk])
    return admin_client.post(
        url, {"name": audience.name, "description": "", "definition": json.dumps(definition)}
    )


def test_admin_refuses_an_invalid_definition(admin_client, project):
    audience = AudienceFactory(project=project)
    response = admin_post(
        admin_client, audience, all_of(rule(preset("COUNTRY"), "NUMBER_GREATER_THAN", value=1))
    )
    assert response.status_code == 200
    assert "does not apply to Country" in response.content.decode()
    audience.refresh_from_db()
    assert audience.definition["rules"][0]["attributeMatchCondition"] == "STRING_EQUALS"


def test_admin_saves_a_valid_definition_and_touches_live_config(admin_client, project):
    audience = AudienceFactory(project=project)
    before = project.live_config_revision
    response = admin_post(
        admin_client, audience, all_of(rule(preset("COUNTRY"), "STRING_EQUALS", value="CA"))
    )
    assert response.status_code == 302
    audience.refresh_from_db()
    project.refresh_from_db()
    assert audience.definition["rules"][0]["attributeMatchOptions"]["value"] == "CA"
    assert (audience.revision, project.live_config_revision) == (2, before + 1)
