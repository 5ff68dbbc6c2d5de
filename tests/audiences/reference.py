"""A plain tree-walking evaluator written straight from the rules specification.

It shares no code with the engine, so the property tests can check that the
compiled predicates agree with the specification's reading on random trees.
"""

import math
import re
from datetime import UTC, datetime

NUMBER_TEXT = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def text_of(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value == int(value) and abs(value) < 1e21 else repr(value)
    if isinstance(value, str):
        return value
    return None


def number_of(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value if math.isfinite(value) else None
    if isinstance(value, str) and len(value.strip()) <= 64 and NUMBER_TEXT.fullmatch(value):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def seconds_of(value):
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, str) and len(value) <= 64:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value / 1000 if math.isfinite(value) and abs(value) <= 8.64e15 else None
    return None


def iso_seconds(text):
    return seconds_of(text)


def holds(condition, options, value):
    """Whether ``condition`` holds for a present ``value``."""
    text = text_of(value)
    if condition == "STRING_EQUALS":
        return text is not None and text.strip().casefold() == options["value"].strip().casefold()
    if condition == "CONTAINS_SUBSTRING":
        return text is not None and options["value"].casefold() in text.casefold()
    if condition == "STRING_STARTS_WITH":
        return text is not None and text.casefold().startswith(options["value"].casefold())
    if condition == "STRING_ENDS_WITH":
        return text is not None and text.casefold().endswith(options["value"].casefold())
    if condition == "STRING_IN_LIST":
        return text is not None and text.strip().casefold() in [
            v.strip().casefold() for v in options["values"]
        ]
    if condition == "STRING_MATCHES_REGEX":
        return text is not None and re.search(options["pattern"], text) is not None
    if condition == "HAS_ANY_VALUE":
        if isinstance(value, str):
            return value.strip() != ""
        if isinstance(value, (list, dict, tuple)):
            return len(value) > 0
        return True
    if condition == "IS_TRUE":
        return value is True or (isinstance(value, str) and value.strip().lower() == "true")
    if condition == "IS_FALSE":
        return value is False or (isinstance(value, str) and value.strip().lower() == "false")
    if condition.startswith("NUMBER_"):
        number = number_of(value)
        if number is None:
            return False
        if condition == "NUMBER_EQUAL_TO":
            return number == options["value"]
        if condition == "NUMBER_GREATER_THAN":
            return number > options["value"]
        if condition == "NUMBER_LESS_THAN":
            return number < options["value"]
        return options["min"] <= number <= options["max"]
    if condition == "JSON_MATCH":
        if not isinstance(value, dict) or value.get(options["key"]) is None:
            return False
        found = value[options["key"]]
        candidates = found if isinstance(found, list) else [found]
        expected = options["value"].strip().casefold()
        return any(
            text_of(item) is not None and text_of(item).strip().casefold() == expected
            for item in candidates
        )
    moment = seconds_of(value)
    if moment is None:
        return False
    if condition == "BEFORE_TIME":
        return moment < iso_seconds(options["value"])
    if condition == "AFTER_TIME":
        return moment > iso_seconds(options["value"])
    return iso_seconds(options["from"]) <= moment < iso_seconds(options["to"])


def evaluate(node, presets, custom, keys):
    if node["__type"] == "RuleCombination":
        results = [evaluate(child, presets, custom, keys) for child in node["rules"]]
        return all(results) if node["combinationType"] == "AND" else any(results)
    reference = node["attribute"]
    if reference["__type"] == "PresetAttributeReference":
        value = presets.get(reference["ref"])
    else:
        value = custom.get(keys[reference["ref"]])
    result = (
        False
        if value is None
        else holds(node["attributeMatchCondition"], node.get("attributeMatchOptions"), value)
    )
    return not result if node["invertCondition"] else result
