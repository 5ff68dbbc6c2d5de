"""Analytics kept up to date as events arrive, so reading them never scans raw events.

Two kinds of tables, written by ``counting.count_events`` in the transaction
that stores the raw ``EdgeEvent`` rows:

- *Unique keys*: ``UniqueImpression`` (version, variant, user uid) and
  ``UniqueConversion`` (version, metric event, user uid). A row exists once the
  first such event was counted; inserting with ``ON CONFLICT DO NOTHING`` tells
  whether an event is new, also when two requests race.
- *Daily counts*: ``DailyImpressions`` (version, variant, day) and
  ``DailyConversions`` (version, variant, event, day): how many unique
  impressions and conversions were first counted on that day (UTC), incremented
  in the database (``count = count + n``), never read and written back.

A summary or a chart reads only daily counts: its cost depends on the number
of days and variants, not on the number of events. Raw events can therefore be
purged after ``ANALYTICS_RETENTION_DAYS`` without changing any number
(``manage.py purge_events``).
"""

from django.db import models


class UniqueImpression(models.Model):
    """The first impression of a variant of a version by a user."""

    version = models.ForeignKey("experiences.Version", on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey("experiences.Variant", on_delete=models.CASCADE, related_name="+")
    user_uid = models.CharField(max_length=128)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "variant", "user_uid"], name="unique_impression_key"
            )
        ]

    def __str__(self):
        return f"{self.user_uid} saw variant {self.variant_id} of version {self.version_id}"


class UniqueConversion(models.Model):
    """The first conversion of a user for a metric of an A/B version, and the
    variant it counted for."""

    version = models.ForeignKey("experiences.Version", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("audiences.Event", on_delete=models.CASCADE, related_name="+")
    user_uid = models.CharField(max_length=128)
    variant = models.ForeignKey("experiences.Variant", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "event", "user_uid"], name="unique_conversion_key"
            )
        ]

    def __str__(self):
        return f"{self.user_uid} converted on {self.event_id} for version {self.version_id}"


class DailyImpressions(models.Model):
    """Unique impressions of a variant first counted on a day (UTC)."""

    version = models.ForeignKey("experiences.Version", on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey("experiences.Variant", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveBigIntegerField(default=0)
    last_counted_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "daily impressions"
        constraints = [
            models.UniqueConstraint(
                fields=["version", "variant", "day"], name="daily_impressions_key"
            )
        ]

    def __str__(self):
        return f"{self.count} impressions of variant {self.variant_id} on {self.day}"


class DailyConversions(models.Model):
    """Unique conversions of a metric event first counted for a variant on a day (UTC)."""

    version = models.ForeignKey("experiences.Version", on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey("experiences.Variant", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("audiences.Event", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveBigIntegerField(default=0)
    last_counted_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "daily conversions"
        constraints = [
            models.UniqueConstraint(
                fields=["version", "variant", "event", "day"], name="daily_conversions_key"
            )
        ]

    def __str__(self):
        return f"{self.count} conversions on {self.event_id} for variant {self.variant_id} on {self.day}"
