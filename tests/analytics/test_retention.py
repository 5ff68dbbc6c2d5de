"""Purging raw events: old rows go, numbers stay, future counting stays right."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from personalize_admin.analytics import retention
from personalize_admin.analytics.models import (
    DailyConversions,
    DailyImpressions,
    UniqueConversion,
    UniqueImpression,
)
from personalize_admin.edge.models import EdgeEvent
from personalize_admin.experiences.models import Version
from tests.analytics.conftest import activate_new_version, counts, event, impression, ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(project, owner, split):
    """Events 200 and 10 days ago on version 1, which was archived 190 days ago
    in favour of version 2, and recent events on version 2."""
    now = timezone.now()
    first = split.versions.get()
    ingest(project, "old", impression(split, "0"), now=now - timedelta(days=200))
    ingest(project, "old", event("signup"), now=now - timedelta(days=200))
    second = activate_new_version(split, owner)
    Version.objects.filter(pk=first.pk).update(archived_at=now - timedelta(days=190))
    ingest(project, "old", impression(split, "1"), now=now - timedelta(days=185))
    ingest(project, "recent", impression(split, "1"), now=now - timedelta(days=10))
    ingest(project, "recent", event("signup"), now=now - timedelta(days=10))
    return first, second


def test_purge_deletes_only_raw_events_past_the_retention(history):
    first, second = history
    before = (counts(first), counts(second))
    daily = DailyImpressions.objects.count() + DailyConversions.objects.count()

    report = retention.purge(days=183, batch_size=1)

    assert report.events == 4  # 2 impressions, 1 event, 1 conversion
    assert report.event_batches == 4
    assert set(EdgeEvent.objects.values_list("user_uid", flat=True)) == {"recent"}
    assert (counts(first), counts(second)) == before
    assert DailyImpressions.objects.count() + DailyConversions.objects.count() == daily


def test_purge_drops_the_unique_keys_of_versions_archived_before_the_cutoff(history):
    first, second = history

    report = retention.purge(days=183)

    assert (report.versions, report.keys) == (1, 2)
    assert not UniqueImpression.objects.filter(version=first).exists()
    assert not UniqueConversion.objects.filter(version=first).exists()
    assert UniqueImpression.objects.filter(version=second).count() == 2


def test_purge_keeps_counting_right_for_live_versions(project, history):
    _first, second = history
    retention.purge(days=183)

    # "old" was counted 185 days ago (its raw impression is gone): counted once still.
    ingest(project, "old", impression(second.experience, "1"))
    ingest(project, "recent", event("signup"))

    assert counts(second) == ({"0": 0, "1": 2}, {("0", "signup"): 0, ("1", "signup"): 1})


def test_purge_twice_deletes_nothing_the_second_time(history):
    retention.purge(days=183)

    report = retention.purge(days=183)

    assert (report.events, report.keys) == (0, 0)


def test_purge_refuses_a_retention_shorter_than_the_attribution_window(history):
    with pytest.raises(retention.RetentionTooShort):
        retention.purge(days=29)

    assert EdgeEvent.objects.count() == 7


def test_purge_dry_run_counts_and_deletes_nothing(history):
    report = retention.purge(days=183, dry_run=True)

    assert (report.events, report.keys) == (4, 2)
    assert EdgeEvent.objects.count() == 7


def test_purge_events_command_reports_what_it_did(history, settings):
    settings.ANALYTICS_RETENTION_DAYS = 183
    output = StringIO()

    call_command("purge_events", stdout=output)

    text = output.getvalue()
    assert "Deleted 4 raw events from before" in text
    assert "Deleted 2 unique keys of 1 versions archived before" in text
    assert "analytics are unchanged" in text


def test_purge_events_command_refuses_too_short_a_retention(history):
    with pytest.raises(CommandError, match="at least 30 days"):
        call_command("purge_events", "--days", "7", stdout=StringIO())
