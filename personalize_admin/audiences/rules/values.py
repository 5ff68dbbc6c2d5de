"""Reading visitor values the way every condition agrees on.

Visitor values arrive as JSON from the SDK (strings, numbers, booleans, lists,
objects) or from the request (the query parameters, the request time). Each
reader returns ``None`` for a value it cannot read, and a condition on such a
value does not match.
"""

import math
import re
from datetime import UTC, datetime

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_MAX_NUMBER_TEXT = 64
_MAX_DATETIME_TEXT = 64


def as_text(value):
    """A scalar as the text a person would type: numbers as JavaScript writes
    them (``5``, not ``5.0``), booleans as ``true``/``false``. ``None`` for
    lists, objects and missing values."""
    cls = value.__class__
    if cls is str:
        return value
    if cls is bool:
        return "true" if value else "false"
    if cls is int:
        return str(value)
    if cls is float:
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value) if math.isfinite(value) else None
    return None


def as_number(value):
    """A finite number from a number or a numeric string; ``None`` otherwise.

    Booleans are not numbers, and neither are ``"nan"``, ``"inf"`` or Python's
    ``"1_000"``: only what JSON would call a number, with surrounding space.
    """
    cls = value.__class__
    if cls is int:
        return value
    if cls is float:
        return value if math.isfinite(value) else None
    if cls is str:
        text = value.strip()
        if len(text) > _MAX_NUMBER_TEXT or _NUMBER.fullmatch(text) is None:
            return None
        number = float(text)
        return number if math.isfinite(number) else None
    return None


def parse_datetime(text):
    """An aware UTC ``datetime`` from ISO 8601 text (a date alone means its
    midnight; no offset means UTC); ``None`` when it is not ISO 8601."""
    if text.__class__ is not str or len(text) > _MAX_DATETIME_TEXT:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def as_timestamp(value):
    """Seconds since the epoch from a ``datetime``, ISO 8601 text, or a number of
    milliseconds since the epoch (what JavaScript's ``Date.now()`` gives)."""
    cls = value.__class__
    if cls is datetime:
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    if cls is str:
        moment = parse_datetime(value)
        return None if moment is None else moment.timestamp()
    if cls is int or cls is float:
        if not math.isfinite(value) or abs(value) > 8.64e15:  # JavaScript's Date range
            return None
        return value / 1000
    return None


def format_datetime(moment):
    """ISO 8601 in UTC with a ``Z``: seconds, or milliseconds when there are any."""
    moment = moment.astimezone(UTC)
    timespec = "milliseconds" if moment.microsecond else "seconds"
    return moment.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"
