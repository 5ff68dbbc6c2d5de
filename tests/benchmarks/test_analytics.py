"""The analytics benchmark builds consistent data both ways (no timing is asserted here)."""

import random

import pytest

from personalize_admin.audiences.models import Event
from tests.benchmarks import analytics

pytestmark = pytest.mark.django_db


def test_bulk_and_ingested_versions_both_agree_with_their_raw_events(project, owner):
    event = Event.objects.create(project=project, key="purchase")
    small, small_version, small_start = analytics._experience(project, owner, "Small", event)
    _large, large_version, large_start = analytics._experience(project, owner, "Large", event)

    analytics.ingest_small(project, small, small_version, small_start, 300, random.Random(1))
    inserted = analytics.insert_large(
        project, large_version, large_start, 3_000, random.Random(2), event
    )

    assert inserted == 3_000
    for version in (small_version, large_version):
        impressions, conversions = analytics.raw_truth(version)
        assert sum(impressions.values()) > 0 and sum(conversions.values()) > 0
        assert analytics.counted(version) == (impressions, conversions)


def test_events_lua_posts_impressions_of_the_live_experiences():
    script = analytics.events_lua("0123456789abcdef01234567", ["0", "7"])

    assert 'local project = "0123456789abcdef01234567"' in script
    assert 'local experiences = {"0", "7"}' in script
    assert 'wrk.format("POST", "/edge/events"' in script
