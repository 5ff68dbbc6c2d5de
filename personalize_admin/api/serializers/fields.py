"""JSON-strict fields: a string field takes only strings, a number field only numbers.

DRF's own fields coerce (``12`` becomes ``"12"``, ``"7"`` becomes ``7``, ``"yes"``
becomes ``True``), which hides mistakes in a client's JSON and lets bodies
through that the OpenAPI document says are invalid. Use these in API serializers.
"""

from django.core.validators import RegexValidator
from rest_framework import serializers

# What Python's str.strip() removes, so the documented pattern and the services'
# "is it blank?" agree to the character.
WHITESPACE = "".join(f"\\u{ord(char):04x}" for char in map(chr, range(0x10000)) if char.isspace())
ANY_TEXT = r"^[^\u0000]+$"  # blank is allowed separately (DRF never validates "")
SOME_TEXT = rf"^[^\u0000]*[^\u0000{WHITESPACE}][^\u0000]*$"


class TextValidator(RegexValidator):
    """Documents (as the OpenAPI ``pattern``) that text has no NUL characters, which no
    database column can store, and, unless blank is allowed, something besides whitespace."""

    def __init__(self, *, allow_blank, message):
        super().__init__(ANY_TEXT if allow_blank else SOME_TEXT, message, code="blank")

    def __call__(self, value):
        if "\x00" in value:
            return  # DRF's own validator already reports null characters
        super().__call__(value)


class CharField(serializers.CharField):
    """Text as sent: not trimmed (the services trim, and the documented lengths count
    every character), never blank unless ``allow_blank``."""

    default_error_messages = {
        "invalid": "Must be a string.",
        "blank": "This field may not be blank.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        self.validators.append(
            TextValidator(allow_blank=self.allow_blank, message=self.error_messages["blank"])
        )

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class IntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": "Must be an integer."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class BooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class ChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class NumberField(serializers.FloatField):
    """A JSON number (an integer or a decimal), never a string or a boolean."""

    default_error_messages = {"invalid": "Must be a number."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("invalid")
        try:
            return super().to_internal_value(data)
        except OverflowError:
            self.fail("invalid")


class UidField(CharField):
    """The uid of an object: 24 lowercase hex characters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_length", 24)
        kwargs.setdefault("max_length", 24)
        # First, so that the OpenAPI document shows this pattern.
        kwargs["validators"] = [
            RegexValidator(r"^[0-9a-f]{24}$", "Must be a uid: 24 lowercase hex characters."),
            *kwargs.get("validators", ()),
        ]
        super().__init__(**kwargs)
