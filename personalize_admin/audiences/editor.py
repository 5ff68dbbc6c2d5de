"""The rules builder's state between requests.

The editor posts its whole form on every change (htmx swaps the builder), so
unsaved input survives each swap: ``parse_form`` reads the posted fields into
a draft tree of groups and rules, holding exactly what the user typed; an
action (add a rule, add a group, remove, clear) changes the tree, and the
template renders it again. ``to_definition`` turns a draft into a definition
for the one validator, keeping every row (an empty rule becomes an error,
never a silent drop), and ``place_errors`` puts the validator's messages on
the rows and fields they name.

Fields are named by the node's position: ``n`` is the top group, ``n_1_0``
the first child of its second child; each node has ``<id>-kind`` and the
fields of its kind.
"""

import re
from dataclasses import dataclass, field

from .rules import catalog
from .rules.validation import definition_limits
from .rules.values import as_text

ROOT = "n"
_NODE_ID = re.compile(r"^n(?:_\d{1,3})*$")
_OPTION_FIELDS = ("value", "values", "pattern", "min", "max", "from", "to", "key")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_PATH_STEP = re.compile(r"rules\[(\d+)\]\.?")


class MalformedForm(ValueError):
    """The posted rules do not form a tree (a tampered or truncated form)."""


@dataclass
class Rule:
    attribute: str = ""  # "preset:COUNTRY", "custom:<uid>" or "" (none chosen yet)
    condition: str = ""
    invert: bool = False
    fields: dict = field(default_factory=dict)
    id: str = ""
    errors: dict = field(
        default_factory=dict
    )  # "attribute", "condition", "node", "options.<field>"
    focus: str = ""

    kind = "rule"

    def field_errors(self, name):
        return self.errors.get(f"options.{name}", [])


@dataclass
class Group:
    combination: str = catalog.AND
    children: list = field(default_factory=list)
    id: str = ""
    errors: dict = field(default_factory=dict)  # "node", "rules", "combination"
    focus: str = ""

    kind = "group"

    @property
    def depth(self):
        return self.id.count("_") + 1


def new_tree():
    return renumber(Group(children=[Rule()]))


def renumber(node, node_id=ROOT):
    node.id = node_id
    if isinstance(node, Group):
        for position, child in enumerate(node.children):
            renumber(child, f"{node_id}_{position}")
    return node


def walk(node):
    yield node
    if isinstance(node, Group):
        for child in node.children:
            yield from walk(child)


def find(root, node_id):
    return next((node for node in walk(root) if node.id == node_id), None)


def rule_count(root):
    return sum(1 for node in walk(root) if isinstance(node, Rule))


# ---------- form → draft ----------


def parse_form(data):
    """The draft tree the posted ``data`` describes. Raises ``MalformedForm``."""
    limits = definition_limits()
    ids = sorted(
        (
            key[: -len("-kind")]
            for key in data
            if key.endswith("-kind") and _NODE_ID.match(key[: -len("-kind")])
        ),
        key=lambda node_id: tuple(int(part) for part in node_id.split("_")[1:]),
    )
    if not ids or ids[0] != ROOT or data.get(f"{ROOT}-kind") != "group":
        raise MalformedForm("The rules are missing from the form.")
    if (
        len(ids) > 4 * limits["rules"]
        or max(node_id.count("_") for node_id in ids) > limits["depth"] + 1
    ):
        raise MalformedForm("The form holds more rules than an audience can have.")
    nodes = {}
    for node_id in ids:
        kind = data.get(f"{node_id}-kind")
        if kind == "group":
            combination = data.get(f"{node_id}-combination")
            node = Group(
                combination=combination if combination in (catalog.AND, catalog.OR) else catalog.AND
            )
        elif kind == "rule":
            node = Rule(
                attribute=data.get(f"{node_id}-attribute", "").strip(),
                condition=data.get(f"{node_id}-condition", "").strip(),
                invert=bool(data.get(f"{node_id}-invert")),
                fields={
                    name: data.get(f"{node_id}-{name}", "")
                    for name in _OPTION_FIELDS
                    if f"{node_id}-{name}" in data
                },
            )
        else:
            raise MalformedForm("The form holds a node that is neither a rule nor a group.")
        if node_id != ROOT:
            parent = nodes.get(node_id.rsplit("_", 1)[0])
            if not isinstance(parent, Group):
                raise MalformedForm("The form holds a rule outside any group.")
            parent.children.append(node)
        nodes[node_id] = node
    return renumber(nodes[ROOT])


# ---------- draft ↔ definition ----------


def _attribute_reference(choice):
    kind, _, ref = choice.partition(":")
    if kind == "preset" and ref:
        return catalog.preset_reference(ref)
    if kind == "custom" and ref:
        return catalog.custom_reference(ref)
    return None


def _number(text):
    text = text.strip()
    if not text:
        return None
    if _NUMBER.match(text):
        number = float(text)
        if number.is_integer() and not any(c in text for c in ".eE") and abs(number) < 2**53:
            return int(text)
        return number
    return text  # the validator says "Enter a number." next to it


def _option_value(kind, raw):
    if kind == "number":
        return _number(raw)
    if kind == "string_list":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if kind == "datetime":
        return raw.strip() or None
    return raw


def to_definition(node):
    if isinstance(node, Group):
        return {
            "__type": catalog.GROUP,
            "combinationType": node.combination,
            "rules": [to_definition(child) for child in node.children],
        }
    rule = {
        "__type": catalog.RULE,
        "attribute": _attribute_reference(node.attribute),
        "attributeMatchCondition": node.condition or None,
    }
    condition = catalog.CONDITIONS.get(node.condition)
    if condition is not None and condition.options:
        options_type = catalog.OPTIONS_TYPES[condition.options]
        options = {"__type": options_type.name}
        for option in options_type.fields:
            options[option.name] = _option_value(option.kind, node.fields.get(option.name, ""))
        rule["attributeMatchOptions"] = options
    rule["invertCondition"] = node.invert
    return rule


def _datetime_input(value):
    """``2026-05-01T09:00:00Z`` → ``2026-05-01T09:00:00`` for a datetime-local input (UTC)."""
    return value[:-1] if isinstance(value, str) and value.endswith("Z") else (value or "")


def _option_text(kind, value):
    if value is None:
        return ""
    if kind == "string_list":
        return "\n".join(value) if isinstance(value, list) else ""
    if kind == "datetime":
        return _datetime_input(value)
    if kind == "number":
        return as_text(value) or ""
    return value if isinstance(value, str) else ""


def from_definition(definition):
    """The draft of a saved (normalized) definition; an empty one for anything else."""
    if not isinstance(definition, dict) or definition.get("__type") != catalog.GROUP:
        return new_tree()
    return renumber(_from_node(definition))


def _from_node(node):
    if node.get("__type") == catalog.GROUP:
        return Group(
            combination=node.get("combinationType", catalog.AND),
            children=[
                _from_node(child) for child in node.get("rules", []) if isinstance(child, dict)
            ],
        )
    reference = node.get("attribute") or {}
    prefix = "preset" if reference.get("__type") == catalog.PRESET_REFERENCE else "custom"
    fields = {}
    condition = catalog.CONDITIONS.get(node.get("attributeMatchCondition"))
    if condition is not None and condition.options:
        options = node.get("attributeMatchOptions") or {}
        for option in catalog.OPTIONS_TYPES[condition.options].fields:
            fields[option.name] = _option_text(option.kind, options.get(option.name))
    return Rule(
        attribute=f"{prefix}:{reference.get('ref')}" if reference else "",
        condition=node.get("attributeMatchCondition") or "",
        invert=node.get("invertCondition") is True,
        fields=fields,
    )


# ---------- actions ----------


class ActionRefused(ValueError):
    pass


def apply_action(root, action, *, attribute_types):
    """Apply ``action`` (``add-rule:<group>``, ``add-group:<group>``, ``remove:<node>``,
    ``clear``, ``refresh``) and say which control should have focus afterwards."""
    limits = definition_limits()
    verb, _, target_id = action.partition(":")
    if verb in ("add-rule", "add-group"):
        group = find(root, target_id)
        if not isinstance(group, Group):
            raise ActionRefused("That group no longer exists.")
        if rule_count(root) >= limits["rules"]:
            raise ActionRefused(f"An audience has at most {limits['rules']} rules.")
        if verb == "add-group":
            if group.depth >= limits["depth"]:
                raise ActionRefused(f"Groups can be nested at most {limits['depth']} levels deep.")
            group.children.append(Group(children=[Rule()]))
        else:
            group.children.append(Rule())
        renumber(root)
        added = group.children[-1]
        focus_rule = added.children[0] if isinstance(added, Group) else added
        focus_rule.focus = "attribute"
    elif verb == "remove":
        node = find(root, target_id)
        if node is None or node is root:
            raise ActionRefused("That rule no longer exists.")
        parent = find(root, target_id.rsplit("_", 1)[0])
        parent.children.remove(node)
        renumber(root)
        parent.focus = "add-rule"
    elif verb == "clear":
        root.children = []
        root.focus = "add-rule"
    elif verb != "refresh":
        raise ActionRefused("Unknown editor action.")
    fit_conditions(root, attribute_types)
    return root


def fit_conditions(root, attribute_types):
    """After an attribute changes, offer only its type's operators: keep the chosen
    one when it still fits, else take the first that does."""
    for node in walk(root):
        if not isinstance(node, Rule):
            continue
        value_type = attribute_types.get(node.attribute)
        if value_type is None:
            continue
        names = [condition.name for condition in catalog.conditions_for_type(value_type)]
        if node.condition not in names:
            node.condition = names[0]


# ---------- errors ----------


def place_errors(root, field_errors):
    """Attach ``definition.…`` field errors to the draft's rows; return the ones no row took."""
    unplaced = []
    for path, messages in field_errors.items():
        if path != "definition" and not path.startswith("definition."):
            continue
        rest = path[len("definition.") :] if path.startswith("definition.") else ""
        node = root
        while True:
            match = _PATH_STEP.match(rest)
            if not match or not isinstance(node, Group):
                break
            position = int(match.group(1))
            if position >= len(node.children):
                break
            node = node.children[position]
            rest = rest[match.end() :]
        slot = _slot(node, rest)
        if slot is None:
            unplaced.extend(messages)
        else:
            node.errors.setdefault(slot, []).extend(messages)
    return unplaced


def _slot(node, rest):
    head = rest.split(".", 1)[0]
    if isinstance(node, Group):
        if head.startswith("rules"):
            return "rules"
        if head == "combinationType":
            return "combination"
        return "node"
    if head == "attribute":
        return "attribute"
    if head == "attributeMatchCondition":
        return "condition"
    if head == "attributeMatchOptions":
        option = rest.split(".", 2)[1] if rest.count(".") >= 1 else ""
        option = option.split("[", 1)[0]
        return f"options.{option}" if option in _OPTION_FIELDS else "condition"
    return "node"


# ---------- choices ----------


@dataclass
class AttributeChoice:
    value: str
    label: str
    type: str
    description: str = ""
    suggestions: tuple = ()


def attribute_choices(attributes):
    presets = [
        AttributeChoice(f"preset:{p.ref}", p.name, p.type, p.description, p.suggestions)
        for p in catalog.PRESET_ATTRIBUTES
    ]
    custom = [
        AttributeChoice(f"custom:{a.uid}", f"{a.name} ({a.key})", a.type, a.description)
        for a in attributes
    ]
    return presets, custom


def attribute_types(attributes):
    presets, custom = attribute_choices(attributes)
    return {choice.value: choice.type for choice in (*presets, *custom)}


def describe_rule(rule, labels):
    """A rule as a sentence: ``Country equals “US”``, ``Age is not greater than 30``."""
    reference = rule.get("attribute") or {}
    prefix = "preset" if reference.get("__type") == catalog.PRESET_REFERENCE else "custom"
    attribute = labels.get(f"{prefix}:{reference.get('ref')}", reference.get("ref") or "?")
    condition = catalog.CONDITIONS.get(rule.get("attributeMatchCondition"))
    if condition is None:
        return attribute
    label = _negated(condition.label) if rule.get("invertCondition") else condition.label
    options = rule.get("attributeMatchOptions") or {}
    operand = _describe_options(condition, options)
    return f"{attribute} {label}{' ' + operand if operand else ''}"


_NEGATED = {
    "equals": "does not equal",
    "contains": "does not contain",
    "starts with": "does not start with",
    "ends with": "does not end with",
    "matches pattern": "does not match pattern",
    "has any value": "has no value",
    "has parameter": "does not have parameter",
}


def _negated(label):
    if label.startswith("is "):
        return "is not " + label[3:]
    return _NEGATED.get(label, f"not {label}")


def _describe_options(condition, options):
    name = condition.options
    if name is None:
        return ""
    if name == "StringListMatchOptions":
        return ", ".join(f"“{value}”" for value in options.get("values", []))
    if name == "NumberRangeMatchOptions":
        return f"{as_text(options.get('min'))} and {as_text(options.get('max'))}"
    if name == "DateTimeRangeMatchOptions":
        return f"{options.get('from')} and {options.get('to')}"
    if name == "JsonMatchOptions":
        return f"{options.get('key')} = “{options.get('value')}”"
    if name == "RegexMatchOptions":
        return f"/{options.get('pattern')}/"
    if name == "NumberMatchOptions":
        return as_text(options.get("value")) or ""
    if name == "DateTimeMatchOptions":
        return str(options.get("value"))
    return f"“{options.get('value')}”"


# ---------- rendering ----------


@dataclass
class OptionWidget:
    name: str
    kind: str
    label: str
    value: str
    errors: list
    input_id: str


def node_label(node_id):
    """``n_1_0`` → ``2.1``: positions as a person counts them."""
    return ".".join(str(int(part) + 1) for part in node_id.split("_")[1:])


def decorate(root, *, presets, custom):
    """Give each node what the template shows: labels, the operators its attribute
    offers, its value widgets and whether more rules or groups may be added."""
    choices = {choice.value: choice for choice in (*presets, *custom)}
    limits = definition_limits()
    room = rule_count(root) < limits["rules"]
    for node in walk(root):
        node.label = node_label(node.id)
        if isinstance(node, Group):
            node.is_root = node.id == ROOT
            node.can_add_rule = room
            node.can_add_group = room and node.depth < limits["depth"]
            continue
        choice = choices.get(node.attribute)
        node.choice = choice
        node.unknown_attribute = bool(node.attribute) and choice is None
        node.conditions = catalog.conditions_for_type(choice.type) if choice else []
        condition = catalog.CONDITIONS.get(node.condition)
        node.unknown_condition = bool(node.condition) and condition not in node.conditions
        node.option_widgets = []
        if condition is not None and condition.options and condition in node.conditions:
            for option in catalog.OPTIONS_TYPES[condition.options].fields:
                node.option_widgets.append(
                    OptionWidget(
                        option.name,
                        option.kind,
                        option.label,
                        node.fields.get(option.name, ""),
                        node.field_errors(option.name),
                        f"{node.id}-{option.name}",
                    )
                )
        node.suggestions = choice.suggestions if choice else ()
        # Values typed for another operator ride along, so switching back restores them.
        shown = {widget.name for widget in node.option_widgets}
        node.hidden_fields = [
            (name, value) for name, value in node.fields.items() if name not in shown and value
        ]
    return root
