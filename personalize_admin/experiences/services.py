"""Experience and version actions, shared by the web UI and the Management API.

Each function is one transaction: it locks the rows it changes, checks the move
with the model's ``ensure_*`` guards, changes state, writes the audit entry and,
when what the Edge API serves may change, calls ``touch_live_config``. A refused
action raises a ``DomainError`` and changes nothing.

Lock order, to keep concurrent actions free of deadlocks: the project row first
(only actions that change what the Edge API serves or the project's counters
take it), then the experience, then its versions.
"""

import re
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from personalize_admin.core import audit
from personalize_admin.core.errors import Conflict, ValidationFailed
from personalize_admin.core.revisions import bump, lock_for_update
from personalize_admin.projects.models import Project
from personalize_admin.projects.services import touch_live_config

from .content import validate_content, version_content
from .models import (
    LIVE_STATUSES,
    CombinationType,
    DistributionType,
    Experience,
    ExperienceType,
    Metric,
    Tag,
    TargetGroup,
    Variant,
    VariantAudience,
    Version,
    VersionStatus,
)

TAG_RE = re.compile(r"^[A-Za-z0-9_:-]+$")
MAX_TAGS = 20
DRAFT_EXISTS_CODE = "personalize.EXPERIENCES.VERSIONS.CANNOT_CREATE_VERSION_AS_DRAFT_ALREADY_EXISTS"


# ---------- cleaning general details ----------


def _field_error(path, message, code):
    return ValidationFailed(message, code=code, field_errors={path: [message]})


def _clean_name(name):
    name = (name or "").strip() if isinstance(name, str) or name is None else ""
    if not name:
        raise _field_error(
            "name", "Please enter an experience name", "personalize.EXPERIENCES.NAME_REQUIRED"
        )
    limit = Experience._meta.get_field("name").max_length
    if len(name) > limit:
        raise _field_error(
            "name",
            f"An experience name has at most {limit} characters.",
            "personalize.EXPERIENCES.NAME_TOO_LONG",
        )
    return name


def _clean_description(description):
    description = (
        (description or "").strip() if isinstance(description, str) or description is None else ""
    )
    limit = Experience._meta.get_field("description").max_length
    if len(description) > limit:
        raise _field_error(
            "description",
            f"A description has at most {limit} characters.",
            "personalize.EXPERIENCES.DESCRIPTION_TOO_LONG",
        )
    return description


def clean_tags(tags):
    """Tags from a list or a comma-separated string: lowercase, unique, ``[a-z0-9-_:]``."""
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    if not isinstance(tags, (list, tuple)):
        raise _field_error(
            "tags", "Send tags as a list of words.", "personalize.EXPERIENCES.INVALID_TAGS"
        )
    limit = Tag._meta.get_field("name").max_length
    cleaned = []
    for tag in tags:
        tag = tag.strip().lower() if isinstance(tag, str) else ""
        if not tag:
            continue
        if not TAG_RE.match(tag):
            raise _field_error(
                "tags",
                f'The tag "{tag}" may use only letters, digits, "-", "_" and ":".',
                "personalize.EXPERIENCES.INVALID_TAGS",
            )
        if len(tag) > limit:
            raise _field_error(
                "tags",
                f"A tag has at most {limit} characters.",
                "personalize.EXPERIENCES.INVALID_TAGS",
            )
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise _field_error(
            "tags",
            f"An experience has at most {MAX_TAGS} tags.",
            "personalize.EXPERIENCES.INVALID_TAGS",
        )
    return cleaned


def _clean_type(value):
    if value not in ExperienceType.values:
        raise _field_error(
            "type",
            "Please select an experience type: Segmented or A/B Test.",
            "personalize.EXPERIENCES.INVALID_TYPE",
        )
    return ExperienceType(value)


def _duplicate_name(name):
    message = f'An experience named "{name}" already exists in this project. Choose another name.'
    return Conflict(
        message, code="personalize.EXPERIENCES.DUPLICATE_NAME", field_errors={"name": [message]}
    )


def _save_with_unique_name(experience, name):
    others = Experience.objects.filter(project=experience.project, name__iexact=name).exclude(
        pk=experience.pk
    )
    if others.exists():
        raise _duplicate_name(name)
    try:
        with transaction.atomic():
            experience.save()
    except IntegrityError:
        raise _duplicate_name(name) from None


def _set_tags(experience, names):
    existing = {
        tag.name: tag for tag in Tag.objects.filter(project=experience.project, name__in=names)
    }
    missing = [Tag(project=experience.project, name=name) for name in names if name not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {
            tag.name: tag for tag in Tag.objects.filter(project=experience.project, name__in=names)
        }
    experience.tags.set([existing[name] for name in names])


def _tag_names(experience):
    return sorted(tag.name for tag in experience.tags.all())


# ---------- locking and shared steps ----------


def _lock_project(project):
    return Project.objects.select_for_update().get(pk=project.pk)


def _lock_experience(experience, expected_revision=None):
    return lock_for_update(
        experience,
        expected_revision,
        what="This experience",
        code="personalize.EXPERIENCES.STALE_REVISION",
    )


def _lock_version(version, expected_revision=None):
    fresh = lock_for_update(
        version,
        expected_revision,
        what=f"Version {version.number}",
        code="personalize.EXPERIENCES.VERSIONS.STALE_REVISION",
    )
    return fresh


def _locked_versions(experience):
    return list(
        Version.objects.select_for_update().filter(experience=experience).order_by("number")
    )


@contextmanager
def _conflict_on_race(message, code):
    """A unique constraint that fires because of a concurrent action becomes the
    same ``Conflict`` a sequential call gets."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise Conflict(message, code=code) from None


def _touch_experience(experience, actor):
    """Modified at/by on the experience follows every change to it or its versions."""
    experience.updated_by = actor
    Experience.objects.filter(pk=experience.pk).update(updated_at=timezone.now(), updated_by=actor)


def _record(experience, actor, action, message, **details):
    audit.record(
        project=experience.project,
        actor=actor,
        action=action,
        obj=experience,
        message=message,
        details=details,
    )


def _draft_exists_error(draft):
    return Conflict(
        f"Version {draft.number} is already a draft of this experience; an experience has at most one draft. "
        "Edit it, activate it or discard it first.",
        code=DRAFT_EXISTS_CODE,
    )


def _next_number(experience):
    return (Version.objects.filter(experience=experience).aggregate(n=Max("number"))["n"] or 0) + 1


def _write_content(version, experience, content):
    """Replace the draft's variants and A/B settings with ``content``."""
    Variant.objects.filter(version=version).delete()
    variants = []
    for position, clean in enumerate(content.variants):
        short_uid = clean.short_uid
        if short_uid is None:
            short_uid = str(experience.next_variant_short_uid)
            experience.next_variant_short_uid += 1
        variants.append(
            Variant(
                version=version,
                short_uid=short_uid,
                name=clean.name,
                position=position,
                audience_combination=clean.combination,
                traffic_percent=clean.traffic_percent if experience.is_ab_test else None,
            )
        )
    Experience.objects.filter(pk=experience.pk).update(
        next_variant_short_uid=experience.next_variant_short_uid
    )
    Variant.objects.bulk_create(variants)
    VariantAudience.objects.bulk_create(
        VariantAudience(variant=variant, audience=audience, position=position)
        for variant, clean in zip(variants, content.variants, strict=True)
        for position, audience in enumerate(clean.audiences)
    )
    version.distribution_type = content.distribution_type
    version.target_group = content.target_group
    version.targeting_combination = content.targeting_combination
    version.targeting_audiences.set(content.targeting_audiences)
    Metric.objects.filter(version=version).delete()
    Metric.objects.bulk_create(
        Metric(version=version, event=event, position=position)
        for position, event in enumerate(content.metrics)
    )


def _copy_content(source, target):
    """Copy a version's variants (keeping their short UIDs) and A/B settings into ``target``."""
    source_variants = list(source.variants.prefetch_related("audience_links"))
    copies = Variant.objects.bulk_create(
        Variant(
            version=target,
            short_uid=variant.short_uid,
            name=variant.name,
            position=variant.position,
            audience_combination=variant.audience_combination,
            traffic_percent=variant.traffic_percent,
        )
        for variant in source_variants
    )
    VariantAudience.objects.bulk_create(
        VariantAudience(variant=copy, audience_id=link.audience_id, position=link.position)
        for variant, copy in zip(source_variants, copies, strict=True)
        for link in variant.audience_links.all()
    )
    target.targeting_audiences.set(source.targeting_audiences.all())
    Metric.objects.bulk_create(
        Metric(version=target, event_id=metric.event_id, position=metric.position)
        for metric in source.metrics.all()
    )


def _new_version(experience, actor, *, based_on=None, content=None):
    """Insert the experience's draft (the experience row must be locked)."""
    version = Version(
        experience=experience,
        number=_next_number(experience),
        status=VersionStatus.DRAFT,
        created_by=actor,
        updated_by=actor,
        based_on=based_on,
    )
    if based_on is not None:
        version.distribution_type = based_on.distribution_type
        version.target_group = based_on.target_group
        version.targeting_combination = based_on.targeting_combination
    with _conflict_on_race(
        "Another draft of this experience was created at the same moment; an experience has at most one draft.",
        DRAFT_EXISTS_CODE,
    ):
        version.save()
    if based_on is not None:
        _copy_content(based_on, version)
    elif content is not None:
        _write_content(version, experience, content)
        version.save()
    return version


# ---------- experiences ----------


@transaction.atomic
def create_experience(*, project, name, description="", type, tags=(), actor):
    """Create an experience with Version 1 as an empty draft, last in priority."""
    name = _clean_name(name)
    description = _clean_description(description)
    type = _clean_type(type)
    tags = clean_tags(tags)
    project = _lock_project(project)
    limit = settings.PERSONALIZE_LIMITS["experiences_per_project"]
    if Experience.objects.filter(project=project).count() >= limit:
        raise Conflict(
            f"A project has at most {limit} experiences. Delete one you no longer need first.",
            code="personalize.EXPERIENCES.LIMIT_REACHED",
        )
    lowest = Experience.objects.filter(project=project).aggregate(p=Max("priority"))["p"] or 0
    experience = Experience(
        project=project,
        short_uid=str(project.next_experience_short_uid),
        name=name,
        description=description,
        type=type,
        priority=lowest + 1,
        created_by=actor,
        updated_by=actor,
    )
    _save_with_unique_name(experience, name)
    Project.objects.filter(pk=project.pk).update(
        next_experience_short_uid=project.next_experience_short_uid + 1
    )
    _set_tags(experience, tags)
    Version.objects.create(experience=experience, number=1, created_by=actor, updated_by=actor)
    _record(
        experience,
        actor,
        "experience.create",
        f'Created the {experience.get_type_display()} experience "{name}".',
    )
    return experience


@transaction.atomic
def update_experience(
    *, experience, actor, name=None, description=None, tags=None, expected_revision=None
):
    """Change general details; ``None`` keeps a value as it is."""
    project = _lock_project(experience.project)
    locked = _lock_experience(experience, expected_revision)
    locked.project = project
    before = {"name": locked.name, "description": locked.description, "tags": _tag_names(locked)}
    after = {
        "name": _clean_name(name) if name is not None else locked.name,
        "description": _clean_description(description)
        if description is not None
        else locked.description,
        "tags": sorted(clean_tags(tags)) if tags is not None else before["tags"],
    }
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if not changed:
        return locked
    locked.name = after["name"]
    locked.description = after["description"]
    locked.updated_by = actor
    bump(locked)
    _save_with_unique_name(locked, locked.name)
    if "tags" in changed:
        _set_tags(locked, after["tags"])
    if Version.objects.filter(experience=locked, status__in=LIVE_STATUSES).exists():
        touch_live_config(project)
    labels = {"name": "name", "description": "description", "tags": "tags"}
    _record(
        locked,
        actor,
        "experience.update",
        f"Changed the {', '.join(labels[k] for k in changed)}.",
        **changed,
    )
    return locked


@transaction.atomic
def delete_experience(*, experience, actor):
    """Delete an experience with all its versions; later ones move up in priority."""
    project = _lock_project(experience.project)
    locked = _lock_experience(experience)
    was_live = Version.objects.filter(experience=locked, status__in=LIVE_STATUSES).exists()
    audit.record(
        project=project,
        actor=actor,
        action="experience.delete",
        obj=locked,
        message=f'Deleted the experience "{locked.name}".',
    )
    priority = locked.priority
    locked.delete()
    for other in Experience.objects.filter(project=project, priority__gt=priority).order_by(
        "priority", "pk"
    ):
        Experience.objects.filter(pk=other.pk).update(priority=other.priority - 1)
    if was_live:
        touch_live_config(project)


@transaction.atomic
def set_priorities(*, project, ordered_experience_uids, actor):
    """Put the project's experiences in this order (the full list, highest priority first)."""
    project = _lock_project(project)
    experiences = list(
        Experience.objects.select_for_update().filter(project=project).order_by("priority", "pk")
    )
    if not isinstance(ordered_experience_uids, (list, tuple)) or not all(
        isinstance(uid, str) for uid in ordered_experience_uids
    ):
        raise _field_error(
            "priorityOrder",
            "Send the order as a list of experience UIDs.",
            "personalize.EXPERIENCES.INVALID_ORDER",
        )
    by_uid = {experience.uid: experience for experience in experiences}
    ordered = list(ordered_experience_uids)
    if len(set(ordered)) != len(ordered):
        raise _field_error(
            "priorityOrder",
            "Each experience may appear only once in the order.",
            "personalize.EXPERIENCES.INVALID_ORDER",
        )
    if set(ordered) != set(by_uid):
        missing = len(set(by_uid) - set(ordered))
        unknown = len(set(ordered) - set(by_uid))
        raise ValidationFailed(
            "The order must list every experience of the project exactly once "
            f"({missing} missing, {unknown} unknown). Reload to see the current experiences, then try again.",
            code="personalize.EXPERIENCES.INVALID_ORDER",
            field_errors={"priorityOrder": ["List every experience of the project exactly once."]},
        )
    changed = []
    for position, uid in enumerate(ordered, start=1):
        experience = by_uid[uid]
        if experience.priority != position:
            Experience.objects.filter(pk=experience.pk).update(priority=position)
            changed.append(uid)
    if changed:
        touch_live_config(project)
        audit.record(
            project=project,
            actor=actor,
            action="experience.priorities",
            obj=project,
            message="Changed the priority order of the experiences.",
            details={"order": ordered},
        )
    return changed


# ---------- versions ----------


@transaction.atomic
def save_draft(*, version, data, actor, expected_revision=None):
    """Replace a draft's content with ``data`` (the API's JSON shape)."""
    experience = _lock_experience(version.experience)
    version = _lock_version(version, expected_revision)
    version.ensure_editable()
    content = validate_content(experience=experience, data=data)
    _write_content(version, experience, content)
    version.updated_by = actor
    bump(version)
    version.save()
    _touch_experience(experience, actor)
    _record(
        experience,
        actor,
        "version.save",
        f"Saved the draft (version {version.number}).",
        version=version.number,
        version_uid=version.uid,
    )
    version.experience = experience
    return version


@transaction.atomic
def activate_version(*, version, actor, expected_revision=None, data=None):
    """Make the draft the Active version and archive the previous live one.

    With ``data`` the draft is saved first, in the same transaction, so a
    refused activation leaves the draft as it was.
    """
    project = _lock_project(version.experience.project)
    experience = _lock_experience(version.experience)
    experience.project = project
    versions = {v.pk: v for v in _locked_versions(experience)}
    current = versions.get(version.pk)
    if current is None:
        raise Conflict(
            "This version no longer exists; it was discarded.",
            code="personalize.EXPERIENCES.VERSIONS.GONE",
        )
    current = _lock_version(current, expected_revision)
    current.ensure_can_activate()
    try:
        content = validate_content(
            experience=experience,
            data=data if data is not None else version_content(current),
            require_complete=True,
        )
    except ValidationFailed as error:
        raise ValidationFailed(
            f"Version {current.number} cannot be activated yet: {error.message}",
            code="personalize.EXPERIENCES.VERSIONS.CANNOT_ACTIVATE_INVALID",
            field_errors=error.field_errors,
        ) from None
    if data is not None:
        _write_content(current, experience, content)
        bump(current)
    now = timezone.now()
    previous = next((v for v in versions.values() if v.status in LIVE_STATUSES), None)
    if previous is not None:
        previous.status = VersionStatus.ARCHIVED
        previous.archived_at = now
        previous.archived_by = actor
        bump(previous)
        previous.save()
    current.status = VersionStatus.ACTIVE
    current.activated_at = now
    current.activated_by = actor
    current.updated_by = actor
    bump(current)
    with _conflict_on_race(
        "Another version of this experience was activated at the same moment. Reload to see it.",
        "personalize.EXPERIENCES.VERSIONS.CANNOT_ACTIVATE_NON_DRAFT",
    ):
        current.save()
    _touch_experience(experience, actor)
    touch_live_config(project)
    message = f"Activated version {current.number}"
    message += f" and archived version {previous.number}." if previous else "."
    _record(
        experience,
        actor,
        "version.activate",
        message,
        version=current.number,
        version_uid=current.uid,
        archived_version=previous.number if previous else None,
    )
    current.experience = experience
    return current


@transaction.atomic
def create_draft(*, experience, actor, data=None):
    """Create the experience's draft: a full clone of the live version, or ``data``."""
    experience = _lock_experience(experience)
    versions = _locked_versions(experience)
    draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)
    if draft is not None:
        raise _draft_exists_error(draft)
    live = next((v for v in versions if v.status in LIVE_STATUSES), None)
    if data is not None:
        content = validate_content(experience=experience, data=data)
        version = _new_version(experience, actor, content=content)
        message = f"Created version {version.number} as a draft."
    else:
        version = _new_version(experience, actor, based_on=live)
        message = (
            f"Created version {version.number} as a draft from version {live.number}."
            if live
            else f"Created version {version.number} as an empty draft."
        )
    _touch_experience(experience, actor)
    _record(
        experience,
        actor,
        "version.create_draft",
        message,
        version=version.number,
        version_uid=version.uid,
    )
    version.experience = experience
    return version


def _live_move(version, actor, *, guard, status, action, verb, expected_revision=None):
    project = _lock_project(version.experience.project)
    experience = _lock_experience(version.experience)
    experience.project = project
    version = _lock_version(version, expected_revision)
    getattr(version, guard)()
    version.status = status
    if status == VersionStatus.PAUSED:
        version.paused_at = timezone.now()
        version.paused_by = actor
    version.updated_by = actor
    bump(version)
    version.save()
    _touch_experience(experience, actor)
    touch_live_config(project)
    _record(
        experience,
        actor,
        action,
        f"{verb} version {version.number}.",
        version=version.number,
        version_uid=version.uid,
    )
    version.experience = experience
    return version


@transaction.atomic
def pause_version(*, version, actor, expected_revision=None):
    """Stop personalizing with the Active version; visitors see the base entry."""
    return _live_move(
        version,
        actor,
        guard="ensure_can_pause",
        expected_revision=expected_revision,
        status=VersionStatus.PAUSED,
        action="version.pause",
        verb="Paused",
    )


@transaction.atomic
def resume_version(*, version, actor, expected_revision=None):
    """Make the Paused version Active again (its analytics continue)."""
    return _live_move(
        version,
        actor,
        guard="ensure_can_resume",
        expected_revision=expected_revision,
        status=VersionStatus.ACTIVE,
        action="version.resume",
        verb="Resumed",
    )


@transaction.atomic
def discard_draft(*, version, actor, expected_revision=None):
    """Delete the draft, or empty it when the experience was never activated.

    Returns the emptied draft, or ``None`` when it was deleted.
    """
    experience = _lock_experience(version.experience)
    versions = _locked_versions(experience)
    version = _lock_version(version, expected_revision)
    version.ensure_can_discard()
    never_activated = not any(v.status != VersionStatus.DRAFT for v in versions)
    if never_activated:
        Variant.objects.filter(version=version).delete()
        Metric.objects.filter(version=version).delete()
        version.targeting_audiences.clear()
        version.distribution_type = DistributionType.EQUAL
        version.target_group = TargetGroup.EVERYONE
        version.targeting_combination = CombinationType.AND
        version.updated_by = actor
        bump(version)
        version.save()
        result = version
        message = f"Discarded the changes to version {version.number}; it is an empty draft again."
    else:
        version.delete()
        result = None
        message = f"Discarded the draft (version {version.number})."
    _touch_experience(experience, actor)
    _record(experience, actor, "version.discard", message, version=version.number)
    return result


@transaction.atomic
def restore_version(*, version, actor):
    """Copy an archived version into a new draft (the archived one stays as it is)."""
    experience = _lock_experience(version.experience)
    versions = _locked_versions(experience)
    version = _lock_version(version)
    version.ensure_can_restore()
    draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)
    if draft is not None:
        raise _draft_exists_error(draft)
    restored = _new_version(experience, actor, based_on=version)
    _touch_experience(experience, actor)
    _record(
        experience,
        actor,
        "version.restore",
        f"Restored version {version.number} as a draft (version {restored.number}).",
        version=restored.number,
        version_uid=restored.uid,
        restored_from=version.number,
    )
    restored.experience = experience
    return restored
