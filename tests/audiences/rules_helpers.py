"""Building definitions in tests: rule(), group(), and a visitor()."""

from personalize_admin.audiences.rules import Visitor

OPTIONS_FOR = {
    "STRING_EQUALS": "StringMatchOptions",
    "CONTAINS_SUBSTRING": "StringMatchOptions",
    "STRING_STARTS_WITH": "StringMatchOptions",
    "STRING_ENDS_WITH": "StringMatchOptions",
    "STRING_IN_LIST": "StringListMatchOptions",
    "STRING_MATCHES_REGEX": "RegexMatchOptions",
    "NUMBER_EQUAL_TO": "NumberMatchOptions",
    "NUMBER_GREATER_THAN": "NumberMatchOptions",
    "NUMBER_LESS_THAN": "NumberMatchOptions",
    "NUMBER_BETWEEN": "NumberRangeMatchOptions",
    "JSON_MATCH": "JsonMatchOptions",
    "BEFORE_TIME": "DateTimeMatchOptions",
    "AFTER_TIME": "DateTimeMatchOptions",
    "BETWEEN_TIME": "DateTimeRangeMatchOptions",
}


def preset(ref):
    return {"__type": "PresetAttributeReference", "ref": ref}


def custom(uid):
    return {"__type": "CustomAttributeReference", "ref": uid}


def rule(attribute, condition, invert=False, **options):
    node = {"__type": "Rule", "attribute": attribute, "attributeMatchCondition": condition}
    if condition in OPTIONS_FOR:
        node["attributeMatchOptions"] = {"__type": OPTIONS_FOR[condition], **options}
    node["invertCondition"] = invert
    return node


def group(combination, *rules):
    return {"__type": "RuleCombination", "combinationType": combination, "rules": list(rules)}


def all_of(*rules):
    return group("AND", *rules)


def any_of(*rules):
    return group("OR", *rules)


def visitor(presets=None, **custom_values):
    return Visitor(presets=presets or {}, custom=custom_values)
