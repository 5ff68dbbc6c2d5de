from datetime import timedelta

import pytest
from django.utils import timezone

from personalize_admin.analytics import services
from personalize_admin.edge import services as edge_services
from personalize_admin.edge.snapshot import snapshot_for_project
from personalize_admin.experiences import services as experience_services
from tests.edge.conftest import EdgeClient, ab_test, segmented  # noqa: F401
from tests.factories import EventFactory


def impression(experience, variant="0"):
    return {
        "type": "IMPRESSION",
        "experienceShortUid": experience.short_uid,
        "variantShortUid": variant,
    }


def event(key):
    return {"type": "EVENT", "eventKey": key}


def ingest(project, user_uid, *payload, now=None):
    """Events through the Edge API's own ingestion, at ``now`` (default: now)."""
    return edge_services.ingest_events(
        snapshot=snapshot_for_project(project), user_uid=user_uid, payload=list(payload), now=now
    )


def counts(version, now=None):
    """``{variant short uid: impressions}`` and ``{(variant short uid, event key): conversions}``."""
    result = services.summary(services.load(version, now=now))
    impressions = {row.variant.short_uid: row.impressions for row in result.rows}
    conversions = {
        (row.variant.short_uid, metric.event.key): row.conversions
        for metric in result.metrics
        for row in metric.rows
    }
    return impressions, conversions


def activate_new_version(experience, actor, data=None):
    draft = experience_services.create_draft(experience=experience, actor=actor)
    return experience_services.activate_version(version=draft, actor=actor, data=data)


def backdate(version, days, now=None):
    """Pretend ``version`` was activated ``days`` ago (tests of the 14-day rule and charts)."""
    moment = (now or timezone.now()) - timedelta(days=days)
    version.__class__.objects.filter(pk=version.pk).update(activated_at=moment)
    version.activated_at = moment
    return version


@pytest.fixture
def edge(client, project):
    return EdgeClient(client, project)


@pytest.fixture
def signup(project):
    return EventFactory(project=project, key="signup")


@pytest.fixture
def split(project, owner, signup):
    """A live A/B test measuring ``signup``: variants "0" (Control) and "1" (Treatment)."""
    return ab_test(project, owner, names=["Control", "Treatment"], metrics=[signup])


def add_daily(version, day, impressions, conversions=None, *, at=None):
    """Daily counts written directly (views read nothing else): ``impressions``
    maps a variant short uid to a count, ``conversions`` (variant short uid,
    event) to a count."""
    from datetime import UTC, datetime, time

    from personalize_admin.analytics.models import DailyConversions, DailyImpressions

    variants = {variant.short_uid: variant for variant in version.variants.all()}
    moment = at or datetime.combine(day, time(12), tzinfo=UTC)
    for short_uid, count in impressions.items():
        DailyImpressions.objects.create(
            version=version,
            variant=variants[short_uid],
            day=day,
            count=count,
            last_counted_at=moment,
        )
    for (short_uid, event), count in (conversions or {}).items():
        DailyConversions.objects.create(
            version=version,
            variant=variants[short_uid],
            event=event,
            day=day,
            count=count,
            last_counted_at=moment,
        )
