from rest_framework import serializers

from personalize_admin.projects.models import Membership, Project, Role

from .base import ApiModelSerializer, ApiSerializer, UsernameField
from .fields import CharField, ChoiceField, IntegerField


class ProjectSerializer(ApiModelSerializer):
    created_by = UsernameField()
    updated_by = UsernameField()

    class Meta:
        model = Project
        fields = [
            "uid",
            "name",
            "description",
            "revision",
            "created_at",
            "updated_at",
            "created_by",
            "updated_by",
        ]
        read_only_fields = fields


NAME_MAX = Project._meta.get_field("name").max_length
DESCRIPTION_MAX = Project._meta.get_field("description").max_length
NAME_REQUIRED = "Please enter a project name."


class ProjectCreateSerializer(ApiSerializer):
    # The limits are documented here (taken from the model, so they cannot drift);
    # the service applies the same rules to the UI's forms.
    name = CharField(
        max_length=NAME_MAX,
        error_messages={
            "blank": NAME_REQUIRED,
            "max_length": f"A project name has at most {NAME_MAX} characters.",
        },
        help_text="Unique among projects, ignoring case.",
    )
    description = CharField(
        max_length=DESCRIPTION_MAX,
        allow_blank=True,
        required=False,
        help_text="Omitted: empty.",
        error_messages={"max_length": f"A description has at most {DESCRIPTION_MAX} characters."},
    )


class ProjectUpdateSerializer(ProjectCreateSerializer):
    revision = IntegerField(
        min_value=1,
        required=False,
        help_text="The revision you read. When sent, the change is refused with 409 if the "
        "project changed since.",
    )


class MemberSerializer(ApiModelSerializer):
    user_id = serializers.IntegerField(source="user.pk", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)

    class Meta:
        model = Membership
        fields = ["user_id", "username", "email", "role", "created_at", "updated_at"]
        read_only_fields = fields


class MemberCreateSerializer(ApiSerializer):
    user = CharField(
        max_length=254,
        error_messages={"blank": "Enter the username or email of an existing user."},
        help_text="The username or email of an existing user.",
    )
    role = ChoiceField(choices=Role.choices)


class MemberUpdateSerializer(ApiSerializer):
    role = ChoiceField(choices=Role.choices)
