"""``/api/experiences/{uid}/analytics/summary`` and ``…/analytics/time-series``.

The same service calls as the Analytics tab, so both show the same numbers.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError

from personalize_admin.analytics import services
from personalize_admin.experiences.models import Experience

from ..exceptions import VALIDATION_FAILED
from ..schema import errors
from ..serializers.analytics import (
    AnalyticsQuerySerializer,
    SummarySerializer,
    TimeSeriesQuerySerializer,
    TimeSeriesSerializer,
)
from .base import ProjectScopedApiView, get_object_or_404

ANALYTICS = ["Analytics"]
VERSION = OpenApiParameter(
    "version",
    {"type": "string", "pattern": "^[0-9a-f]{24}$"},
    OpenApiParameter.QUERY,
    description="The uid of a version that has been live. Omitted: the live version.",
)
DAY = {"type": "string", "format": "date"}
NOT_ACTIVATED = errors(
    services.NOT_ACTIVATED,
    description="The experience (or the version) was never activated, so it has no analytics.",
)


def _version(version):
    return {
        "uid": version.uid,
        "number": version.number,
        "status": version.status,
        "activated_at": version.activated_at,
        "archived_at": version.archived_at,
    }


def _uplift(row, part):
    return None if row.uplift is None else getattr(row.uplift, part)


class AnalyticsView(ProjectScopedApiView):
    query_serializer = AnalyticsQuerySerializer

    def get_query(self):
        # A plain dict: DRF reads a QueryDict's empty values (`?version=`) as absent.
        serializer = self.query_serializer(data=self.request.query_params.dict())
        if not serializer.is_valid():
            raise ValidationError(serializer.errors)
        return serializer.validated_data

    def get_analytics(self, query):
        experience = get_object_or_404(
            Experience.objects.for_project(self.project), uid=self.kwargs["uid"]
        )
        if "version" in query:
            version = get_object_or_404(experience.versions.all(), uid=query["version"])
        else:
            version = services.default_version(services.analytics_versions(experience))
            if version is None:
                version = experience.versions.order_by("-number").first()
        return services.load(version)


class SummaryView(AnalyticsView):
    @extend_schema(
        tags=ANALYTICS,
        summary="Analytics summary of a version",
        description="Unique impressions per variant and, for A/B tests, per metric: "
        "conversions, conversion rate, uplift against the first variant (the control) with "
        "its 95 % interval, probability to be best and the verdict. The same numbers as the "
        "experience's Analytics tab.",
        parameters=[VERSION],
        responses={
            200: SummarySerializer,
            409: NOT_ACTIVATED,
            422: errors(VALIDATION_FAILED, description="A malformed query parameter."),
        },
    )
    def get(self, request, uid):
        analytics = self.get_analytics(self.get_query())
        summary = services.summary(analytics)
        version = analytics.version
        data = {
            "experience_uid": version.experience.uid,
            "experience_type": version.experience.type,
            "version": _version(version),
            "from_": analytics.first_day,
            "to": analytics.last_day,
            "days_running": analytics.days_running,
            "updated_at": summary.updated_at,
            "impressions": summary.impressions,
            "variants": [
                {
                    "short_uid": row.variant.short_uid,
                    "name": row.variant.name,
                    "impressions": row.impressions,
                    "share": row.share,
                }
                for row in summary.rows
            ],
            "metrics": [
                {
                    "event": item.event.uid,
                    "event_key": item.event.key,
                    "primary": item.is_primary,
                    "conversions": item.conversions,
                    "verdict": item.verdict.value,
                    "winner": item.winner.short_uid if item.winner else None,
                    "leader": item.leader.short_uid if item.leader else None,
                    "variants": [
                        {
                            "short_uid": row.variant.short_uid,
                            "name": row.variant.name,
                            "impressions": row.impressions,
                            "conversions": row.conversions,
                            "conversion_rate": row.conversion_rate,
                            "uplift": _uplift(row, "value"),
                            "uplift_low": _uplift(row, "low"),
                            "uplift_high": _uplift(row, "high"),
                            "probability_to_be_best": row.probability_to_be_best,
                            "is_control": row.is_control,
                            "is_winner": row.is_winner,
                        }
                        for row in item.rows
                    ],
                }
                for item in summary.metrics
            ],
        }
        return self.respond(SummarySerializer, data)


class TimeSeriesView(AnalyticsView):
    query_serializer = TimeSeriesQuerySerializer

    @extend_schema(
        tags=ANALYTICS,
        summary="Analytics of a version per day",
        description="Unique impressions (and, for A/B tests, conversions per metric) first "
        "counted each day (UTC) for each variant, zeros included, from `from` to `to` "
        f"(at most {services.MAX_SERIES_DAYS} days). The same numbers as the Analytics tab's "
        "charts.",
        parameters=[
            VERSION,
            OpenApiParameter(
                "from",
                DAY,
                OpenApiParameter.QUERY,
                description="First day, inclusive. Omitted: the day of activation.",
            ),
            OpenApiParameter(
                "to",
                DAY,
                OpenApiParameter.QUERY,
                description="Last day, inclusive. Omitted: today, or the day of archival.",
            ),
        ],
        responses={
            200: TimeSeriesSerializer,
            409: NOT_ACTIVATED,
            422: errors(
                VALIDATION_FAILED,
                services.INVALID_RANGE,
                description="A malformed day, `from` after `to`, or too long a range.",
            ),
        },
    )
    def get(self, request, uid):
        query = self.get_query()
        analytics = self.get_analytics(query)
        series = services.time_series(analytics, start=query.get("from_"), end=query.get("to"))
        keys = {metric.event_id: metric.event for metric in analytics.metrics}
        data = {
            "experience_uid": analytics.version.experience.uid,
            "version": _version(analytics.version),
            "from_": series.start,
            "to": series.end,
            "days": series.days,
            "variants": [
                {
                    "short_uid": item.variant.short_uid,
                    "name": item.variant.name,
                    "impressions": item.impressions,
                    "conversions": [
                        {
                            "event": keys[event_id].uid,
                            "event_key": keys[event_id].key,
                            "values": values,
                        }
                        for event_id, values in item.conversions.items()
                    ],
                }
                for item in series.series
            ],
        }
        return self.respond(TimeSeriesSerializer, data)
