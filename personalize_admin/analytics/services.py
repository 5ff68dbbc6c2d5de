"""Reading a version's analytics: what the Analytics tab, its CSV and the
Management API show, from the daily counts only (see ``models``).

- ``analytics_versions(experience)``: the versions that have been live, newest
  first (a never-activated draft has no analytics).
- ``default_version(versions)``: the live one, else the latest.
- ``load(version)``: the version's variants and metrics (``VersionAnalytics``),
  read once and shared by the two below.
- ``summary(analytics, now=)``: totals per variant and, for A/B versions, per
  metric: conversions, rates, uplift, probability to be best and the verdict
  (``statistics``).
- ``time_series(analytics, start=, end=)``: unique impressions and conversions
  per day (UTC) and variant, zeros included.

Every function costs the same number of queries however many events, days or
variants a version has: ``load`` two, ``summary`` two, ``time_series`` two.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Max, Prefetch, Sum
from django.utils import timezone

from personalize_admin.core.errors import Conflict, ValidationFailed
from personalize_admin.experiences.models import Metric, Variant, Version

from . import statistics
from .counting import day_of
from .models import DailyConversions, DailyImpressions

MAX_SERIES_DAYS = 1_000
NOT_ACTIVATED = "personalize.ANALYTICS.VERSION_NOT_ACTIVATED"
RANGES = {
    "all": ("Since activation", None),
    "7d": ("Last 7 days", 7),
    "14d": ("Last 14 days", 14),
    "30d": ("Last 30 days", 30),
    "90d": ("Last 90 days", 90),
}
DEFAULT_RANGE = "all"


def analytics_versions(experience):
    """The experience's versions that have been live, newest first."""
    return list(
        Version.objects.filter(experience=experience, activated_at__isnull=False).order_by(
            "-number"
        )
    )


def default_version(versions):
    """The live version among ``versions``, else the newest; ``None`` for none."""
    return next((v for v in versions if v.is_live), versions[0] if versions else None)


@dataclass
class VersionAnalytics:
    version: Version
    variants: list  # Variant, in position order
    metrics: list  # Metric with its event, primary first (A/B versions)
    now: object

    @property
    def is_ab_test(self):
        return self.version.experience.is_ab_test

    @property
    def started_at(self):
        return self.version.activated_at

    @property
    def ended_at(self):
        """When data collection ended (archival), or ``None`` while live."""
        return self.version.archived_at if self.version.is_archived else None

    @property
    def first_day(self):
        return day_of(self.version.activated_at)

    @property
    def last_day(self):
        return day_of(self.ended_at or self.now)

    @property
    def days_running(self):
        end = self.ended_at or self.now
        return max((end - self.version.activated_at).days, 0)


def load(version, *, now=None):
    """The version's variants and metrics, for ``summary`` and ``time_series``.

    Raises ``Conflict`` for a version that was never activated (no analytics)."""
    if version.activated_at is None:
        raise Conflict(
            f"Version {version.number} has never been activated, so it has no analytics yet.",
            code=NOT_ACTIVATED,
        )
    version = (
        Version.objects.select_related("experience")
        .prefetch_related(
            Prefetch("variants", queryset=Variant.objects.order_by("position", "pk")),
            Prefetch("metrics", queryset=Metric.objects.select_related("event")),
        )
        .get(pk=version.pk)
    )
    metrics = list(version.metrics.all()) if version.experience.is_ab_test else []
    return VersionAnalytics(
        version=version,
        variants=list(version.variants.all()),
        metrics=metrics,
        now=now or timezone.now(),
    )


# ---------- summary ----------


@dataclass
class VariantRow:
    variant: Variant
    impressions: int
    conversions: int = 0
    conversion_rate: float | None = None
    uplift: statistics.Uplift | None = None
    probability_to_be_best: float | None = None
    is_control: bool = False
    is_leader: bool = False
    is_winner: bool = False
    share: float | None = None  # of the version's impressions


@dataclass
class MetricSummary:
    metric: Metric
    rows: list  # VariantRow, in variant order
    conversions: int
    verdict: statistics.Verdict
    winner: Variant | None
    leader: Variant | None
    enough_data: bool

    @property
    def event(self):
        return self.metric.event

    @property
    def is_primary(self):
        return self.metric.is_primary


@dataclass
class Summary:
    analytics: VersionAnalytics
    impressions: int
    rows: list  # VariantRow with impressions and shares (every version)
    metrics: list = field(default_factory=list)  # MetricSummary (A/B versions)
    updated_at: object = None  # the latest counted event

    @property
    def version(self):
        return self.analytics.version

    @property
    def has_data(self):
        return self.impressions > 0

    def metric(self, event_uid=None):
        """The summary of the metric whose event has ``event_uid``, else the primary."""
        for item in self.metrics:
            if item.event.uid == event_uid:
                return item
        return self.metrics[0] if self.metrics else None


def summary(analytics):
    version = analytics.version
    impressions, latest = {}, []
    for variant_id, total, last in (
        DailyImpressions.objects.filter(version=version)
        .values_list("variant_id")
        .annotate(Sum("count"), Max("last_counted_at"))
    ):
        impressions[variant_id] = total
        latest.append(last)
    conversions = {}
    if analytics.metrics:
        for variant_id, event_id, total, last in (
            DailyConversions.objects.filter(version=version)
            .values_list("variant_id", "event_id")
            .annotate(Sum("count"), Max("last_counted_at"))
        ):
            conversions[(variant_id, event_id)] = total
            latest.append(last)
    total_impressions = sum(impressions.values())
    rows = [
        VariantRow(
            variant=variant,
            impressions=impressions.get(variant.pk, 0),
            is_control=analytics.is_ab_test and index == 0,
            share=(impressions.get(variant.pk, 0) / total_impressions)
            if total_impressions
            else None,
        )
        for index, variant in enumerate(analytics.variants)
    ]
    metrics = []
    for metric in analytics.metrics:
        arms = [
            statistics.Arm(
                impressions.get(variant.pk, 0), conversions.get((variant.pk, metric.event_id), 0)
            )
            for variant in analytics.variants
        ]
        evaluation = statistics.evaluate(arms, days_running=analytics.days_running)
        metric_rows = [
            VariantRow(
                variant=variant,
                impressions=arm.impressions,
                conversions=arm.conversions,
                conversion_rate=result.conversion_rate,
                uplift=result.uplift,
                probability_to_be_best=result.probability_to_be_best,
                is_control=index == 0,
                is_leader=result.is_leader,
                is_winner=result.is_winner,
                share=rows[index].share,
            )
            for index, (variant, arm, result) in enumerate(
                zip(analytics.variants, arms, evaluation.arms, strict=True)
            )
        ]
        pick = lambda index: None if index is None else analytics.variants[index]  # noqa: E731
        metrics.append(
            MetricSummary(
                metric=metric,
                rows=metric_rows,
                conversions=sum(arm.conversions for arm in arms),
                verdict=evaluation.verdict,
                winner=pick(evaluation.winner),
                leader=pick(evaluation.leader),
                enough_data=evaluation.enough_data,
            )
        )
    return Summary(
        analytics=analytics,
        impressions=total_impressions,
        rows=rows,
        metrics=metrics,
        updated_at=max(latest) if latest else None,
    )


# ---------- time series ----------


@dataclass
class Series:
    variant: Variant
    impressions: list  # per day
    conversions: dict  # event id → per day


@dataclass
class TimeSeries:
    analytics: VersionAnalytics
    start: date
    end: date
    days: list
    series: list  # Series, in variant order

    @property
    def is_empty(self):
        return not any(any(s.impressions) for s in self.series)


INVALID_RANGE = "personalize.ANALYTICS.INVALID_RANGE"


def clean_range(start, end):
    """``(start, end)`` checked: ``start`` ≤ ``end``, at most ``MAX_SERIES_DAYS`` days."""
    if start > end:
        raise ValidationFailed(
            "The start of the range is after its end.",
            code=INVALID_RANGE,
            field_errors={"from": ["Choose a day on or before the end of the range."]},
        )
    if (end - start).days + 1 > MAX_SERIES_DAYS:
        raise ValidationFailed(
            f"A time series covers at most {MAX_SERIES_DAYS} days.",
            code=INVALID_RANGE,
            field_errors={"from": [f"Choose a range of at most {MAX_SERIES_DAYS} days."]},
        )
    return start, end


def range_for(analytics, key):
    """``(start, end)`` of a named range (``RANGES``): the last N days of the
    version's collection (up to today, or to its archival), never before its
    activation."""
    days = RANGES.get(key, RANGES[DEFAULT_RANGE])[1]
    end = analytics.last_day
    start = analytics.first_day
    if days is not None:
        start = max(start, end - timedelta(days=days - 1))
    return start, min(end, start + timedelta(days=MAX_SERIES_DAYS - 1))


def time_series(analytics, *, start=None, end=None):
    """Unique impressions and conversions per day and variant from ``start`` to
    ``end`` (UTC days, inclusive; by default the version's whole collection)."""
    default_start, default_end = range_for(analytics, DEFAULT_RANGE)
    start, end = clean_range(start or default_start, end or default_end)
    days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    index = {day: position for position, day in enumerate(days)}
    series = {
        variant.pk: Series(
            variant=variant,
            impressions=[0] * len(days),
            conversions={metric.event_id: [0] * len(days) for metric in analytics.metrics},
        )
        for variant in analytics.variants
    }
    version = analytics.version
    for variant_id, day, count in DailyImpressions.objects.filter(
        version=version, day__range=(start, end)
    ).values_list("variant_id", "day", "count"):
        if variant_id in series:
            series[variant_id].impressions[index[day]] = count
    if analytics.metrics:
        for variant_id, event_id, day, count in DailyConversions.objects.filter(
            version=version, day__range=(start, end)
        ).values_list("variant_id", "event_id", "day", "count"):
            values = series.get(variant_id) and series[variant_id].conversions.get(event_id)
            if values is not None:
                values[index[day]] = count
    return TimeSeries(
        analytics=analytics,
        start=start,
        end=end,
        days=days,
        series=[series[variant.pk] for variant in analytics.variants],
    )
