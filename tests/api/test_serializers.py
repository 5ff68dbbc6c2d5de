"""JSON-strict fields and camelCase names (``personalize_admin/api/serializers``)."""

import re

import pytest
from rest_framework import serializers

from personalize_admin.api.serializers import (
    ApiSerializer,
    BooleanField,
    CharField,
    ChoiceField,
    IntegerField,
)
from personalize_admin.api.serializers.fields import SOME_TEXT

PYTHON_WHITESPACE = [chr(c) for c in range(0x10000) if chr(c).isspace()]


class Example(ApiSerializer):
    display_name = CharField(max_length=5)
    note = CharField(allow_blank=True, required=False)
    count = IntegerField(required=False)
    enabled = BooleanField(required=False)
    kind = ChoiceField(choices=["A", "B"], required=False)


def errors_for(data):
    serializer = Example(data=data)
    serializer.is_valid()
    return serializer.errors


def test_fields_are_camelcase_in_json_and_snake_case_in_data():
    serializer = Example(data={"displayName": "Hi"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {"display_name": "Hi"}
    assert list(Example().fields) == ["displayName", "note", "count", "enabled", "kind"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"displayName": 12}, "displayName"),
        ({"displayName": ["x"]}, "displayName"),
        ({"displayName": "ok", "count": "7"}, "count"),
        ({"displayName": "ok", "count": 7.5}, "count"),
        ({"displayName": "ok", "count": True}, "count"),
        ({"displayName": "ok", "enabled": "true"}, "enabled"),
        ({"displayName": "ok", "enabled": 1}, "enabled"),
        ({"displayName": "ok", "kind": 1}, "kind"),
    ],
)
def test_values_of_the_wrong_json_type_are_refused(data, field):
    assert field in errors_for(data)


def test_text_is_not_trimmed_so_lengths_count_every_character():
    assert "displayName" in errors_for({"displayName": " abcde"})
    assert Example(data={"displayName": " ab "}).is_valid()


@pytest.mark.parametrize("value", ["", "   ", "\t\n", "\x1c", "\u3000"])
def test_blank_text_is_refused_unless_allowed(value):
    assert "displayName" in errors_for({"displayName": value})
    assert "note" not in errors_for({"displayName": "ok", "note": value})


def test_null_characters_are_refused_with_one_message():
    errors = errors_for({"displayName": "a\x00b", "note": "\x00"})
    assert [str(e) for e in errors["displayName"]] == ["Null characters are not allowed."]
    assert [str(e) for e in errors["note"]] == ["Null characters are not allowed."]


def test_documented_pattern_agrees_with_pythons_strip():
    """The services decide "blank" with str.strip(); the OpenAPI pattern must say the same."""
    pattern = re.compile(SOME_TEXT)
    for char in PYTHON_WHITESPACE:
        assert not pattern.match(char * 3), repr(char)
        assert pattern.match(f"{char}x{char}"), repr(char)
    for char in ["\u200b", "\ufeff", "\x01", "é", "\U0001f642"]:
        assert pattern.match(char) and char.strip() == char, repr(char)


def test_plain_drf_fields_keep_their_declared_source():
    class Renamed(ApiSerializer):
        user_id = serializers.IntegerField(source="user.pk", read_only=True)

    field = Renamed().fields["userId"]
    assert field.source == "user.pk"
