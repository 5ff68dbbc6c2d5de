"""Compiling a definition once into a predicate that is evaluated many times.

``compile_definition(definition, *, attributes_by_uid)`` turns a validated
definition into a ``CompiledDefinition``:

- ``compiled(visitor)`` → ``bool`` for a ``Visitor(presets, custom)``;
- ``compiled.matches(presets, custom)`` → ``bool``, the same without building a
  ``Visitor`` (the Edge API's hot loop);
- ``compiled.explain(visitor)`` → an ``Explanation``: every node's result and
  the rules that decided it (the "Test this audience" panel, previews).

A visitor's values live in two namespaces that never mix: ``presets`` by
preset ref (``COUNTRY``, ``DEVICE_TYPE``…) and ``custom`` by custom attribute
**key** (``age``), which is what the SDK sends. Definitions name custom
attributes by uid; ``attributes_by_uid`` maps each uid to its key (an
``Attribute`` or the key itself), so a renamed key needs a recompile, and a
custom key can never shadow a preset.

Each condition becomes a closure over its prepared operand (lower-cased
strings, parsed bounds, a compiled RE2 pattern), each rule a closure reading
one dict, and each group a short-circuiting closure over its children, so
evaluating walks no tree and looks nothing up but the visitor's values.
Semantics follow the rules specification: a missing value (absent or null)
makes every condition false, and ``invertCondition`` negates the result after
that, so a visitor without the attribute matches an inverted rule.
"""

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from . import catalog
from .regex import compile_pattern
from .validation import index, join
from .values import as_number, as_text, as_timestamp, parse_datetime

MISSING = object()


class Visitor(NamedTuple):
    """What rules are evaluated against: preset values by ref, custom values by key."""

    presets: dict
    custom: dict


class CompileError(ValueError):
    """The definition cannot be compiled (it was not validated, or refers to an
    attribute that no longer exists)."""


# ---------- conditions: operand → test(value) for a present (non-null) value ----------


def _folded(text):
    return text.strip().casefold()


def _on_text(check):
    """A test of a value's text (numbers and booleans as written, see ``as_text``)."""

    def test(value):
        if value.__class__ is not str:
            value = as_text(value)
            if value is None:
                return False
        return check(value)

    return test


def _string_equals(options):
    expected = _folded(options["value"])
    return _on_text(lambda text: text.strip().casefold() == expected)


def _contains(options):
    expected = options["value"].casefold()
    return _on_text(lambda text: expected in text.casefold())


def _starts_with(options):
    expected = options["value"].casefold()
    return _on_text(lambda text: text.casefold().startswith(expected))


def _ends_with(options):
    expected = options["value"].casefold()
    return _on_text(lambda text: text.casefold().endswith(expected))


def _in_list(options):
    expected = frozenset(_folded(value) for value in options["values"])
    return _on_text(lambda text: text.strip().casefold() in expected)


def _regex(options):
    search = compile_pattern(options["pattern"]).search
    return _on_text(lambda text: search(text) is not None)


def _has_any_value(options):
    def test(value):
        cls = value.__class__
        if cls is str:
            return bool(value.strip())
        if cls is list or cls is dict or cls is tuple:
            return bool(value)
        return True

    return test


def _is_true(options):
    def test(value):
        return value is True or (value.__class__ is str and value.strip().lower() == "true")

    return test


def _is_false(options):
    def test(value):
        return value is False or (value.__class__ is str and value.strip().lower() == "false")

    return test


def _number_equal(options):
    expected = options["value"]

    def test(value):
        number = as_number(value)
        return number is not None and number == expected

    return test


def _number_greater(options):
    bound = options["value"]

    def test(value):
        number = as_number(value)
        return number is not None and number > bound

    return test


def _number_less(options):
    bound = options["value"]

    def test(value):
        number = as_number(value)
        return number is not None and number < bound

    return test


def _number_between(options):
    low, high = options["min"], options["max"]

    def test(value):
        number = as_number(value)
        return number is not None and low <= number <= high

    return test


def _json_match(options):
    key, expected = options["key"], _folded(options["value"])

    def equals(item):
        text = as_text(item)
        return text is not None and text.strip().casefold() == expected

    def test(value):
        if value.__class__ is not dict:
            return False
        found = value.get(key)
        if found is None:
            return False
        if found.__class__ is list:
            return any(equals(item) for item in found)
        return equals(found)

    return test


def _instant(text):
    return parse_datetime(text).timestamp()


def _before(options):
    bound = _instant(options["value"])

    def test(value):
        moment = as_timestamp(value)
        return moment is not None and moment < bound

    return test


def _after(options):
    bound = _instant(options["value"])

    def test(value):
        moment = as_timestamp(value)
        return moment is not None and moment > bound

    return test


def _between_times(options):
    start, end = _instant(options["from"]), _instant(options["to"])

    def test(value):
        moment = as_timestamp(value)
        return moment is not None and start <= moment < end

    return test


CONDITION_TESTS = {
    "STRING_EQUALS": _string_equals,
    "CONTAINS_SUBSTRING": _contains,
    "STRING_STARTS_WITH": _starts_with,
    "STRING_ENDS_WITH": _ends_with,
    "STRING_IN_LIST": _in_list,
    "STRING_MATCHES_REGEX": _regex,
    "HAS_ANY_VALUE": _has_any_value,
    "IS_TRUE": _is_true,
    "IS_FALSE": _is_false,
    "NUMBER_EQUAL_TO": _number_equal,
    "NUMBER_GREATER_THAN": _number_greater,
    "NUMBER_LESS_THAN": _number_less,
    "NUMBER_BETWEEN": _number_between,
    "JSON_MATCH": _json_match,
    "BEFORE_TIME": _before,
    "AFTER_TIME": _after,
    "BETWEEN_TIME": _between_times,
}


# ---------- rules and groups ----------


def _rule_closure(test, in_presets, key, invert):
    # Four shapes so that evaluating a rule is one dict lookup and one call.
    if in_presets:
        if invert:

            def rule(presets, custom):
                value = presets.get(key)
                return value is None or not test(value)
        else:

            def rule(presets, custom):
                value = presets.get(key)
                return value is not None and test(value)
    elif invert:

        def rule(presets, custom):
            value = custom.get(key)
            return value is None or not test(value)
    else:

        def rule(presets, custom):
            value = custom.get(key)
            return value is not None and test(value)

    return rule


def _all(children):
    if len(children) == 1:
        return children[0]
    if len(children) == 2:
        first, second = children

        def both(presets, custom):
            return first(presets, custom) and second(presets, custom)

        return both
    children = tuple(children)

    def every(presets, custom):
        for child in children:
            if not child(presets, custom):
                return False
        return True

    return every


def _any(children):
    if len(children) == 1:
        return children[0]
    if len(children) == 2:
        first, second = children

        def either(presets, custom):
            return first(presets, custom) or second(presets, custom)

        return either
    children = tuple(children)

    def some(presets, custom):
        for child in children:
            if child(presets, custom):
                return True
        return False

    return some


@dataclass
class _Rule:
    path: str
    rule: dict
    test: Any
    in_presets: bool
    key: str
    invert: bool

    def closure(self):
        return _rule_closure(self.test, self.in_presets, self.key, self.invert)


@dataclass
class _Group:
    path: str
    group: dict
    combination: str
    children: list

    def closure(self):
        return (_all if self.combination == catalog.AND else _any)(self.flat_closures())

    def flat_closures(self):
        # A child group of the same kind adds nothing: AND(a, AND(b, c)) is AND(a, b, c).
        closures = []
        for child in self.children:
            if isinstance(child, _Group) and child.combination == self.combination:
                closures.extend(child.flat_closures())
            else:
                closures.append(child.closure())
        return closures


def _key_of(attribute):
    return attribute if isinstance(attribute, str) else attribute.key


MAX_COMPILE_DEPTH = 32


def _build(node, path, attributes_by_uid, depth=1):
    if not isinstance(node, dict):
        raise CompileError(f"{path or 'definition'}: expected a rule or a group.")
    if depth > MAX_COMPILE_DEPTH:
        raise CompileError(f"{path}: groups nest too deep.")
    kind = node.get("__type")
    if kind == catalog.GROUP:
        combination = node.get("combinationType")
        rules = node.get("rules")
        if combination not in (catalog.AND, catalog.OR) or not isinstance(rules, list) or not rules:
            raise CompileError(
                f"{path or 'definition'}: a group needs AND or OR and at least one rule."
            )
        rules_path = join(path, "rules")
        children = [
            _build(child, index(rules_path, i), attributes_by_uid, depth + 1)
            for i, child in enumerate(rules)
        ]
        return _Group(path, node, combination, children)
    if kind != catalog.RULE:
        raise CompileError(f"{path or 'definition'}: unknown __type {kind!r}.")
    reference = node.get("attribute")
    ref = reference.get("ref") if isinstance(reference, dict) else None
    if not isinstance(ref, str):
        raise CompileError(f"{path}: the rule names no attribute.")
    if reference.get("__type") == catalog.PRESET_REFERENCE and ref in catalog.PRESETS_BY_REF:
        in_presets, key = True, ref
    elif reference.get("__type") == catalog.CUSTOM_REFERENCE and ref in attributes_by_uid:
        in_presets, key = False, _key_of(attributes_by_uid[ref])
    else:
        raise CompileError(f"{path}: unknown attribute {ref!r}.")
    condition = node.get("attributeMatchCondition")
    factory = CONDITION_TESTS.get(condition) if isinstance(condition, str) else None
    if factory is None:
        raise CompileError(f"{path}: unknown condition {node.get('attributeMatchCondition')!r}.")
    try:
        test = factory(node.get("attributeMatchOptions") or {})
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise CompileError(f"{path}: invalid options ({error}).") from None
    return _Rule(path, node, test, in_presets, key, node.get("invertCondition") is True)


# ---------- explanations ----------


@dataclass
class Trace:
    """One node's part in a decision.

    ``result`` is ``None`` when the node was not evaluated (an earlier sibling
    already decided its group). ``decisive`` marks the nodes the outcome rests
    on: the child that short-circuited its group, or every child when all of
    them had to agree. For rules, ``value`` is what the visitor had (``MISSING``
    when absent or null).
    """

    path: str
    kind: str  # "rule" or "group"
    result: bool | None
    node: dict
    decisive: bool = False
    value: Any = MISSING
    children: list = field(default_factory=list)

    @property
    def is_rule(self):
        return self.kind == "rule"

    @property
    def has_value(self):
        return self.value is not MISSING

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Explanation:
    matched: bool
    root: Trace

    def deciding_rules(self):
        """The rules the outcome rests on, in definition order."""
        return [trace for trace in self.root.walk() if trace.is_rule and trace.decisive]

    def by_path(self):
        return {trace.path: trace for trace in self.root.walk()}


def _trace(compiled, visitor):
    if isinstance(compiled, _Rule):
        source = visitor.presets if compiled.in_presets else visitor.custom
        value = source.get(compiled.key)
        if value is None:
            result = compiled.invert
            value = MISSING
        else:
            result = compiled.test(value) != compiled.invert
        return Trace(compiled.path, "rule", result, compiled.rule, value=value)
    children = []
    result = compiled.combination == catalog.AND
    for child in compiled.children:
        trace = _trace(child, visitor)
        children.append(trace)
        if trace.result != result:
            result = trace.result
            break
    for child in compiled.children[len(children) :]:
        children.append(_skipped(child))
    return Trace(compiled.path, "group", result, compiled.group, children=children)


def _skipped(compiled):
    if isinstance(compiled, _Rule):
        return Trace(compiled.path, "rule", None, compiled.rule)
    return Trace(
        compiled.path,
        "group",
        None,
        compiled.group,
        children=[_skipped(c) for c in compiled.children],
    )


def _mark_decisive(trace):
    trace.decisive = True
    if trace.is_rule:
        return
    is_or = trace.node.get("combinationType") == catalog.OR
    short_circuit = trace.result is is_or
    evaluated = [child for child in trace.children if child.result is not None]
    for child in evaluated[-1:] if short_circuit else evaluated:
        _mark_decisive(child)


class CompiledDefinition:
    """A compiled audience definition; see the module docstring."""

    __slots__ = ("definition", "matches", "_tree")

    def __init__(self, definition, tree):
        self.definition = definition
        self._tree = tree
        self.matches = tree.closure()

    def __call__(self, visitor):
        return self.matches(visitor[0], visitor[1])

    def explain(self, visitor):
        root = _trace(self._tree, visitor)
        _mark_decisive(root)
        return Explanation(bool(root.result), root)


def compile_definition(definition, *, attributes_by_uid):
    """Compile a validated ``definition``. ``attributes_by_uid`` maps each custom
    attribute uid the definition uses to its ``Attribute`` (or key). Raises
    ``CompileError`` for anything the validator would have refused."""
    if not isinstance(definition, dict) or definition.get("__type") != catalog.GROUP:
        raise CompileError("definition: expected a group (RuleCombination) at the top.")
    return CompiledDefinition(definition, _build(definition, "", attributes_by_uid))


def evaluate(definition, visitor, *, attributes_by_uid):
    """Compile and evaluate once (for one-off checks; compile once to evaluate many)."""
    return compile_definition(definition, attributes_by_uid=attributes_by_uid)(visitor)
