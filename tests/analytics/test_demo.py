"""The demo project's analytics: a winning A/B test and archived versions with their own numbers."""

import pytest

from personalize_admin.analytics import demo, services
from personalize_admin.analytics.counting import day_of
from personalize_admin.analytics.models import DailyImpressions
from personalize_admin.audiences import demo as audiences_demo
from personalize_admin.edge import demo as edge_demo
from personalize_admin.experiences import demo as experiences_demo
from personalize_admin.experiences.models import Experience

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_project(project, owner):
    audiences_demo.load(project=project, user=owner)
    experiences_demo.load(project=project, user=owner)
    edge_demo.load(project=project, user=owner, visitors=40)
    demo.load(project=project, user=owner, ab_visitors=300)
    return project


def test_demo_ab_test_has_impressions_and_conversions_per_variant(demo_project):
    checkout = Experience.objects.get(project=demo_project, name=demo.AB_TEST)

    summary = services.summary(services.load(checkout.live_version))

    assert summary.analytics.days_running >= 14
    assert all(row.impressions > 50 for row in summary.rows)
    primary = summary.metric()
    assert primary.event.key == "checkout_completed"
    assert all(row.conversions > 0 for row in primary.rows)


def test_demo_archived_versions_keep_their_own_numbers(demo_project):
    history = Experience.objects.get(project=demo_project, name=demo.HISTORY)
    versions = {v.number: v for v in services.analytics_versions(history)}

    totals = {
        number: services.summary(services.load(version)).impressions
        for number, version in versions.items()
    }

    assert [versions[n].status for n in (1, 2, 3)] == ["ARCHIVED", "ARCHIVED", "ACTIVE"]
    assert all(total > 0 for total in totals.values()), totals
    assert versions[1].archived_at <= versions[2].activated_at
    assert len(set(totals.values())) == 3


def test_demo_counts_nothing_before_a_version_was_activated(demo_project):
    for row in DailyImpressions.objects.select_related("version"):
        assert row.day >= day_of(row.version.activated_at), row.version
        if row.version.archived_at:
            assert row.day <= day_of(row.version.archived_at), row.version
