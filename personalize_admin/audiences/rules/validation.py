"""The one validator for audience definitions (the editor and the API both call it).

``validate_definition(definition, *, attributes)`` returns the normalized
definition or raises ``ValidationFailed`` whose ``field_errors`` map paths
relative to the definition's root (``rules[1].rules[0].attributeMatchOptions.value``,
``""`` for the root itself) to messages a person can act on. Nothing is
dropped: an unknown field is an error, not ignored.
"""

import math
from collections.abc import Mapping

from django.conf import settings

from personalize_admin.core.errors import ValidationFailed

from . import catalog
from .regex import UnsafePattern, compile_pattern
from .values import format_datetime, parse_datetime

INVALID_DEFINITION = "personalize.AUDIENCES.INVALID_DEFINITION"
DEFAULT_LIST_VALUES = 100
MAX_ERRORS = 100

_GROUP_FIELDS = ("__type", "combinationType", "rules")
_RULE_FIELDS = (
    "__type",
    "attribute",
    "attributeMatchCondition",
    "attributeMatchOptions",
    "invertCondition",
)
_REFERENCE_FIELDS = ("__type", "ref")


def definition_limits():
    """The limits a definition must respect (from ``settings.PERSONALIZE_LIMITS``)."""
    limits = settings.PERSONALIZE_LIMITS
    return {
        "rules": limits["rules_per_audience"],
        "depth": limits["group_depth"],
        "string_length": limits["string_value_length"],
        "list_values": limits.get("list_values_per_rule", DEFAULT_LIST_VALUES),
    }


def join(path, key):
    return f"{path}.{key}" if path else key


def index(path, position):
    return f"{path}[{position}]"


def prefixed(field_errors, prefix):
    """Field errors under ``prefix``: the Management API reports them as ``definition.…``."""
    return {
        (f"{prefix}.{path}" if path else prefix): messages
        for path, messages in field_errors.items()
    }


class AttributeInfo:
    __slots__ = ("uid", "name", "type")

    def __init__(self, uid, name, type):
        self.uid, self.name, self.type = uid, name, type


def attribute_index(attributes):
    """``{uid: AttributeInfo}`` from custom attributes (objects with ``uid``,
    ``name``, ``type``) or from a mapping ``{uid: type}``."""
    if isinstance(attributes, Mapping):
        return {
            uid: value
            if isinstance(value, AttributeInfo)
            else AttributeInfo(uid, getattr(value, "name", uid), getattr(value, "type", value))
            for uid, value in attributes.items()
        }
    return {
        attribute.uid: AttributeInfo(attribute.uid, attribute.name, attribute.type)
        for attribute in attributes
    }


class _Validator:
    def __init__(self, attributes, limits):
        self.attributes = attribute_index(attributes)
        self.limits = limits
        self.errors = {}
        self.rule_count = 0
        self.too_many_rules = False

    def error(self, path, message):
        if len(self.errors) < MAX_ERRORS:
            self.errors.setdefault(path, []).append(message)

    def unknown_fields(self, node, allowed, path):
        for key in node:
            if key not in allowed:
                self.error(join(path, str(key)), f"Unknown field “{key}”.")

    # ---------- groups ----------

    def group(self, node, path, depth):
        self.unknown_fields(node, _GROUP_FIELDS, path)
        combination = node.get("combinationType")
        if combination not in (catalog.AND, catalog.OR):
            self.error(join(path, "combinationType"), "Choose Match All (AND) or Match Any (OR).")
        if depth > self.limits["depth"]:
            self.error(path, f"Groups can be nested at most {self.limits['depth']} levels deep.")
            return None
        rules = node.get("rules")
        rules_path = join(path, "rules")
        if not isinstance(rules, list):
            self.error(rules_path, "A group needs a list of rules.")
            return None
        if not rules:
            self.error(
                rules_path,
                "Add at least one rule." if depth == 1 else "A group needs at least one rule.",
            )
            return None
        children = []
        for position, child in enumerate(rules):
            if self.too_many_rules:
                break
            children.append(self.node(child, index(rules_path, position), depth))
        return {"__type": catalog.GROUP, "combinationType": combination, "rules": children}

    def node(self, node, path, depth):
        if not isinstance(node, dict):
            self.error(
                path,
                "Expected a rule or a group (an object whose __type is Rule or RuleCombination).",
            )
            return None
        kind = node.get("__type")
        if kind == catalog.GROUP:
            return self.group(node, path, depth + 1)
        if kind == catalog.RULE:
            return self.rule(node, path)
        self.error(join(path, "__type"), f"Unknown __type “{kind}”: use Rule or RuleCombination.")
        return None

    # ---------- rules ----------

    def rule(self, node, path):
        self.rule_count += 1
        if self.rule_count > self.limits["rules"]:
            self.too_many_rules = True
            return None
        self.unknown_fields(node, _RULE_FIELDS, path)
        attribute = self.attribute(node.get("attribute"), join(path, "attribute"))
        condition = self.condition(
            node.get("attributeMatchCondition"), attribute, join(path, "attributeMatchCondition")
        )
        options = None
        if condition is not None:
            options = self.options(
                node.get("attributeMatchOptions"), condition, join(path, "attributeMatchOptions")
            )
        invert = node.get("invertCondition", False)
        if not isinstance(invert, bool):
            self.error(join(path, "invertCondition"), "Use true or false.")
        normalized = {
            "__type": catalog.RULE,
            "attribute": attribute[0] if attribute else None,
            "attributeMatchCondition": condition.name if condition else None,
        }
        if options is not None:
            normalized["attributeMatchOptions"] = options
        normalized["invertCondition"] = invert is True
        return normalized

    def attribute(self, reference, path):
        """``(normalized reference, value type, name)`` or ``None``."""
        if reference is None or reference == "" or reference == {}:
            self.error(path, "Select an attribute.")
            return None
        if not isinstance(reference, dict):
            self.error(
                path, "An attribute is a PresetAttributeReference or a CustomAttributeReference."
            )
            return None
        self.unknown_fields(reference, _REFERENCE_FIELDS, path)
        kind, ref = reference.get("__type"), reference.get("ref")
        if kind == catalog.PRESET_REFERENCE:
            preset = catalog.PRESETS_BY_REF.get(ref) if isinstance(ref, str) else None
            if preset is None:
                self.error(join(path, "ref"), f"Unknown preset attribute “{ref}”.")
                return None
            return catalog.preset_reference(preset.ref), preset.type, preset.name
        if kind == catalog.CUSTOM_REFERENCE:
            info = self.attributes.get(ref) if isinstance(ref, str) else None
            if info is None:
                self.error(
                    join(path, "ref"),
                    f"Unknown attribute: this project has no custom attribute “{ref}”.",
                )
                return None
            return catalog.custom_reference(info.uid), info.type, info.name
        self.error(
            join(path, "__type"), "Use PresetAttributeReference or CustomAttributeReference."
        )
        return None

    def condition(self, name, attribute, path):
        if name is None or name == "":
            self.error(path, "Select an operator.")
            return None
        condition = catalog.CONDITIONS.get(name) if isinstance(name, str) else None
        if condition is None:
            self.error(path, f"Unknown operator “{name}”.")
            return None
        if attribute is None:
            return None
        _, value_type, attribute_name = attribute
        if value_type not in condition.types:
            self.error(
                path,
                f"“{condition.label}” does not apply to {attribute_name}, a "
                f"{catalog.TYPE_LABELS.get(value_type, value_type)} attribute.",
            )
            return None
        return condition

    # ---------- options ----------

    def options(self, options, condition, path):
        if condition.options is None:
            if options not in (None, {}):
                self.error(path, f"“{condition.label}” takes no options.")
            return None
        expected = catalog.OPTIONS_TYPES[condition.options]
        if not isinstance(options, dict):
            self.error(path, f"Expected {expected.name}.")
            return None
        if options.get("__type") != expected.name:
            self.error(join(path, "__type"), f"Expected {expected.name} for {condition.name}.")
            return None
        self.unknown_fields(options, ("__type", *(f.name for f in expected.fields)), path)
        normalized = {"__type": expected.name}
        valid = True
        for option in expected.fields:
            value = getattr(self, f"_{option.kind}")(
                options.get(option.name), join(path, option.name)
            )
            if value is None:
                valid = False
            normalized[option.name] = value
        if valid and expected.ordered:
            self.ordered(normalized, expected, path)
        return normalized

    def ordered(self, normalized, expected, path):
        low_name, high_name, strict = expected.ordered
        low, high = normalized[low_name], normalized[high_name]
        labels = {f.name: f.label for f in expected.fields}
        if strict:
            low, high = parse_datetime(low), parse_datetime(high)
            if not low < high:
                self.error(
                    join(path, high_name),
                    f"“{labels[high_name]}” must be after “{labels[low_name]}”.",
                )
        elif high < low:
            self.error(
                join(path, high_name),
                f"“{labels[high_name]}” must not be less than “{labels[low_name]}”.",
            )

    def _string(self, value, path):
        if value is None:
            self.error(path, "Enter a value.")
            return None
        if not isinstance(value, str):
            self.error(path, "Enter text.")
            return None
        if not value.strip():
            self.error(path, "Enter a value.")
            return None
        if len(value) > self.limits["string_length"]:
            self.error(path, f"Use at most {self.limits['string_length']} characters.")
            return None
        if "\n" in value or "\r" in value:
            self.error(path, "A value cannot contain line breaks.")
            return None
        if "\x00" in value:  # no database can store it
            self.error(path, "A value cannot contain null characters.")
            return None
        return value

    def _string_list(self, values, path):
        if not isinstance(values, list):
            self.error(
                path, "Enter at least one value." if values is None else "Enter a list of values."
            )
            return None
        if not values:
            self.error(path, "Enter at least one value.")
            return None
        if len(values) > self.limits["list_values"]:
            self.error(path, f"Use at most {self.limits['list_values']} values.")
            return None
        checked = [
            self._string(value, index(path, position)) for position, value in enumerate(values)
        ]
        # Items are compared without their surrounding space, so they are stored without it.
        return (
            None
            if any(value is None for value in checked)
            else [value.strip() for value in checked]
        )

    def _pattern(self, pattern, path):
        pattern = self._string(pattern, path)
        if pattern is None:
            return None
        try:
            compile_pattern(pattern)
        except UnsafePattern as error:
            self.error(path, str(error))
            return None
        return pattern

    def _number(self, value, path):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            self.error(path, "Enter a number.")
            return None
        return value

    def _datetime(self, value, path):
        if value is None or value == "":
            self.error(path, "Enter a date and time.")
            return None
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is None:
            self.error(path, "Enter a date and time in ISO 8601, e.g. 2026-05-01T09:00:00Z.")
            return None
        if moment.microsecond % 1000:
            self.error(path, "Use at most millisecond precision.")
            return None
        return format_datetime(moment)


def validate_definition(definition, *, attributes, limits=None):
    """Check ``definition`` against the rules specification and return it normalized.

    ``attributes`` are the project's custom attributes (objects with ``uid``,
    ``name`` and ``type``, or a mapping ``{uid: type}``); custom references must
    name one of them. Raises ``ValidationFailed`` (nothing is returned half-checked).
    """
    limits = limits or definition_limits()
    validator = _Validator(attributes, limits)
    normalized = None
    if not isinstance(definition, dict):
        validator.error("", "The rules must be a group: an object whose __type is RuleCombination.")
    elif definition.get("__type") != catalog.GROUP:
        validator.error("__type", "The rules must start with a group (RuleCombination).")
    else:
        normalized = validator.group(definition, "", 1)
    if validator.too_many_rules:
        validator.error("rules", f"An audience has at most {limits['rules']} rules.")
    if validator.errors:
        raise definition_error(validator.errors)
    return normalized


def definition_error(field_errors):
    count = sum(len(messages) for messages in field_errors.values())
    path, messages = next(iter(field_errors.items()))
    where = f"{path}: " if path else ""
    more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
    return ValidationFailed(
        f"The audience rules are not valid. {where}{messages[0]}{more}",
        code=INVALID_DEFINITION,
        field_errors=field_errors,
    )


def referenced_attributes(definition):
    """The custom attribute uids and preset refs a (normalized) definition uses."""
    custom, presets = set(), set()
    for rule in iter_rules(definition):
        reference = rule.get("attribute") or {}
        if reference.get("__type") == catalog.CUSTOM_REFERENCE:
            custom.add(reference.get("ref"))
        elif reference.get("__type") == catalog.PRESET_REFERENCE:
            presets.add(reference.get("ref"))
    return custom, presets


def iter_rules(definition, path=""):
    """Yield every rule in a definition (depth first), tolerating malformed parts."""
    for _, rule in iter_rules_with_paths(definition, path):
        yield rule


def iter_rules_with_paths(node, path="", depth=1):
    if not isinstance(node, dict) or depth > 32:
        return
    if node.get("__type") == catalog.RULE:
        yield path, node
        return
    rules = node.get("rules")
    if isinstance(rules, list):
        rules_path = join(path, "rules")
        for position, child in enumerate(rules):
            yield from iter_rules_with_paths(child, index(rules_path, position), depth + 1)
