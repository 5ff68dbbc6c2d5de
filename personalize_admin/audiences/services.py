"""Attribute, event and audience actions, shared by the web UI and the Management API.

Each function takes keyword-only arguments, runs in one transaction, checks
its rules and raises a ``DomainError`` (nothing changed) when refused, writes
the audit entry, and marks the project's live configuration as changed
(``touch_live_config``) because every one of these changes can change what the
Edge API decides or accepts.

Field errors are keyed by the field's path in the object: ``name``, ``key``,
``type``, and ``definition.rules[0].attribute`` for a definition's rules
(the validator's paths under ``definition``), so an API can return them as they are.

Reads other apps use:

- ``audience_usages(audience)``: the experiences whose draft or live version
  uses the audience (variants' audiences or A/B targeting), with statuses.
- ``audiences_using_attribute(attribute)``: the audiences whose rules use it.
- ``compile_audiences(project=...)``: every audience of the project compiled
  once (two queries), for a snapshot that evaluates many visitors.
"""

import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from personalize_admin.core import audit
from personalize_admin.core.errors import Conflict, ValidationFailed
from personalize_admin.core.revisions import bump, lock_for_update
from personalize_admin.experiences.models import LIVE_STATUSES, Version, VersionStatus
from personalize_admin.projects.models import Project
from personalize_admin.projects.services import touch_live_config

from .models import KEY_PATTERN, Attribute, AttributeType, Audience, Event
from .rules import catalog
from .rules.engine import CompileError, compile_definition
from .rules.validation import iter_rules, prefixed, validate_definition

logger = logging.getLogger(__name__)

IN_USE_STATUSES = (VersionStatus.DRAFT, *LIVE_STATUSES)


class _Errors:
    """Collects field errors so one refusal reports every problem at once."""

    def __init__(self):
        self.field_errors = {}

    def add(self, path, message):
        self.field_errors.setdefault(path, []).append(message)

    def update(self, field_errors):
        for path, messages in field_errors.items():
            self.field_errors.setdefault(path, []).extend(messages)

    def raise_if_any(self, code):
        if self.field_errors:
            first = next(iter(self.field_errors.values()))[0]
            raise ValidationFailed(first, code=code, field_errors=self.field_errors)


def _text(errors, value, *, path, max_length, required_message=None, label="It"):
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None:
        errors.add(path, f"{label} must be text.")
        return ""
    if required_message and not value:
        errors.add(path, required_message)
    elif len(value) > max_length:
        errors.add(path, f"{label} has at most {max_length} characters.")
    return value


def _key(errors, value, *, what):
    key = (value or "").strip() if isinstance(value, str) or value is None else None
    max_length = Attribute._meta.get_field("key").max_length
    if not key:
        errors.add("key", f"Please enter {what} key.")
    elif len(key) > max_length:
        errors.add("key", f"A key has at most {max_length} characters.")
    elif not re.fullmatch(KEY_PATTERN, key):
        errors.add(
            "key", "Use only letters, digits and underscores in a key (e.g. membership_tier)."
        )
    return key or ""


def _lock_project(project):
    """Serialize the project's creations so limits and unique keys hold under concurrency."""
    return Project.objects.select_for_update().get(pk=project.pk)


def _check_limit(queryset, limit_name, noun, code):
    limit = settings.PERSONALIZE_LIMITS[limit_name]
    if queryset.count() >= limit:
        raise Conflict(
            f"A project has at most {limit} {noun}. Delete one you no longer need first.", code=code
        )


def _save(obj, duplicate_error):
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        # Another request took the key or name between the check and the save.
        raise duplicate_error from None


def _update(obj, values, *, actor, action, duplicate_error, labels=None):
    """Apply ``values`` to a locked ``obj``; when anything changed, save it with a new
    revision, record which fields changed and mark the live configuration changed."""
    changed = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            changed[name] = [old, value]
            setattr(obj, name, value)
    if not changed:
        return obj
    obj.updated_by = actor
    bump(obj)
    _save(obj, duplicate_error)
    labels = labels or {}
    # Rule trees are too large for an audit line; the entry says they changed.
    details = {name: ("changed" if name in labels else change) for name, change in changed.items()}
    audit.record(
        project=obj.project,
        actor=actor,
        action=action,
        obj=obj,
        message=f"Changed {', '.join(labels.get(name, name) for name in changed)}.",
        details=details,
    )
    touch_live_config(obj.project)
    return obj


# ---------- attributes ----------


def _duplicate_key(key, what, code):
    message = f"{what} with the key “{key}” already exists. Choose another key."
    return Conflict(message, code=code, field_errors={"key": [message]})


def _clean_attribute(*, name, key, description, type):
    errors = _Errors()
    name = _text(
        errors,
        name,
        path="name",
        max_length=Attribute._meta.get_field("name").max_length,
        required_message="Please enter an attribute name.",
        label="A name",
    )
    key = _key(errors, key, what="an attribute")
    description = _text(
        errors, description, path="description", max_length=1000, label="A description"
    )
    if type not in AttributeType.values:
        errors.add("type", f"Choose a type: {', '.join(AttributeType.labels)}.")
    errors.raise_if_any("personalize.ATTRIBUTES.INVALID")
    return {"name": name, "key": key, "description": description, "type": type}


def _refuse_duplicate_attribute_key(project, key, exclude=None):
    others = Attribute.objects.filter(project=project, key__iexact=key)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise _duplicate_key(key, "An attribute", "personalize.ATTRIBUTES.DUPLICATE_KEY")


@transaction.atomic
def create_attribute(*, project, name, key, description="", type=AttributeType.STRING, actor):
    """Create a custom attribute; the SDK sets its value with ``set({key: value})``."""
    values = _clean_attribute(name=name, key=key, description=description, type=type)
    _lock_project(project)
    _check_limit(
        Attribute.objects.for_project(project),
        "attributes_per_project",
        "custom attributes",
        "personalize.ATTRIBUTES.LIMIT_REACHED",
    )
    _refuse_duplicate_attribute_key(project, values["key"])
    attribute = Attribute(project=project, created_by=actor, updated_by=actor, **values)
    _save(
        attribute,
        _duplicate_key(values["key"], "An attribute", "personalize.ATTRIBUTES.DUPLICATE_KEY"),
    )
    audit.record(
        project=project,
        actor=actor,
        action="attribute.create",
        obj=attribute,
        message=f"Created attribute “{attribute.name}” ({attribute.key}).",
    )
    touch_live_config(project)
    return attribute


@transaction.atomic
def update_attribute(*, attribute, name, key, description, type, actor, expected_revision=None):
    """Change a custom attribute. Changing its type is refused while audiences use
    it with operators the new type does not offer."""
    values = _clean_attribute(name=name, key=key, description=description, type=type)
    attribute = lock_for_update(
        attribute,
        expected_revision,
        what="This attribute",
        code="personalize.ATTRIBUTES.STALE_REVISION",
    )
    _refuse_duplicate_attribute_key(attribute.project, values["key"], exclude=attribute)
    if values["type"] != attribute.type:
        _refuse_breaking_type_change(attribute, values["type"])
    return _update(
        attribute,
        values,
        actor=actor,
        action="attribute.update",
        duplicate_error=_duplicate_key(
            values["key"], "An attribute", "personalize.ATTRIBUTES.DUPLICATE_KEY"
        ),
    )


def _rules_on(definition, uid):
    for rule in iter_rules(definition):
        reference = rule.get("attribute") or {}
        if reference.get("__type") == catalog.CUSTOM_REFERENCE and reference.get("ref") == uid:
            yield rule


def audiences_using_attribute(attribute):
    """The project's (not deleted) audiences whose rules use ``attribute``."""
    candidates = (
        Audience.objects.for_project(attribute.project)
        .filter(definition__icontains=attribute.uid)
        .select_related("project")
    )
    return [
        audience for audience in candidates if any(_rules_on(audience.definition, attribute.uid))
    ]


def _names(objects):
    return ", ".join(f"“{obj}”" for obj in objects)


def _offers(value_type, rule):
    condition = catalog.CONDITIONS.get(rule.get("attributeMatchCondition"))
    return condition is None or value_type in condition.types


def _refuse_breaking_type_change(attribute, new_type):
    broken = [
        audience
        for audience in audiences_using_attribute(attribute)
        if not all(
            _offers(new_type, rule) for rule in _rules_on(audience.definition, attribute.uid)
        )
    ]
    if broken:
        label = AttributeType(new_type).label
        message = (
            f"Its type cannot become {label}: the rules of {_names(broken)} compare it in ways a "
            f"{label.lower()} attribute does not offer. Change those rules first."
        )
        raise Conflict(
            message, code="personalize.ATTRIBUTES.TYPE_IN_USE", field_errors={"type": [message]}
        )


@transaction.atomic
def delete_attribute(*, attribute, actor):
    """Delete a custom attribute; refused while audiences' rules use it."""
    attribute = lock_for_update(attribute)
    users = audiences_using_attribute(attribute)
    if users:
        raise Conflict(
            f"“{attribute.name}” is used by the audience{'s' if len(users) > 1 else ''} {_names(users)}. "
            "Remove it from their rules first.",
            code="personalize.ATTRIBUTES.IN_USE",
        )
    audit.record(
        project=attribute.project,
        actor=actor,
        action="attribute.delete",
        obj=attribute,
        message=f"Deleted attribute “{attribute.name}” ({attribute.key}).",
    )
    attribute.delete()
    touch_live_config(attribute.project)


# ---------- events ----------


def _clean_event(*, key, description):
    errors = _Errors()
    key = _key(errors, key, what="an event")
    description = _text(
        errors, description, path="description", max_length=1000, label="A description"
    )
    errors.raise_if_any("personalize.EVENTS.INVALID")
    return {"key": key, "description": description}


def _refuse_duplicate_event_key(project, key, exclude=None):
    others = Event.objects.for_project(project).filter(key__iexact=key)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise _duplicate_key(key, "An event", "personalize.EVENTS.DUPLICATE_KEY")


@transaction.atomic
def create_event(*, project, key, description="", actor):
    """Create an event; the SDK sends it with ``triggerEvent(key)``."""
    values = _clean_event(key=key, description=description)
    _lock_project(project)
    _check_limit(
        Event.objects.for_project(project),
        "events_per_project",
        "events",
        "personalize.EVENTS.LIMIT_REACHED",
    )
    _refuse_duplicate_event_key(project, values["key"])
    event = Event(project=project, created_by=actor, updated_by=actor, **values)
    _save(event, _duplicate_key(values["key"], "An event", "personalize.EVENTS.DUPLICATE_KEY"))
    audit.record(
        project=project,
        actor=actor,
        action="event.create",
        obj=event,
        message=f"Created event “{event.key}”.",
    )
    touch_live_config(project)
    return event


@transaction.atomic
def update_event(*, event, key, description, actor, expected_revision=None):
    values = _clean_event(key=key, description=description)
    event = lock_for_update(
        event, expected_revision, what="This event", code="personalize.EVENTS.STALE_REVISION"
    )
    if event.deleted_at is not None:
        raise Conflict("This event was deleted.", code="personalize.EVENTS.DELETED")
    _refuse_duplicate_event_key(event.project, values["key"], exclude=event)
    return _update(
        event,
        values,
        actor=actor,
        action="event.update",
        duplicate_error=_duplicate_key(
            values["key"], "An event", "personalize.EVENTS.DUPLICATE_KEY"
        ),
    )


def event_usages(event):
    """Draft and live versions whose metrics use ``event``, with their experiences."""
    return list(
        Version.objects.filter(status__in=IN_USE_STATUSES, metrics__event=event)
        .select_related("experience__project")
        .distinct()
        .order_by("experience__priority", "experience__pk", "number")
    )


@transaction.atomic
def delete_event(*, event, actor):
    """Delete an event (kept for archived versions' analytics); refused while a
    draft or live version measures it."""
    event = lock_for_update(event)
    if event.deleted_at is not None:
        return event
    versions = event_usages(event)
    if versions:
        experiences = _names(dict.fromkeys(version.experience for version in versions))
        raise Conflict(
            f"“{event.key}” is a metric of {experiences}. Remove it from their draft or live version first.",
            code="personalize.EVENTS.IN_USE",
        )
    event.deleted_at = timezone.now()
    event.updated_by = actor
    bump(event)
    event.save(update_fields=["deleted_at", "updated_by", "updated_at", "revision"])
    audit.record(
        project=event.project,
        actor=actor,
        action="event.delete",
        obj=event,
        message=f"Deleted event “{event.key}”.",
    )
    touch_live_config(event.project)
    return event


# ---------- audiences ----------


@dataclass
class AudienceUsage:
    """An experience whose draft or live version uses an audience."""

    experience: object
    versions: list = field(default_factory=list)

    @property
    def statuses(self):
        return [version.status for version in self.versions]


def audience_usages(audience):
    """The experiences whose draft or live versions use ``audience`` (in a variant's
    audiences or in A/B targeting), in priority order, each with those versions."""
    versions = (
        Version.objects.filter(status__in=IN_USE_STATUSES)
        .filter(Q(variants__audience_links__audience=audience) | Q(targeting_audiences=audience))
        .select_related("experience__project")
        .distinct()
        .order_by("experience__priority", "experience__pk", "-number")
    )
    usages = {}
    for version in versions:
        usage = usages.setdefault(version.experience_id, AudienceUsage(version.experience))
        usage.versions.append(version)
    return list(usages.values())


def _clean_audience(*, project, name, description, definition):
    errors = _Errors()
    name = _text(
        errors,
        name,
        path="name",
        max_length=Audience._meta.get_field("name").max_length,
        required_message="Please enter an audience name.",
        label="A name",
    )
    description = _text(
        errors,
        description,
        path="description",
        max_length=Audience._meta.get_field("description").max_length,
        label="A description",
    )
    try:
        definition = validate_definition(
            definition, attributes=Attribute.objects.for_project(project)
        )
    except ValidationFailed as error:
        errors.update(prefixed(error.field_errors, "definition"))
        if not errors.field_errors.keys() & {"name", "description"}:
            raise ValidationFailed(
                error.message, code=error.code, field_errors=errors.field_errors
            ) from None
    errors.raise_if_any("personalize.AUDIENCES.INVALID")
    return {"name": name, "description": description, "definition": definition}


def definition_errors(*, project, definition):
    """The field errors (under ``definition``) of a definition, or ``{}`` when it is valid."""
    try:
        validate_definition(definition, attributes=Attribute.objects.for_project(project))
    except ValidationFailed as error:
        return prefixed(error.field_errors, "definition")
    return {}


def _duplicate_name(name):
    message = f"An audience named “{name}” already exists. Choose another name."
    return Conflict(
        message, code="personalize.AUDIENCES.DUPLICATE_NAME", field_errors={"name": [message]}
    )


def _refuse_duplicate_name(project, name, exclude=None):
    others = Audience.objects.for_project(project).filter(name__iexact=name)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise _duplicate_name(name)


@transaction.atomic
def create_audience(*, project, name, description="", definition, actor):
    """Create an audience from a definition (see ``rules``); it is validated and
    stored normalized."""
    values = _clean_audience(
        project=project, name=name, description=description, definition=definition
    )
    _lock_project(project)
    _check_limit(
        Audience.objects.for_project(project),
        "audiences_per_project",
        "audiences",
        "personalize.AUDIENCES.LIMIT_REACHED",
    )
    _refuse_duplicate_name(project, values["name"])
    audience = Audience(project=project, created_by=actor, updated_by=actor, **values)
    _save(audience, _duplicate_name(values["name"]))
    audit.record(
        project=project,
        actor=actor,
        action="audience.create",
        obj=audience,
        message=f"Created audience “{audience.name}”.",
    )
    touch_live_config(project)
    return audience


@transaction.atomic
def update_audience(*, audience, name, description, definition, actor, expected_revision=None):
    """Change an audience's name, description and rules (all three, as the editor saves them)."""
    values = _clean_audience(
        project=audience.project, name=name, description=description, definition=definition
    )
    audience = lock_for_update(
        audience,
        expected_revision,
        what="This audience",
        code="personalize.AUDIENCES.STALE_REVISION",
    )
    if audience.deleted_at is not None:
        raise Conflict("This audience was deleted.", code="personalize.AUDIENCES.DELETED")
    _refuse_duplicate_name(audience.project, values["name"], exclude=audience)
    return _update(
        audience,
        values,
        actor=actor,
        action="audience.update",
        duplicate_error=_duplicate_name(values["name"]),
        labels={"definition": "rules"},
    )


def in_use_message(audience, usages):
    experiences = ", ".join(
        f"“{usage.experience.name}” ({', '.join(v.get_status_display() for v in usage.versions)})"
        for usage in usages
    )
    return f"“{audience.name}” is used by {experiences}. Remove it from those experiences first."


@transaction.atomic
def delete_audience(*, audience, actor):
    """Delete an audience. Refused (409 ``personalize.AUDIENCES.IN_USE``) while a draft or
    live version uses it; one only archived versions use is kept for them, marked deleted."""
    audience = lock_for_update(audience)
    if audience.deleted_at is not None:
        return audience
    usages = audience_usages(audience)
    if usages:
        raise Conflict(in_use_message(audience, usages), code="personalize.AUDIENCES.IN_USE")
    audience.deleted_at = timezone.now()
    audience.updated_by = actor
    bump(audience)
    audience.save(update_fields=["deleted_at", "updated_by", "updated_at", "revision"])
    audit.record(
        project=audience.project,
        actor=actor,
        action="audience.delete",
        obj=audience,
        message=f"Deleted audience “{audience.name}”.",
    )
    touch_live_config(audience.project)
    return audience


def _never(presets, custom):
    return False


def compile_audiences(*, project, include_deleted=False):
    """``{audience uid: matches(presets, custom)}`` for the project's audiences.

    Compiled once from two queries. An audience that cannot be compiled (data
    written around the validator) is logged and matches nobody, so one bad row
    never stops the rest from being served. ``include_deleted`` adds the deleted
    audiences that archived versions still refer to.
    """
    attributes = {attribute.uid: attribute for attribute in Attribute.objects.for_project(project)}
    audiences = Audience.objects.filter(project=project)
    if not include_deleted:
        audiences = audiences.filter(deleted_at__isnull=True)
    compiled = {}
    for uid, definition in audiences.values_list("uid", "definition"):
        try:
            compiled[uid] = compile_definition(definition, attributes_by_uid=attributes).matches
        except CompileError as error:
            logger.error(
                "Audience %s of project %s cannot be compiled: %s", uid, project.uid, error
            )
            compiled[uid] = _never
    return compiled
