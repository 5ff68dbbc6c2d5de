"""Purging raw events past the retention period (``manage.py purge_events``).

Analytics never read raw events: summaries and charts come from the daily
counts, and deduplication from the unique keys (see ``models``). Raw events are
kept for ``ANALYTICS_RETENTION_DAYS`` (about six months by default) for
attribution and for inspection, then deleted.

What is deleted, in small batches (one short transaction each, so ingestion
carries on meanwhile):

- ``EdgeEvent`` rows that occurred before the cutoff. The retention period is
  never shorter than the attribution window (``EDGE_ATTRIBUTION_DAYS``), so
  every impression a conversion could still be attributed to is kept.
- The unique keys of versions archived before the cutoff: an archived version
  never counts an event again (restoring one makes a new version), so its keys
  are no longer needed; its daily counts stay.

Daily counts are never deleted, so no number shown anywhere changes. Running
it twice deletes nothing the second time; running it while events arrive is
safe because only rows older than the cutoff are touched.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from personalize_admin.edge.models import EdgeEvent
from personalize_admin.edge.protocol import limits
from personalize_admin.experiences.models import Version, VersionStatus

from .models import UniqueConversion, UniqueImpression

DEFAULT_RETENTION_DAYS = 183
DEFAULT_BATCH_SIZE = 5_000


class RetentionTooShort(ValueError):
    pass


def retention_days():
    return int(getattr(settings, "ANALYTICS_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


@dataclass
class PurgeReport:
    cutoff: object
    events: int = 0
    event_batches: int = 0
    versions: int = 0
    keys: int = 0


def _delete_in_batches(queryset, batch_size, dry_run):
    """Delete ``queryset``'s rows in pk order, ``batch_size`` per transaction.
    Returns ``(rows, batches)``."""
    if dry_run:
        return queryset.count(), 0
    deleted = batches = 0
    last = 0
    while True:
        with transaction.atomic():
            pks = list(
                queryset.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not pks:
                return deleted, batches
            deleted += queryset.model.objects.filter(pk__in=pks).delete()[0]
        batches += 1
        last = pks[-1]


def purge(*, days=None, now=None, batch_size=DEFAULT_BATCH_SIZE, dry_run=False):
    """Delete raw events older than ``days`` (default: the setting) and the unique
    keys of versions archived before then. Returns a ``PurgeReport``."""
    days = retention_days() if days is None else days
    attribution = limits()["attribution_days"]
    if days < attribution:
        raise RetentionTooShort(
            f"Keep raw events at least {attribution} days (the attribution window, "
            f"EDGE_ATTRIBUTION_DAYS); {days} would lose conversions."
        )
    if batch_size < 1:
        raise ValueError("The batch size must be at least 1.")
    cutoff = (now or timezone.now()) - timedelta(days=days)
    report = PurgeReport(cutoff=cutoff)
    report.events, report.event_batches = _delete_in_batches(
        EdgeEvent.objects.filter(occurred_at__lt=cutoff), batch_size, dry_run
    )
    done = list(
        Version.objects.filter(status=VersionStatus.ARCHIVED, archived_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for version_id in done:
        found = 0
        for model in (UniqueImpression, UniqueConversion):
            rows, _batches = _delete_in_batches(
                model.objects.filter(version_id=version_id), batch_size, dry_run
            )
            found += rows
        if found:
            report.versions += 1
            report.keys += found
    return report
