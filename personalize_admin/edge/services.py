"""What the Edge API reads and changes: visitors' attributes and events.

- ``manifest_context(project_uid, user_uid)``: the manifest's one query (the
  project's live configuration revision and the visitor's stored attributes)
  → ``(snapshot, stored attributes)``.
- ``project_snapshot(project_uid)``: the same without a visitor (events).
- ``set_attributes`` / ``merge_visitors``: ``PATCH /user-attributes`` and
  ``POST /user-attributes/actions/merge``.
- ``ingest_events(snapshot=, user_uid=, payload=)``: validates a ``POST /events``
  body against the live configuration and stores it with ``record_events``, all
  or nothing; ``record_events`` also keeps the analytics counts up to date in
  the same transaction (``analytics.counting``).

Each writing function is one transaction and raises ``EdgeError`` (nothing
changed) for input it refuses.
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.db import connection, transaction
from django.utils import timezone

from personalize_admin.analytics.counting import count_events
from personalize_admin.projects.models import Project

from .errors import bad_request, project_not_found
from .models import EdgeEvent, EventKind, Visitor
from .protocol import clean_attributes, limits
from .snapshot import current_snapshot

IMPRESSION = "IMPRESSION"
EVENT = "EVENT"


# ---------- reading ----------


@cache
def _manifest_sql(vendor):
    # Raw SQL because this runs on every manifest: building the same query with
    # the ORM costs more than running it. Table and column names come from the
    # models, so a rename cannot leave it behind.
    quote = connection.ops.quote_name
    project, visitor = Project._meta, Visitor._meta
    return (
        f"SELECT p.{quote('id')}, p.{quote('live_config_revision')}, v.{quote('attributes')} "
        f"FROM {quote(project.db_table)} p "
        f"LEFT JOIN {quote(visitor.db_table)} v "
        f"ON v.{quote('project_id')} = p.{quote('id')} AND v.{quote('user_uid')} = %s "
        f"WHERE p.{quote('uid')} = %s"
    )


def _decoded(attributes):
    if attributes is None:
        return {}
    if isinstance(attributes, str | bytes):
        attributes = json.loads(attributes)
    return attributes if isinstance(attributes, dict) else {}


def manifest_context(project_uid, user_uid):
    """``(snapshot, stored attributes)`` for a manifest, from one query (plus a
    snapshot rebuild when the live configuration changed since this process
    last built it). Raises the 404 ``EdgeError`` for an unknown project."""
    with connection.cursor() as cursor:
        cursor.execute(_manifest_sql(connection.vendor), [user_uid, project_uid])
        row = cursor.fetchone()
    if row is None:
        raise project_not_found(project_uid)
    snapshot = current_snapshot(project_uid, row[1])
    if snapshot is None:
        raise project_not_found(project_uid)
    return snapshot, _decoded(row[2])


def project_snapshot(project_uid):
    """The project's current snapshot; the 404 ``EdgeError`` when there is no such project."""
    revision = (
        Project.objects.filter(uid=project_uid).values_list("live_config_revision", flat=True)
    ).first()
    snapshot = None if revision is None else current_snapshot(project_uid, revision)
    if snapshot is None:
        raise project_not_found(project_uid)
    return snapshot


def project_id(project_uid):
    found = Project.objects.filter(uid=project_uid).values_list("pk", flat=True).first()
    if found is None:
        raise project_not_found(project_uid)
    return found


def stored_attributes(*, project_id, user_uid):
    attributes = (
        Visitor.objects.filter(project_id=project_id, user_uid=user_uid)
        .values_list("attributes", flat=True)
        .first()
    )
    return _decoded(attributes)


# ---------- visitors ----------


def _locked_visitor(project_id, user_uid):
    """The visitor row, created when missing, locked for this transaction."""
    Visitor.objects.bulk_create(
        [Visitor(project_id=project_id, user_uid=user_uid, attributes={})],
        ignore_conflicts=True,
    )
    return Visitor.objects.select_for_update().get(project_id=project_id, user_uid=user_uid)


def _merged(current, changes):
    """``current`` with ``changes`` applied: new values win, ``null`` removes a key."""
    merged = dict(current)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    limit = limits()["max_attributes_per_visitor"]
    if len(merged) > limit:
        raise bad_request(
            "TOO_MANY_ATTRIBUTES",
            f"A visitor has at most {limit} attributes; remove some (set them to null) first.",
            status=422,
        )
    return merged


@transaction.atomic
def set_attributes(*, project_id, user_uid, values):
    """Merge ``values`` (attribute key → value) into the visitor's stored attributes.

    The new value wins; ``null`` removes the attribute. Returns the stored attributes.
    """
    values = clean_attributes(values, code="INVALID_BODY", where="body")
    visitor = _locked_visitor(project_id, user_uid)
    merged = _merged(_decoded(visitor.attributes), values)
    if merged != visitor.attributes:
        visitor.attributes = merged
        visitor.save(update_fields=["attributes", "updated_at"])
    return merged


@transaction.atomic
def merge_visitors(*, project_id, source_user_uid, target_user_uid):
    """Copy the source visitor's attributes onto the target (the source's values win).

    The source keeps its attributes. Returns the target's attributes; a source
    without stored attributes changes nothing.
    """
    if source_user_uid == target_user_uid:
        return stored_attributes(project_id=project_id, user_uid=target_user_uid)
    # Lock in a fixed order so two opposite merges cannot deadlock.
    first, second = sorted([source_user_uid, target_user_uid])
    source_exists = Visitor.objects.filter(project_id=project_id, user_uid=source_user_uid)
    if not source_exists.exists():
        return stored_attributes(project_id=project_id, user_uid=target_user_uid)
    locked = {uid: _locked_visitor(project_id, uid) for uid in (first, second)}
    source, target = locked[source_user_uid], locked[target_user_uid]
    merged = _merged(_decoded(target.attributes), _decoded(source.attributes))
    if merged != target.attributes:
        target.attributes = merged
        target.save(update_fields=["attributes", "updated_at"])
    return merged


# ---------- events ----------


@dataclass(frozen=True)
class IncomingEvent:
    """A validated event of a ``POST /events`` body, resolved against the snapshot."""

    kind: int
    version_id: int | None = None
    variant_id: int | None = None
    event_id: int | None = None


def _text_field(item, name, path):
    value = item.get(name)
    if not isinstance(value, str) or not value or len(value) > 100:
        raise bad_request("INVALID_EVENT", f"{path}.{name}: send the {name} as a non-empty string.")
    return value


def validate_events(snapshot, payload):
    """Resolve a ``POST /events`` body into ``IncomingEvent``s, or refuse it whole."""
    config = limits()
    if not isinstance(payload, list):
        raise bad_request("INVALID_BODY", "Send the events as a JSON array.")
    if len(payload) > config["max_events_per_request"]:
        raise bad_request(
            "TOO_MANY_EVENTS",
            f"Send at most {config['max_events_per_request']} events per request "
            f"(this one has {len(payload)}).",
            status=413,
        )
    experiences = snapshot.experiences_by_short_uid
    incoming = []
    for index, item in enumerate(payload):
        path = f"[{index}]"
        if not isinstance(item, dict):
            raise bad_request("INVALID_EVENT", f"{path}: each event is a JSON object.")
        kind = item.get("type")
        if kind == IMPRESSION:
            short_uid = _text_field(item, "experienceShortUid", path)
            variant_short_uid = _text_field(item, "variantShortUid", path)
            experience = experiences.get(short_uid)
            if experience is None:
                raise bad_request(
                    "UNKNOWN_EXPERIENCE",
                    f"{path}: no live experience has the short uid “{short_uid}”.",
                    status=422,
                )
            variant = experience.variants_by_short_uid.get(variant_short_uid)
            if variant is None:
                raise bad_request(
                    "UNKNOWN_VARIANT",
                    f"{path}: the live version of experience “{short_uid}” has no variant "
                    f"“{variant_short_uid}”.",
                    status=422,
                )
            incoming.append(
                IncomingEvent(
                    EventKind.IMPRESSION, version_id=experience.version_id, variant_id=variant.id
                )
            )
        elif kind == EVENT:
            key = _text_field(item, "eventKey", path)
            event_id = snapshot.event_ids_by_key.get(key)
            if event_id is None:
                raise bad_request(
                    "UNKNOWN_EVENT",
                    f"{path}: the project has no event with the key “{key}”. "
                    "Create it under Events first.",
                    status=422,
                )
            incoming.append(IncomingEvent(EventKind.EVENT, event_id=event_id))
        else:
            raise bad_request(
                "INVALID_EVENT", f"{path}.type: send IMPRESSION or EVENT, not {kind!r:.40}."
            )
    return incoming


def _conversions(snapshot, user_uid, events, now):
    """Conversion rows for the custom events among ``events``: one per A/B version
    whose metrics include the event and of which the user had an impression in
    the attribution window (the variant of the latest such impression)."""
    candidates = {
        version_id
        for event in events
        if event.kind == EventKind.EVENT
        for version_id in snapshot.metric_versions_by_event.get(event.event_id, ())
    }
    if not candidates:
        return []
    since = now - timedelta(days=limits()["attribution_days"])
    latest = {}
    for version_id, variant_id in (
        EdgeEvent.objects.filter(
            version_id__in=candidates,
            user_uid=user_uid,
            kind=EventKind.IMPRESSION,
            occurred_at__gte=since,
        )
        .order_by("version_id", "-occurred_at", "-pk")
        .values_list("version_id", "variant_id")
    ):
        latest.setdefault(version_id, variant_id)
    rows = []
    for event in events:
        if event.kind != EventKind.EVENT:
            continue
        for version_id in snapshot.metric_versions_by_event.get(event.event_id, ()):
            if version_id in latest:
                rows.append(
                    EdgeEvent(
                        project_id=snapshot.project_id,
                        kind=EventKind.CONVERSION,
                        user_uid=user_uid,
                        occurred_at=now,
                        version_id=version_id,
                        variant_id=latest[version_id],
                        event_id=event.event_id,
                    )
                )
    return rows


@transaction.atomic
def record_events(*, snapshot, user_uid, events, now=None):
    """Store validated ``events`` for ``user_uid`` and the conversions they make,
    and count them into the analytics tables (``analytics.counting``).

    Impressions are stored first, so an impression and a custom event sent in
    the same request count as "impression, then conversion". Returns the rows.
    """
    now = now or timezone.now()
    rows = [
        EdgeEvent(
            project_id=snapshot.project_id,
            kind=event.kind,
            user_uid=user_uid,
            occurred_at=now,
            version_id=event.version_id,
            variant_id=event.variant_id,
            event_id=event.event_id,
        )
        for event in events
    ]
    impressions = [row for row in rows if row.kind == EventKind.IMPRESSION]
    others = [row for row in rows if row.kind != EventKind.IMPRESSION]
    EdgeEvent.objects.bulk_create(impressions)
    conversions = _conversions(snapshot, user_uid, events, now)
    EdgeEvent.objects.bulk_create(others + conversions)
    # In this transaction: the raw events and the analytics they add commit together.
    count_events(impressions + conversions)
    return rows


def ingest_events(*, snapshot, user_uid, payload, now=None):
    """Validate a ``POST /events`` body and record it, all or nothing."""
    events = validate_events(snapshot, payload)
    if not events:
        return []
    return record_events(snapshot=snapshot, user_uid=user_uid, events=events, now=now)
