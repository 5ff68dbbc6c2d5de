"""Serializers describe the JSON's shape only; every rule lives in the services.

Fields are declared in snake_case, as the services name them, and appear in
the JSON (and in error paths) in camelCase. ``Meta.json_names`` names the few
JSON keys that are not plain camelCase, e.g. ``{"experience_type": "__type"}``.
"""

from rest_framework import serializers

from ..exceptions import to_camel


class CamelCaseFieldsMixin:
    def get_fields(self):
        fields = super().get_fields()
        json_names = getattr(getattr(self, "Meta", None), "json_names", {})
        renamed = {}
        for name, field in fields.items():
            json_name = json_names.get(name) or to_camel(name)
            if json_name != name and field.source is None:
                field.source = name
            renamed[json_name] = field
        return renamed


# For request bodies and computed responses. (No docstrings on these bases: the
# OpenAPI document would show them as every subclass's description.)
class ApiSerializer(CamelCaseFieldsMixin, serializers.Serializer):
    pass


# For responses that mirror a model.
class ApiModelSerializer(CamelCaseFieldsMixin, serializers.ModelSerializer):
    pass


class UsernameField(serializers.CharField):
    """A user as the JSON names them (``createdBy``, ``updatedBy``): the username, or null."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        user = super().get_attribute(instance)
        return None if user is None else user.get_username()

    def to_representation(self, value):
        return value
