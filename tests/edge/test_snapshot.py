"""Snapshots: one query per manifest, rebuilt on every change, never a mix."""

import threading
import time

import pytest

from personalize_admin.audiences import services as audience_services
from personalize_admin.edge import snapshot as snapshots
from personalize_admin.edge.snapshot import build_snapshot, current_snapshot
from personalize_admin.experiences import services as experience_services
from personalize_admin.projects.models import Project
from tests.edge.conftest import ab_test, country_audience, plan_audience, segmented

pytestmark = pytest.mark.django_db


def test_manifest_costs_one_query_however_many_experiences(
    edge, project, owner, plan, django_assert_num_queries
):
    numbers = iter(range(1000))

    def add(count):
        for _ in range(count):
            number = next(numbers)
            us = country_audience(project, "US", name=f"Country {number}")
            pro = plan_audience(project, plan, f"plan-{number}")
            segmented(project, owner, [([us], "AND"), ([us, pro], "OR")])
            ab_test(project, owner, targeting=([pro], "AND"))

    add(1)
    edge.manifest(user_uid="v1")  # builds the snapshot
    with django_assert_num_queries(1):
        small = edge.manifest(user_uid="v1", live={"plan": "x"})
    add(10)
    edge.manifest(user_uid="v1")
    with django_assert_num_queries(1):
        large = edge.manifest(user_uid="v1", live={"plan": "x"})

    assert len(small.json()["experiences"]) == 2
    assert len(large.json()["experiences"]) == 22


def test_audience_edit_takes_effect_on_the_next_manifest(edge, project, owner):
    us = country_audience(project, "US")
    hero = segmented(project, owner, [([us], "AND")])
    assert edge.manifest(**{"X-Country": "FR"}).json()["activeVariants"] == {hero.short_uid: None}

    audience_services.update_audience(
        audience=us,
        name=us.name,
        description="",
        definition={
            **us.definition,
            "rules": [
                {
                    **us.definition["rules"][0],
                    "attributeMatchOptions": {"__type": "StringMatchOptions", "value": "FR"},
                }
            ],
        },
        actor=owner,
    )

    assert edge.manifest(**{"X-Country": "FR"}).json()["activeVariants"] == {hero.short_uid: "0"}


def test_attribute_key_rename_takes_effect_on_the_next_manifest(edge, project, owner, plan):
    pro = plan_audience(project, plan, "pro")
    hero = segmented(project, owner, [([pro], "AND")])
    assert edge.manifest(live={"plan": "pro"}).json()["activeVariants"] == {hero.short_uid: "0"}

    audience_services.update_attribute(
        attribute=plan, name="Plan", key="tier", description="", type=plan.type, actor=owner
    )

    assert edge.manifest(live={"plan": "pro"}).json()["activeVariants"] == {hero.short_uid: None}
    assert edge.manifest(live={"tier": "pro"}).json()["activeVariants"] == {hero.short_uid: "0"}


def test_snapshot_is_reused_until_the_revision_changes(project, owner, monkeypatch):
    ab_test(project, owner)
    revision = Project.objects.get(pk=project.pk).live_config_revision
    first = current_snapshot(project.uid, revision)
    built = []
    monkeypatch.setattr(snapshots, "build_snapshot", lambda uid: built.append(uid))

    assert current_snapshot(project.uid, revision) is first
    assert current_snapshot(project.uid, revision - 1) is first
    assert built == []


def test_build_rereads_when_the_configuration_changes_meanwhile(project, owner, monkeypatch):
    us = country_audience(project, "US")
    hero = segmented(project, owner, [([us], "AND")])
    live = hero.versions.get()
    real_read = snapshots._read_configuration
    reads = []

    def read_then_change(*args):
        result = real_read(*args)
        reads.append(result.revision)
        if len(reads) == 1:
            # A change commits between reading the configuration and re-checking.
            experience_services.pause_version(version=live, actor=owner)
        return result

    monkeypatch.setattr(snapshots, "_read_configuration", read_then_change)

    built = build_snapshot(project.uid)

    assert len(reads) == 2
    assert built.revision == Project.objects.get(pk=project.pk).live_config_revision
    assert [experience.status for experience in built.experiences] == ["PAUSED"]


def test_concurrent_requests_in_a_process_build_once(monkeypatch):
    calls = []
    release = threading.Event()

    def slow_build(uid):
        calls.append(uid)
        release.wait(5)
        return snapshots.Snapshot(
            project_id=1,
            project_uid=uid,
            revision=7,
            experiences=(),
            audiences=(),
            evaluate=lambda presets, custom: ((), ()),
            presets_used=frozenset(),
            event_ids_by_key={},
            metric_versions_by_event={},
        )

    monkeypatch.setattr(snapshots, "build_snapshot", slow_build)
    uid = "f" * 24
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(current_snapshot(uid, 7))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    release.set()
    for thread in threads:
        thread.join(5)
    snapshots._snapshots.pop(uid, None)

    assert calls == [uid]
    assert len(results) == 8 and len({id(result) for result in results}) == 1


def test_deleted_project_has_no_snapshot(project, edge):
    edge.manifest()
    project.delete()

    response = edge.manifest()

    assert response.status_code == 404
