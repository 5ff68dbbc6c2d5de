"""Manifests served while the configuration changes are each entirely old or entirely new."""

import threading

import pytest
from django.db import connection
from django.test import Client

from personalize_admin.audiences import services as audience_services
from personalize_admin.experiences import services as experience_services
from tests.edge.conftest import country_audience, segmented

HEADERS = {"X-Country": "US", "X-CS-Personalize-User-Uid": "visitor"}


def manifest(client, project):
    response = client.get("/edge/manifest", headers={**HEADERS, "X-Project-Uid": project.uid})
    return response.status_code, response.content


def country_definition(audience, country):
    rule = audience.definition["rules"][0]
    options = {"__type": "StringMatchOptions", "value": country}
    return {**audience.definition, "rules": [{**rule, "attributeMatchOptions": options}]}


@pytest.mark.django_db(transaction=True)
def test_manifests_during_changes_are_old_or_new_never_mixed(project, owner):
    us = country_audience(project, "US")
    fr = country_audience(project, "FR")
    first = segmented(project, owner, [([us], "AND"), ([fr], "AND")])
    second = segmented(project, owner, [([us], "AND")])
    third = segmented(project, owner, [([fr], "AND"), ([us], "AND")])
    reference = Client()
    # The manifest of every committed state, asked for serially after each change.
    states = [manifest(reference, project)]
    stop = threading.Event()
    seen, errors = [], []

    def keep_requesting():
        client = Client()
        try:
            while not stop.is_set():
                status, body = manifest(client, project)
                (seen if status == 200 else errors).append(body)
        except Exception as error:  # reported by the assertion below
            errors.append(repr(error))
        finally:
            connection.close()

    def changes(round_number):
        # An audience both `first` and `second` use: both change in one transaction.
        yield lambda: audience_services.update_audience(
            audience=us,
            name=us.name,
            description="",
            definition=country_definition(us, "DE" if round_number % 2 == 0 else "US"),
            actor=owner,
        )
        # A new version of `first` whose variants are in the other order.
        draft = experience_services.create_draft(experience=first, actor=owner)
        variants = [
            {"shortUid": "0", "name": "Variant 0", "audiences": [us.uid]},
            {
                "shortUid": "1",
                "name": "Variant 1",
                "audiences": [fr.uid, us.uid],
                "audienceCombinationType": "OR",
            },
        ]
        if round_number % 2 == 0:
            variants.reverse()
        experience_services.save_draft(version=draft, data={"variants": variants}, actor=owner)
        yield lambda: experience_services.activate_version(version=draft, actor=owner)
        order = [third, second, first] if round_number % 2 == 0 else [first, second, third]
        yield lambda: experience_services.set_priorities(
            project=project, ordered_experience_uids=[e.uid for e in order], actor=owner
        )
        live = second.versions.get(status__in=["ACTIVE", "PAUSED"])
        if live.status == "ACTIVE":
            yield lambda: experience_services.pause_version(version=live, actor=owner)
        else:
            yield lambda: experience_services.resume_version(version=live, actor=owner)

    worker = threading.Thread(target=keep_requesting)
    worker.start()
    try:
        for round_number in range(4):
            for change in changes(round_number):
                change()
                states.append(manifest(reference, project))
    finally:
        stop.set()
        worker.join(60)
        connection.close()

    assert not errors, errors[:3]
    assert all(status == 200 for status, _ in states)
    bodies = [body for _, body in states]
    assert len(set(bodies)) > 5, "the changes should give visibly different manifests"
    assert len(seen) > 20
    # Each manifest the worker saw is one committed state, and they come in commit order.
    position = 0
    for body in seen:
        assert body in bodies, f"a manifest matching no committed state: {body!r}"
        position = bodies.index(body, position) if body in bodies[position:] else -1
        assert position >= 0, f"a manifest of an older state after a newer one: {body!r}"
