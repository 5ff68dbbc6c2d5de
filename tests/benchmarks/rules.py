"""The compiled audience engine against GrowthBook's condition evaluator.

``make bench-rules`` (or ``python -m tests.benchmarks.rules``) generates 200
audiences of 3–8 rules in nested groups and 10,000 visitors, translates each
audience into the equivalent GrowthBook condition, checks that both engines
agree on every (audience, visitor) pair, then times both on the same pairs in
one run and reports evaluations per second and their ratio. Results go to
``tests/artifacts/bench/rules.json`` and, as a table, to stdout.
"""

import argparse
import json
import os
import platform
import random
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

from growthbook.core import evalCondition

OUTPUT = Path(__file__).resolve().parents[1] / "artifacts" / "bench" / "rules.json"
GOAL = 2.0

ATTRIBUTES = {  # uid → (key, type)
    "1" * 24: ("tier", "STRING"),
    "2" * 24: ("age", "NUMBER"),
    "3" * 24: ("member", "BOOLEAN"),
    "4" * 24: ("signup", "DATE"),
}
COUNTRIES = ["US", "CA", "DE", "FR", "GB", "JP", "BR", "IN"]
DEVICES = ["Mobile", "Tablet", "Desktop"]
SYSTEMS = ["iOS", "Android", "Windows", "MacOS", "Linux"]
TIERS = ["bronze", "silver", "gold", "platinum"]
SOURCES = ["newsletter", "google", "facebook", "partner"]
REFERRERS = [
    "https://www.google.com/search?q=boots",
    "https://news.example.com/deals",
    "https://blog.example.org/post/42",
    "https://t.co/abc",
    "https://partner.example.net/shop",
]
START = datetime(2026, 1, 1, tzinfo=UTC)


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def preset(ref):
    return {"__type": "PresetAttributeReference", "ref": ref}


def custom(uid):
    return {"__type": "CustomAttributeReference", "ref": uid}


def rule(attribute, condition, options=None, invert=False):
    node = {"__type": "Rule", "attribute": attribute, "attributeMatchCondition": condition}
    if options is not None:
        node["attributeMatchOptions"] = options
    node["invertCondition"] = invert
    return node


def text(value):
    return {"__type": "StringMatchOptions", "value": value}


def random_rule(rng):
    """A rule and its GrowthBook condition (same semantics on the generated visitors)."""
    uid = {key: uid for uid, (key, _) in ATTRIBUTES.items()}
    kind = rng.choice(
        [
            "country",
            "device",
            "system",
            "referrer",
            "query",
            "tier",
            "age",
            "member",
            "signup",
            "time",
        ]
    )
    if kind in ("country", "device", "system"):
        ref, values = {
            "country": ("COUNTRY", COUNTRIES),
            "device": ("DEVICE_TYPE", DEVICES),
            "system": ("OPERATING_SYSTEM", SYSTEMS),
        }[kind]
        if rng.random() < 0.5:
            value = rng.choice(values)
            node, condition = (
                rule(preset(ref), "STRING_EQUALS", text(value.lower())),
                {ref: {"$ini": [value.lower()]}},
            )
        else:
            chosen = rng.sample(values, 2)
            node = rule(
                preset(ref),
                "STRING_IN_LIST",
                {"__type": "StringListMatchOptions", "values": chosen},
            )
            condition = {ref: {"$ini": chosen}}
    elif kind == "referrer":
        choice = rng.choice(["contains", "starts", "ends", "regex", "any"])
        if choice == "contains":
            needle = rng.choice(["google", "deals", "blog", "partner"])
            node, condition = (
                rule(preset("REFERRER"), "CONTAINS_SUBSTRING", text(needle)),
                {"REFERRER": {"$regexi": re.escape(needle)}},
            )
        elif choice == "starts":
            prefix = rng.choice(["https://www.", "https://news.", "https://t.co"])
            node, condition = (
                rule(preset("REFERRER"), "STRING_STARTS_WITH", text(prefix)),
                {"REFERRER": {"$regexi": "^" + re.escape(prefix)}},
            )
        elif choice == "ends":
            suffix = rng.choice(["/deals", "/shop", "42"])
            node, condition = (
                rule(preset("REFERRER"), "STRING_ENDS_WITH", text(suffix)),
                {"REFERRER": {"$regexi": re.escape(suffix) + "$"}},
            )
        elif choice == "regex":
            pattern = rng.choice([r"^https://[a-z]+\.example\.(com|org)/", r"/post/\d+$", r"q=\w+"])
            node = rule(
                preset("REFERRER"),
                "STRING_MATCHES_REGEX",
                {"__type": "RegexMatchOptions", "pattern": pattern},
            )
            condition = {"REFERRER": {"$regex": pattern}}
        else:
            node, condition = (
                rule(preset("REFERRER"), "HAS_ANY_VALUE"),
                {"REFERRER": {"$exists": True}},
            )
    elif kind == "query":
        source = rng.choice(SOURCES)
        node = rule(
            preset("QUERY_PARAMETERS"),
            "JSON_MATCH",
            {"__type": "JsonMatchOptions", "key": "utm_source", "value": source},
        )
        condition = {"QUERY_PARAMETERS.utm_source": {"$ini": [source]}}
    elif kind == "tier":
        value = rng.choice(TIERS)
        node, condition = (
            rule(custom(uid["tier"]), "STRING_EQUALS", text(value)),
            {"tier": {"$ini": [value]}},
        )
    elif kind == "age":
        choice = rng.choice(["gt", "lt", "eq", "between"])
        number = rng.randint(18, 70)
        if choice == "between":
            low, high = sorted([number, rng.randint(18, 70)])
            node = rule(
                custom(uid["age"]),
                "NUMBER_BETWEEN",
                {"__type": "NumberRangeMatchOptions", "min": low, "max": high},
            )
            condition = {"age": {"$gte": low, "$lte": high}}
        else:
            name, operator = {
                "gt": ("NUMBER_GREATER_THAN", "$gt"),
                "lt": ("NUMBER_LESS_THAN", "$lt"),
                "eq": ("NUMBER_EQUAL_TO", "$eq"),
            }[choice]
            node = rule(custom(uid["age"]), name, {"__type": "NumberMatchOptions", "value": number})
            condition = {"age": {operator: number}}
    elif kind == "member":
        wanted = rng.random() < 0.5
        node = rule(custom(uid["member"]), "IS_TRUE" if wanted else "IS_FALSE")
        condition = {"member": {"$eq": wanted}}
    else:
        ref, key = ("DATE_AND_TIME", "DATE_AND_TIME") if kind == "time" else (None, "signup")
        attribute = preset(ref) if ref else custom(uid["signup"])
        moment = iso(START + timedelta(days=rng.randint(0, 365)))
        choice = rng.choice(["before", "after", "between"])
        if choice == "between":
            later = iso(START + timedelta(days=rng.randint(366, 500)))
            node = rule(
                attribute,
                "BETWEEN_TIME",
                {"__type": "DateTimeRangeMatchOptions", "from": moment, "to": later},
            )
            condition = {key: {"$gte": moment, "$lt": later}}
        else:
            name, operator = ("BEFORE_TIME", "$lt") if choice == "before" else ("AFTER_TIME", "$gt")
            node = rule(attribute, name, {"__type": "DateTimeMatchOptions", "value": moment})
            condition = {key: {operator: moment}}
    if rng.random() < 0.2:
        node["invertCondition"] = True
        condition = {"$not": condition}
    return node, condition


def random_audience(rng):
    """3–8 rules in nested groups (up to three levels), as a definition and a GrowthBook condition."""

    def build(count, depth):
        combination = rng.choice(["AND", "OR"])
        children, conditions = [], []
        remaining = count
        while remaining:
            if depth < 3 and remaining >= 2 and rng.random() < 0.35:
                size = rng.randint(2, min(3, remaining))
                child, condition = build(size, depth + 1)
            else:
                size = 1
                child, condition = random_rule(rng)
            children.append(child)
            conditions.append(condition)
            remaining -= size
        definition = {
            "__type": "RuleCombination",
            "combinationType": combination,
            "rules": children,
        }
        return definition, {"$and" if combination == "AND" else "$or": conditions}

    return build(rng.randint(3, 8), 1)


def random_visitor(rng):
    """(presets, custom) for our engine and the merged attributes for GrowthBook."""
    presets = {}

    def maybe(probability=0.9):
        return rng.random() < probability

    if maybe():
        presets["COUNTRY"] = rng.choice(COUNTRIES)
    if maybe():
        presets["DEVICE_TYPE"] = rng.choice(DEVICES)
    if maybe():
        presets["OPERATING_SYSTEM"] = rng.choice(SYSTEMS)
    if maybe(0.7):
        presets["REFERRER"] = rng.choice(REFERRERS)
    if maybe(0.6):
        presets["QUERY_PARAMETERS"] = {
            "utm_source": rng.choice(SOURCES),
            "page": str(rng.randint(1, 5)),
        }
    presets["DATE_AND_TIME"] = iso(
        START + timedelta(days=rng.randint(0, 500), seconds=rng.randint(0, 86399))
    )
    custom_values = {}
    if maybe(0.7):
        custom_values["tier"] = rng.choice(TIERS)
    if maybe(0.7):
        custom_values["age"] = rng.randint(16, 80)
    if maybe(0.7):
        custom_values["member"] = rng.random() < 0.5
    if maybe(0.5):
        custom_values["signup"] = iso(START + timedelta(days=rng.randint(0, 500)))
    return presets, custom_values, {**presets, **custom_values}


def setup_django():
    """The validator reads its limits from the settings; outside pytest, load them."""
    import django
    from django.conf import settings

    if not settings.configured:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
        django.setup()


def run(*, audiences=200, visitors=10_000, seed=2026, repeat=3):
    setup_django()
    from personalize_admin.audiences.rules import compile_definition, validate_definition

    rng = random.Random(seed)
    attributes = {uid: kind for uid, (_, kind) in ATTRIBUTES.items()}
    keys = {uid: key for uid, (key, _) in ATTRIBUTES.items()}
    pairs = [random_audience(rng) for _ in range(audiences)]
    definitions = [
        validate_definition(definition, attributes=attributes) for definition, _ in pairs
    ]
    conditions = [condition for _, condition in pairs]
    people = [random_visitor(rng) for _ in range(visitors)]

    started = time.perf_counter()
    predicates = [
        compile_definition(definition, attributes_by_uid=keys).matches for definition in definitions
    ]
    compile_seconds = time.perf_counter() - started

    # Both engines must give the same answer on every pair before either is timed.
    matched = 0
    for presets, custom_values, merged in people:
        for predicate, condition, definition in zip(
            predicates, conditions, definitions, strict=True
        ):
            ours = predicate(presets, custom_values)
            theirs = evalCondition(merged, condition)
            if ours != theirs:
                raise AssertionError(
                    f"The engines disagree ({ours} vs {theirs}) on\n{json.dumps(definition)}\n"
                    f"{json.dumps(condition)}\nfor {merged}"
                )
            matched += ours

    def time_ours():
        started = time.perf_counter()
        for presets, custom_values, _ in people:
            for predicate in predicates:
                predicate(presets, custom_values)
        return time.perf_counter() - started

    def time_theirs():
        started = time.perf_counter()
        for _, _, merged in people:
            for condition in conditions:
                evalCondition(merged, condition)
        return time.perf_counter() - started

    # Alternate the engines and keep each one's best run, so neither profits from the other's warm-up.
    ours_runs, theirs_runs = [], []
    for _ in range(repeat):
        ours_runs.append(time_ours())
        theirs_runs.append(time_theirs())
    evaluations = audiences * visitors
    ours_seconds, theirs_seconds = min(ours_runs), min(theirs_runs)
    result = {
        "benchmark": "rules",
        "description": "Compiled audience engine vs GrowthBook Python SDK evalCondition on equivalent audiences",
        "audiences": audiences,
        "rules_per_audience": [3, 8],
        "visitors": visitors,
        "evaluations": evaluations,
        "matching_pairs": matched,
        "engines_agree": True,
        "repeat": repeat,
        "compile_seconds_all_audiences": round(compile_seconds, 4),
        "personalize": {
            "seconds": round(ours_seconds, 3),
            "evaluations_per_second": round(evaluations / ours_seconds),
        },
        "growthbook": {
            "seconds": round(theirs_seconds, 3),
            "evaluations_per_second": round(evaluations / theirs_seconds),
            "version": version("growthbook"),
        },
        "ratio": round(theirs_seconds / ours_seconds, 2),
        "goal_ratio": GOAL,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }
    return result


def table(result):
    rows = [
        ("engine", "seconds", "evaluations/s"),
        (
            "personalize (compiled)",
            f"{result['personalize']['seconds']:.3f}",
            f"{result['personalize']['evaluations_per_second']:,}",
        ),
        (
            f"growthbook {result['growthbook']['version']} evalCondition",
            f"{result['growthbook']['seconds']:.3f}",
            f"{result['growthbook']['evaluations_per_second']:,}",
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        f"{result['audiences']} audiences × {result['visitors']:,} visitors = {result['evaluations']:,} "
        f"evaluations; engines agree on all ({result['matching_pairs']:,} matches); best of {result['repeat']}"
    ]
    for row in rows:
        lines.append(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
    verdict = "meets" if result["ratio"] >= result["goal_ratio"] else "MISSES"
    lines.append(
        f"ratio: {result['ratio']:.2f}× GrowthBook ({verdict} the {result['goal_ratio']:.0f}× goal); "
        f"compiling all audiences took {result['compile_seconds_all_audiences'] * 1000:.1f} ms"
    )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audiences", type=int, default=200)
    parser.add_argument("--visitors", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    result = run(audiences=args.audiences, visitors=args.visitors, repeat=args.repeat)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))
    print(f"written to {args.output}")
    return 0 if result["ratio"] >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
