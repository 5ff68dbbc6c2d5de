"""Visitors' attributes and event ingestion."""

from datetime import timedelta

import pytest
from django.utils import timezone

from personalize_admin.edge import services
from personalize_admin.edge.errors import EdgeError
from personalize_admin.edge.models import EdgeEvent, EventKind, Visitor
from personalize_admin.edge.snapshot import snapshot_for_project
from tests.edge.conftest import ab_test
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def impression(experience, variant="0"):
    return {
        "type": "IMPRESSION",
        "experienceShortUid": experience.short_uid,
        "variantShortUid": variant,
    }


def event(key):
    return {"type": "EVENT", "eventKey": key}


def ingest(project, user_uid, *payload, now=None):
    return services.ingest_events(
        snapshot=snapshot_for_project(project), user_uid=user_uid, payload=list(payload), now=now
    )


def conversions(project):
    return list(
        EdgeEvent.objects.filter(project=project, kind=EventKind.CONVERSION)
        .order_by("pk")
        .values_list("user_uid", "version_id", "variant__short_uid", "event__key")
    )


def test_custom_event_converts_within_the_window_for_the_latest_variant(project, owner):
    signup = EventFactory(project=project, key="signup")
    split = ab_test(project, owner, metrics=[signup])
    version = split.versions.get()
    now = timezone.now()
    ingest(project, "v1", impression(split, "0"), now=now - timedelta(days=20))
    ingest(project, "v1", impression(split, "1"), now=now - timedelta(days=2))
    ingest(project, "v2", impression(split, "0"), now=now - timedelta(days=31))

    ingest(project, "v1", event("signup"), now=now)
    ingest(project, "v2", event("signup"), now=now)

    assert conversions(project) == [("v1", version.pk, "1", "signup")]
    assert EdgeEvent.objects.filter(kind=EventKind.EVENT).count() == 2


def test_custom_event_that_is_no_metric_converts_nothing(project, owner):
    EventFactory(project=project, key="scroll")
    signup = EventFactory(project=project, key="signup")
    split = ab_test(project, owner, metrics=[signup])
    ingest(project, "v1", impression(split))

    ingest(project, "v1", event("scroll"))

    assert conversions(project) == []


def test_custom_event_converts_for_every_version_with_that_metric(project, owner):
    signup = EventFactory(project=project, key="signup")
    first = ab_test(project, owner, metrics=[signup])
    second = ab_test(project, owner, metrics=[EventFactory(project=project, key="x"), signup])
    ingest(project, "v1", impression(first), impression(second, "1"))

    ingest(project, "v1", event("signup"))

    assert sorted(conversions(project)) == sorted(
        [
            ("v1", first.versions.get().pk, "0", "signup"),
            ("v1", second.versions.get().pk, "1", "signup"),
        ]
    )


def test_impression_and_event_in_one_request_convert(project, owner):
    signup = EventFactory(project=project, key="signup")
    split = ab_test(project, owner, metrics=[signup])

    ingest(project, "v1", event("signup"), impression(split, "1"))

    assert conversions(project) == [("v1", split.versions.get().pk, "1", "signup")]


def test_ingest_refuses_the_whole_request_for_one_bad_event(project, owner):
    split = ab_test(project, owner)

    with pytest.raises(EdgeError) as refused:
        ingest(project, "v1", impression(split), impression(split, "7"))

    assert refused.value.code == "personalize.EDGE.UNKNOWN_VARIANT"
    assert "[1]" in refused.value.message
    assert not EdgeEvent.objects.exists()


def test_impression_is_recorded_for_the_version_live_at_arrival(project, owner):
    from personalize_admin.experiences import services as experience_services

    split = ab_test(project, owner)
    first = split.versions.get()
    ingest(project, "v1", impression(split))
    draft = experience_services.create_draft(experience=split, actor=owner)
    experience_services.activate_version(version=draft, actor=owner)

    ingest(project, "v1", impression(split))

    assert list(EdgeEvent.objects.order_by("pk").values_list("version_id", flat=True)) == [
        first.pk,
        draft.pk,
    ]


def test_set_attributes_creates_then_merges(project):
    services.set_attributes(project_id=project.pk, user_uid="v1", values={"a": 1})
    result = services.set_attributes(project_id=project.pk, user_uid="v1", values={"b": "x"})

    assert result == {"a": 1, "b": "x"}
    assert Visitor.objects.get(user_uid="v1").attributes == {"a": 1, "b": "x"}


def test_merge_into_itself_changes_nothing(project):
    services.set_attributes(project_id=project.pk, user_uid="v1", values={"a": 1})

    result = services.merge_visitors(
        project_id=project.pk, source_user_uid="v1", target_user_uid="v1"
    )

    assert result == {"a": 1}
    assert Visitor.objects.count() == 1


def test_deleting_an_experience_deletes_its_events(project, owner):
    from personalize_admin.experiences import services as experience_services

    split = ab_test(project, owner)
    ingest(project, "v1", impression(split))
    experience_services.pause_version(version=split.versions.get(), actor=owner)

    experience_services.delete_experience(experience=split, actor=owner)

    assert not EdgeEvent.objects.exists()
