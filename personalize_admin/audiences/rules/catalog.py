"""What a definition may contain: value types, preset attributes, match conditions
and their options (see the rules specification).

Everything the validator, the engine and the editor need to know about a
condition or a preset lives here, so adding one is a change in one place.
"""

from dataclasses import dataclass, field

# Value types. Custom attributes carry one of the first four (``AttributeType``);
# ``OBJECT`` is the query parameters preset's.
STRING = "STRING"
NUMBER = "NUMBER"
BOOLEAN = "BOOLEAN"
DATE = "DATE"
OBJECT = "OBJECT"

TYPE_LABELS = {
    STRING: "text",
    NUMBER: "number",
    BOOLEAN: "true/false",
    DATE: "date and time",
    OBJECT: "set of parameters",
}

# ``__type`` values in a definition.
GROUP = "RuleCombination"
RULE = "Rule"
PRESET_REFERENCE = "PresetAttributeReference"
CUSTOM_REFERENCE = "CustomAttributeReference"

AND = "AND"
OR = "OR"
COMBINATION_LABELS = {AND: "Match All", OR: "Match Any"}


@dataclass(frozen=True)
class PresetAttribute:
    """An attribute every visitor has, derived from the request."""

    ref: str
    name: str
    type: str
    description: str
    suggestions: tuple = ()


PRESET_ATTRIBUTES = (
    PresetAttribute(
        "COUNTRY",
        "Country",
        STRING,
        "Two-letter ISO country code of the visitor (e.g. US), from the CDN's or proxy's geo header.",
    ),
    PresetAttribute(
        "REGION",
        "Region",
        STRING,
        "Region or state of the visitor (e.g. CA), from the CDN's or proxy's geo header.",
    ),
    PresetAttribute(
        "CITY", "City", STRING, "City of the visitor, from the CDN's or proxy's geo header."
    ),
    PresetAttribute(
        "DEVICE_TYPE",
        "Device type",
        STRING,
        "Mobile, Tablet or Desktop, read from the browser's User-Agent.",
        suggestions=("Mobile", "Tablet", "Desktop"),
    ),
    PresetAttribute(
        "OPERATING_SYSTEM",
        "Operating system",
        STRING,
        "MacOS, Windows, Android, iOS, Linux, ChromeOS or Other, read from the User-Agent.",
        suggestions=("MacOS", "Windows", "Android", "iOS", "Linux", "ChromeOS", "Other"),
    ),
    PresetAttribute(
        "QUERY_PARAMETERS",
        "Query parameters",
        OBJECT,
        "The query parameters of the page the visitor is on (e.g. utm_source=newsletter).",
    ),
    PresetAttribute(
        "REFERRER", "Referrer", STRING, "The URL the request came from (its Referer header)."
    ),
    PresetAttribute("DATE_AND_TIME", "Date and time", DATE, "The time of the visit, in UTC."),
)
PRESETS_BY_REF = {preset.ref: preset for preset in PRESET_ATTRIBUTES}


@dataclass(frozen=True)
class OptionField:
    name: str
    kind: str  # "string", "string_list", "pattern", "number", "datetime"
    label: str


@dataclass(frozen=True)
class OptionsType:
    name: str
    fields: tuple = ()
    # A pair of fields that must be ordered: (low, high, strictly less).
    ordered: tuple | None = None


OPTIONS_TYPES = {
    options.name: options
    for options in (
        OptionsType("StringMatchOptions", (OptionField("value", "string", "Value"),)),
        OptionsType("StringListMatchOptions", (OptionField("values", "string_list", "Values"),)),
        OptionsType("RegexMatchOptions", (OptionField("pattern", "pattern", "Pattern"),)),
        OptionsType("NumberMatchOptions", (OptionField("value", "number", "Value"),)),
        OptionsType(
            "NumberRangeMatchOptions",
            (OptionField("min", "number", "From"), OptionField("max", "number", "To")),
            ordered=("min", "max", False),
        ),
        OptionsType(
            "JsonMatchOptions",
            (OptionField("key", "string", "Parameter"), OptionField("value", "string", "Value")),
        ),
        OptionsType("DateTimeMatchOptions", (OptionField("value", "datetime", "Date and time"),)),
        OptionsType(
            "DateTimeRangeMatchOptions",
            (OptionField("from", "datetime", "From"), OptionField("to", "datetime", "To")),
            ordered=("from", "to", True),
        ),
    )
}


@dataclass(frozen=True)
class Condition:
    name: str
    label: str
    options: str | None
    types: frozenset = field(default_factory=frozenset)


_ALL_TYPES = frozenset({STRING, NUMBER, BOOLEAN, DATE, OBJECT})

CONDITIONS = {
    condition.name: condition
    for condition in (
        Condition("STRING_EQUALS", "equals", "StringMatchOptions", frozenset({STRING})),
        Condition("CONTAINS_SUBSTRING", "contains", "StringMatchOptions", frozenset({STRING})),
        Condition("STRING_STARTS_WITH", "starts with", "StringMatchOptions", frozenset({STRING})),
        Condition("STRING_ENDS_WITH", "ends with", "StringMatchOptions", frozenset({STRING})),
        Condition("STRING_IN_LIST", "is any of", "StringListMatchOptions", frozenset({STRING})),
        Condition(
            "STRING_MATCHES_REGEX", "matches pattern", "RegexMatchOptions", frozenset({STRING})
        ),
        Condition("NUMBER_EQUAL_TO", "equals", "NumberMatchOptions", frozenset({NUMBER})),
        Condition(
            "NUMBER_GREATER_THAN", "is greater than", "NumberMatchOptions", frozenset({NUMBER})
        ),
        Condition("NUMBER_LESS_THAN", "is less than", "NumberMatchOptions", frozenset({NUMBER})),
        Condition("NUMBER_BETWEEN", "is between", "NumberRangeMatchOptions", frozenset({NUMBER})),
        Condition("IS_TRUE", "is true", None, frozenset({BOOLEAN})),
        Condition("IS_FALSE", "is false", None, frozenset({BOOLEAN})),
        Condition("JSON_MATCH", "has parameter", "JsonMatchOptions", frozenset({OBJECT})),
        Condition("BEFORE_TIME", "is before", "DateTimeMatchOptions", frozenset({DATE})),
        Condition("AFTER_TIME", "is after", "DateTimeMatchOptions", frozenset({DATE})),
        Condition("BETWEEN_TIME", "is between", "DateTimeRangeMatchOptions", frozenset({DATE})),
        Condition("HAS_ANY_VALUE", "has any value", None, _ALL_TYPES),
    )
}


def conditions_for_type(value_type):
    """The conditions an attribute of ``value_type`` offers, in menu order."""
    return [condition for condition in CONDITIONS.values() if value_type in condition.types]


def preset_reference(ref):
    return {"__type": PRESET_REFERENCE, "ref": ref}


def custom_reference(uid):
    return {"__type": CUSTOM_REFERENCE, "ref": uid}
