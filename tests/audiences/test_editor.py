"""The rules builder: reading the posted tree, actions, error placement, and the round trip
definition → editor page → posted form → definition."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from personalize_admin.audiences import editor
from personalize_admin.audiences.models import Audience
from personalize_admin.audiences.rules import validate_definition
from tests.audiences.forms_html import form_fields
from tests.audiences.rules_helpers import all_of, any_of, custom, preset, rule
from tests.audiences.test_rules_properties import trees
from tests.factories import AttributeFactory

pytestmark = pytest.mark.django_db


def posted(**fields):
    return {
        "n-kind": "group",
        "n-combination": "AND",
        **{key.replace("__", "-"): value for key, value in fields.items()},
    }


def test_parse_form_builds_the_tree_in_position_order():
    data = posted(
        **{
            "n_1__kind": "group",
            "n_1__combination": "OR",
            "n_1_0__kind": "rule",
            "n_0__kind": "rule",
            "n_0__attribute": "preset:COUNTRY",
            "n_0__condition": "STRING_EQUALS",
            "n_0__value": " us ",
            "n_0__invert": "1",
            "n_10__kind": "rule",
        }
    )
    root = editor.parse_form(data)
    assert [child.id for child in root.children] == ["n_0", "n_1", "n_2"]
    first = root.children[0]
    assert (first.attribute, first.condition, first.invert, first.fields["value"]) == (
        "preset:COUNTRY",
        "STRING_EQUALS",
        True,
        " us ",
    )
    assert root.children[1].combination == "OR" and root.children[1].children[0].id == "n_1_0"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"n-kind": "rule"},
        posted(n_0_0__kind="rule"),  # a rule whose parent is missing
        posted(n_0__kind="rule", n_0_0__kind="rule"),  # a rule inside a rule
        posted(n_0__kind="widget"),
        posted(**{f"n_{i}__kind": "rule" for i in range(500)}),
        posted(**{"n" + "_0" * depth + "__kind": "group" for depth in range(1, 12)}),
    ],
)
def test_parse_form_refuses_what_is_not_a_tree(data):
    with pytest.raises(editor.MalformedForm):
        editor.parse_form(data)


def test_actions_add_remove_and_clear(project):
    root = editor.new_tree()
    editor.apply_action(root, "add-group:n", attribute_types={})
    editor.apply_action(root, "add-rule:n_1", attribute_types={})
    assert [node.id for node in editor.walk(root)] == ["n", "n_0", "n_1", "n_1_0", "n_1_1"]
    assert root.children[1].children[1].focus == "attribute"
    editor.apply_action(root, "remove:n_0", attribute_types={})
    assert [node.id for node in editor.walk(root)] == ["n", "n_0", "n_0_0", "n_0_1"]
    assert root.focus == "add-rule"
    editor.apply_action(root, "clear", attribute_types={})
    assert root.children == []
    for refused in ("remove:n", "add-rule:n_9", "explode"):
        with pytest.raises(editor.ActionRefused):
            editor.apply_action(root, refused, attribute_types={})


def test_add_group_is_refused_at_the_depth_limit():
    root = editor.new_tree()
    group_id = "n"
    for _ in range(4):
        editor.apply_action(root, f"add-group:{group_id}", attribute_types={})
        group_id = f"{group_id}_1"
    with pytest.raises(editor.ActionRefused, match="at most 5 levels"):
        editor.apply_action(root, f"add-group:{group_id}", attribute_types={})


def test_changing_attribute_offers_its_operators():
    root = editor.new_tree()
    rule_node = root.children[0]
    rule_node.attribute, rule_node.condition = "preset:DATE_AND_TIME", "STRING_EQUALS"
    editor.apply_action(root, "refresh", attribute_types={"preset:DATE_AND_TIME": "DATE"})
    assert rule_node.condition == "BEFORE_TIME"
    rule_node.condition = "BETWEEN_TIME"
    editor.apply_action(root, "refresh", attribute_types={"preset:DATE_AND_TIME": "DATE"})
    assert rule_node.condition == "BETWEEN_TIME"


def test_place_errors_puts_messages_on_their_rows():
    root = editor.from_definition(
        all_of(
            rule(preset("COUNTRY"), "HAS_ANY_VALUE"),
            any_of(rule(preset("COUNTRY"), "STRING_EQUALS", value="x")),
        )
    )
    unplaced = editor.place_errors(
        root,
        {
            "name": ["ignored here"],
            "definition.rules[1].rules[0].attributeMatchOptions.value": ["Enter a value."],
            "definition.rules[1].rules": ["A group needs at least one rule."],
            "definition.rules[0].attribute.ref": ["Unknown preset attribute"],
            "definition.combinationType": ["Choose"],
            "definition.rules[7]": ["Gone"],
        },
    )
    assert root.children[1].children[0].errors == {"options.value": ["Enter a value."]}
    assert root.children[1].errors == {"rules": ["A group needs at least one rule."]}
    assert root.children[0].errors == {"attribute": ["Unknown preset attribute"]}
    assert root.errors == {"combination": ["Choose"], "rules": ["Gone"]}
    assert unplaced == []


def round_trip(client, project, definition):
    """Save ``definition``, open it in the editor, post the form exactly as shown."""
    audience = Audience.objects.create(project=project, name="Round trip", definition=definition)
    url = reverse("audiences:edit", args=[project.uid, audience.uid])
    fields = form_fields(client.get(url).content.decode(), "audience-form")
    response = client.post(url, {**fields, "_action": "save"})
    assert response.status_code == 303, response.content.decode()[:2000]
    audience.refresh_from_db()
    return audience


def test_every_condition_survives_the_editor_round_trip(member_client, project):
    tier = AttributeFactory(project=project, name="Tier", key="tier", type="STRING")
    age = AttributeFactory(project=project, name="Age", key="age", type="NUMBER")
    definition = all_of(
        rule(preset("COUNTRY"), "STRING_EQUALS", value=" US "),
        rule(preset("REFERRER"), "CONTAINS_SUBSTRING", value="news", invert=True),
        rule(preset("REFERRER"), "STRING_STARTS_WITH", value="https://"),
        rule(preset("CITY"), "STRING_ENDS_WITH", value="burg"),
        rule(custom(tier.uid), "STRING_IN_LIST", values=["gold", "silver", "a, b"]),
        rule(preset("REFERRER"), "STRING_MATCHES_REGEX", pattern=r'^https?://[^/]+/"blog"\?x=<1>&'),
        any_of(
            rule(custom(age.uid), "NUMBER_EQUAL_TO", value=30),
            rule(custom(age.uid), "NUMBER_GREATER_THAN", value=-2.5),
            rule(custom(age.uid), "NUMBER_LESS_THAN", value=1e21),
            rule(custom(age.uid), "NUMBER_BETWEEN", min=18, max=65.5),
            all_of(
                rule(
                    preset("QUERY_PARAMETERS"), "JSON_MATCH", key="utm_source", value="newsletter"
                ),
                rule(preset("DATE_AND_TIME"), "BEFORE_TIME", value="2026-05-01T09:00:00Z"),
                rule(preset("DATE_AND_TIME"), "AFTER_TIME", value="2026-05-01T09:00:00.250Z"),
                rule(
                    preset("DATE_AND_TIME"),
                    "BETWEEN_TIME",
                    **{"from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"},
                ),
                any_of(
                    rule(preset("DEVICE_TYPE"), "HAS_ANY_VALUE", invert=True),
                    any_of(rule(preset("OPERATING_SYSTEM"), "HAS_ANY_VALUE")),
                ),
            ),
        ),
    )
    definition = validate_definition(definition, attributes=[tier, age])
    assert round_trip(member_client, project, definition).definition == definition


ROUND_TRIP_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@ROUND_TRIP_SETTINGS
@given(definition=trees)
def test_random_definitions_survive_the_editor_round_trip(member_client, project, definition):
    from personalize_admin.audiences.models import Attribute
    from tests.audiences.test_rules_properties import KEYS, TYPES

    for uid, key in KEYS.items():
        Attribute.objects.get_or_create(
            uid=uid, defaults={"project": project, "name": key, "key": key, "type": TYPES[uid]}
        )
    definition = validate_definition(definition, attributes=TYPES)
    assert round_trip(member_client, project, definition).definition == definition
    Audience.objects.all().delete()


def test_describe_rule_reads_like_a_sentence():
    labels = {"preset:COUNTRY": "Country", "custom:" + "a" * 24: "Age (age)"}
    assert (
        editor.describe_rule(rule(preset("COUNTRY"), "STRING_EQUALS", value="US"), labels)
        == "Country equals “US”"
    )
    assert editor.describe_rule(
        rule(custom("a" * 24), "NUMBER_BETWEEN", invert=True, min=1, max=2.5), labels
    ) == ("Age (age) is not between 1 and 2.5")
    assert (
        editor.describe_rule(rule(preset("COUNTRY"), "HAS_ANY_VALUE", invert=True), labels)
        == "Country has no value"
    )
