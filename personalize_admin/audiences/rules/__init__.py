"""Audience definitions: the catalog, the validator and the compiled engine.

The one public surface for every part of the app that reads or evaluates an
audience (the editor, the Management API, the Edge API, previews):

Validating (see ``validation``)::

    definition = validate_definition(raw, attributes=project_attributes)
    # → the normalized definition, or ValidationFailed whose field_errors are
    #   keyed by paths from the definition's root ("rules[1].rules[0].attribute";
    #   "" is the root). prefixed(errors, "definition") nests them for an API body.

Evaluating (see ``engine``)::

    compiled = compile_definition(definition, attributes_by_uid={uid: attribute})
    visitor = Visitor(presets=presets_from_headers(request.headers, now=now),
                      custom={"age": 31})           # custom values by attribute *key*
    compiled(visitor)                               # → bool, many times
    compiled.matches(visitor.presets, visitor.custom)  # the same, for hot loops
    compiled.explain(visitor)                       # → Explanation: per-node results
                                                    #   and .deciding_rules()

Preset values come only from the request (``presets_from_headers``), custom
values only from the SDK, each in its own namespace, so a custom key can never
pass for a preset.
"""

from .catalog import (
    CONDITIONS,
    OPTIONS_TYPES,
    PRESET_ATTRIBUTES,
    PRESETS_BY_REF,
    conditions_for_type,
    custom_reference,
    preset_reference,
)
from .engine import (
    MISSING,
    CompiledDefinition,
    CompileError,
    Explanation,
    Trace,
    Visitor,
    compile_definition,
)
from .presets import presets_from_headers
from .regex import UnsafePattern, compile_pattern
from .validation import (
    INVALID_DEFINITION,
    definition_limits,
    iter_rules,
    iter_rules_with_paths,
    prefixed,
    referenced_attributes,
    validate_definition,
)

__all__ = [
    "CONDITIONS",
    "INVALID_DEFINITION",
    "MISSING",
    "OPTIONS_TYPES",
    "PRESETS_BY_REF",
    "PRESET_ATTRIBUTES",
    "CompileError",
    "CompiledDefinition",
    "Explanation",
    "Trace",
    "UnsafePattern",
    "Visitor",
    "compile_definition",
    "compile_pattern",
    "conditions_for_type",
    "custom_reference",
    "definition_limits",
    "iter_rules",
    "iter_rules_with_paths",
    "prefixed",
    "preset_reference",
    "presets_from_headers",
    "referenced_attributes",
    "validate_definition",
]
