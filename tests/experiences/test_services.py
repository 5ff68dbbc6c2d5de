"""Every allowed and refused move of an experience and its versions."""

import pytest
from django.db import IntegrityError, transaction

from personalize_admin.core.errors import Conflict, ValidationFailed
from personalize_admin.core.models import AuditEntry
from personalize_admin.experiences import services
from personalize_admin.experiences.models import Experience, Metric, Tag, Version, VersionStatus
from personalize_admin.projects.models import Project
from tests.factories import (
    AudienceFactory,
    EventFactory,
    ab_variants,
    make_experience,
    make_project,
    segmented_variants,
)

pytestmark = pytest.mark.django_db

DRAFT, ACTIVE, PAUSED, ARCHIVED = (
    VersionStatus.DRAFT,
    VersionStatus.ACTIVE,
    VersionStatus.PAUSED,
    VersionStatus.ARCHIVED,
)


def statuses(experience):
    return list(experience.versions.order_by("number").values_list("number", "status"))


def live_revision(project):
    return Project.objects.get(pk=project.pk).live_config_revision


def last_action(experience):
    return (
        AuditEntry.objects.filter(object_uid=experience.uid)
        .order_by("-id")
        .values_list("action", flat=True)[0]
    )


@pytest.fixture
def audience(project):
    return AudienceFactory(project=project, name="US visitors")


@pytest.fixture
def active(project, owner, audience):
    """An experience whose Version 1 is Active with variants "0" and "1"."""
    return make_experience(
        project=project,
        actor=owner,
        name="Home hero",
        variants=segmented_variants([audience], [audience], names=["Hero US", "Hero all"]),
        activate=True,
    )


# ---------- create, update, delete ----------


def test_create_experience_makes_version_1_an_empty_draft(project, owner):
    experience = services.create_experience(
        project=project,
        name="  Home hero ",
        description="Top banner",
        type="SEGMENTED",
        tags="Summer, HOME,summer",
        actor=owner,
    )
    assert experience.name == "Home hero"
    assert statuses(experience) == [(1, DRAFT)]
    assert not experience.versions.get().variants.exists()
    assert sorted(t.name for t in experience.tags.all()) == ["home", "summer"]
    assert experience.created_by == owner
    assert last_action(experience) == "experience.create"


def test_create_experience_numbers_short_uids_and_priorities_per_project(project, owner):
    first = make_experience(project=project, actor=owner)
    second = make_experience(project=project, actor=owner)
    services.delete_experience(experience=first, actor=owner)
    third = make_experience(project=project, actor=owner)
    other = make_experience(project=make_project(owner=owner), actor=owner)
    assert [second.short_uid, third.short_uid, other.short_uid] == ["1", "2", "0"]
    second.refresh_from_db()
    assert [second.priority, third.priority] == [1, 2]


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"type": "MULTI"}, "type"),
        ({"tags": ["no spaces"]}, "tags"),
        ({"description": "x" * 2001}, "description"),
    ],
)
def test_create_experience_refuses_bad_details(project, owner, kwargs, path):
    arguments = {
        "project": project,
        "name": "Fine",
        "description": "",
        "type": "SEGMENTED",
        "actor": owner,
    }
    with pytest.raises(ValidationFailed) as raised:
        services.create_experience(**{**arguments, **kwargs})
    assert list(raised.value.field_errors) == [path]
    assert not Experience.objects.exists()


def test_create_experience_refuses_a_duplicate_name_in_any_case(project, owner):
    make_experience(project=project, actor=owner, name="Home hero")
    with pytest.raises(Conflict, match="already exists"):
        services.create_experience(project=project, name="HOME HERO", type="SEGMENTED", actor=owner)
    make_experience(project=make_project(owner=owner), actor=owner, name="Home hero")
    assert Experience.objects.count() == 2


def test_create_experience_refuses_past_the_project_limit(project, owner, settings):
    settings.PERSONALIZE_LIMITS = {**settings.PERSONALIZE_LIMITS, "experiences_per_project": 1}
    make_experience(project=project, actor=owner)
    with pytest.raises(Conflict, match="at most 1 experiences"):
        make_experience(project=project, actor=owner)


def test_update_experience_changes_details_and_bumps_revision(project, owner):
    experience = make_experience(project=project, actor=owner, tags=["old"])
    updated = services.update_experience(
        experience=experience,
        name="Renamed",
        description="New",
        tags=["fresh"],
        expected_revision=experience.revision,
        actor=owner,
    )
    assert (updated.name, updated.description, updated.revision) == (
        "Renamed",
        "New",
        experience.revision + 1,
    )
    assert [t.name for t in updated.tags.all()] == ["fresh"]
    entry = AuditEntry.objects.filter(action="experience.update").get()
    assert entry.message == "Changed the name, description, tags."


def test_update_experience_with_stale_revision_changes_nothing(project, owner, member):
    experience = make_experience(project=project, actor=owner, name="Original")
    opened = experience.revision
    services.update_experience(
        experience=experience, name="By Marcus", expected_revision=opened, actor=member
    )
    with pytest.raises(Conflict, match="changed by marcus"):
        services.update_experience(
            experience=experience, name="By Olivia", expected_revision=opened, actor=owner
        )
    experience.refresh_from_db()
    assert experience.name == "By Marcus"


def test_update_experience_touches_live_config_only_when_live(project, owner, active):
    draft_only = make_experience(project=project, actor=owner)
    before = live_revision(project)
    services.update_experience(experience=draft_only, tags=["x"], actor=owner)
    assert live_revision(project) == before
    services.update_experience(experience=active, tags=["x"], actor=owner)
    assert live_revision(project) == before + 1


def test_update_experience_without_changes_writes_nothing(project, owner):
    experience = make_experience(project=project, actor=owner, name="Same")
    services.update_experience(experience=experience, name="Same", actor=owner)
    experience.refresh_from_db()
    assert experience.revision == 1
    assert not AuditEntry.objects.filter(action="experience.update").exists()


def test_delete_experience_moves_later_ones_up_and_touches_live_config(project, owner, active):
    later = make_experience(project=project, actor=owner)
    before = live_revision(project)
    services.delete_experience(experience=active, actor=owner)
    later.refresh_from_db()
    assert later.priority == 1
    assert live_revision(project) == before + 1
    assert not Version.objects.filter(experience_id=active.pk).exists()
    assert AuditEntry.objects.filter(action="experience.delete", object_uid=active.uid).exists()


def test_set_priorities_reorders_and_touches_live_config(project, owner):
    a, b, c = (make_experience(project=project, actor=owner) for _ in range(3))
    before = live_revision(project)
    services.set_priorities(
        project=project, ordered_experience_uids=[c.uid, a.uid, b.uid], actor=owner
    )
    assert list(Experience.objects.for_project(project).values_list("uid", flat=True)) == [
        c.uid,
        a.uid,
        b.uid,
    ]
    assert live_revision(project) == before + 1


@pytest.mark.parametrize("order", ["missing", "duplicate", "foreign", "not-a-list"])
def test_set_priorities_refuses_anything_but_the_full_list(project, owner, order):
    a, b = (
        make_experience(project=project, actor=owner),
        make_experience(project=project, actor=owner),
    )
    foreign = make_experience(project=make_project(owner=owner), actor=owner)
    orders = {
        "missing": [b.uid],
        "duplicate": [b.uid, a.uid, a.uid],
        "foreign": [b.uid, a.uid, foreign.uid],
        "not-a-list": b.uid,
    }
    with pytest.raises((Conflict, ValidationFailed)):
        services.set_priorities(project=project, ordered_experience_uids=orders[order], actor=owner)
    a.refresh_from_db()
    assert a.priority == 1


# ---------- drafts ----------


def test_save_draft_numbers_new_variants_and_keeps_sent_short_uids(project, owner, audience):
    experience = make_experience(project=project, actor=owner)
    draft = experience.versions.get()
    services.save_draft(
        version=draft, data={"variants": segmented_variants([audience], [audience])}, actor=owner
    )
    variants = [
        {"shortUid": "1", "name": "Kept", "audiences": [audience.uid]},
        {"name": "New", "audiences": [audience.uid]},
    ]
    saved = services.save_draft(
        version=draft, data={"variants": variants}, expected_revision=2, actor=owner
    )
    assert [(v.short_uid, v.name, v.position) for v in saved.variants.all()] == [
        ("1", "Kept", 0),
        ("2", "New", 1),
    ]
    assert saved.revision == 3
    assert last_action(experience) == "version.save"


def test_save_draft_with_stale_revision_overwrites_nothing(project, owner, member, audience):
    experience = make_experience(project=project, actor=owner)
    draft = experience.versions.get()
    opened = draft.revision
    services.save_draft(
        version=draft,
        data={"variants": segmented_variants([audience], names=["Marcus"])},
        expected_revision=opened,
        actor=member,
    )
    with pytest.raises(Conflict, match="Version 1 was changed by marcus"):
        services.save_draft(
            version=draft,
            data={"variants": segmented_variants([audience], names=["Olivia"])},
            expected_revision=opened,
            actor=owner,
        )
    assert list(draft.variants.values_list("name", flat=True)) == ["Marcus"]


def test_save_draft_invalid_content_changes_nothing(project, owner, audience):
    experience = make_experience(
        project=project, actor=owner, variants=segmented_variants([audience])
    )
    draft = experience.versions.get()
    with pytest.raises(ValidationFailed) as raised:
        services.save_draft(
            version=draft, data={"variants": [{"name": "", "audiences": []}]}, actor=owner
        )
    assert set(raised.value.field_errors) == {"variants[0].name", "variants[0].audiences"}
    assert list(draft.variants.values_list("name", flat=True)) == ["Variant 1"]
    draft.refresh_from_db()
    assert draft.revision == 2


@pytest.mark.parametrize("status", [ACTIVE, PAUSED, ARCHIVED])
def test_save_draft_refuses_a_locked_version(active, owner, audience, status):
    version = active.versions.get()
    Version.objects.filter(pk=version.pk).update(status=status)
    with pytest.raises(Conflict) as raised:
        services.save_draft(
            version=version, data={"variants": segmented_variants([audience])}, actor=owner
        )
    assert raised.value.code == "personalize.EXPERIENCES.VERSIONS.CANNOT_UPDATE_LOCKED_VERSION"
    assert version.variants.count() == 2


def test_create_draft_clones_the_live_version_with_its_short_uids(project, owner):
    event, second = EventFactory(project=project), EventFactory(project=project)
    audience = AudienceFactory(project=project)
    experience = make_experience(
        project=project,
        actor=owner,
        type="AB_TEST",
        activate=True,
        variants=[
            {"name": "A", "trafficDistribution": 30},
            {"name": "B", "trafficDistribution": 70},
        ],
        distributionType="CUSTOM",
        targeting={"audiences": [audience.uid], "audienceCombinationType": "OR"},
        metrics=[{"event": event.uid}, {"event": second.uid}],
    )
    draft = services.create_draft(experience=experience, actor=owner)
    assert statuses(experience) == [(1, ACTIVE), (2, DRAFT)]
    assert [(v.short_uid, v.name, str(v.traffic_percent)) for v in draft.variants.all()] == [
        ("0", "A", "30.00"),
        ("1", "B", "70.00"),
    ]
    assert (draft.distribution_type, draft.target_group, draft.targeting_combination) == (
        "CUSTOM",
        "SELECTIVE",
        "OR",
    )
    assert list(draft.targeting_audiences.all()) == [audience]
    assert list(Metric.objects.filter(version=draft).values_list("event_id", flat=True)) == [
        event.pk,
        second.pk,
    ]
    assert draft.based_on.number == 1
    assert last_action(experience) == "version.create_draft"


def test_create_draft_refuses_a_second_draft(active, owner):
    services.create_draft(experience=active, actor=owner)
    with pytest.raises(Conflict) as raised:
        services.create_draft(experience=active, actor=owner)
    assert raised.value.code == services.DRAFT_EXISTS_CODE
    assert statuses(active) == [(1, ACTIVE), (2, DRAFT)]


def test_create_draft_refuses_while_the_first_draft_exists(project, owner):
    experience = make_experience(project=project, actor=owner)
    with pytest.raises(Conflict, match="already a draft"):
        services.create_draft(experience=experience, actor=owner)


def test_create_draft_with_data_uses_it_instead_of_a_clone(active, owner, audience):
    draft = services.create_draft(
        experience=active,
        actor=owner,
        data={"variants": segmented_variants([audience], names=["Fresh"])},
    )
    assert [(v.short_uid, v.name) for v in draft.variants.all()] == [("2", "Fresh")]


def test_create_draft_race_on_the_constraint_becomes_conflict(active, owner, monkeypatch):
    """Were two requests to pass the check at once, the database constraint answers, as a Conflict."""
    services.create_draft(experience=active, actor=owner)
    monkeypatch.setattr(services, "_locked_versions", lambda experience: [])
    with pytest.raises(Conflict, match="same moment"):
        services.create_draft(experience=active, actor=owner)
    assert Version.objects.filter(experience=active, status=DRAFT).count() == 1


def test_short_uids_are_never_reused_after_a_variant_is_removed(active, owner, audience):
    draft = services.create_draft(experience=active, actor=owner)
    services.save_draft(
        version=draft,
        actor=owner,
        data={"variants": [{"shortUid": "0", "name": "Hero US", "audiences": [audience.uid]}]},
    )
    services.save_draft(
        version=draft,
        actor=owner,
        data={
            "variants": [
                {"shortUid": "0", "name": "Hero US", "audiences": [audience.uid]},
                {"name": "Added", "audiences": [audience.uid]},
            ]
        },
    )
    assert list(draft.variants.values_list("short_uid", flat=True)) == ["0", "2"]


# ---------- activation ----------


def test_activate_first_draft_makes_it_active_and_touches_live_config(project, owner, audience):
    experience = make_experience(
        project=project, actor=owner, variants=segmented_variants([audience])
    )
    before = live_revision(project)
    version = services.activate_version(version=experience.versions.get(), actor=owner)
    assert (version.status, version.activated_by) == (ACTIVE, owner)
    assert version.activated_at is not None
    assert live_revision(project) == before + 1
    assert (
        AuditEntry.objects.filter(action="version.activate").get().message == "Activated version 1."
    )


@pytest.mark.parametrize("live_status", [ACTIVE, PAUSED])
def test_activate_draft_archives_the_previous_live_version(active, owner, live_status):
    if live_status == PAUSED:
        services.pause_version(version=active.versions.get(), actor=owner)
    draft = services.create_draft(experience=active, actor=owner)
    services.activate_version(version=draft, actor=owner)
    assert statuses(active) == [(1, ARCHIVED), (2, ACTIVE)]
    archived = active.versions.get(number=1)
    assert archived.archived_by == owner and archived.archived_at is not None
    assert last_action(active) == "version.activate"


def test_activate_empty_draft_is_refused_and_changes_nothing(project, owner):
    experience = make_experience(project=project, actor=owner)
    before = live_revision(project)
    with pytest.raises(ValidationFailed) as raised:
        services.activate_version(version=experience.versions.get(), actor=owner)
    assert raised.value.message.startswith("Version 1 cannot be activated yet")
    assert raised.value.field_errors == {"variants": ["Add at least one variant."]}
    assert statuses(experience) == [(1, DRAFT)]
    assert live_revision(project) == before


def test_activate_ab_test_with_one_variant_is_refused(project, owner):
    experience = make_experience(
        project=project, actor=owner, type="AB_TEST", variants=ab_variants("Solo")
    )
    with pytest.raises(ValidationFailed, match="at least two variants"):
        services.activate_version(version=experience.versions.get(), actor=owner)
    assert statuses(experience) == [(1, DRAFT)]


def test_activate_draft_whose_audience_was_deleted_is_refused(project, owner, audience):
    from django.utils import timezone

    experience = make_experience(
        project=project, actor=owner, variants=segmented_variants([audience])
    )
    audience.deleted_at = timezone.now()
    audience.save()
    with pytest.raises(ValidationFailed) as raised:
        services.activate_version(version=experience.versions.get(), actor=owner)
    assert raised.value.field_errors["variants[0].audiences"] == [
        'The audience "US visitors" was deleted. Choose another one.'
    ]


def test_activate_with_data_saves_and_activates_together(project, owner):
    experience = make_experience(project=project, actor=owner, type="AB_TEST")
    version = services.activate_version(
        version=experience.versions.get(),
        actor=owner,
        expected_revision=1,
        data={"variants": ab_variants("A", "B")},
    )
    assert version.status == ACTIVE
    assert list(version.variants.values_list("name", "traffic_percent")) == [("A", 50), ("B", 50)]


def test_activate_with_invalid_data_saves_nothing(project, owner):
    experience = make_experience(
        project=project, actor=owner, type="AB_TEST", variants=ab_variants("A", "B")
    )
    draft = experience.versions.get()
    with pytest.raises(ValidationFailed):
        services.activate_version(
            version=draft, actor=owner, data={"variants": ab_variants("Only")}
        )
    assert list(draft.variants.values_list("name", flat=True)) == ["A", "B"]
    assert statuses(experience) == [(1, DRAFT)]


def test_activate_with_stale_revision_is_refused(project, owner, audience):
    experience = make_experience(
        project=project, actor=owner, variants=segmented_variants([audience])
    )
    with pytest.raises(Conflict, match="after you opened it"):
        services.activate_version(
            version=experience.versions.get(), actor=owner, expected_revision=1
        )
    assert statuses(experience) == [(1, DRAFT)]


@pytest.mark.parametrize("status", [ACTIVE, PAUSED, ARCHIVED])
def test_activate_refuses_a_non_draft(active, owner, status):
    version = active.versions.get()
    Version.objects.filter(pk=version.pk).update(status=status)
    with pytest.raises(Conflict, match="only a draft can be activated"):
        services.activate_version(version=version, actor=owner)


# ---------- pause and resume ----------


def test_pause_and_resume_keep_the_same_version(active, owner):
    version = active.versions.get()
    before = live_revision(active.project)
    paused = services.pause_version(version=version, actor=owner)
    assert (paused.status, paused.paused_by) == (PAUSED, owner)
    assert last_action(active) == "version.pause"
    resumed = services.resume_version(version=version, actor=owner)
    assert resumed.status == ACTIVE
    assert statuses(active) == [(1, ACTIVE)]
    assert live_revision(active.project) == before + 2
    assert last_action(active) == "version.resume"


@pytest.mark.parametrize("status", [DRAFT, PAUSED, ARCHIVED])
def test_pause_refuses_anything_but_active(active, owner, status):
    version = active.versions.get()
    Version.objects.filter(pk=version.pk).update(status=status)
    with pytest.raises(Conflict, match="only an active version can be paused"):
        services.pause_version(version=version, actor=owner)
    version.refresh_from_db()
    assert version.status == status


@pytest.mark.parametrize("status", [DRAFT, ACTIVE, ARCHIVED])
def test_resume_refuses_anything_but_paused(active, owner, status):
    version = active.versions.get()
    Version.objects.filter(pk=version.pk).update(status=status)
    with pytest.raises(Conflict, match="only a paused version can be resumed"):
        services.resume_version(version=version, actor=owner)


# ---------- discard and restore ----------


def test_discard_draft_of_a_live_experience_deletes_it(active, owner):
    draft = services.create_draft(experience=active, actor=owner)
    assert services.discard_draft(version=draft, actor=owner) is None
    assert statuses(active) == [(1, ACTIVE)]
    assert last_action(active) == "version.discard"


def test_discard_first_draft_empties_it(project, owner, audience):
    experience = make_experience(
        project=project,
        actor=owner,
        type="AB_TEST",
        variants=ab_variants("A", "B"),
        targeting={"audiences": [audience.uid]},
    )
    emptied = services.discard_draft(version=experience.versions.get(), actor=owner)
    assert statuses(experience) == [(1, DRAFT)]
    assert not emptied.variants.exists()
    assert (emptied.target_group, list(emptied.targeting_audiences.all())) == ("EVERYONE", [])
    experience.refresh_from_db()
    assert experience.next_variant_short_uid == 2


@pytest.mark.parametrize("status", [ACTIVE, PAUSED])
def test_discard_refuses_a_live_version(active, owner, status):
    version = active.versions.get()
    Version.objects.filter(pk=version.pk).update(status=status)
    with pytest.raises(Conflict, match="only a draft can be discarded"):
        services.discard_draft(version=version, actor=owner)
    assert statuses(active) == [(1, status)]


def test_restore_archived_version_as_a_new_draft(active, owner, audience):
    draft = services.create_draft(experience=active, actor=owner)
    services.save_draft(
        version=draft,
        data={"variants": segmented_variants([audience], names=["Only"])},
        actor=owner,
    )
    services.activate_version(version=draft, actor=owner)
    restored = services.restore_version(version=active.versions.get(number=1), actor=owner)
    assert statuses(active) == [(1, ARCHIVED), (2, ACTIVE), (3, DRAFT)]
    assert [(v.short_uid, v.name) for v in restored.variants.all()] == [
        ("0", "Hero US"),
        ("1", "Hero all"),
    ]
    assert restored.based_on.number == 1
    assert last_action(active) == "version.restore"


def test_restore_refuses_while_a_draft_exists(active, owner):
    draft = services.create_draft(experience=active, actor=owner)
    services.activate_version(version=draft, actor=owner)
    services.create_draft(experience=active, actor=owner)
    with pytest.raises(Conflict, match="already a draft"):
        services.restore_version(version=active.versions.get(number=1), actor=owner)


@pytest.mark.parametrize("status", [DRAFT, ACTIVE, PAUSED])
def test_restore_refuses_a_version_that_is_not_archived(active, owner, status):
    version = active.versions.get()
    Version.objects.filter(pk=version.pk).update(status=status)
    with pytest.raises(Conflict, match="only an archived version"):
        services.restore_version(version=version, actor=owner)


# ---------- database constraints ----------


def test_database_allows_one_draft_per_experience(active, owner):
    Version.objects.create(experience=active, number=2, status=DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Version.objects.create(experience=active, number=3, status=DRAFT)


def test_database_allows_one_live_version_per_experience(active, owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        Version.objects.create(experience=active, number=2, status=PAUSED)


def test_tags_are_shared_by_the_project(project, owner):
    make_experience(project=project, actor=owner, tags=["summer"])
    make_experience(project=project, actor=owner, tags=["Summer", "home"])
    assert sorted(Tag.objects.filter(project=project).values_list("name", flat=True)) == [
        "home",
        "summer",
    ]
