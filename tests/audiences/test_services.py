"""Attribute, event and audience services: rules, limits, revisions, audit, live config."""

import pytest

from personalize_admin.audiences import services
from personalize_admin.audiences.models import Attribute, Audience, Event
from personalize_admin.core.errors import Conflict, ValidationFailed
from personalize_admin.core.models import AuditEntry
from tests.audiences.rules_helpers import all_of, any_of, custom, preset, rule
from tests.audiences.usage import version_measuring, version_using
from tests.factories import AttributeFactory, AudienceFactory, EventFactory, make_project

pytestmark = pytest.mark.django_db


def live_revision(project):
    project.refresh_from_db()
    return project.live_config_revision


def us_only():
    return all_of(rule(preset("COUNTRY"), "STRING_EQUALS", value="US"))


# ---------- attributes ----------


def test_create_attribute_records_audit_and_touches_live_config(project, owner):
    before = live_revision(project)
    attribute = services.create_attribute(
        project=project, name=" Age ", key="age", type="NUMBER", actor=owner
    )
    assert (attribute.name, attribute.key, attribute.type, attribute.created_by) == (
        "Age",
        "age",
        "NUMBER",
        owner,
    )
    assert live_revision(project) == before + 1
    assert AuditEntry.objects.filter(action="attribute.create", object_uid=attribute.uid).exists()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": "", "key": "age"}, "name", "Please enter an attribute name."),
        ({"name": "Age", "key": ""}, "key", "Please enter an attribute key."),
        ({"name": "Age", "key": "my age"}, "key", "letters, digits and underscores"),
        ({"name": "Age", "key": "age", "type": "COLOR"}, "type", "Choose a type"),
    ],
)
def test_create_attribute_bad_input_is_refused(project, owner, values, field, message):
    with pytest.raises(ValidationFailed) as caught:
        services.create_attribute(project=project, actor=owner, **{"type": "STRING", **values})
    assert message in caught.value.field_errors[field][0]
    assert not Attribute.objects.exists()


def test_attribute_keys_are_unique_per_project_ignoring_case(project, owner):
    services.create_attribute(project=project, name="Age", key="age", actor=owner)
    with pytest.raises(Conflict) as caught:
        services.create_attribute(project=project, name="Age again", key="AGE", actor=owner)
    assert caught.value.code == "personalize.ATTRIBUTES.DUPLICATE_KEY"
    services.create_attribute(project=make_project(owner=owner), name="Age", key="age", actor=owner)


def test_attribute_limit_is_enforced(project, owner, settings):
    settings.PERSONALIZE_LIMITS = {**settings.PERSONALIZE_LIMITS, "attributes_per_project": 1}
    services.create_attribute(project=project, name="A", key="a", actor=owner)
    with pytest.raises(Conflict, match="at most 1 custom attributes"):
        services.create_attribute(project=project, name="B", key="b", actor=owner)


def test_update_attribute_with_stale_revision_changes_nothing(project, owner):
    attribute = AttributeFactory(project=project, name="Tier", key="tier")
    services.update_attribute(
        attribute=attribute,
        name="Tier 2",
        key="tier",
        description="",
        type="STRING",
        actor=owner,
        expected_revision=1,
    )
    with pytest.raises(Conflict, match="after you opened it"):
        services.update_attribute(
            attribute=attribute,
            name="Tier 3",
            key="tier",
            description="",
            type="STRING",
            actor=owner,
            expected_revision=1,
        )
    attribute.refresh_from_db()
    assert (attribute.name, attribute.revision) == ("Tier 2", 2)


def test_update_attribute_without_changes_keeps_revision(project, owner):
    attribute = AttributeFactory(project=project, name="Tier", key="tier")
    before = live_revision(project)
    services.update_attribute(
        attribute=attribute, name="Tier", key="tier", description="", type="STRING", actor=owner
    )
    attribute.refresh_from_db()
    assert attribute.revision == 1 and live_revision(project) == before


def test_changing_type_that_breaks_audience_rules_is_refused(project, owner):
    attribute = AttributeFactory(project=project, name="Tier", key="tier", type="STRING")
    audience = AudienceFactory(
        project=project,
        name="Gold",
        definition=all_of(rule(custom(attribute.uid), "STRING_EQUALS", value="gold")),
    )
    with pytest.raises(Conflict) as caught:
        services.update_attribute(
            attribute=attribute, name="Tier", key="tier", description="", type="NUMBER", actor=owner
        )
    assert (
        "“Gold”" in caught.value.message
        and caught.value.code == "personalize.ATTRIBUTES.TYPE_IN_USE"
    )
    attribute.refresh_from_db()
    assert attribute.type == "STRING"
    # "has any value" fits every type, so that change is allowed.
    audience.definition = all_of(rule(custom(attribute.uid), "HAS_ANY_VALUE"))
    audience.save()
    services.update_attribute(
        attribute=attribute, name="Tier", key="tier", description="", type="NUMBER", actor=owner
    )


def test_delete_attribute_used_by_audience_is_refused_with_the_audiences(project, owner):
    attribute = AttributeFactory(project=project, name="Tier")
    AudienceFactory(
        project=project,
        name="Gold members",
        definition=any_of(
            rule(preset("COUNTRY"), "HAS_ANY_VALUE"),
            all_of(rule(custom(attribute.uid), "HAS_ANY_VALUE")),
        ),
    )
    with pytest.raises(Conflict) as caught:
        services.delete_attribute(attribute=attribute, actor=owner)
    assert "“Gold members”" in caught.value.message
    assert Attribute.objects.filter(pk=attribute.pk).exists()


def test_delete_attribute_unused_or_only_in_deleted_audiences_removes_it(project, owner):
    attribute = AttributeFactory(project=project)
    gone = AudienceFactory(
        project=project, definition=all_of(rule(custom(attribute.uid), "HAS_ANY_VALUE"))
    )
    services.delete_audience(audience=gone, actor=owner)
    before = live_revision(project)
    services.delete_attribute(attribute=attribute, actor=owner)
    assert not Attribute.objects.filter(pk=attribute.pk).exists()
    assert live_revision(project) == before + 1


# ---------- events ----------


def test_create_event_and_duplicate_key(project, owner):
    event = services.create_event(
        project=project, key="add_to_cart", description="Cart", actor=owner
    )
    assert event.key == "add_to_cart"
    with pytest.raises(Conflict, match="already exists"):
        services.create_event(project=project, key="Add_To_Cart", actor=owner)


def test_delete_event_used_by_a_draft_or_live_metric_is_refused(project, owner):
    event = EventFactory(project=project, key="checkout")
    version_measuring(event, status="ACTIVE", name="Checkout test")
    with pytest.raises(Conflict, match="“Checkout test”") as caught:
        services.delete_event(event=event, actor=owner)
    assert caught.value.code == "personalize.EVENTS.IN_USE"
    event.refresh_from_db()
    assert event.deleted_at is None


def test_delete_event_used_only_by_archived_versions_is_soft(project, owner):
    event = EventFactory(project=project, key="checkout")
    version_measuring(event, status="ARCHIVED")
    services.delete_event(event=event, actor=owner)
    event.refresh_from_db()
    assert event.deleted_at is not None
    assert list(Event.objects.for_project(project)) == []
    # Its key is free again.
    services.create_event(project=project, key="checkout", actor=owner)


def test_update_event_stale_revision_is_refused(project, owner):
    event = EventFactory(project=project, key="a")
    services.update_event(event=event, key="b", description="", actor=owner, expected_revision=1)
    with pytest.raises(Conflict):
        services.update_event(
            event=event, key="c", description="", actor=owner, expected_revision=1
        )


# ---------- audiences ----------


def test_create_audience_validates_and_stores_normalized(project, owner):
    definition = all_of(
        {
            "__type": "Rule",
            "attribute": preset("DEVICE_TYPE"),
            "attributeMatchCondition": "HAS_ANY_VALUE",
        }
    )
    before = live_revision(project)
    audience = services.create_audience(
        project=project, name="Any device", definition=definition, actor=owner
    )
    audience.refresh_from_db()
    assert audience.definition["rules"][0]["invertCondition"] is False
    assert live_revision(project) == before + 1
    assert AuditEntry.objects.filter(action="audience.create", object_uid=audience.uid).exists()


def test_create_audience_reports_name_and_rule_problems_together_and_saves_nothing(project, owner):
    with pytest.raises(ValidationFailed) as caught:
        services.create_audience(
            project=project, name="", definition=all_of(rule(preset("COUNTRY"), "")), actor=owner
        )
    assert caught.value.field_errors == {
        "name": ["Please enter an audience name."],
        "definition.rules[0].attributeMatchCondition": ["Select an operator."],
    }
    assert not Audience.objects.exists()


def test_bad_definition_alone_keeps_the_validators_code(project, owner):
    with pytest.raises(ValidationFailed) as caught:
        services.create_audience(project=project, name="X", definition=all_of(), actor=owner)
    assert caught.value.code == "personalize.AUDIENCES.INVALID_DEFINITION"
    assert caught.value.field_errors == {"definition.rules": ["Add at least one rule."]}


def test_custom_attribute_of_another_project_is_unknown(project, owner):
    foreign = AttributeFactory(project=make_project(owner=owner))
    with pytest.raises(ValidationFailed, match="Unknown attribute"):
        services.create_audience(
            project=project,
            name="X",
            definition=all_of(rule(custom(foreign.uid), "HAS_ANY_VALUE")),
            actor=owner,
        )


def test_audience_names_are_unique_ignoring_case_among_live_audiences(project, owner):
    first = services.create_audience(project=project, name="US", definition=us_only(), actor=owner)
    with pytest.raises(Conflict) as caught:
        services.create_audience(project=project, name="us", definition=us_only(), actor=owner)
    assert caught.value.field_errors == {
        "name": ["An audience named “us” already exists. Choose another name."]
    }
    services.delete_audience(audience=first, actor=owner)
    services.create_audience(project=project, name="US", definition=us_only(), actor=owner)


def test_audience_limit_counts_live_audiences(project, owner, settings):
    settings.PERSONALIZE_LIMITS = {**settings.PERSONALIZE_LIMITS, "audiences_per_project": 1}
    first = services.create_audience(project=project, name="A", definition=us_only(), actor=owner)
    with pytest.raises(Conflict) as caught:
        services.create_audience(project=project, name="B", definition=us_only(), actor=owner)
    assert caught.value.code == "personalize.AUDIENCES.LIMIT_REACHED"
    services.delete_audience(audience=first, actor=owner)
    services.create_audience(project=project, name="B", definition=us_only(), actor=owner)


def test_update_audience_bumps_revision_and_refuses_a_stale_one(project, owner):
    audience = services.create_audience(
        project=project, name="US", definition=us_only(), actor=owner
    )
    services.update_audience(
        audience=audience,
        name="US visitors",
        description="",
        definition=us_only(),
        actor=owner,
        expected_revision=1,
    )
    with pytest.raises(Conflict) as caught:
        services.update_audience(
            audience=audience,
            name="Theirs",
            description="",
            definition=us_only(),
            actor=owner,
            expected_revision=1,
        )
    assert caught.value.code == "personalize.AUDIENCES.STALE_REVISION"
    audience.refresh_from_db()
    assert (audience.name, audience.revision) == ("US visitors", 2)
    entry = AuditEntry.objects.get(action="audience.update", object_uid=audience.uid)
    assert entry.details == {"name": ["US", "US visitors"]}


def test_audience_usages_list_draft_and_live_versions_with_their_status(project):
    audience = AudienceFactory(project=project)
    hero = version_using(audience, status="ACTIVE", name="Homepage hero")
    version_using(audience, status="DRAFT", of=hero.experience, number=2)
    version_using(audience, status="PAUSED", via="targeting", name="Checkout test")
    version_using(audience, status="ARCHIVED", name="Old promo")
    usages = services.audience_usages(audience)
    assert [(usage.experience.name, usage.statuses) for usage in usages] == [
        ("Homepage hero", ["DRAFT", "ACTIVE"]),
        ("Checkout test", ["PAUSED"]),
    ]


@pytest.mark.parametrize("status", ["DRAFT", "ACTIVE", "PAUSED"])
@pytest.mark.parametrize("via", ["variant", "targeting"])
def test_delete_audience_in_use_is_refused_with_the_experiences(project, owner, status, via):
    audience = AudienceFactory(project=project, name="US visitors")
    version_using(audience, status=status, via=via, name="Homepage hero")
    with pytest.raises(Conflict) as caught:
        services.delete_audience(audience=audience, actor=owner)
    assert caught.value.code == "personalize.AUDIENCES.IN_USE"
    assert "“Homepage hero”" in caught.value.message
    audience.refresh_from_db()
    assert audience.deleted_at is None


def test_delete_audience_only_archived_versions_use_keeps_it_for_them(project, owner):
    audience = AudienceFactory(project=project)
    version = version_using(audience, status="ARCHIVED")
    before = live_revision(project)
    services.delete_audience(audience=audience, actor=owner)
    audience.refresh_from_db()
    assert audience.deleted_at is not None
    assert list(Audience.objects.for_project(project)) == []
    assert version.variants.get().audiences.get() == audience
    assert live_revision(project) == before + 1


def test_deleted_audience_cannot_be_updated(project, owner):
    audience = AudienceFactory(project=project)
    services.delete_audience(audience=audience, actor=owner)
    with pytest.raises(Conflict, match="deleted"):
        services.update_audience(
            audience=audience, name="X", description="", definition=us_only(), actor=owner
        )


def _nested(levels):
    node = rule(preset("COUNTRY"), "HAS_ANY_VALUE")
    for _ in range(levels):
        node = any_of(node)
    return node


@pytest.mark.parametrize(
    ("definition", "path"),
    [
        (
            all_of(rule(preset("COUNTRY"), "NUMBER_LESS_THAN", value=3)),
            "definition.rules[0].attributeMatchCondition",
        ),
        (all_of(rule(custom("9" * 24), "HAS_ANY_VALUE")), "definition.rules[0].attribute.ref"),
        (_nested(6), "definition.rules[0].rules[0].rules[0].rules[0].rules[0]"),
        (all_of(any_of()), "definition.rules[0].rules"),
        (
            all_of(rule(preset("REFERRER"), "STRING_MATCHES_REGEX", pattern=r"^(\w+\s?)*$\1")),
            "definition.rules[0].attributeMatchOptions.pattern",
        ),
    ],
    ids=["wrong-type", "unknown-attribute", "too-deep", "empty-group", "hostile-regex"],
)
def test_bad_definitions_are_refused_with_a_message_and_nothing_saved(
    project, owner, definition, path
):
    audience = services.create_audience(
        project=project, name="Keep", definition=us_only(), actor=owner
    )
    for attempt in (
        lambda: services.create_audience(
            project=project, name="New", definition=definition, actor=owner
        ),
        lambda: services.update_audience(
            audience=audience, name="Keep", description="", definition=definition, actor=owner
        ),
    ):
        with pytest.raises(ValidationFailed) as caught:
            attempt()
        assert path in caught.value.field_errors and caught.value.message
    audience.refresh_from_db()
    assert (
        Audience.objects.count() == 1
        and audience.definition == us_only()
        and audience.revision == 1
    )


def test_compile_audiences_compiles_each_once_and_a_broken_one_matches_nobody(
    project, owner, caplog
):
    tier = AttributeFactory(project=project, key="tier")
    gold = AudienceFactory(
        project=project, definition=all_of(rule(custom(tier.uid), "STRING_EQUALS", value="gold"))
    )
    broken = AudienceFactory(project=project, definition={"__type": "Rule"})
    gone = AudienceFactory(project=project, deleted_at="2026-01-01T00:00:00Z")
    compiled = services.compile_audiences(project=project)
    assert set(compiled) == {gold.uid, broken.uid}
    assert compiled[gold.uid]({}, {"tier": "Gold"}) is True
    assert compiled[broken.uid]({}, {"tier": "Gold"}) is False
    assert "cannot be compiled" in caplog.text
    assert gone.uid in services.compile_audiences(project=project, include_deleted=True)
