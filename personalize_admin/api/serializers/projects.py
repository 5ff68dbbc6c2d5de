from rest_framework import serializers

from personalize_admin.projects.models import Membership, Project, Role

from .base import ApiModelSerializer, ApiSerializer, UsernameField
from .fields import CharField, ChoiceField, IntegerField


class ProjectSerializer(ApiModelSerializer):
    created_by = UsernameField()
    updated_by = UsernameField()

    class Meta:
        model = Project
        fields = ["uid", "name", "description", "revision", "created_at", "updated_at", "created_by", "updated_by"]
        read_only_fields = fields


class ProjectCreateSerializer(ApiSerializer):
    name = CharField(trim_whitespace=False, allow_blank=True, help_text="Unique, at most 100 characters.")
    description = CharField(
        trim_whitespace=False, allow_blank=True, required=False, default="", help_text="At most 2000 characters."
    )


class ProjectUpdateSerializer(ProjectCreateSerializer):
    revision = IntegerField(
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
    user = CharField(allow_blank=True, help_text="The username or email of an existing user.")
    role = ChoiceField(choices=Role.choices)


class MemberUpdateSerializer(ApiSerializer):
    role = ChoiceField(choices=Role.choices)
