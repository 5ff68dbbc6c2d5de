"""Form and API bodies cannot reach another project either: audiences, events,
attributes and experiences named by uid in a body must belong to the project the
request is for. The UI and the API both go through these services."""

import pytest

from personalize_admin.audiences import services as audience_services
from personalize_admin.core.errors import DomainError
from personalize_admin.experiences import services as experience_services
from tests.factories import (
    AttributeFactory,
    AudienceFactory,
    EventFactory,
    ab_variants,
    make_experience,
    make_project,
    segmented_variants,
)
from tests.helpers.snapshot import assert_unchanged, database_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(owner):
    return make_project(owner=owner, name="A"), make_project(owner=owner, name="B")


def test_variant_cannot_target_another_projects_audience(owner, projects):
    a, b = projects
    experience = make_experience(project=a, actor=owner)
    theirs = AudienceFactory(project=b)
    before = database_state()
    with pytest.raises(DomainError) as refused:
        experience_services.save_draft(
            version=experience.versions.get(),
            data={"variants": segmented_variants([theirs])},
            actor=owner,
        )
    assert "variants[0].audiences" in refused.value.field_errors
    assert_unchanged(before, database_state(), "a variant with another project's audience")


def test_ab_test_cannot_use_another_projects_audience_or_event(owner, projects):
    a, b = projects
    experience = make_experience(project=a, actor=owner, type="AB_TEST")
    audience, event = AudienceFactory(project=b), EventFactory(project=b)
    before = database_state()
    with pytest.raises(DomainError) as refused:
        experience_services.save_draft(
            version=experience.versions.get(),
            data={
                "variants": ab_variants("Control", "Treatment"),
                "targeting": {"audiences": [audience.uid], "audienceCombinationType": "OR"},
                "metrics": [{"__type": "Primary", "event": event.uid}],
            },
            actor=owner,
        )
    fields = refused.value.field_errors
    assert any(path.startswith("targeting") for path in fields), fields
    assert any(path.startswith("metrics") for path in fields), fields
    assert_unchanged(before, database_state(), "an A/B test with another project's objects")


def test_audience_rule_cannot_read_another_projects_attribute(owner, projects):
    a, b = projects
    theirs = AttributeFactory(project=b)
    definition = {
        "__type": "RuleCombination",
        "combinationType": "AND",
        "rules": [
            {
                "__type": "Rule",
                "attribute": {"__type": "CustomAttributeReference", "ref": theirs.uid},
                "attributeMatchCondition": "STRING_EQUALS",
                "attributeMatchOptions": {"__type": "StringMatchOptions", "value": "x"},
                "invertCondition": False,
            }
        ],
    }
    before = database_state()
    with pytest.raises(DomainError):
        audience_services.create_audience(
            project=a, name="Borrowed", definition=definition, actor=owner
        )
    assert_unchanged(before, database_state(), "an audience with another project's attribute")


def test_priorities_cannot_name_another_projects_experiences(owner, projects):
    a, b = projects
    make_experience(project=a, actor=owner)
    theirs = [make_experience(project=b, actor=owner) for _ in range(2)]
    before = database_state()
    with pytest.raises(DomainError):
        experience_services.set_priorities(
            project=a, ordered_experience_uids=[e.uid for e in reversed(theirs)], actor=owner
        )
    assert_unchanged(before, database_state(), "priorities naming another project's experiences")
