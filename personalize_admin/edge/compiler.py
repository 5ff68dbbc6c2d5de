"""A snapshot's audiences compiled to one straight-line Python function.

The rules engine (``audiences.rules.engine``) turns each definition into nested
closures: a call per group, per rule and per condition. A manifest needs most
audiences of the project, and projects repeat the same rules across audiences
(the same country, the same plan), so the Edge API compiles all the audiences
of a snapshot together into one function::

    def evaluate(presets, custom):
        r0, r1, = g0(presets.get('COUNTRY'))  # each distinct rule once, per attribute
        r2, = g1(custom.get('age'))
        a0 = True if (r0 and not r2) else False   # Match All, 2nd rule inverted
        a1 = True if (r1 or (r0 and r2)) else False  # Match Any with a nested group
        return (a0, a1), (a0 and a1, a1)            # audiences, then variants' groups

``g0``… return the results of every rule on one attribute (see
``attribute_results``, which also remembers them per value). The conditions
themselves (prepared tests of a present value) come from the engine's
``CONDITION_TESTS``, so what a condition means is defined in
one place; only the glue is written here, and it follows the rules
specification: a missing value (absent or null) fails every condition and
``invertCondition`` negates after that, which makes an inverted rule exactly
the negation of the same rule uninverted; Match All is ``and``, Match Any is
``or``. ``tests/edge/test_compiler.py`` checks that both always agree.

Only preset refs from the catalog and custom attribute keys appear in the
generated source, written with ``repr``; everything else is passed in as
objects.
"""

import json

from personalize_admin.audiences.rules import CompileError, catalog
from personalize_admin.audiences.rules.engine import CONDITION_TESTS

MAX_DEPTH = 32


class _Program:
    def __init__(self, attributes_by_uid):
        self.attributes_by_uid = attributes_by_uid
        self.rules = {}  # (source, key, condition, options) → (variable, test)
        self.by_value = {}  # (source, key) → [variables]

    def rule(self, node):
        reference = node.get("attribute")
        ref = reference.get("ref") if isinstance(reference, dict) else None
        if not isinstance(ref, str):
            raise CompileError("the rule names no attribute")
        if reference.get("__type") == catalog.PRESET_REFERENCE and ref in catalog.PRESETS_BY_REF:
            source, key = "presets", ref
        elif reference.get("__type") == catalog.CUSTOM_REFERENCE and ref in self.attributes_by_uid:
            attribute = self.attributes_by_uid[ref]
            source, key = "custom", attribute if isinstance(attribute, str) else attribute.key
        else:
            raise CompileError(f"unknown attribute {ref!r}")
        condition = node.get("attributeMatchCondition")
        factory = CONDITION_TESTS.get(condition) if isinstance(condition, str) else None
        if factory is None:
            raise CompileError("unknown condition")
        options = node.get("attributeMatchOptions") or {}
        identity = (source, key, condition, json.dumps(options, sort_keys=True, default=str))
        known = self.rules.get(identity)
        if known is None:
            try:
                test = factory(options)
            except (KeyError, TypeError, AttributeError, ValueError) as error:
                raise CompileError(f"invalid options ({error})") from None
            known = self.rules[identity] = (f"r{len(self.rules)}", test)
            self.by_value.setdefault((source, key), []).append(identity)
        variable = known[0]
        return f"not {variable}" if node.get("invertCondition") is True else variable

    def expression(self, node, depth=1):
        if not isinstance(node, dict) or depth > MAX_DEPTH:
            raise CompileError("not a rule or a group")
        kind = node.get("__type")
        if kind == catalog.RULE:
            return self.rule(node)
        if kind != catalog.GROUP:
            raise CompileError(f"unknown __type {kind!r}")
        rules = node.get("rules")
        combination = node.get("combinationType")
        if combination not in (catalog.AND, catalog.OR) or not isinstance(rules, list) or not rules:
            raise CompileError("a group needs AND or OR and at least one rule")
        joiner = " and " if combination == catalog.AND else " or "
        return "(" + joiner.join(self.expression(child, depth + 1) for child in rules) + ")"

    def function(self, expressions, groups):
        lines = ["def evaluate(presets, custom):"]
        namespace = {}
        for number, ((source, key), identities) in enumerate(self.by_value.items()):
            variables = [self.rules[identity][0] for identity in identities]
            namespace[f"g{number}"] = attribute_results([self.rules[i][1] for i in identities])
            lines.append(f"    {', '.join(variables)}, = g{number}({source}.get({key!r}))")
        for index, expression in enumerate(expressions):
            lines.append(f"    a{index} = True if {expression} else False")
        lines.append("    return (")
        lines.append(
            "        (" + "".join(f"a{index}, " for index in range(len(expressions))) + "),"
        )
        lines.append("        (")
        for indices, match_all in groups:
            if not indices:
                lines.append(f"            {match_all!r},")
                continue
            joiner = " and " if match_all else " or "
            lines.append("            " + joiner.join(f"a{index}" for index in indices) + ",")
        lines.append("        ),")
        lines.append("    )")
        exec(compile("\n".join(lines) + "\n", "<audiences>", "exec"), namespace)  # noqa: S102
        return namespace["evaluate"]


CACHED_TYPES = (str, int, float, bool)
MAX_CACHED_VALUES = 4096


def attribute_results(tests):
    """``results(value)`` → the tuple of every test's result for one attribute's value.

    A missing value fails every test. Results for a scalar value are remembered
    (up to ``MAX_CACHED_VALUES`` per attribute, then forgotten all at once):
    the tests are pure, and visitors share few distinct countries, devices or
    plans, so most requests look their results up instead of running them.
    The cache key holds the value's type, so ``True``, ``1`` and ``1.0`` stay
    apart.
    """
    tests = tuple(tests)
    missing = (False,) * len(tests)
    cache = {}

    def results(value):
        if value is None:
            return missing
        cls = value.__class__
        if cls in CACHED_TYPES:
            key = (cls, value)
            found = cache.get(key)
            if found is None:
                if len(cache) >= MAX_CACHED_VALUES:
                    cache.clear()
                found = cache[key] = tuple([True if test(value) else False for test in tests])
            return found
        return tuple([True if test(value) else False for test in tests])

    return results


def compile_audiences(definitions, *, attributes_by_uid, groups=()):
    """``evaluate(presets, custom)`` → ``(audience results, group results)``.

    The first tuple has each definition's result, in order; a definition that
    cannot be compiled (``None`` or malformed) never matches. ``groups`` are
    ``(definition indices, match_all)`` pairs (a segmented variant's audiences,
    an A/B test's target group); the second tuple has whether each group's
    audiences all match (``match_all``) or any does. A group of no audiences
    gives ``match_all``.
    """
    program = _Program(attributes_by_uid)
    expressions = []
    for definition in definitions:
        try:
            if not isinstance(definition, dict) or definition.get("__type") != catalog.GROUP:
                raise CompileError("expected a group (RuleCombination) at the top")
            expressions.append(program.expression(definition))
        except CompileError:
            expressions.append("False")
    return program.function(expressions, groups)
