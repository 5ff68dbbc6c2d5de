"""Compiled snapshots of a project's live configuration, cached per process.

The Edge API decides from a ``Snapshot``: the project's live versions in
priority order with their variants, bucket ranges and targeting, the audiences
they use compiled once, and the project's event keys. Building one costs a
dozen queries; serving from one costs none.

Freshness rests on ``Project.live_config_revision``, which every change that
affects what the Edge API serves bumps inside its own transaction (activation,
pause, resume, priorities, audience, attribute and event edits…). The manifest's
one query reads the revision together with the visitor's attributes, and
``current_snapshot(project_uid, revision)`` returns this process's snapshot when
it is at least that recent, or builds a new one. So every process sees a change
on its next request, with no message between processes and no cache to clear.

A snapshot is consistent with its revision: ``build_snapshot`` reads the
revision, then the configuration, then the revision again, and starts over
when the two differ. A change commits its content and its revision bump
together, so if no bump became visible between the two reads, no change did
either, and every query in between saw the same configuration (this holds on
PostgreSQL's READ COMMITTED and on SQLite alike). Readers swap the whole
snapshot object in one assignment, so a request holds either the old snapshot
or the new one, never a mix.

Rebuilds are guarded by a per-project lock so that concurrent requests in a
process wait for one rebuild instead of all doing it. Snapshots are keyed by
the project's uid (random and never reused), not its row id, which a test
database may hand out again after a rollback.
"""

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal

from personalize_admin.audiences.models import Attribute, Audience, Event
from personalize_admin.audiences.rules import CompileError, compile_definition, iter_rules
from personalize_admin.audiences.rules import catalog as rules_catalog
from personalize_admin.experiences.models import (
    LIVE_STATUSES,
    CombinationType,
    Experience,
    ExperienceType,
    Metric,
    TargetGroup,
    Variant,
    VariantAudience,
    Version,
    VersionStatus,
)
from personalize_admin.projects.models import Project

from .buckets import BUCKETS, hash_seed
from .compiler import compile_audiences

logger = logging.getLogger(__name__)

MAX_BUILD_ATTEMPTS = 5


class ConfigurationChanging(Exception):
    """The configuration kept changing while a snapshot was being read."""


@dataclass(frozen=True, slots=True)
class LiveAudience:
    id: int
    uid: str
    name: str
    compiled: object  # CompiledDefinition (for explanations), or None when it cannot be compiled
    error: str = ""


@dataclass(frozen=True, slots=True)
class LiveVariant:
    id: int
    short_uid: str
    name: str
    # Segmented: indices into ``Snapshot.audiences`` and whether all must match.
    audiences: tuple = ()
    match_all: bool = True
    # A/B: the share of traffic and the bucket range [start, end) it takes.
    group: int = -1  # segmented: where ``evaluate`` reports whether the audiences match
    percent: Decimal | None = None
    bucket_start: int = 0
    bucket_end: int = 0
    # Manifest fragments with this variant active (see ``decisions.manifest_json``):
    # '{"shortUid":"3","activeVariantShortUid":"1"}' and '"3":"1"'.
    json_entry: str = ""
    json_active: str = ""


@dataclass(frozen=True, slots=True)
class LiveExperience:
    id: int
    uid: str
    short_uid: str
    name: str
    type: str
    priority: int
    tags: frozenset
    version_id: int
    version_number: int
    status: str
    variants: tuple
    variants_by_short_uid: dict
    # A/B: (audience indices, match_all) for a Selective target group, else None.
    targeting: tuple | None = None
    targeting_group: int = -1
    # A/B: the first bucket past each variant's range, in variant order.
    bucket_ends: tuple = ()
    hash_seed: int = 0  # see ``decisions.hash_seed``
    metric_event_ids: tuple = ()
    # Manifest fragments with no variant active: '{"shortUid":"3","activeVariantShortUid":null}'
    # and '"3":null'.
    json_entry: str = ""
    json_active: str = ""

    @property
    def is_ab_test(self):
        return self.type == ExperienceType.AB_TEST

    @property
    def is_paused(self):
        return self.status == VersionStatus.PAUSED


@dataclass(frozen=True, slots=True)
class Snapshot:
    project_id: int
    project_uid: str
    revision: int
    experiences: tuple  # LiveExperience, highest priority first
    audiences: tuple  # LiveAudience; variants refer to them by index
    # evaluate(presets, custom) → (every audience's result by index, every group's
    # result by ``LiveVariant.group`` / ``LiveExperience.targeting_group``); see ``compiler``.
    evaluate: object
    presets_used: frozenset  # preset refs the audiences read
    event_ids_by_key: dict
    # Event id → ids of the A/B versions whose metrics include it.
    metric_versions_by_event: dict
    built_at: float = field(default_factory=time.time)

    @property
    def experiences_by_short_uid(self):
        return {experience.short_uid: experience for experience in self.experiences}


def bucket_ends(percents):
    """The end of each variant's bucket range for traffic ``percents`` (in variant order).

    Ranges are consecutive and cover exactly ``BUCKETS``: each end is the
    cumulative share rounded to a bucket, so rounding never leaves a gap or an
    overlap. Missing shares count as 0; when all are 0 the split is equal.
    """
    shares = [Decimal(p) if p is not None and Decimal(p) > 0 else Decimal(0) for p in percents]
    total = sum(shares)
    if not shares:
        return ()
    if total <= 0:
        shares, total = [Decimal(1)] * len(shares), Decimal(len(shares))
    ends, running = [], Decimal(0)
    for share in shares:
        running += share
        ends.append(int((running * BUCKETS / total).to_integral_value()))
    ends[-1] = BUCKETS
    return tuple(ends)


def _compile_audiences(project_id, audience_ids):
    attributes = dict(Attribute.objects.filter(project_id=project_id).values_list("uid", "key"))
    rows = Audience.objects.filter(project_id=project_id, pk__in=audience_ids).values_list(
        "pk", "uid", "name", "definition"
    )
    audiences, presets = [], set()
    for pk, uid, name, definition in sorted(rows):
        try:
            compiled = compile_definition(definition, attributes_by_uid=attributes)
        except CompileError as error:
            # Data written around the validator: this audience matches nobody, the rest serve.
            logger.error("Audience %s cannot be compiled for the Edge API: %s", uid, error)
            audiences.append(LiveAudience(pk, uid, name, None, str(error)))
            continue
        audiences.append(LiveAudience(pk, uid, name, compiled))
        for rule in iter_rules(definition):
            reference = rule.get("attribute") or {}
            if reference.get("__type") == rules_catalog.PRESET_REFERENCE:
                presets.add(reference.get("ref"))
    return audiences, presets, attributes


def _read_configuration(project_id, project_uid, revision):
    versions = list(
        Version.objects.filter(experience__project_id=project_id, status__in=LIVE_STATUSES)
        .order_by("experience__priority", "experience_id")
        .values(
            "pk",
            "number",
            "status",
            "target_group",
            "targeting_combination",
            "experience_id",
            "experience__uid",
            "experience__short_uid",
            "experience__name",
            "experience__type",
            "experience__priority",
            "experience__seed",
        )
    )
    version_ids = [version["pk"] for version in versions]
    experience_ids = [version["experience_id"] for version in versions]
    tags = {}
    tag_links = Experience.tags.through.objects.filter(
        experience_id__in=experience_ids
    ).values_list("experience_id", "tag__name")
    for experience_id, tag in tag_links:
        tags.setdefault(experience_id, set()).add(tag)
    variants = {}
    for row in (
        Variant.objects.filter(version_id__in=version_ids)
        .order_by("version_id", "position", "pk")
        .values("pk", "version_id", "short_uid", "name", "audience_combination", "traffic_percent")
    ):
        variants.setdefault(row["version_id"], []).append(row)
    variant_audiences = {}
    for variant_id, audience_id in (
        VariantAudience.objects.filter(variant__version_id__in=version_ids)
        .order_by("variant_id", "position", "pk")
        .values_list("variant_id", "audience_id")
    ):
        variant_audiences.setdefault(variant_id, []).append(audience_id)
    targeting = {}
    for version_id, audience_id in (
        Version.targeting_audiences.through.objects.filter(version_id__in=version_ids)
        .order_by("pk")
        .values_list("version_id", "audience_id")
    ):
        targeting.setdefault(version_id, []).append(audience_id)
    metrics = {}
    for version_id, event_id in (
        Metric.objects.filter(version_id__in=version_ids)
        .order_by("version_id", "position", "pk")
        .values_list("version_id", "event_id")
    ):
        metrics.setdefault(version_id, []).append(event_id)
    events = dict(
        Event.objects.filter(project_id=project_id, deleted_at__isnull=True).values_list(
            "key", "pk"
        )
    )

    used = {aid for ids in variant_audiences.values() for aid in ids}
    used.update(aid for ids in targeting.values() for aid in ids)
    audiences, presets, attributes = _compile_audiences(project_id, used)
    index_of = {audience.id: index for index, audience in enumerate(audiences)}

    def indices(audience_ids):
        return tuple(index_of[aid] for aid in audience_ids if aid in index_of)

    experiences = []
    metric_versions = {}
    groups = []

    def group(audience_ids, match_all):
        groups.append((indices(audience_ids), match_all))
        return len(groups) - 1

    for version in versions:
        is_ab = version["experience__type"] == ExperienceType.AB_TEST
        rows = variants.get(version["pk"], [])
        short_uid_json = json.dumps(version["experience__short_uid"])
        entry_prefix = '{"shortUid":' + short_uid_json + ',"activeVariantShortUid":'
        ends = bucket_ends([row["traffic_percent"] for row in rows]) if is_ab else ()
        live_variants = []
        for position, row in enumerate(rows):
            live_variants.append(
                LiveVariant(
                    id=row["pk"],
                    short_uid=row["short_uid"],
                    name=row["name"],
                    audiences=indices(variant_audiences.get(row["pk"], ())),
                    match_all=row["audience_combination"] != CombinationType.OR,
                    group=-1
                    if is_ab
                    else group(
                        variant_audiences.get(row["pk"], ()),
                        row["audience_combination"] != CombinationType.OR,
                    ),
                    percent=row["traffic_percent"],
                    bucket_start=ends[position - 1] if is_ab and position else 0,
                    bucket_end=ends[position] if is_ab else 0,
                    json_entry=entry_prefix + json.dumps(row["short_uid"]) + "}",
                    json_active=short_uid_json + ":" + json.dumps(row["short_uid"]),
                )
            )
        selective = is_ab and version["target_group"] == TargetGroup.SELECTIVE
        targeting_match_all = version["targeting_combination"] != CombinationType.OR
        event_ids = tuple(metrics.get(version["pk"], ())) if is_ab else ()
        for event_id in event_ids:
            metric_versions.setdefault(event_id, []).append(version["pk"])
        uid, seed = version["experience__uid"], version["experience__seed"]
        experiences.append(
            LiveExperience(
                id=version["experience_id"],
                uid=uid,
                short_uid=version["experience__short_uid"],
                name=version["experience__name"],
                type=version["experience__type"],
                priority=version["experience__priority"],
                tags=frozenset(tags.get(version["experience_id"], ())),
                version_id=version["pk"],
                version_number=version["number"],
                status=version["status"],
                variants=tuple(live_variants),
                variants_by_short_uid={variant.short_uid: variant for variant in live_variants},
                targeting=(
                    (indices(targeting.get(version["pk"], ())), targeting_match_all)
                    if selective
                    else None
                ),
                targeting_group=(
                    group(targeting.get(version["pk"], ()), targeting_match_all)
                    if selective
                    else -1
                ),
                bucket_ends=ends,
                hash_seed=hash_seed(uid, seed),
                metric_event_ids=event_ids,
                json_entry=entry_prefix + "null}",
                json_active=short_uid_json + ":null",
            )
        )
    return Snapshot(
        project_id=project_id,
        project_uid=project_uid,
        revision=revision,
        experiences=tuple(experiences),
        audiences=tuple(audiences),
        evaluate=compile_audiences(
            [audience.compiled.definition if audience.compiled else None for audience in audiences],
            attributes_by_uid=attributes,
            groups=groups,
        ),
        presets_used=frozenset(presets),
        event_ids_by_key=events,
        metric_versions_by_event={key: tuple(ids) for key, ids in metric_versions.items()},
    )


def _revision(project_uid):
    return Project.objects.filter(uid=project_uid).values_list("pk", "live_config_revision").first()


def build_snapshot(project_uid):
    """A snapshot of the project's live configuration as last committed, or
    ``None`` when the project does not exist. See the module docstring for why
    it is consistent with its revision."""
    for _attempt in range(MAX_BUILD_ATTEMPTS):
        before = _revision(project_uid)
        if before is None:
            return None
        project_id, revision = before
        snapshot = _read_configuration(project_id, project_uid, revision)
        if _revision(project_uid) == before:
            return snapshot
    raise ConfigurationChanging(
        f"The configuration of project {project_uid} changed during {MAX_BUILD_ATTEMPTS} reads."
    )


_snapshots = {}
_locks = {}
_locks_guard = threading.Lock()


def _lock_for(project_uid):
    lock = _locks.get(project_uid)
    if lock is None:
        with _locks_guard:
            lock = _locks.setdefault(project_uid, threading.Lock())
    return lock


def current_snapshot(project_uid, revision):
    """This process's snapshot of the project at ``revision`` or later.

    ``revision`` is what the caller just read from the database; an older
    snapshot is rebuilt (once per process, however many requests ask). Returns
    ``None`` when the project no longer exists.
    """
    snapshot = _snapshots.get(project_uid)
    if snapshot is not None and snapshot.revision >= revision:
        return snapshot
    with _lock_for(project_uid):
        snapshot = _snapshots.get(project_uid)
        if snapshot is not None and snapshot.revision >= revision:
            return snapshot
        snapshot = build_snapshot(project_uid)
        if snapshot is None:
            _snapshots.pop(project_uid, None)
        else:
            _snapshots[project_uid] = snapshot
        return snapshot


def snapshot_for_project(project):
    """The current snapshot of ``project`` (for pages that already hold the project row)."""
    revision = (
        Project.objects.filter(pk=project.pk).values_list("live_config_revision", flat=True).first()
    )
    if revision is None:
        return None
    return current_snapshot(project.uid, revision)


def clear_snapshots():
    """Forget every cached snapshot (tests that rewrite rows behind the services)."""
    _snapshots.clear()


__all__ = [
    "BUCKETS",
    "ConfigurationChanging",
    "LiveAudience",
    "LiveExperience",
    "LiveVariant",
    "Snapshot",
    "build_snapshot",
    "bucket_ends",
    "clear_snapshots",
    "current_snapshot",
    "snapshot_for_project",
]
