"""Experiences and versions as JSON.

Request serializers check the JSON's shape only (types, lengths, enums); the
rules (audiences and events of this project, percentages adding up to 100,
unique variant names…) are checked by ``experiences.content.validate_content``,
the validator the UI's Configuration form uses too.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from personalize_admin.experiences.content import version_content
from personalize_admin.experiences.models import (
    CombinationType,
    DistributionType,
    Experience,
    ExperienceType,
    Tag,
    Variant,
    VersionStatus,
)
from personalize_admin.experiences.services import MAX_TAGS

from .base import ApiModelSerializer, ApiSerializer, UsernameField
from .fields import CharField, ChoiceField, IntegerField, NumberField, UidField

VARIANT_TYPES = ["SegmentedVariant", "ABTestVariant"]
METRIC_TYPES = ["Primary", "Secondary"]
EXPERIENCE_STATUSES = [VersionStatus.DRAFT, VersionStatus.ACTIVE, VersionStatus.PAUSED]
NEW_VERSION_STATUSES = [VersionStatus.DRAFT]
VARIANTS_MAX = settings.PERSONALIZE_LIMITS["variants_per_version"]
TAG_MAX = Tag._meta.get_field("name").max_length
NAME_MAX = Experience._meta.get_field("name").max_length
DESCRIPTION_MAX = Experience._meta.get_field("description").max_length
VARIANT_NAME_MAX = Variant._meta.get_field("name").max_length


def _revision(what):
    return IntegerField(
        min_value=1,
        required=False,
        help_text=f"The revision you read. When sent, the change is refused with 409 if the "
        f"{what} changed since, and nothing changes.",
    )


# ---------- versions: requests ----------


class VariantInputSerializer(ApiSerializer):
    variant_type = ChoiceField(
        choices=VARIANT_TYPES,
        required=False,
        help_text="`SegmentedVariant` or `ABTestVariant`, as the experience's type; may be omitted.",
    )
    short_uid = CharField(
        required=False,
        allow_null=True,
        max_length=9,
        help_text="An existing variant's short uid keeps it (and its analytics); omitted or null: "
        "a new variant, numbered next.",
        validators=[RegexValidator(r"^[0-9]+$", "Must be a variant's short uid.")],
    )
    name = CharField(
        max_length=VARIANT_NAME_MAX,
        help_text="Unique in the version, ignoring case.",
        error_messages={"blank": "Please enter a variant name"},
    )
    audiences = serializers.ListField(
        child=UidField(),
        required=False,
        max_length=settings.PERSONALIZE_LIMITS["audiences_per_project"],
        help_text="Segmented variants: the uids of the audiences a visitor must match.",
    )
    audience_combination_type = ChoiceField(
        choices=CombinationType.choices,
        required=False,
        help_text="Segmented variants: `AND` (match all, the default) or `OR` (match any).",
    )
    traffic_distribution = NumberField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=100,
        help_text="A/B variants with `CUSTOM` distribution: percent of the traffic, at most two "
        "decimals; all variants add up to 100.",
    )

    class Meta:
        json_names = {"variant_type": "__type"}


class TargetingInputSerializer(ApiSerializer):
    audiences = serializers.ListField(
        child=UidField(),
        max_length=settings.PERSONALIZE_LIMITS["audiences_per_project"],
        help_text="The uids of the audiences that take part in the test.",
    )
    audience_combination_type = ChoiceField(
        choices=CombinationType.choices, required=False, help_text="Omitted: `AND`."
    )


def _targeting_schema(*, uid_pattern):
    audience, limit = {"type": "string"}, {}
    if uid_pattern:
        audience["pattern"] = "^[0-9a-f]{24}$"
        limit["maxItems"] = settings.PERSONALIZE_LIMITS["audiences_per_project"]
    return {
        "type": "object",
        "nullable": True,
        "properties": {
            "audiences": {"type": "array", "items": audience, **limit},
            "audienceCombinationType": {"type": "string", "enum": CombinationType.values},
        },
        "required": ["audiences"],
    }


@extend_schema_field(_targeting_schema(uid_pattern=True))
class TargetingInputField(serializers.Field):
    """A/B targeting in a request: an object checked by ``TargetingInputSerializer``, or null."""

    def to_internal_value(self, data):
        serializer = TargetingInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


@extend_schema_field(_targeting_schema(uid_pattern=False))
class TargetingField(serializers.Field):
    def to_representation(self, value):
        return value


class MetricInputSerializer(ApiSerializer):
    metric_type = ChoiceField(
        choices=METRIC_TYPES,
        help_text="One metric may be `Primary`; it comes first.",
    )
    event = UidField(help_text="The uid of one of the project's events.")

    class Meta:
        json_names = {"metric_type": "__type"}


CONTENT_FIELDS = ("variants", "distribution_type", "targeting", "metrics")


class VersionContentInputSerializer(ApiSerializer):
    variants = VariantInputSerializer(many=True, max_length=VARIANTS_MAX)
    distribution_type = ChoiceField(
        choices=DistributionType.choices,
        required=False,
        help_text="A/B tests: `EQUAL` (the default) splits the traffic evenly; `CUSTOM` uses each "
        "variant's `trafficDistribution`.",
    )
    targeting = TargetingInputField(
        required=False,
        allow_null=True,
        help_text="A/B tests: who takes part; null or omitted: everyone.",
    )
    metrics = MetricInputSerializer(
        many=True, required=False, max_length=50, help_text="A/B tests: the events measured."
    )


class VersionCreateSerializer(VersionContentInputSerializer):
    status = ChoiceField(
        choices=NEW_VERSION_STATUSES, required=False, help_text="Only `DRAFT` (the default)."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variants"].required = False


class VersionUpdateSerializer(VersionContentInputSerializer):
    status = ChoiceField(
        choices=VersionStatus.choices,
        required=False,
        help_text="`ACTIVE` on the draft activates it (the live version is archived); on a "
        "paused version it resumes it. `PAUSED` on the active version pauses it. The current "
        "status (or omitted) changes nothing.",
    )
    revision = _revision("version")


# ---------- versions: responses ----------


class VariantSerializer(ApiSerializer):
    variant_type = serializers.ChoiceField(choices=VARIANT_TYPES)
    short_uid = serializers.CharField()
    name = serializers.CharField()
    audiences = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Segmented variants only."
    )
    audience_combination_type = serializers.ChoiceField(
        choices=CombinationType.choices, required=False, help_text="Segmented variants only."
    )
    traffic_distribution = serializers.FloatField(
        required=False, allow_null=True, help_text="A/B variants only: percent of the traffic."
    )

    class Meta:
        json_names = {"variant_type": "__type"}


class MetricSerializer(ApiSerializer):
    metric_type = serializers.ChoiceField(choices=METRIC_TYPES)
    event = serializers.CharField()

    class Meta:
        json_names = {"metric_type": "__type"}


def version_json(version):
    """A version as the API shows it (``version.experience`` must be loaded)."""
    return {
        "uid": version.uid,
        "number": version.number,
        "status": version.status,
        "revision": version.revision,
        **version_content(version),
        "createdAt": version.created_at,
        "createdBy": _username(version.created_by),
        "updatedAt": version.updated_at,
        "updatedBy": _username(version.updated_by),
        "activatedAt": version.activated_at,
        "pausedAt": version.paused_at,
        "archivedAt": version.archived_at,
    }


def _username(user):
    return None if user is None else user.get_username()


class VersionSerializer(ApiSerializer):
    uid = serializers.CharField()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=VersionStatus.choices)
    revision = serializers.IntegerField(help_text="Send it back to make a write conditional.")
    variants = VariantSerializer(many=True)
    distribution_type = serializers.ChoiceField(
        choices=DistributionType.choices, required=False, help_text="A/B tests only."
    )
    targeting = TargetingField(required=False, help_text="A/B tests only; null: everyone.")
    metrics = MetricSerializer(
        many=True, required=False, help_text="A/B tests only; the primary metric first."
    )
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField()
    updated_by = serializers.CharField(allow_null=True)
    activated_at = serializers.DateTimeField(allow_null=True)
    paused_at = serializers.DateTimeField(allow_null=True)
    archived_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance):
        data = version_json(instance)
        for name in ("createdAt", "updatedAt", "activatedAt", "pausedAt", "archivedAt"):
            data[name] = serializers.DateTimeField().to_representation(data[name])
        return data


# ---------- experiences ----------


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string"},
        "description": "The experience's tags, lowercase, sorted.",
    }
)
class TagNamesField(serializers.Field):
    def to_representation(self, value):
        return sorted(tag.name for tag in value.all())


class ExperienceSerializer(ApiModelSerializer):
    experience_type = serializers.ChoiceField(source="type", choices=ExperienceType.choices)
    tags = TagNamesField(read_only=True)
    status = serializers.ChoiceField(
        choices=EXPERIENCE_STATUSES,
        read_only=True,
        help_text="The live version's status, or `DRAFT` while it was never activated.",
    )
    latest_version = serializers.SerializerMethodField(method_name="get_latest_version")
    active_version = serializers.SerializerMethodField(
        method_name="get_active_version",
        help_text="The uid of the live (active or paused) version, or null.",
    )
    created_by = UsernameField()
    updated_by = UsernameField()

    class Meta:
        model = Experience
        fields = [
            "uid",
            "short_uid",
            "name",
            "description",
            "experience_type",
            "tags",
            "status",
            "priority",
            "active_version",
            "latest_version",
            "revision",
            "created_at",
            "updated_at",
            "created_by",
            "updated_by",
        ]
        read_only_fields = fields
        json_names = {"experience_type": "__type"}

    @extend_schema_field(VersionSerializer)
    def get_latest_version(self, experience):
        """The newest version: the draft when there is one, else the live version."""
        current = [experience.draft, experience.live_version]
        latest = max((v for v in current if v is not None), key=lambda v: v.number, default=None)
        if latest is None:  # never: an experience always has a draft or a live version
            latest = experience.versions.order_by("-number").first()
        latest.experience = experience
        return VersionSerializer(latest).data

    @extend_schema_field({"type": "string", "nullable": True})
    def get_active_version(self, experience):
        live = experience.live_version
        return live.uid if live else None


class TagsField(serializers.ListField):
    child = CharField(
        max_length=TAG_MAX,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9_:-]+$", 'A tag may use only letters, digits, "-", "_" and ":".'
            )
        ],
    )


class ExperienceCreateSerializer(ApiSerializer):
    name = CharField(
        max_length=NAME_MAX,
        help_text="Unique in the project, ignoring case.",
        error_messages={"blank": "Please enter an experience name"},
    )
    description = CharField(
        max_length=DESCRIPTION_MAX, allow_blank=True, required=False, help_text="Omitted: empty."
    )
    experience_type = ChoiceField(choices=ExperienceType.choices)
    tags = TagsField(
        required=False,
        max_length=MAX_TAGS,
        help_text=f"Up to {MAX_TAGS} tags of letters, digits, `-`, `_` and `:`, stored lowercase.",
    )

    class Meta:
        json_names = {"experience_type": "__type"}


class ExperienceUpdateSerializer(ApiSerializer):
    name = CharField(
        max_length=NAME_MAX,
        help_text="Unique in the project, ignoring case.",
        error_messages={"blank": "Please enter an experience name"},
    )
    description = CharField(
        max_length=DESCRIPTION_MAX,
        allow_blank=True,
        required=False,
        help_text="Omitted: unchanged.",
    )
    tags = TagsField(
        required=False, max_length=MAX_TAGS, help_text="The full list; omitted: unchanged."
    )
    revision = _revision("experience")


class PriorityOrderSerializer(ApiSerializer):
    priority_order = serializers.ListField(
        child=UidField(),
        max_length=settings.PERSONALIZE_LIMITS["experiences_per_project"],
        help_text="The uids of all the project's experiences, highest priority first, each once.",
    )
