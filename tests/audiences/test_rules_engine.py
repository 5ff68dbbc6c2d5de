"""The compiled engine: every condition, missing values, inversion, namespaces, explanations."""

from datetime import UTC, datetime

import pytest

from personalize_admin.audiences.rules import CONDITIONS, MISSING, CompileError, compile_definition
from personalize_admin.audiences.rules.engine import CONDITION_TESTS
from tests.audiences.rules_helpers import all_of, any_of, custom, preset, rule, visitor

AGE_UID = "a" * 24
ATTRIBUTES = {AGE_UID: "value"}


def matches(node, value, *, invert=False):
    """Evaluate one custom-attribute rule against ``value`` (``MISSING`` leaves it out)."""
    node = {**node, "invertCondition": invert}
    compiled = compile_definition(all_of(node), attributes_by_uid=ATTRIBUTES)
    return compiled(visitor() if value is MISSING else visitor(value=value))


def on_value(condition, **options):
    return rule(custom(AGE_UID), condition, **options)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("US", True),
        ("us", True),
        ("  Us \t", True),
        ("USA", False),
        ("", False),
        (5, False),
        (True, False),
        (["US"], False),
        ({"US": 1}, False),
    ],
)
def test_string_equals_ignores_case_and_surrounding_space(value, expected):
    assert matches(on_value("STRING_EQUALS", value="US"), value) is expected


def test_string_equals_compares_numbers_and_booleans_as_text():
    assert matches(on_value("STRING_EQUALS", value="5"), 5) is True
    assert matches(on_value("STRING_EQUALS", value="5"), 5.0) is True
    assert matches(on_value("STRING_EQUALS", value="2.5"), 2.5) is True
    assert matches(on_value("STRING_EQUALS", value="true"), True) is True


@pytest.mark.parametrize(
    ("condition", "operand", "value", "expected"),
    [
        ("CONTAINS_SUBSTRING", "Shoe", "running SHOES", True),
        ("CONTAINS_SUBSTRING", "shoe", "sandals", False),
        ("CONTAINS_SUBSTRING", "straße", "STRASSE", True),  # full Unicode case folding
        ("STRING_STARTS_WITH", "https://", "HTTPS://example.com", True),
        ("STRING_STARTS_WITH", "https://", " https://example.com", False),
        ("STRING_ENDS_WITH", ".PDF", "report.pdf", True),
        ("STRING_ENDS_WITH", ".pdf", "report.pdf?x", False),
    ],
)
def test_substring_conditions_ignore_case(condition, operand, value, expected):
    assert matches(on_value(condition, value=operand), value) is expected


@pytest.mark.parametrize(
    ("value", "expected"), [("gold", True), (" SILVER ", True), ("bronze", False), (1, False)]
)
def test_string_in_list_matches_any_value_ignoring_case(value, expected):
    assert matches(on_value("STRING_IN_LIST", values=["Gold", "silver"]), value) is expected


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        (r"^/blog/\d+$", "/blog/42", True),
        (r"^/blog/\d+$", "/blog/x", False),
        ("sale", "summer-sale-2026", True),
        ("SALE", "summer-sale", False),
        ("(?i)SALE", "summer-sale", True),
    ],
)
def test_regex_searches_case_sensitively_unless_told(pattern, value, expected):
    assert matches(on_value("STRING_MATCHES_REGEX", pattern=pattern), value) is expected


def test_regex_hostile_pattern_and_input_finish_in_linear_time():
    compiled = compile_definition(
        all_of(rule(preset("REFERRER"), "STRING_MATCHES_REGEX", pattern="(a+)+$")),
        attributes_by_uid={},
    )
    hostile = "a" * 200_000 + "!"
    started = datetime.now()
    assert compiled(visitor({"REFERRER": hostile})) is False
    # A backtracking engine needs longer than the age of the universe here; RE2 needs microseconds.
    assert (datetime.now() - started).total_seconds() < 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("x", True),
        ("  ", False),
        ("", False),
        (0, True),
        (False, True),
        ([], False),
        ([1], True),
        ({}, False),
        ({"a": "1"}, True),
    ],
)
def test_has_any_value_means_present_and_not_empty(value, expected):
    assert matches(on_value("HAS_ANY_VALUE"), value) is expected


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ("IS_TRUE", True, True),
        ("IS_TRUE", "TRUE ", True),
        ("IS_TRUE", 1, False),
        ("IS_TRUE", "yes", False),
        ("IS_TRUE", False, False),
        ("IS_FALSE", False, True),
        ("IS_FALSE", "false", True),
        ("IS_FALSE", 0, False),
        ("IS_FALSE", "", False),
    ],
)
def test_boolean_conditions_accept_booleans_and_their_strings(condition, value, expected):
    assert matches(on_value(condition), value) is expected


@pytest.mark.parametrize(
    ("condition", "operand", "value", "expected"),
    [
        ("NUMBER_GREATER_THAN", 30, 31, True),
        ("NUMBER_GREATER_THAN", 30, 30, False),
        ("NUMBER_GREATER_THAN", 30, "31", True),
        ("NUMBER_GREATER_THAN", 30, " 3.1e1 ", True),
        ("NUMBER_GREATER_THAN", 30, "thirty-one", False),
        ("NUMBER_GREATER_THAN", 0, True, False),  # a boolean is not a number
        (
            "NUMBER_GREATER_THAN",
            0,
            "1_000",
            False,
        ),  # Python's digit separators are not JSON numbers
        ("NUMBER_GREATER_THAN", 0, "inf", False),
        ("NUMBER_GREATER_THAN", 0, "NaN", False),
        ("NUMBER_GREATER_THAN", 0, float("nan"), False),
        ("NUMBER_GREATER_THAN", 0, [5], False),
        ("NUMBER_LESS_THAN", 18, 17.5, True),
        ("NUMBER_LESS_THAN", 18, "18", False),
        ("NUMBER_EQUAL_TO", 3, 3.0, True),
        ("NUMBER_EQUAL_TO", 3, "3", True),
        ("NUMBER_EQUAL_TO", 0.5, ".5", True),
        ("NUMBER_EQUAL_TO", 3, "3 apples", False),
    ],
)
def test_number_conditions_count_numeric_strings_only(condition, operand, value, expected):
    assert matches(on_value(condition, value=operand), value) is expected


@pytest.mark.parametrize(
    ("value", "expected"), [(18, True), (65, True), (40.5, True), (17.99, False), (66, False)]
)
def test_number_between_includes_both_ends(value, expected):
    assert matches(on_value("NUMBER_BETWEEN", min=18, max=65), value) is expected


def query_rule(**options):
    return all_of(rule(preset("QUERY_PARAMETERS"), "JSON_MATCH", **options))


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"utm_source": "Newsletter"}, True),
        ({"utm_source": " newsletter "}, True),
        ({"utm_source": "ads"}, False),
        ({"UTM_SOURCE": "newsletter"}, False),
        ({}, False),
        ({"utm_source": ["ads", "newsletter"]}, True),
        ("utm_source=newsletter", False),
    ],
)
def test_json_match_compares_the_parameter_value_ignoring_case(parameters, expected):
    compiled = compile_definition(
        query_rule(key="utm_source", value="newsletter"), attributes_by_uid={}
    )
    assert compiled(visitor({"QUERY_PARAMETERS": parameters})) is expected


NOON = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("condition", "options", "value", "expected"),
    [
        ("BEFORE_TIME", {"value": "2026-05-01T12:00:01Z"}, NOON, True),
        ("BEFORE_TIME", {"value": "2026-05-01T12:00:00Z"}, NOON, False),
        ("AFTER_TIME", {"value": "2026-05-01T11:59:59Z"}, NOON, True),
        ("AFTER_TIME", {"value": "2026-05-01T12:00:00Z"}, NOON, False),
        (
            "BETWEEN_TIME",
            {"from": "2026-05-01T12:00:00Z", "to": "2026-05-02T00:00:00Z"},
            NOON,
            True,
        ),
        (
            "BETWEEN_TIME",
            {"from": "2026-04-30T00:00:00Z", "to": "2026-05-01T12:00:00Z"},
            NOON,
            False,
        ),
        ("AFTER_TIME", {"value": "2026-05-01T00:00:00Z"}, "2026-05-01T09:00:00+02:00", True),
        ("AFTER_TIME", {"value": "2026-05-01T08:00:00Z"}, "2026-05-01T09:00:00+02:00", False),
        ("BEFORE_TIME", {"value": "2026-05-02T00:00:00Z"}, "2026-05-01", True),
        (
            "AFTER_TIME",
            {"value": "2026-05-01T00:00:00Z"},
            1777636800000,
            True,
        ),  # epoch milliseconds
        ("AFTER_TIME", {"value": "2020-01-01T00:00:00Z"}, "yesterday", False),
        ("AFTER_TIME", {"value": "2020-01-01T00:00:00Z"}, True, False),
    ],
)
def test_time_conditions_compare_instants(condition, options, value, expected):
    assert matches(on_value(condition, **options), value) is expected


ALL_CONDITIONS = [
    ("STRING_EQUALS", {"value": "x"}),
    ("CONTAINS_SUBSTRING", {"value": "x"}),
    ("STRING_STARTS_WITH", {"value": "x"}),
    ("STRING_ENDS_WITH", {"value": "x"}),
    ("STRING_IN_LIST", {"values": ["x"]}),
    ("STRING_MATCHES_REGEX", {"pattern": ".*"}),
    ("HAS_ANY_VALUE", {}),
    ("IS_TRUE", {}),
    ("IS_FALSE", {}),
    ("NUMBER_EQUAL_TO", {"value": 1}),
    ("NUMBER_GREATER_THAN", {"value": 1}),
    ("NUMBER_LESS_THAN", {"value": 1}),
    ("NUMBER_BETWEEN", {"min": 1, "max": 2}),
    ("JSON_MATCH", {"key": "k", "value": "v"}),
    ("BEFORE_TIME", {"value": "2030-01-01T00:00:00Z"}),
    ("AFTER_TIME", {"value": "2000-01-01T00:00:00Z"}),
    ("BETWEEN_TIME", {"from": "2000-01-01T00:00:00Z", "to": "2030-01-01T00:00:00Z"}),
]


@pytest.mark.parametrize(
    ("condition", "options"), ALL_CONDITIONS, ids=[c for c, _ in ALL_CONDITIONS]
)
@pytest.mark.parametrize("missing", [MISSING, None], ids=["absent", "null"])
def test_missing_value_fails_every_condition_and_matches_its_inversion(condition, options, missing):
    node = on_value(condition, **options)
    assert matches(node, missing) is False
    assert matches(node, missing, invert=True) is True


def test_inverted_rule_negates_a_present_value():
    node = on_value("NUMBER_GREATER_THAN", value=30)
    assert matches(node, 40, invert=True) is False
    assert matches(node, 20, invert=True) is True


def test_custom_key_never_shadows_a_preset():
    definition = all_of(rule(preset("COUNTRY"), "STRING_EQUALS", value="US"))
    compiled = compile_definition(definition, attributes_by_uid={})
    assert compiled(visitor(COUNTRY="US")) is False
    assert compiled(visitor({"COUNTRY": "US"})) is True


def test_custom_attribute_is_read_by_its_key_not_its_uid():
    definition = all_of(rule(custom(AGE_UID), "NUMBER_GREATER_THAN", value=30))
    compiled = compile_definition(definition, attributes_by_uid={AGE_UID: "age"})
    assert compiled(visitor(age=31)) is True
    assert compiled(visitor(**{AGE_UID: 31})) is False


@pytest.mark.parametrize(
    ("combination", "values", "expected"),
    [
        ("AND", (True, True, True), True),
        ("AND", (True, False, True), False),
        ("OR", (False, False, True), True),
        ("OR", (False, False, False), False),
    ],
)
def test_groups_combine_all_or_any(combination, values, expected):
    rules = [rule(preset(ref), "IS_TRUE") for ref in ("COUNTRY", "REGION", "CITY")]
    definition = {"__type": "RuleCombination", "combinationType": combination, "rules": rules}
    presets = dict(zip(("COUNTRY", "REGION", "CITY"), values, strict=True))
    assert compile_definition(definition, attributes_by_uid={})(visitor(presets)) is expected


def test_matches_takes_the_two_namespaces_directly():
    definition = any_of(
        rule(custom(AGE_UID), "NUMBER_LESS_THAN", value=18),
        rule(preset("COUNTRY"), "HAS_ANY_VALUE"),
    )
    compiled = compile_definition(definition, attributes_by_uid={AGE_UID: "age"})
    assert compiled.matches({}, {"age": 12}) is True
    assert compiled.matches({}, {"age": 40}) is False


def test_every_condition_in_the_catalog_has_an_engine_test():
    assert CONDITION_TESTS.keys() == CONDITIONS.keys()
    assert {name for name, _ in ALL_CONDITIONS} == CONDITIONS.keys()


def deeply_nested(levels):
    node = rule(preset("COUNTRY"), "HAS_ANY_VALUE")
    for _ in range(levels):
        node = any_of(node)
    return node


@pytest.mark.parametrize(
    "definition",
    [
        {"__type": "Rule"},
        all_of(
            {"__type": "Rule", "attribute": "COUNTRY", "attributeMatchCondition": "HAS_ANY_VALUE"}
        ),
        all_of(
            {
                "__type": "Rule",
                "attribute": {"__type": "PresetAttributeReference", "ref": ["COUNTRY"]},
                "attributeMatchCondition": "HAS_ANY_VALUE",
            }
        ),
        all_of(
            {**rule(preset("COUNTRY"), "HAS_ANY_VALUE"), "attributeMatchCondition": ["IS_TRUE"]}
        ),
        deeply_nested(5000),
        all_of(rule(custom("f" * 24), "HAS_ANY_VALUE")),
        all_of(rule(preset("COUNTRY"), "NO_SUCH_CONDITION")),
        all_of(rule(preset("COUNTRY"), "STRING_MATCHES_REGEX", pattern="(a)\\1")),
        {"__type": "RuleCombination", "combinationType": "AND", "rules": []},
    ],
)
def test_compile_refuses_what_the_validator_refuses(definition):
    with pytest.raises(CompileError):
        compile_definition(definition, attributes_by_uid={})


def test_explain_names_the_rule_that_short_circuited_and_the_values_seen():
    definition = all_of(
        rule(preset("COUNTRY"), "STRING_EQUALS", value="US"),
        any_of(
            rule(custom(AGE_UID), "NUMBER_GREATER_THAN", value=30),
            rule(preset("DEVICE_TYPE"), "HAS_ANY_VALUE"),
        ),
    )
    compiled = compile_definition(definition, attributes_by_uid={AGE_UID: "age"})

    refused = compiled.explain(visitor({"COUNTRY": "DE"}, age=40))
    assert refused.matched is False
    assert [trace.path for trace in refused.deciding_rules()] == ["rules[0]"]
    traces = refused.by_path()
    assert traces["rules[0]"].value == "DE"
    assert traces["rules[1]"].result is None and traces["rules[1].rules[0]"].result is None

    accepted = compiled.explain(visitor({"COUNTRY": "US"}, age=40))
    assert accepted.matched is True
    assert [trace.path for trace in accepted.deciding_rules()] == ["rules[0]", "rules[1].rules[0]"]
    assert accepted.by_path()["rules[1].rules[1]"].result is None

    missing = compiled.explain(visitor({"COUNTRY": "US"}))
    assert missing.matched is False
    assert [trace.path for trace in missing.deciding_rules()] == [
        "rules[1].rules[0]",
        "rules[1].rules[1]",
    ]
    assert missing.by_path()["rules[1].rules[0]"].has_value is False
