"""Analytics of a version as JSON: the summary and the time series (read only)."""

from rest_framework import serializers

from personalize_admin.analytics.statistics import Verdict
from personalize_admin.experiences.models import ExperienceType, VersionStatus

from .base import ApiSerializer
from .fields import CharField

UID = r"^[0-9a-f]{24}$"


class AnalyticsQuerySerializer(ApiSerializer):
    version = CharField(
        required=False,
        max_length=24,
        help_text="The uid of a version that has been live. Omitted: the live version.",
    )


class TimeSeriesQuerySerializer(AnalyticsQuerySerializer):
    from_ = serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        help_text="First day (UTC, YYYY-MM-DD), inclusive. Omitted: the day of activation.",
    )
    to = serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        help_text="Last day (UTC, YYYY-MM-DD), inclusive. Omitted: today, or the day of archival.",
    )

    class Meta:
        json_names = {"from_": "from"}


class AnalyticsVersionSerializer(ApiSerializer):
    uid = serializers.CharField()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=VersionStatus.choices)
    activated_at = serializers.DateTimeField()
    archived_at = serializers.DateTimeField(allow_null=True)


class VariantTotalsSerializer(ApiSerializer):
    short_uid = serializers.CharField()
    name = serializers.CharField()
    impressions = serializers.IntegerField(help_text="Unique impressions (one per visitor).")
    share = serializers.FloatField(
        allow_null=True, help_text="Share of the version's impressions, 0–1."
    )


class VariantResultSerializer(ApiSerializer):
    short_uid = serializers.CharField()
    name = serializers.CharField()
    impressions = serializers.IntegerField()
    conversions = serializers.IntegerField(help_text="Unique conversions (one per visitor).")
    conversion_rate = serializers.FloatField(allow_null=True, help_text="0–1.")
    uplift = serializers.FloatField(
        allow_null=True,
        help_text="Conversion rate relative to the control's (0.12 is +12 %); null for the "
        "control and while the control has no conversion.",
    )
    uplift_low = serializers.FloatField(
        allow_null=True, help_text="95 % interval of the uplift (Katz log method), low end."
    )
    uplift_high = serializers.FloatField(allow_null=True, help_text="High end of that interval.")
    probability_to_be_best = serializers.FloatField(
        help_text="Probability that this variant converts best, from Beta(1 + conversions, "
        "1 + non-conversions) posteriors."
    )
    is_control = serializers.BooleanField()
    is_winner = serializers.BooleanField()


class MetricResultSerializer(ApiSerializer):
    event = serializers.CharField(help_text="The event's uid.")
    event_key = serializers.CharField()
    primary = serializers.BooleanField()
    conversions = serializers.IntegerField()
    verdict = serializers.ChoiceField(
        choices=[(v.value, v.value) for v in Verdict],
        help_text="NOT_ENOUGH_DATA until every variant has 1,000 impressions and 30 "
        "conversions; WINNER once the leader's probability to be best is at least 95 % "
        "and the version has run 14 days.",
    )
    winner = serializers.CharField(allow_null=True, help_text="The winner's shortUid, or null.")
    leader = serializers.CharField(
        allow_null=True, help_text="The shortUid of the variant most likely to be best."
    )
    variants = VariantResultSerializer(many=True)


class SummarySerializer(ApiSerializer):
    experience_uid = serializers.CharField()
    experience_type = serializers.ChoiceField(choices=ExperienceType.choices)
    version = AnalyticsVersionSerializer()
    from_ = serializers.DateField(help_text="Day of activation (UTC).")
    to = serializers.DateField(help_text="Today, or the day of archival (UTC).")
    days_running = serializers.IntegerField()
    updated_at = serializers.DateTimeField(
        allow_null=True, help_text="When the latest counted event arrived."
    )
    impressions = serializers.IntegerField()
    variants = VariantTotalsSerializer(many=True)
    metrics = MetricResultSerializer(many=True, help_text="A/B versions: one per metric.")

    class Meta:
        json_names = {"from_": "from"}


class ConversionSeriesSerializer(ApiSerializer):
    event = serializers.CharField()
    event_key = serializers.CharField()
    values = serializers.ListField(child=serializers.IntegerField())


class VariantSeriesSerializer(ApiSerializer):
    short_uid = serializers.CharField()
    name = serializers.CharField()
    impressions = serializers.ListField(
        child=serializers.IntegerField(), help_text="Unique impressions first counted each day."
    )
    conversions = ConversionSeriesSerializer(many=True)


class TimeSeriesSerializer(ApiSerializer):
    experience_uid = serializers.CharField()
    version = AnalyticsVersionSerializer()
    from_ = serializers.DateField()
    to = serializers.DateField()
    days = serializers.ListField(child=serializers.DateField())
    variants = VariantSeriesSerializer(many=True)

    class Meta:
        json_names = {"from_": "from"}
