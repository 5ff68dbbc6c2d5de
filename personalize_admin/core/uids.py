"""Identifiers: 24 lowercase hex characters, like the public product's uids."""

import re
import secrets

UID_LENGTH = 24
UID_PATTERN = r"[0-9a-f]{24}"
UID_RE = re.compile(rf"^{UID_PATTERN}$")


def new_uid():
    return secrets.token_hex(UID_LENGTH // 2)


def is_uid(value):
    return isinstance(value, str) and UID_RE.match(value) is not None
