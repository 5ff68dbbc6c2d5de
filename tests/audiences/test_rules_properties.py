"""Properties of the engine on random definitions and visitors (hypothesis)."""

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personalize_admin.audiences.rules import Visitor, compile_definition, validate_definition
from tests.audiences import reference
from tests.audiences.rules_helpers import custom, preset, rule

TIER, AGE, MEMBER, SIGNUP = "1" * 24, "2" * 24, "3" * 24, "4" * 24
KEYS = {TIER: "tier", AGE: "age", MEMBER: "member", SIGNUP: "signup"}
TYPES = {TIER: "STRING", AGE: "NUMBER", MEMBER: "BOOLEAN", SIGNUP: "DATE"}

words = st.sampled_from(
    ["gold", "Gold ", "silver", "US", "us", "mobile", "x", "ab", "b", "é", "straße", "STRASSE"]
)
numbers = st.one_of(
    st.integers(-50, 50), st.floats(-50, 50, allow_nan=False).map(lambda f: round(f, 1))
)
moments = st.datetimes(datetime(2025, 1, 1), datetime(2027, 1, 1)).map(
    lambda moment: moment.replace(tzinfo=UTC)
)
iso_moments = moments.map(
    lambda moment: moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")
)


@st.composite
def string_rule(draw, attribute):
    condition = draw(
        st.sampled_from(
            [
                "STRING_EQUALS",
                "CONTAINS_SUBSTRING",
                "STRING_STARTS_WITH",
                "STRING_ENDS_WITH",
                "STRING_IN_LIST",
                "STRING_MATCHES_REGEX",
                "HAS_ANY_VALUE",
            ]
        )
    )
    if condition == "STRING_IN_LIST":
        return rule(attribute, condition, values=draw(st.lists(words, min_size=1, max_size=3)))
    if condition == "STRING_MATCHES_REGEX":
        return rule(
            attribute,
            condition,
            pattern=draw(st.sampled_from(["^g", "d$", "[0-9]", "^(us|uk)$", "b+"])),
        )
    if condition == "HAS_ANY_VALUE":
        return rule(attribute, condition)
    return rule(attribute, condition, value=draw(words.filter(str.strip)))


@st.composite
def number_rule(draw, attribute):
    condition = draw(
        st.sampled_from(
            ["NUMBER_EQUAL_TO", "NUMBER_GREATER_THAN", "NUMBER_LESS_THAN", "NUMBER_BETWEEN"]
        )
    )
    if condition == "NUMBER_BETWEEN":
        low, high = sorted([draw(numbers), draw(numbers)])
        return rule(attribute, condition, min=low, max=high)
    return rule(attribute, condition, value=draw(numbers))


@st.composite
def time_rule(draw, attribute):
    condition = draw(st.sampled_from(["BEFORE_TIME", "AFTER_TIME", "BETWEEN_TIME"]))
    if condition == "BETWEEN_TIME":
        start, end = sorted([draw(iso_moments), draw(iso_moments)])
        if start == end:
            end = "2027-06-01T00:00:00Z"
        return rule(attribute, condition, **{"from": start, "to": end})
    return rule(attribute, condition, value=draw(iso_moments))


@st.composite
def any_rule(draw):
    kind = draw(st.sampled_from(["country", "tier", "age", "member", "signup", "time", "query"]))
    if kind == "country":
        node = draw(string_rule(preset("COUNTRY")))
    elif kind == "tier":
        node = draw(string_rule(custom(TIER)))
    elif kind == "age":
        node = draw(number_rule(custom(AGE)))
    elif kind == "member":
        node = rule(custom(MEMBER), draw(st.sampled_from(["IS_TRUE", "IS_FALSE", "HAS_ANY_VALUE"])))
    elif kind == "signup":
        node = draw(time_rule(custom(SIGNUP)))
    elif kind == "time":
        node = draw(time_rule(preset("DATE_AND_TIME")))
    else:
        node = rule(
            preset("QUERY_PARAMETERS"),
            "JSON_MATCH",
            key=draw(st.sampled_from(["utm", "ref"])),
            value=draw(words.filter(str.strip)),
        )
    node["invertCondition"] = draw(st.booleans())
    return node


def groups(children):
    return st.builds(
        lambda combination, rules: {
            "__type": "RuleCombination",
            "combinationType": combination,
            "rules": rules,
        },
        st.sampled_from(["AND", "OR"]),
        st.lists(children, min_size=1, max_size=4),
    )


trees = groups(st.recursive(any_rule(), groups, max_leaves=12))

values = st.one_of(
    st.none(),
    words,
    numbers,
    numbers.map(str),
    st.booleans(),
    st.sampled_from(["true", "FALSE"]),
    iso_moments,
    moments,
    st.lists(words, max_size=2),
)


@st.composite
def visitors(draw):
    presets = {}
    for ref, strategy in [
        ("COUNTRY", values),
        ("DATE_AND_TIME", moments),
        (
            "QUERY_PARAMETERS",
            st.dictionaries(st.sampled_from(["utm", "ref"]), words | st.lists(words, max_size=2)),
        ),
    ]:
        if draw(st.booleans()):
            presets[ref] = draw(strategy)
    custom_values = {key: draw(values) for key in KEYS.values() if draw(st.booleans())}
    return Visitor(presets, custom_values)


def compiled(definition):
    return compile_definition(definition, attributes_by_uid=KEYS)


PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(trees, st.lists(visitors(), min_size=1, max_size=5))
def test_compiled_predicate_agrees_with_reference_evaluation(definition, sample):
    predicate = compiled(definition)
    for visitor in sample:
        assert predicate(visitor) == reference.evaluate(
            definition, visitor.presets, visitor.custom, KEYS
        )


@PROPERTY_SETTINGS
@given(trees, visitors())
def test_explanation_agrees_with_predicate_and_its_deciding_rules_decide(definition, visitor):
    predicate = compiled(definition)
    explanation = predicate.explain(visitor)
    assert explanation.matched == predicate(visitor)
    deciding = explanation.deciding_rules()
    assert deciding, "some rule always decides"
    assert all(trace.result is not None for trace in deciding)
    # Every rule that was evaluated reports the result the specification gives it.
    for trace in explanation.root.walk():
        if trace.is_rule and trace.result is not None:
            alone = {"__type": "RuleCombination", "combinationType": "AND", "rules": [trace.node]}
            assert trace.result == reference.evaluate(alone, visitor.presets, visitor.custom, KEYS)


@PROPERTY_SETTINGS
@given(any_rule(), visitors())
def test_inverting_a_rule_negates_it(node, visitor):
    plain = compiled({"__type": "RuleCombination", "combinationType": "AND", "rules": [node]})
    inverted = compiled(
        {
            "__type": "RuleCombination",
            "combinationType": "AND",
            "rules": [{**node, "invertCondition": not node["invertCondition"]}],
        }
    )
    assert inverted(visitor) is (not plain(visitor))


def group_of(combination, *rules):
    return {"__type": "RuleCombination", "combinationType": combination, "rules": list(rules)}


def flip(node):
    return {**node, "invertCondition": not node["invertCondition"]}


@PROPERTY_SETTINGS
@given(any_rule(), any_rule(), any_rule(), visitors())
def test_and_or_laws_hold(a, b, c, visitor):
    def value(node):
        return compiled(node if node["__type"] == "RuleCombination" else group_of("AND", node))(
            visitor
        )

    for combination, operator in (("AND", all), ("OR", any)):
        assert value(group_of(combination, a, b)) == operator([value(a), value(b)])
        # Commutative and associative; a group of one is its rule.
        assert value(group_of(combination, a, b)) == value(group_of(combination, b, a))
        assert value(group_of(combination, a, group_of(combination, b, c))) == value(
            group_of(combination, group_of(combination, a, b), c)
        )
        assert value(group_of(combination, a)) == value(a)
    # De Morgan: not (a AND b) == (not a) OR (not b).
    assert (not value(group_of("AND", a, b))) == value(group_of("OR", flip(a), flip(b)))
    # Distributive: a AND (b OR c) == (a AND b) OR (a AND c).
    assert value(group_of("AND", a, group_of("OR", b, c))) == value(
        group_of("OR", group_of("AND", a, b), group_of("AND", a, c))
    )


@PROPERTY_SETTINGS
@given(trees)
def test_generated_definitions_are_valid_and_normalizing_is_idempotent(definition):
    normalized = validate_definition(definition, attributes=TYPES)
    assert validate_definition(normalized, attributes=TYPES) == normalized
