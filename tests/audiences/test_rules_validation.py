"""The one definition validator: what it refuses (with paths), and what it normalizes."""

import pytest

from personalize_admin.audiences.rules import prefixed, validate_definition
from personalize_admin.core.errors import ValidationFailed
from tests.audiences.rules_helpers import all_of, any_of, custom, preset, rule

AGE = "a" * 24
TIER = "b" * 24
ATTRIBUTES = {AGE: "NUMBER", TIER: "STRING"}


def errors_of(definition, **kwargs):
    with pytest.raises(ValidationFailed) as caught:
        validate_definition(definition, attributes=ATTRIBUTES, **kwargs)
    assert caught.value.code == "personalize.AUDIENCES.INVALID_DEFINITION"
    return caught.value.field_errors


def country(value="US"):
    return rule(preset("COUNTRY"), "STRING_EQUALS", value=value)


def test_valid_definition_comes_back_normalized():
    definition = all_of(
        {
            "__type": "Rule",
            "attribute": preset("COUNTRY"),
            "attributeMatchCondition": "HAS_ANY_VALUE",
        },
        rule(custom(TIER), "STRING_IN_LIST", values=[" gold ", "silver"]),
        rule(
            preset("DATE_AND_TIME"),
            "BETWEEN_TIME",
            **{"from": "2026-05-01T09:00:00+02:00", "to": "2026-06-01"},
        ),
    )
    normalized = validate_definition(definition, attributes=ATTRIBUTES)
    assert normalized["rules"][0] == {
        "__type": "Rule",
        "attribute": preset("COUNTRY"),
        "attributeMatchCondition": "HAS_ANY_VALUE",
        "invertCondition": False,
    }
    assert normalized["rules"][1]["attributeMatchOptions"]["values"] == ["gold", "silver"]
    assert normalized["rules"][2]["attributeMatchOptions"] == {
        "__type": "DateTimeRangeMatchOptions",
        "from": "2026-05-01T07:00:00Z",
        "to": "2026-06-01T00:00:00Z",
    }
    assert validate_definition(normalized, attributes=ATTRIBUTES) == normalized


def test_attributes_may_be_model_objects(project):
    from tests.factories import AttributeFactory

    age = AttributeFactory(project=project, type="NUMBER")
    definition = all_of(rule(custom(age.uid), "NUMBER_GREATER_THAN", value=3))
    assert validate_definition(definition, attributes=[age]) == definition


@pytest.mark.parametrize(
    ("definition", "path", "message"),
    [
        ("not a tree", "", "must be a group"),
        (country(), "__type", "start with a group"),
        (all_of(), "rules", "Add at least one rule."),
        (all_of(country(), any_of()), "rules[1].rules", "A group needs at least one rule."),
        (
            {"__type": "RuleCombination", "combinationType": "XOR", "rules": [country()]},
            "combinationType",
            "Match All (AND) or Match Any (OR)",
        ),
        (
            {"__type": "RuleCombination", "combinationType": "AND", "rules": "x"},
            "rules",
            "list of rules",
        ),
        (all_of("rule"), "rules[0]", "Expected a rule or a group"),
        (all_of({"__type": "Condition"}), "rules[0].__type", "Unknown __type"),
        (all_of({**country(), "priority": 1}), "rules[0].priority", "Unknown field"),
        (all_of({**country(), "attribute": None}), "rules[0].attribute", "Select an attribute."),
        (
            all_of(rule(preset("SHOE_SIZE"), "HAS_ANY_VALUE")),
            "rules[0].attribute.ref",
            "Unknown preset attribute",
        ),
        (
            all_of(rule(custom("c" * 24), "HAS_ANY_VALUE")),
            "rules[0].attribute.ref",
            "Unknown attribute",
        ),
        (
            all_of(rule({"__type": "Attribute", "ref": "x"}, "HAS_ANY_VALUE")),
            "rules[0].attribute.__type",
            "PresetAttributeReference",
        ),
        (
            all_of({**country(), "attributeMatchCondition": ""}),
            "rules[0].attributeMatchCondition",
            "Select an operator.",
        ),
        (
            all_of({**country(), "attributeMatchCondition": "LIKE"}),
            "rules[0].attributeMatchCondition",
            "Unknown operator",
        ),
        (
            all_of(rule(preset("COUNTRY"), "NUMBER_GREATER_THAN", value=3)),
            "rules[0].attributeMatchCondition",
            "does not apply to Country, a text attribute",
        ),
        (
            all_of(rule(custom(AGE), "STRING_EQUALS", value="3")),
            "rules[0].attributeMatchCondition",
            "does not apply to",
        ),
        (
            all_of(
                {**country(), "attributeMatchOptions": {"__type": "NumberMatchOptions", "value": 1}}
            ),
            "rules[0].attributeMatchOptions.__type",
            "Expected StringMatchOptions",
        ),
        (
            all_of({**country(), "attributeMatchOptions": "US"}),
            "rules[0].attributeMatchOptions",
            "Expected StringMatchOptions",
        ),
        (
            all_of(
                {**rule(preset("COUNTRY"), "HAS_ANY_VALUE"), "attributeMatchOptions": {"value": 1}}
            ),
            "rules[0].attributeMatchOptions",
            "takes no options",
        ),
        (all_of(country("  ")), "rules[0].attributeMatchOptions.value", "Enter a value."),
        (all_of(country(7)), "rules[0].attributeMatchOptions.value", "Enter text."),
        (all_of(country("U\nS")), "rules[0].attributeMatchOptions.value", "line breaks"),
        (all_of(country("U\x00S")), "rules[0].attributeMatchOptions.value", "NUL characters"),
        (
            all_of(
                {
                    **country(),
                    "attributeMatchOptions": {
                        "__type": "StringMatchOptions",
                        "value": "US",
                        "x": 1,
                    },
                }
            ),
            "rules[0].attributeMatchOptions.x",
            "Unknown field",
        ),
        (
            all_of(rule(custom(AGE), "NUMBER_GREATER_THAN", value="30")),
            "rules[0].attributeMatchOptions.value",
            "Enter a number.",
        ),
        (
            all_of(rule(custom(AGE), "NUMBER_GREATER_THAN", value=True)),
            "rules[0].attributeMatchOptions.value",
            "Enter a number.",
        ),
        (
            all_of(rule(custom(AGE), "NUMBER_GREATER_THAN", value=float("inf"))),
            "rules[0].attributeMatchOptions.value",
            "Enter a number.",
        ),
        (
            all_of(rule(custom(AGE), "NUMBER_BETWEEN", min=9, max=3)),
            "rules[0].attributeMatchOptions.max",
            "must not be less than",
        ),
        (
            all_of(rule(custom(TIER), "STRING_IN_LIST", values=[])),
            "rules[0].attributeMatchOptions.values",
            "at least one value",
        ),
        (
            all_of(rule(custom(TIER), "STRING_IN_LIST", values="gold")),
            "rules[0].attributeMatchOptions.values",
            "list of values",
        ),
        (
            all_of(rule(custom(TIER), "STRING_IN_LIST", values=["gold", ""])),
            "rules[0].attributeMatchOptions.values[1]",
            "Enter a value.",
        ),
        (
            all_of(rule(preset("DATE_AND_TIME"), "AFTER_TIME", value="next tuesday")),
            "rules[0].attributeMatchOptions.value",
            "ISO 8601",
        ),
        (
            all_of(
                rule(preset("DATE_AND_TIME"), "AFTER_TIME", value="2026-01-01T00:00:00.000001Z")
            ),
            "rules[0].attributeMatchOptions.value",
            "millisecond",
        ),
        (
            all_of(
                rule(
                    preset("DATE_AND_TIME"),
                    "BETWEEN_TIME",
                    **{"from": "2026-02-01", "to": "2026-02-01"},
                )
            ),
            "rules[0].attributeMatchOptions.to",
            "must be after",
        ),
        (
            all_of({**country(), "invertCondition": "yes"}),
            "rules[0].invertCondition",
            "true or false",
        ),
        (
            all_of(rule(preset("REFERRER"), "STRING_MATCHES_REGEX", pattern="(x+)\\1")),
            "rules[0].attributeMatchOptions.pattern",
            "Back-references and look-around are not supported",
        ),
        (
            all_of(rule(preset("REFERRER"), "STRING_MATCHES_REGEX", pattern="(?<=a)b")),
            "rules[0].attributeMatchOptions.pattern",
            "cannot be used",
        ),
        (
            all_of(
                rule(preset("REFERRER"), "STRING_MATCHES_REGEX", pattern="((a{100}){100}){100}")
            ),
            "rules[0].attributeMatchOptions.pattern",
            "cannot be used",
        ),
        (
            all_of(rule(preset("REFERRER"), "STRING_MATCHES_REGEX", pattern="(unclosed")),
            "rules[0].attributeMatchOptions.pattern",
            "cannot be used",
        ),
        (
            all_of(rule(preset("QUERY_PARAMETERS"), "STRING_EQUALS", value="x")),
            "rules[0].attributeMatchCondition",
            "set of parameters",
        ),
    ],
)
def test_bad_definition_is_refused_with_the_path_of_the_problem(definition, path, message):
    errors = errors_of(definition)
    assert path in errors, errors
    assert any(message in text for text in errors[path]), errors[path]


def test_every_problem_is_reported_at_once():
    errors = errors_of(all_of(rule(preset("COUNTRY"), ""), any_of(), country("")))
    assert set(errors) == {
        "rules[0].attributeMatchCondition",
        "rules[1].rules",
        "rules[2].attributeMatchOptions.value",
    }


def test_groups_nest_at_most_the_configured_depth():
    def nested(levels):
        node = country()
        for _ in range(levels - 1):
            node = any_of(node)
        return all_of(node) if levels else node

    assert validate_definition(nested(5), attributes=ATTRIBUTES)
    errors = errors_of(nested(6))
    assert errors == {
        "rules[0].rules[0].rules[0].rules[0].rules[0]": [
            "Groups can be nested at most 5 levels deep."
        ]
    }


def test_rule_count_is_limited():
    assert validate_definition(all_of(*[country()] * 50), attributes=ATTRIBUTES)
    assert errors_of(all_of(*[country()] * 51)) == {"rules": ["An audience has at most 50 rules."]}
    # A huge list stops being read once it is over the limit.
    assert errors_of(all_of(*[country()] * 100_000)) == {
        "rules": ["An audience has at most 50 rules."]
    }


def test_string_values_are_limited_in_length():
    assert validate_definition(all_of(country("x" * 1000)), attributes=ATTRIBUTES)
    assert errors_of(all_of(country("x" * 1001))) == {
        "rules[0].attributeMatchOptions.value": ["Use at most 1000 characters."]
    }


def test_limits_come_from_settings(settings):
    settings.PERSONALIZE_LIMITS = {**settings.PERSONALIZE_LIMITS, "rules_per_audience": 2}
    assert errors_of(all_of(country(), country(), country())) == {
        "rules": ["An audience has at most 2 rules."]
    }


def test_message_names_the_first_problem_and_counts_the_rest():
    with pytest.raises(ValidationFailed) as caught:
        validate_definition(all_of(country(""), any_of()), attributes=ATTRIBUTES)
    assert caught.value.message == (
        "The audience rules are not valid. rules[0].attributeMatchOptions.value: Enter a value. (and 1 more problem)"
    )


def test_prefixed_nests_paths_under_a_field():
    assert prefixed({"": ["a"], "rules[0].attribute": ["b"]}, "definition") == {
        "definition": ["a"],
        "definition.rules[0].attribute": ["b"],
    }
