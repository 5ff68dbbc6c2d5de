"""Regular expressions that cannot be made to run slowly.

Patterns are compiled with RE2, which matches in time linear in the input and
refuses the constructs that need backtracking (back-references, look-around).
Its memory per pattern is capped, so many or large patterns cannot exhaust a
process either: a pattern whose program would exceed the cap is refused when
the audience is saved.
"""

import re2

MAX_PATTERN_MEMORY = 256 * 1024


class UnsafePattern(ValueError):
    """The pattern cannot be evaluated safely; ``str(error)`` says why, for a person."""


def _options():
    options = re2.Options()
    options.max_mem = MAX_PATTERN_MEMORY
    options.log_errors = False
    return options


def compile_pattern(pattern):
    """Compile ``pattern`` for ``search`` (a match anywhere in the value, case-sensitive
    unless the pattern says ``(?i)``). Raises ``UnsafePattern``."""
    try:
        return re2.compile(pattern, _options())
    except re2.error as error:
        reason = error.args[0] if error.args else ""
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        reason = str(reason).strip()
        hint = ""
        if "escape" in reason or "perl operator" in reason:
            hint = " Back-references and look-around are not supported, because they can make matching slow."
        elif "too big" in reason or "memory" in reason or "repetition" in reason:
            hint = " Use fewer or smaller repetitions."
        raise UnsafePattern(f"This pattern cannot be used ({reason}).{hint}") from None
