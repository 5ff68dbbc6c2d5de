"""What the Edge API stores: visitors' attributes and the raw event stream.

Both tables are written by the public Edge API, so they stay lean: no audit
columns, no revisions. ``EdgeEvent`` is the raw material of analytics (see
``services.record_events``). Nothing refers to these rows and no signal
watches them, so deleting an experience or a project removes its events with
one ``DELETE`` per table instead of loading them.
"""

from django.db import models

MAX_USER_UID_LENGTH = 128


class Visitor(models.Model):
    """A visitor of a project, known by the user uid the SDK sends, and the custom
    attribute values stored for it (``PATCH /user-attributes``), by attribute key."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="visitors"
    )
    user_uid = models.CharField(max_length=MAX_USER_UID_LENGTH)
    attributes = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # Also the index of the manifest's one keyed read.
            models.UniqueConstraint(fields=["project", "user_uid"], name="visitor_unique_user_uid"),
        ]

    def __str__(self):
        return self.user_uid


class EventKind(models.IntegerChoices):
    IMPRESSION = 1, "Impression"
    EVENT = 2, "Custom event"
    # A custom event that counts for an A/B version's metric: the same user had an
    # impression of that version in the attribution window before it arrived.
    CONVERSION = 3, "Conversion"


class EdgeEvent(models.Model):
    """One thing the SDK reported, as it arrived.

    - ``IMPRESSION``: ``version`` (live when it arrived) and ``variant`` set.
    - ``EVENT``: ``event`` set; ``version``/``variant`` empty. Every custom event
      the SDK sends is one such row.
    - ``CONVERSION``: derived from an ``EVENT`` at ingestion, one row per A/B
      version whose metrics include the event and of which the user had an
      impression within ``ATTRIBUTION_WINDOW``: ``event``, ``version`` and the
      ``variant`` of that user's latest impression.

    Rows are never updated; uniqueness (per user, version, variant) is a matter
    of counting distinct ``user_uid``.
    """

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    kind = models.PositiveSmallIntegerField(choices=EventKind.choices)
    user_uid = models.CharField(max_length=MAX_USER_UID_LENGTH)
    occurred_at = models.DateTimeField()
    version = models.ForeignKey(
        "experiences.Version",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    variant = models.ForeignKey(
        "experiences.Variant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    event = models.ForeignKey(
        "audiences.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        indexes = [
            # Per version, per variant, per day counting (impressions and conversions).
            models.Index(
                fields=["version", "kind", "variant", "occurred_at"], name="edge_event_counting"
            ),
            # "Did this user have an impression of this version in the last 30 days?"
            models.Index(
                fields=["version", "user_uid", "kind", "occurred_at"], name="edge_event_attribution"
            ),
            # Custom events of a project per event key and day.
            models.Index(fields=["project", "event", "occurred_at"], name="edge_event_by_event"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.user_uid} at {self.occurred_at:%Y-%m-%d %H:%M}"
