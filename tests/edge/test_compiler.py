"""The compiled audience function agrees with the rules engine on every visitor."""

import random

from personalize_admin.audiences.rules import compile_definition
from personalize_admin.edge.compiler import compile_audiences
from tests.benchmarks import edge as bench


class Attribute:
    def __init__(self, uid, key):
        self.uid, self.key = uid, key


ATTRIBUTES = {
    key: Attribute(f"{index:024d}", key) for index, key in enumerate(("tier", "age", "member"))
}
BY_UID = {attribute.uid: attribute for attribute in ATTRIBUTES.values()}


def visitors(rng, count):
    from personalize_admin.audiences.rules.presets import device_and_os, query_parameters

    for _ in range(count):
        presets = {}
        if rng.random() < 0.8:
            presets["COUNTRY"] = rng.choice(bench.COUNTRIES)
        if rng.random() < 0.8:
            presets["DEVICE_TYPE"], presets["OPERATING_SYSTEM"] = device_and_os(
                rng.choice(bench.USER_AGENTS)
            )
        if rng.random() < 0.8:
            presets["REFERRER"] = rng.choice(bench.REFERRERS)
        if rng.random() < 0.8:
            presets["QUERY_PARAMETERS"] = query_parameters(
                "https://shop.example/?utm_source=" + rng.choice(bench.SOURCES)
            )
        custom = {}
        if rng.random() < 0.8:
            custom["tier"] = rng.choice([*bench.TIERS, "GOLD ", 5, None])
        if rng.random() < 0.8:
            custom["age"] = rng.choice([rng.randint(10, 80), "42", "x", None, True])
        if rng.random() < 0.8:
            custom["member"] = rng.choice([True, False, "true", "FALSE", 1, None])
        yield presets, custom


def test_compiled_audiences_agree_with_the_engine():
    rng = random.Random(11)
    definitions = [bench.random_definition(rng, ATTRIBUTES) for _ in range(120)]
    engine = [compile_definition(d, attributes_by_uid=BY_UID) for d in definitions]
    groups = [(tuple(rng.sample(range(120), 3)), rng.random() < 0.5) for _ in range(40)] + [
        ((), True),
        ((), False),
    ]
    evaluate = compile_audiences(definitions, attributes_by_uid=BY_UID, groups=groups)
    agreed = 0
    for presets, custom in visitors(rng, 400):
        results, group_results = evaluate(presets, custom)
        expected = tuple(compiled.matches(presets, custom) is True for compiled in engine)
        assert results == expected
        for (indices, match_all), result in zip(groups, group_results, strict=True):
            wanted = (all if match_all else any)(expected[index] for index in indices)
            assert result == wanted
        agreed += sum(results)
    # The generated audiences match some visitors and miss others.
    assert 0 < agreed < 400 * 120


def test_malformed_definition_matches_nobody_and_the_rest_still_work():
    good = {
        "__type": "RuleCombination",
        "combinationType": "AND",
        "rules": [bench.rule(bench.preset("COUNTRY"), "HAS_ANY_VALUE")],
    }
    broken = {"__type": "RuleCombination", "combinationType": "XOR", "rules": []}
    evaluate = compile_audiences([broken, None, good], attributes_by_uid={})

    assert evaluate({"COUNTRY": "US"}, {}) == ((False, False, True), ())


def test_keys_are_written_as_literals_not_code():
    attribute = Attribute("a" * 24, "x')or(1")
    rule = bench.rule(bench.custom(attribute.uid), "HAS_ANY_VALUE")
    definition = {"__type": "RuleCombination", "combinationType": "AND", "rules": [rule]}

    evaluate = compile_audiences([definition], attributes_by_uid={attribute.uid: attribute})

    assert evaluate({}, {}) == ((False,), ())
    assert evaluate({}, {"x')or(1": "yes"}) == ((True,), ())


def test_remembered_results_keep_true_and_one_apart():
    attribute = Attribute("b" * 24, "count")
    one = bench.rule(
        bench.custom(attribute.uid),
        "NUMBER_EQUAL_TO",
        {"__type": "NumberMatchOptions", "value": 1},
    )
    definition = {"__type": "RuleCombination", "combinationType": "AND", "rules": [one]}
    evaluate = compile_audiences([definition], attributes_by_uid={attribute.uid: attribute})

    assert [evaluate({}, {"count": value})[0] for value in (1, True, 1.0, "1", True, 1)] == [
        (True,),
        (False,),
        (True,),
        (True,),
        (False,),
        (True,),
    ]
