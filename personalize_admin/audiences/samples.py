"""The "Test this audience" panel: sample values for the attributes the rules
use, evaluated with the same compiled engine the Edge API uses, and explained
(which rules decided the outcome)."""

from dataclasses import dataclass, field

from personalize_admin.core.errors import ValidationFailed

from . import editor
from .rules import catalog, compile_definition, validate_definition
from .rules.engine import MISSING, Visitor
from .rules.presets import query_parameters
from .rules.validation import prefixed
from .rules.values import as_text, parse_datetime


@dataclass
class SampleInput:
    name: str
    label: str
    type: str
    value: str
    help: str = ""
    suggestions: tuple = ()
    choice: str = ""


@dataclass
class TraceRow:
    depth: int
    kind: str
    label: str
    text: str
    result: bool | None
    decisive: bool
    value: str = ""


@dataclass
class TestResult:
    matched: bool | None = None
    rows: list = field(default_factory=list)
    deciding: list = field(default_factory=list)
    problem: str = ""


def field_name(choice_value):
    return "sample-" + choice_value.replace(":", "-")


def used_attributes(root):
    """The attribute choices the draft's rules use, in order of first use."""
    return list(
        dict.fromkeys(
            node.attribute
            for node in editor.walk(root)
            if isinstance(node, editor.Rule) and node.attribute
        )
    )


def sample_inputs(root, choices, data):
    by_value = {choice.value: choice for choice in choices}
    inputs = []
    for value in used_attributes(root):
        choice = by_value.get(value)
        if choice is None:
            continue
        help_text = ""
        if choice.value == "preset:QUERY_PARAMETERS":
            help_text = "A page URL or query string, e.g. ?utm_source=newsletter"
        elif choice.value == "preset:DATE_AND_TIME":
            help_text = "UTC. Empty means now."
        elif choice.type == catalog.DATE:
            help_text = "UTC."
        name = field_name(value)
        inputs.append(
            SampleInput(
                name,
                choice.label,
                choice.type,
                data.get(name, ""),
                help_text,
                choice.suggestions,
                value,
            )
        )
    return inputs


def _value(sample, now):
    text = sample.value
    if sample.choice == "preset:DATE_AND_TIME":
        return parse_datetime(text) or now if text.strip() else now
    if not text.strip():
        return None
    if sample.choice == "preset:QUERY_PARAMETERS":
        text = text.strip()
        return query_parameters(text if "?" in text or "://" in text else f"?{text}")
    if sample.type == catalog.BOOLEAN:
        return {"true": True, "false": False}.get(text.strip().lower(), text)
    if sample.type == catalog.DATE:
        return parse_datetime(text) or text
    return text


def visitor_from_samples(inputs, *, now):
    presets, custom = {}, {}
    for sample in inputs:
        value = _value(sample, now)
        if value is None:
            continue
        kind, _, ref = sample.choice.partition(":")
        if kind == "preset":
            presets[ref] = value
        else:
            custom[ref] = value
    return presets, custom


def _shown(value):
    if value is MISSING:
        return "missing"
    if isinstance(value, dict):
        return ", ".join(f"{key}={item}" for key, item in value.items()) or "no parameters"
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, str):
        return f"“{value}”"
    return as_text(value) or str(value)


def run(root, attributes, data, *, now):
    """Evaluate the draft (unsaved) rules against the posted sample values."""
    presets, custom_choices = editor.attribute_choices(attributes)
    inputs = sample_inputs(root, presets + custom_choices, data)
    definition = editor.to_definition(root)
    try:
        definition = validate_definition(definition, attributes=attributes)
    except ValidationFailed as error:
        editor.place_errors(root, prefixed(error.field_errors, "definition"))
        return TestResult(problem="Fix the highlighted rules to test them.")
    by_uid = {attribute.uid: attribute for attribute in attributes}
    compiled = compile_definition(definition, attributes_by_uid=by_uid)
    preset_values, custom_values = visitor_from_samples(inputs, now=now)
    # Custom values are looked up by key, as the SDK sends them.
    keyed = {by_uid[uid].key: value for uid, value in custom_values.items() if uid in by_uid}
    explanation = compiled.explain(Visitor(preset_values, keyed))
    labels = {choice.value: choice.label for choice in (*presets, *custom_choices)}
    rows = []
    for trace in explanation.root.walk():
        label = editor.node_label(editor_id(trace.path))
        if trace.is_rule:
            text = editor.describe_rule(trace.node, labels)
            rows.append(
                TraceRow(
                    label.count(".") + 1,
                    "rule",
                    f"Rule {label}",
                    text,
                    trace.result,
                    trace.decisive,
                    _shown(trace.value) if trace.result is not None else "",
                )
            )
        else:
            combination = catalog.COMBINATION_LABELS.get(trace.node.get("combinationType"), "")
            rows.append(
                TraceRow(
                    label.count(".") + 1 if label else 0,
                    "group",
                    f"Group {label}" if label else "All rules",
                    f"({combination})",
                    trace.result,
                    trace.decisive,
                )
            )
    deciding = [row for row in rows if row.kind == "rule" and row.decisive]
    return TestResult(matched=explanation.matched, rows=rows, deciding=deciding)


def editor_id(path):
    """``rules[1].rules[0]`` → ``n_1_0``."""
    return "_".join(["n", *(part.split("]")[0] for part in path.split("[")[1:])])
