"""Requests counted at the same moment lose no increment and count no key twice."""

import threading

import pytest
from django.db import connection
from django.test import Client

from personalize_admin.analytics.models import DailyConversions, DailyImpressions
from tests.analytics.conftest import ab_test, counts, event, impression
from tests.edge.conftest import EdgeClient
from tests.factories import EventFactory

THREADS = 8
REQUESTS_PER_THREAD = 12


def run_together(work):
    """Run ``work(thread_number)`` in ``THREADS`` threads released at once."""
    barrier = threading.Barrier(THREADS)
    errors = []

    def run(number):
        try:
            barrier.wait()
            work(number)
        except Exception as error:  # reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_count_every_user_once_and_lose_no_increment(project, owner):
    signup = EventFactory(project=project, key="signup")
    split = ab_test(project, owner, metrics=[signup])
    statuses = []

    def work(number):
        edge = EdgeClient(Client(), project)
        for request in range(REQUESTS_PER_THREAD):
            # Every thread sends the same shared users too: each must count once.
            for user in (f"t{number}-{request}", f"shared-{request}"):
                response = edge.events([impression(split, "1"), event("signup")], user_uid=user)
                statuses.append(response.status_code)

    run_together(work)

    assert set(statuses) == {200}
    users = THREADS * REQUESTS_PER_THREAD + REQUESTS_PER_THREAD
    assert counts(split.versions.get()) == (
        {"0": 0, "1": users},
        {("0", "signup"): 0, ("1", "signup"): users},
    )
    assert DailyImpressions.objects.get().count == users
    assert DailyConversions.objects.get().count == users
