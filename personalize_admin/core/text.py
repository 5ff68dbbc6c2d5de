"""Text that cannot be stored: NUL characters (PostgreSQL refuses them in text and
JSON columns) and lone surrogates (JSON's ``"\\ud800"`` escapes, not encodable as
UTF-8). Validators refuse them with a message instead of failing at the database."""

import re

UNSTORABLE_RE = re.compile(r"[\x00\ud800-\udfff]")


def is_storable(value):
    return UNSTORABLE_RE.search(value) is None
