"""Concurrent lifecycle moves on the real database server leave one draft and one live version."""

import threading

import pytest
from django.db import close_old_connections, connection, connections

from personalize_admin.core.errors import Conflict
from personalize_admin.experiences import services
from personalize_admin.experiences.models import Version, VersionStatus
from tests.factories import make_experience

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serializes all writes and ignores SELECT … FOR UPDATE, so racing threads prove "
        "nothing there; this runs against PostgreSQL (DATABASE_URL=postgres://…).",
    ),
]

RACERS = 4


def race(action):
    """Run ``action`` in several threads released at the same instant; return their outcomes."""
    barrier = threading.Barrier(RACERS)
    outcomes = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait(timeout=10)
            result = action()
        except Conflict as error:
            result = error
        except Exception as error:  # anything else is a failure the test reports
            result = error
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    close_old_connections()
    return outcomes


@pytest.fixture
def live_experience(project, owner):
    return make_experience(project=project, actor=owner, name="Raced", activate=True)


def test_concurrent_create_draft_leaves_exactly_one_draft(live_experience, owner):
    outcomes = race(lambda: services.create_draft(experience=live_experience, actor=owner))
    created = [o for o in outcomes if isinstance(o, Version)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(created), len(refused)) == (1, RACERS - 1), outcomes
    assert (
        Version.objects.filter(experience=live_experience, status=VersionStatus.DRAFT).count() == 1
    )
    assert (
        Version.objects.filter(experience=live_experience, status=VersionStatus.ACTIVE).count() == 1
    )


def test_concurrent_activate_leaves_exactly_one_live_version(live_experience, owner):
    draft = services.create_draft(experience=live_experience, actor=owner)
    outcomes = race(lambda: services.activate_version(version=draft, actor=owner))
    activated = [o for o in outcomes if isinstance(o, Version)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(activated), len(refused)) == (1, RACERS - 1), outcomes
    statuses = list(live_experience.versions.order_by("number").values_list("status", flat=True))
    assert statuses == [VersionStatus.ARCHIVED, VersionStatus.ACTIVE]


def test_concurrent_create_draft_and_activate_keep_both_invariants(live_experience, owner):
    """Drafts created and activated at once: never two drafts, never two live versions."""
    draft = services.create_draft(experience=live_experience, actor=owner)
    actions = iter(
        [lambda: services.activate_version(version=draft, actor=owner)]
        + [lambda: services.create_draft(experience=live_experience, actor=owner)] * (RACERS - 1)
    )
    lock = threading.Lock()

    def next_action():
        with lock:
            action = next(actions)
        return action()

    outcomes = race(next_action)
    assert not [o for o in outcomes if not isinstance(o, (Version, Conflict))], outcomes
    versions = Version.objects.filter(experience=live_experience)
    assert versions.filter(status=VersionStatus.DRAFT).count() <= 1
    assert versions.filter(status__in=[VersionStatus.ACTIVE, VersionStatus.PAUSED]).count() == 1
