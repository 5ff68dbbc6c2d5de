from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from personalize_admin.audiences.models import (
    KEY_PATTERN,
    Attribute,
    AttributeType,
    Audience,
    Event,
)

from .base import ApiModelSerializer, ApiSerializer, UsernameField
from .fields import CharField, ChoiceField, IntegerField

TRACKED = ["revision", "created_at", "updated_at", "created_by", "updated_by"]


def _limit(model, name):
    return model._meta.get_field(name).max_length


def _revision(what):
    return IntegerField(
        min_value=1,
        required=False,
        help_text=f"The revision you read. When sent, the change is refused with 409 if the "
        f"{what} changed since.",
    )


def _description(model):
    limit = _limit(model, "description")
    return CharField(
        max_length=limit,
        allow_blank=True,
        required=False,
        help_text="Omitted: empty.",
        error_messages={"max_length": f"A description has at most {limit} characters."},
    )


def _key(model, what):
    limit = _limit(model, "key")
    return CharField(
        max_length=limit,
        help_text=f"Letters, digits and underscores; unique in the project, ignoring case. "
        f"The SDK names the {what} by it.",
        error_messages={"max_length": f"A key has at most {limit} characters."},
        validators=[
            RegexValidator(
                KEY_PATTERN,
                "Use only letters, digits and underscores in a key (e.g. membership_tier).",
            )
        ],
    )


# ---------- attributes ----------


class AttributeSerializer(ApiModelSerializer):
    created_by = UsernameField()
    updated_by = UsernameField()

    class Meta:
        model = Attribute
        fields = ["uid", "name", "key", "description", "type", *TRACKED]
        read_only_fields = fields


class AttributeInputSerializer(ApiSerializer):
    name = CharField(
        max_length=_limit(Attribute, "name"),
        error_messages={
            "blank": "Please enter an attribute name.",
            "max_length": f"A name has at most {_limit(Attribute, 'name')} characters.",
        },
    )
    key = _key(Attribute, "attribute")
    description = _description(Attribute)
    type = ChoiceField(
        choices=AttributeType.choices,
        required=False,
        help_text="Omitted: `STRING` when creating, unchanged when updating.",
    )
    revision = _revision("attribute")


# ---------- events ----------


class EventSerializer(ApiModelSerializer):
    created_by = UsernameField()
    updated_by = UsernameField()

    class Meta:
        model = Event
        fields = ["uid", "key", "description", *TRACKED]
        read_only_fields = fields


class EventInputSerializer(ApiSerializer):
    key = _key(Event, "event (`triggerEvent(key)`)")
    description = _description(Event)
    revision = _revision("event")


# ---------- audiences ----------


@extend_schema_field(
    {
        "type": "object",
        "description": "The audience's rules: a `RuleCombination` of `Rule`s and nested "
        "`RuleCombination`s (see the rules reference). Validated by the same validator as the "
        "audience editor; errors name paths such as "
        "`definition.rules[0].attributeMatchOptions`.",
        "example": {
            "__type": "RuleCombination",
            "combinationType": "AND",
            "rules": [
                {
                    "__type": "Rule",
                    "attribute": {"__type": "PresetAttributeReference", "ref": "COUNTRY"},
                    "attributeMatchCondition": "STRING_EQUALS",
                    "attributeMatchOptions": {"__type": "StringMatchOptions", "value": "US"},
                    "invertCondition": False,
                }
            ],
        },
    }
)
class DefinitionField(serializers.JSONField):
    default_error_messages = {"invalid": "Send the definition as a JSON object."}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("invalid")
        return data


class AudienceSerializer(ApiModelSerializer):
    definition = DefinitionField(read_only=True)
    created_by = UsernameField()
    updated_by = UsernameField()

    class Meta:
        model = Audience
        fields = ["uid", "name", "description", "definition", *TRACKED]
        read_only_fields = fields


class AudienceInputSerializer(ApiSerializer):
    name = CharField(
        max_length=_limit(Audience, "name"),
        help_text="Unique in the project, ignoring case.",
        error_messages={
            "blank": "Please enter an audience name.",
            "max_length": f"A name has at most {_limit(Audience, 'name')} characters.",
        },
    )
    description = _description(Audience)
    definition = DefinitionField()
    revision = _revision("audience")
