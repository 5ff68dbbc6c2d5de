"""Counting events as they arrive: unique impressions and conversions per version."""

from datetime import UTC, datetime, timedelta

import pytest

from personalize_admin.analytics.counting import count_events
from personalize_admin.analytics.models import (
    DailyConversions,
    DailyImpressions,
    UniqueConversion,
    UniqueImpression,
)
from personalize_admin.edge.models import EdgeEvent, EventKind
from tests.analytics.conftest import (
    ab_test,
    activate_new_version,
    counts,
    event,
    impression,
    ingest,
)
from tests.factories import EventFactory, make_experience

pytestmark = pytest.mark.django_db

NOON = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)


def test_events_through_the_edge_api_count_for_the_version_live_when_they_arrive(
    edge, split, owner
):
    """Two versions, events sent over HTTP before and after activating the
    second: each version counts exactly what was sent while it was live."""
    first = split.versions.get()
    for user in ("u1", "u2", "u3"):
        assert edge.events([impression(split, "0")], user_uid=user).status_code == 200
    edge.events([impression(split, "1")], user_uid="u4")
    edge.events([event("signup")], user_uid="u1")
    edge.events([event("signup")], user_uid="u4")

    second = activate_new_version(split, owner)
    edge.events([impression(split, "1")], user_uid="u1")
    edge.events([impression(split, "1")], user_uid="u5")
    edge.events([event("signup")], user_uid="u5")
    # u2 saw only the archived version: its data is closed, and the new one was not seen.
    edge.events([event("signup")], user_uid="u2")

    assert counts(first) == (
        {"0": 3, "1": 1},
        {("0", "signup"): 1, ("1", "signup"): 1},
    )
    assert counts(second) == ({"0": 0, "1": 2}, {("0", "signup"): 0, ("1", "signup"): 1})


def test_duplicate_impressions_count_once_per_user_and_variant(edge, split):
    for _ in range(3):
        edge.events([impression(split, "0"), impression(split, "0")], user_uid="u1")
    edge.events([impression(split, "1")], user_uid="u1")

    assert counts(split.versions.get())[0] == {"0": 1, "1": 1}
    assert EdgeEvent.objects.filter(kind=EventKind.IMPRESSION).count() == 7


def test_repeated_conversions_count_once_per_user_and_metric(edge, split):
    edge.events([impression(split, "1")], user_uid="u1")
    for _ in range(3):
        edge.events([event("signup"), event("signup")], user_uid="u1")

    assert counts(split.versions.get())[1] == {("0", "signup"): 0, ("1", "signup"): 1}


def test_conversion_counts_for_each_metric_separately(project, owner, edge):
    signup = EventFactory(project=project, key="signup")
    purchase = EventFactory(project=project, key="purchase")
    split = ab_test(project, owner, metrics=[signup, purchase])
    edge.events([impression(split, "0")], user_uid="u1")
    edge.events([event("purchase"), event("signup"), event("purchase")], user_uid="u1")

    assert counts(split.versions.get())[1] == {
        ("0", "signup"): 1,
        ("0", "purchase"): 1,
        ("1", "signup"): 0,
        ("1", "purchase"): 0,
    }


def test_conversion_exactly_thirty_days_after_the_impression_counts(project, split):
    ingest(project, "u1", impression(split, "1"), now=NOON)

    ingest(project, "u1", event("signup"), now=NOON + timedelta(days=30))

    assert counts(split.versions.get())[1][("1", "signup")] == 1


def test_conversion_just_over_thirty_days_after_the_impression_is_not_counted(project, split):
    ingest(project, "u1", impression(split, "1"), now=NOON)

    ingest(project, "u1", event("signup"), now=NOON + timedelta(days=30, microseconds=1))

    assert counts(split.versions.get())[1][("1", "signup")] == 0
    assert not UniqueConversion.objects.exists()


def test_late_conversion_counts_after_a_fresh_impression(project, split):
    ingest(project, "u1", impression(split, "0"), now=NOON)
    ingest(project, "u1", event("signup"), now=NOON + timedelta(days=40))
    ingest(project, "u1", impression(split, "0"), now=NOON + timedelta(days=41))

    ingest(project, "u1", event("signup"), now=NOON + timedelta(days=42))

    version = split.versions.get()
    assert counts(version) == ({"0": 1, "1": 0}, {("0", "signup"): 1, ("1", "signup"): 0})
    assert DailyConversions.objects.get().day == (NOON + timedelta(days=42)).date()


def test_conversion_before_any_impression_is_not_counted(edge, split):
    edge.events([event("signup")], user_uid="u1")
    edge.events([impression(split, "0")], user_uid="u1")

    assert counts(split.versions.get())[1][("0", "signup")] == 0


def test_conversion_counts_for_the_variant_seen_last(project, split):
    ingest(project, "u1", impression(split, "0"), now=NOON)
    ingest(project, "u1", impression(split, "1"), now=NOON + timedelta(hours=1))

    ingest(project, "u1", event("signup"), now=NOON + timedelta(hours=2))

    assert counts(split.versions.get()) == (
        {"0": 1, "1": 1},
        {("0", "signup"): 0, ("1", "signup"): 1},
    )


def test_counts_land_on_the_utc_day_of_the_first_event(project, split):
    ingest(project, "u1", impression(split, "0"), now=NOON)
    ingest(project, "u1", impression(split, "0"), now=NOON + timedelta(days=1))
    ingest(project, "u2", impression(split, "0"), now=NOON + timedelta(days=1))
    ingest(project, "u3", impression(split, "0"), now=NOON + timedelta(days=1, hours=11))

    rows = DailyImpressions.objects.order_by("day").values_list("day", "count", "last_counted_at")
    assert list(rows) == [
        (NOON.date(), 1, NOON),
        ((NOON + timedelta(days=1)).date(), 2, NOON + timedelta(days=1, hours=11)),
    ]


def test_custom_events_that_are_no_metric_count_nothing(project, owner, edge, split):
    EventFactory(project=project, key="scroll")
    edge.events([impression(split, "0")], user_uid="u1")

    edge.events([event("scroll")], user_uid="u1")

    assert not UniqueConversion.objects.exists() and not DailyConversions.objects.exists()


def test_segmented_impressions_are_counted_per_variant(project, owner, edge):
    hero = make_experience(project=project, actor=owner, activate=True)
    edge.events([impression(hero, "0")], user_uid="u1")
    edge.events([impression(hero, "0")], user_uid="u2")
    edge.events([impression(hero, "0")], user_uid="u1")

    impressions, conversions = counts(hero.versions.get())
    assert impressions == {"0": 2} and conversions == {}


def test_refused_request_counts_nothing(edge, split):
    response = edge.events([impression(split, "0"), impression(split, "9")], user_uid="u1")

    assert response.status_code == 422
    assert not UniqueImpression.objects.exists() and not DailyImpressions.objects.exists()


def test_count_events_counts_only_new_keys_and_returns_them(project, split):
    version = split.versions.get()
    variant = version.variants.get(short_uid="0")
    rows = [
        EdgeEvent(
            project=project,
            kind=EventKind.IMPRESSION,
            user_uid=user,
            occurred_at=NOON,
            version=version,
            variant=variant,
        )
        for user in ("a", "b", "a")
    ]

    assert count_events(rows) == (2, 0)
    assert count_events(rows) == (0, 0)
    assert DailyImpressions.objects.get().count == 2
